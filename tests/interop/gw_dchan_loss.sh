#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: the PSTN side fails in the middle of a call.  SIPp calls the
# echo number (7000000) on the gateway's embedded default and holds; with
# the call up, `strowger-ctl simfault` puts the span that carries it in RED
# alarm.  The gateway must clear the call with Q.850 cause 41 (temporary
# failure) and tell SIPp in a BYE with `Reason: Q.850;cause=41` (RFC 3326).
# Then the alarm clears, the span comes back (Q.921 re-established), a new
# call works; the same again with the D-channel alone lost (dchan-down),
# which only Q.921 notices; the CDRs and `counters` show what happened.
# Prints TAP; skips only when sipp is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
dir=$top/tests/interop
. "$top/tests/gw_lib.sh"
tap_plan 14
tap_need sipp
gw_tmp spid
gw_setup
gw_start
ok $? "the gateway listens (UDP port ${port:-none}) and its spans are up"

# sipp SCENARIO [ARGS...]: one call to the echo number, bounded by -timeout
# (60 s: Q.921's timers take their time to notice a lost D-channel, and a
# loaded machine more).
sipp_call() {
	sf=$1
	shift
	gw_sipp -sf "$sf" -s 7000000 -m 1 -timeout 60s -timeout_error "$@" >"$tmp/sipp.out" 2>&1
}

# The span carrying the answered call: wait (bounded, 20 s) for it to be
# ACTIVE, then read `spans` for the span with a call.
active() { ctl calls | grep -q ' ACTIVE '; }
span_of_call() {
	wait_for -s 20 active && ctl spans | awk 'NR > 1 && $5 == 1 { print $1; exit }'
}

# Both spans up again: bounded (60 s: Q.921 re-establishes after the fault).
both_up() { [ "$(ctl spans | grep -c ' up  *none ')" = 2 ]; }
spans_up() { wait_for -s 60 both_up; }

# fault_mid_call FAULT CLEAR: a held call, FAULT on its span, BYE with 41.
fault_mid_call() {
	sipp_call "$dir/gw_uac_bye_in.xml" &
	spid=$!
	span=$(span_of_call)
	[ -n "$span" ] && ctl simfault "$span" "$1" >/dev/null
	ok $? "a call is up on span ${span:-none}; simfault $1 on it"
	wait "$spid"
	rc=$?
	spid=
	ok $rc "$1: the gateway sends BYE with Reason Q.850 cause 41; SIPp answers 200"
	[ $rc = 0 ] || show "$tmp/sipp.out"
	ctl spans | awk -v s="$span" '$1 == s && $3 == "down" { f = 1 } END { exit !f }'
	ok $? "while $1 lasts, spans shows span $span's D-channel down"
	ctl simfault "$span" "$2" >/dev/null && spans_up
	rc=$?
	ok $rc "simfault $2: span $span comes back up"
	[ $rc = 0 ] || ctl spans | sed 's/^/# /'
	sipp_call "$dir/gw_uac_answer.xml"
	rc=$?
	ok $rc "after $1 and $2, a new call is answered"
	[ $rc = 0 ] || show "$tmp/sipp.out"
}

fault_mid_call red clear
# The same with only the D-channel lost: frames stop both ways and Q.921
# (T200 retransmissions, T203 idle) finds out, so it takes longer.
fault_mid_call dchan-down dchan-up

# SIPp is done once its BYE is answered; the gateway ends the call (its
# record, its counters) only when the ISDN side has cleared too: wait for
# that (bounded) before reading them.
no_call() { [ "$(ctl calls | wc -l)" = 1 ]; }
wait_for no_call
csv=$(ctl cdr --csv)
[ "$(echo "$csv" | grep -c ',7000000,.*,41,200,test-exchange')" = 2 ] &&
	[ "$(echo "$csv" | grep -c ',7000000,.*,16,200,test-exchange')" = 2 ]
rc=$?
ok $rc "the CDRs record cause 41 for the calls lost, 16 for the others"
[ $rc = 0 ] || echo "$csv" | sed 's/^/# /'

ctl counters >"$tmp/counters"
grep -qx 'calls.ended 4' "$tmp/counters" && grep -qx 'calls.answered 4' "$tmp/counters" &&
	grep -qx 'calls.cause.41 2' "$tmp/counters" && grep -qx 'calls.cause.16 2' "$tmp/counters" &&
	grep -qx 'calls.in_progress 0' "$tmp/counters" &&
	grep -q '^sip.rx_msgs [1-9]' "$tmp/counters" && grep -q '^sip.sessions 4$' "$tmp/counters" &&
	grep -q '^span.[12].dchan_down [1-9]' "$tmp/counters" &&
	grep -qx 'media.streams 4' "$tmp/counters" && grep -qx 'media.streams.now 0' "$tmp/counters" &&
	grep -q '^media.rtp.tx_packets [1-9]' "$tmp/counters" && grep -q '^media.jbuf.late ' "$tmp/counters"
rc=$?
ok $rc "counters: 4 calls answered, 2 with cause 41, SIP messages, a D-channel down, 4 RTP streams that sent"
[ $rc = 0 ] || sed 's/^/# /' "$tmp/counters"

ctl simfault 1 purple >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "unknown fault 'purple'; faults: red|yellow|blue|clear|dchan-down" "$tmp/err"
ok $? "an unknown fault is refused with the list of faults"
gw_stop
exit $((fail | $?))
