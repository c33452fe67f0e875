#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: baresip (baresip-core, headless: ausine sends 440 Hz, aubridge
# plays nothing, sndfile records what arrives) against strowger's SIP
# layers, placing and receiving calls:
#   a) baresip calls sip_uas (tests/interop/sip_uas.c, a minimal UA on the
#      SIP stack: auto-answer, RTP echo with -m); baresip hangs up (BYE)
#   b) sip_uas calls baresip (account answermode=auto); sip_uas hangs up
#   c) the gateway calls baresip: the simulated PBX dials it (strowger-ctl
#      simcall; the dial plan's phone port rewritten to baresip's), echoes
#      it, and hangs up after 10 s, so the gateway sends the BYE; while the
#      call is up, strowger-ctl calls and channels show it
# Each direction checks that the call was established and ended cleanly
# (sip_uas's report, baresip's log) and that the audio came back (440 Hz in
# the WAV baresip recorded).  Prints TAP; skips when baresip, its sndfile
# module or python3 (to read the WAV files) is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
uas=$bd/tests/interop/sip_uas
. "$top/tests/gw_lib.sh"
tap_plan 10
tap_need baresip python3
[ -f /usr/lib/baresip/modules/sndfile.so ] || tap_skip_all "baresip's sndfile module missing"
gw_tmp upid bpid

# A headless baresip in $tmp/bs listening on $bport, answering by itself;
# sndfile records to $tmp/snd.
mkdir -p "$tmp/snd"
bport=$(free_port)
baresip_config "$tmp/bs" "module		sndfile.so" "snd_path	$tmp/snd"
sed -i "s/^sip_listen.*/sip_listen	127.0.0.1:$bport/" "$tmp/bs/config"
sed -i 's/$/;answermode=auto/' "$tmp/bs/accounts"

