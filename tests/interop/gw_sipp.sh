#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: SIPp (sip-tester) calls the running gateway on its embedded
# default — SIP → simulated E1 PRI → the simulated PBX's test numbers — and
# checks each outcome: answered with early media, busy 486 / unallocated
# 404 / congestion 503 each with the PSTN's real cause in a Reason header,
# CANCEL while ringing, a number the dial plan refuses; then the CDRs.
# Prints TAP; skips only when sipp is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
dir=$top/tests/interop
. "$top/tests/gw_lib.sh"
tap_plan 9
tap_need sipp
gw_tmp
gw_setup
gw_start
ok $? "the gateway listens (UDP port ${port:-none}) and its spans are up"

# sipp NAME NUMBER SCENARIO [CALLS]: every call must succeed (exit 0).
call() {
	name=$1 num=$2 sf=$3 m=${4:-5}
	gw_sipp -sf "$sf" -s "$num" -m "$m" -r 10 -l 10 -timeout 30s -timeout_error \
		>"$tmp/sipp.out" 2>&1
	rc=$?
	ok $rc "$name"
	[ $rc = 0 ] || show "$tmp/sipp.out"
}
reject() {
	sed -e "s/@STATUS@/$3/g" -e "s/@CAUSE@/$4/g" "$dir/gw_uac_reject.xml.in" >"$tmp/r$3.xml"
	call "$1" "$2" "$tmp/r$3.xml"
}

call "2xxxxxx: early media, answered after a second, BYE from SIP" 2001234 "$dir/gw_uac_answer.xml"
call "7xxxxxx: answered (echo), BYE from SIP" 7000000 "$dir/gw_uac_answer.xml"
reject "3xxxxxx: busy is 486 with Reason Q.850 cause 17" 3000000 486 17
reject "5xxxxxx: unallocated is 404 with Reason cause 1" 5000000 404 1
reject "6xxxxxx: congestion is 503 with Reason cause 34" 6000000 503 34
call "4xxxxxx: ringing, CANCEL, 487" 4000000 "$dir/sip_uac_cancel.xml"
reject "a number the dial plan refuses: 404, cause 1" 999 404 1
csv=$(ctl cdr --csv)
echo "$csv" | grep -q ',2001234,.*,16,200,test-exchange' &&
	echo "$csv" | grep -q ',3000000,.*,17,486,test-exchange'
ok $? "CDRs record the numbers, causes, statuses and the rule"
gw_stop
exit $((fail | $?))
