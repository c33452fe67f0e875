#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: baresip (baresip-core) calls the running gateway on its embedded
# default, and the audio is checked.  baresip sends a 440 Hz sine (ausine)
# and records what it receives (sndfile):
#   7000000  the simulated PBX echoes: 440 Hz must come back
#   2001234  the PBX answers with a steady 1004 Hz: that must arrive
# The path: RTP, the gateway's media stream (PCMU ⇄ A-law), the bridge, a
# simulated E1 B-channel, the simulated PBX, and back.  Prints TAP; skips
# only when baresip (or python3, used to read the WAV files) is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
plan=3
echo "1..$plan"
if ! command -v baresip >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1 ||
	[ ! -f /usr/lib/baresip/modules/sndfile.so ]; then
	i=1
	while [ $i -le $plan ]; do echo "ok $i # SKIP baresip (with sndfile) or python3 missing"; i=$((i + 1)); done
	exit 0
fi
tmp=$(mktemp -d) || exit 1
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }

. "$top/tests/gw_lib.sh"
gw_setup
gw_start
ok $? "the gateway is up (UDP port ${port:-none})"

# Headless baresip (see ../shared/NOTES.md): a sine source, no player.
mkdir -p "$tmp/bs" "$tmp/snd"
cat >"$tmp/bs/config" <<CONF
poll_method	epoll
sip_listen	127.0.0.1:0
audio_player	aubridge,nil
audio_source	ausine,440
ausrc_srate	48000
ausrc_channels	2
auplay_srate	48000
auplay_channels	2
net_interface	127.0.0.1
module_path	/usr/lib/baresip/modules
module		g711.so
module		ausine.so
module		aubridge.so
module		sndfile.so
module_app	account.so
module_app	menu.so
snd_path	$tmp/snd
CONF
echo "<sip:1001@127.0.0.1>;regint=0" >"$tmp/bs/accounts"

# call NUMBER: dial, hold 4 s, hang up; leaves the received audio's WAV.
call() {
	rm -f "$tmp"/snd/*
	timeout 30 baresip -f "$tmp/bs" -e "/dial sip:$1@127.0.0.1:$port" -t 5 >"$tmp/bs.log" 2>&1
	ls "$tmp"/snd/*-dec.wav 2>/dev/null | head -n 1
}

# freq WAV: the zero-crossing frequency and RMS of its last second.
freq() {
	python3 - "$1" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1])
rate, ch = w.getframerate(), w.getnchannels()
x = struct.unpack('<%dh' % (w.getnframes() * ch), w.readframes(w.getnframes()))[::ch]
x = x[-rate:]
zc = sum(1 for i in range(1, len(x)) if (x[i - 1] < 0) != (x[i] < 0))
print(zc // 2, int(math.sqrt(sum(v * v for v in x) / max(len(x), 1))))
PY
}

wav=$(call 7000000)
set -- $( [ -n "$wav" ] && freq "$wav" || echo 0 0 )
[ "$1" -ge 430 ] && [ "$1" -le 450 ] && [ "$2" -gt 3000 ]
ok $? "7000000 echoes baresip's 440 Hz back (measured $1 Hz, RMS $2)"

wav=$(call 2001234)
set -- $( [ -n "$wav" ] && freq "$wav" || echo 0 0 )
[ "$1" -ge 994 ] && [ "$1" -le 1014 ] && [ "$2" -gt 1000 ]
ok $? "2001234 answers with the 1004 Hz test tone (measured $1 Hz, RMS $2)"
[ $fail = 0 ] || { tail -n 20 "$tmp/bs.log" | sed 's/^/# baresip: /'; tail -n 20 "$tmp/log" | sed 's/^/# gw: /'; }

gw_stop
exit $((fail | $?))