# heard: the WAV baresip recorded of what it received has 440 Hz, loud.
heard() {
	wav=$(ls "$tmp"/snd/*-dec.wav 2>/dev/null | head -n 1)
	set -- $([ -n "$wav" ] && wav_freq "$wav" || echo 0 0)
	hz=$1 rms=$2
	[ "$1" -ge 430 ] && [ "$1" -le 450 ] && [ "$2" -gt 3000 ]
}
established() { grep -q "Call established" "$tmp/bs.log"; }
ended() { grep -q "terminated (duration" "$tmp/bs.log"; }

# --- a) baresip calls sip_uas -------------------------------------------------
"$uas" -m >"$tmp/uas.out" 2>"$tmp/uas.err" &
upid=$!
uas_port() { uport=$(sed -n 's/^PORT //p' "$tmp/uas.out") && [ -n "$uport" ]; }
wait_for uas_port
uas_port
timeout 30 baresip -f "$tmp/bs" -e "/dial sip:7000@127.0.0.1:$uport" -t 5 >"$tmp/bs.log" 2>&1
rc=$?
kill "$upid" 2>/dev/null
wait "$upid"
upid=
established && ended && [ $rc = 0 ]
ok $? "a) baresip calls sip_uas: established, then ended by baresip (exit $rc)"
[ $fail = 0 ] || show "$tmp/bs.log" baresip
grep -q "^calls 1 ended 1 .* bad 0 " "$tmp/uas.out"
ok $? "a) sip_uas answered one call and saw it end with baresip's BYE"
[ $fail = 0 ] || show "$tmp/uas.out" sip_uas
heard && grep -Eq " rtp [1-9][0-9]{2,}" "$tmp/uas.out"
ok $? "a) the audio comes back: sip_uas echoed, baresip heard $hz Hz (RMS $rms)"

# --- b) sip_uas calls baresip --------------------------------------------------
# baresip runs until the call has ended (its -t, 40 s, only bounds it): it
# must still be there for sip_uas's BYE however slowly things start.  Then
# it is stopped (SIGTERM: it stops its UA and exits 0).
rm -f "$tmp"/snd/*
timeout 60 baresip -f "$tmp/bs" -t 40 >"$tmp/bs.log" 2>&1 &
bpid=$!
listening() { grep -q "baresip is ready" "$tmp/bs.log"; }
wait_for listening
timeout 30 "$uas" -m -c "sip:1001@127.0.0.1:$bport" -d 3 >"$tmp/uas.out" 2>"$tmp/uas.err"
rc=$?
# sip_uas is done once its BYE is answered; baresip logs the end then.
wait_for ended
kill "$bpid" 2>/dev/null
wait "$bpid"
brc=$?
bpid=
grep -q " uac 200$" "$tmp/uas.out" && [ $rc = 0 ]
ok $? "b) sip_uas calls baresip: answered, ended by sip_uas's BYE (exit $rc)"
[ $fail = 0 ] || show "$tmp/uas.out" sip_uas
grep -q "answering call" "$tmp/bs.log" && established && ended && [ $brc = 0 ]
ok $? "b) baresip answered by itself (answermode=auto) and saw the call end"
heard && grep -Eq " rtp [1-9][0-9]{2,}" "$tmp/uas.out"
ok $? "b) the audio comes back: baresip heard $hz Hz (RMS $rms)"
[ $fail = 0 ] || show "$tmp/bs.log" baresip

# --- c) the gateway calls baresip ----------------------------------------------
# baresip takes its port again before the gateway starts (and binds its own).
rm -f "$tmp"/snd/*
timeout 60 baresip -f "$tmp/bs" -t 40 >"$tmp/bs.log" 2>&1 &
bpid=$!
wait_for listening
gw_setup
sed -i "s|127\.0\.0\.1:5062|127.0.0.1:$bport|" "$tmp/sim-exchange.map"
gw_start
ok $? "c) the gateway is up (UDP port ${port:-none})"
ctl simcall pbx1 1001 5551234 >/dev/null
active() { ctl calls | grep -q ' ACTIVE '; }
# during: what strowger-ctl shows of the call (polled, bounded: the PBX
# hangs up 10 s after the answer).
during() {
	ctl calls >"$tmp/calls"
	ctl channels 1 >"$tmp/chans"
	id=$(awk '$2 == "ACTIVE" { print $1; exit }' "$tmp/calls")
	awk -v id="${id:-x}" '$1 == id && $3 == "5551234" && $4 == "1001" && $7 ~ /^isdn:1\// &&
		$8 ~ /^sip:/ { f = 1 } END { exit !f }' "$tmp/calls" &&
		awk -v id="${id:-x}" '$4 == "busy" && $5 == "ACTIVE" && $6 == "in" && $7 == id { f = 1 }
		END { exit !f }' "$tmp/chans"
}
wait_for -s 20 active && wait_for -s 8 during
r=$?
ok $r "c) during the call: calls shows both legs, channels its B-channel ACTIVE with call ${id:-none}"
[ $r = 0 ] || { show "$tmp/calls" calls; show "$tmp/chans" channels; }
# The PBX hangs up 10 s after the answer: the gateway's BYE ends the call
# while baresip still runs (its -t is 40 s).  The gateway forgets the call
# when it sends the BYE; baresip logs the end only once it has read it, so
# that is waited for too (a busy machine may take a moment).
no_call() { [ "$(ctl calls | wc -l)" = 1 ]; }
wait_for -s 20 no_call && wait_for -s 10 ended && kill -0 "$bpid" 2>/dev/null
r=$?
ok $r "c) the gateway's BYE ends the call (baresip still running)"
[ $r = 0 ] || show "$tmp/bs.log" baresip
kill "$bpid" 2>/dev/null
wait "$bpid" 2>/dev/null
bpid=
heard
ok $? "c) the PBX's echo through the gateway: baresip heard $hz Hz (RMS $rms)"
gw_stop
exit $((fail | $?))
