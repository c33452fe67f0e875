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
. "$top/tests/gw_lib.sh"
tap_plan 3
tap_need baresip python3
[ -f /usr/lib/baresip/modules/sndfile.so ] || tap_skip_all "baresip's sndfile module missing"
gw_tmp
gw_setup
gw_start
ok $? "the gateway is up (UDP port ${port:-none})"

# Headless baresip (see ../shared/NOTES.md): a sine source, no player;
# sndfile records what it receives.
mkdir -p "$tmp/snd"
baresip_config "$tmp/bs" "module		sndfile.so" "snd_path	$tmp/snd"

# call NUMBER: dial, hold 4 s, hang up; leaves the received audio's WAV.
call() {
	rm -f "$tmp"/snd/*
	timeout 30 baresip -f "$tmp/bs" -e "/dial sip:$1@127.0.0.1:$port" -t 5 >"$tmp/bs.log" 2>&1
	ls "$tmp"/snd/*-dec.wav 2>/dev/null | head -n 1
}

wav=$(call 7000000)
set -- $( [ -n "$wav" ] && wav_freq "$wav" || echo 0 0 )
[ "$1" -ge 430 ] && [ "$1" -le 450 ] && [ "$2" -gt 3000 ]
ok $? "7000000 echoes baresip's 440 Hz back (measured $1 Hz, RMS $2)"

wav=$(call 2001234)
set -- $( [ -n "$wav" ] && wav_freq "$wav" || echo 0 0 )
[ "$1" -ge 994 ] && [ "$1" -le 1014 ] && [ "$2" -gt 1000 ]
ok $? "2001234 answers with the 1004 Hz test tone (measured $1 Hz, RMS $2)"
[ $fail = 0 ] || show "$tmp/bs.log" baresip

gw_stop
exit $((fail | $?))
