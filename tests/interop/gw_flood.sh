#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: bad input never harms other calls.  The gateway runs the
# embedded default grown to four E1 PRI spans (120 B-channels) toward four
# simulated PBX spans; SIPp places 100 calls to the echo number that stay
# up for 12 s; while all 100 are up, gw_flood.py sends malformed SIP over
# UDP and TCP for 4 s (garbage, truncated and oversize messages, huge
# headers, bad Content-Length, missing headers, wrong versions, requests
# for dialogs that do not exist, TCP streams that never finish).  Then:
# all 100 calls are still up and end normally, the daemon answers, the
# CDRs show 100 answered calls with cause 16, and a fresh call works.
# Prints TAP; skips only when sipp or python3 is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
dir=$top/tests/interop
. "$top/tests/gw_lib.sh"
tap_plan 8
tap_need sipp python3
gw_tmp spid

# Four gateway spans (1-4, group pbx) and four PBX spans (5-8) crossed
# with them, in DAHDI's system.conf syntax: 30 B-channels and a D-channel
# (16) per E1.
gw_setup
{
	echo "# gw_flood.sh: eight E1 PRI spans; 1-4 the gateway's, 5-8 the PBX's."
	s=1
	while [ $s -le 8 ]; do
		b=$(((s - 1) * 31))
		echo "span=$s,$((s == 1 ? 1 : 0)),0,ccs,hdb3,crc4"
		echo "bchan=$((b + 1))-$((b + 15)),$((b + 17))-$((b + 31))"
		echo "dchan=$((b + 16))"
		s=$((s + 1))
	done
	echo "loadzone=de"
	echo "defaultzone=de"
} >"$tmp/sim-pri.conf"
# Replace the [span], [simpbx] and [logging] sections (the file's last).
sed -i '/^\[span 1\]/,$d' "$tmp/strowger.conf"
s=1
while [ $s -le 4 ]; do
	printf '[span %d]\nswitchtype = euroisdn_e1\nrole = cpe\ngroup = pbx\n\n' $s
	printf '[simpbx pbx%d]\nspan = %d\ncross = %d\nscript = sim-pbx.script\nzone = de\n\n' \
		$s $((s + 4)) $s
	s=$((s + 1))
done >>"$tmp/strowger.conf"

gw_spans=4
gw_start
ok $? "the gateway listens (UDP port ${port:-none}) with four spans up (120 B-channels)"

active() { ctl calls 2>/dev/null | grep -c ' ACTIVE '; }
all_up() { [ "$(active)" = 100 ]; }

# 100 calls, 50 a second, each up 12 s: all are up from the last answer
# (2 s after the first) until the first call ends, a window that must hold
# the flood's 4 s, its start and the count after it on a loaded machine.
gw_sipp -sf "$dir/gw_uac_stay.xml" -s 7000000 -m 100 -l 100 -r 50 -d 12000 \
	-timeout 60s -timeout_error >"$tmp/sipp.out" 2>&1 &
spid=$!
wait_for all_up
rc=$?
ok $rc "100 calls are up ($(active) ACTIVE)"

tport=$(sed -n 's/.*listening on TCP 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/log" | head -n 1)
python3 "$dir/gw_flood.py" "$port" "${tport:-9}" 4 20000 >"$tmp/flood.out" 2>&1
rc=$?
a=$(active)
[ $rc = 0 ] && [ "$a" = 100 ]
r=$?
ok $r "after 4 s of malformed SIP all 100 calls are still up ($a ACTIVE)"
sed 's/^/# flood: /' "$tmp/flood.out"

wait "$spid"
rc=$?
spid=
ok $rc "SIPp: all 100 calls ended normally (BYE, 200)"
[ $rc = 0 ] || show "$tmp/sipp.out"

kill -0 "$pid" 2>/dev/null && [ "$(ctl spans 2>/dev/null | grep -c ' up ')" = 4 ]
ok $? "the daemon runs and answers strowger-ctl spans (four spans up)"

# 100 answered calls to 7000000, each cleared with 16 and 200 (the flood's
# INVITEs that parse are refused calls to 999: their records are not ours).
# SIPp is done once its last BYE is answered; the gateway writes a call's
# record when the PSTN side has cleared too: wait (bounded) for no call.
no_calls() { [ "$(ctl calls 2>/dev/null | wc -l)" = 1 ]; }
wait_for no_calls
ctl cdr --csv | tail -n +2 >"$tmp/cdr.csv"
awk -F, '$10 == "7000000" { m++; if ($5 != "" && $16 == 16 && $17 == 200) n++ }
	END { exit !(n == 100 && m == 100) }' "$tmp/cdr.csv"
r=$?
ok $r "100 CDRs to 7000000: answered, cause 16, status 200"
[ $r = 0 ] || awk -F, '{ print "# cdr: called " $10 ", cause " $16 ", status " $17 ($5 == "" ? "" : ", answered") }' \
	"$tmp/cdr.csv" | sort | uniq -c
gw_sipp -sf "$dir/gw_uac_answer.xml" -s 7000000 -m 1 -timeout 20s -timeout_error \
	>"$tmp/sipp2.out" 2>&1
rc=$?
ok $rc "a fresh call after the flood is answered and ends normally"
[ $rc = 0 ] || show "$tmp/sipp2.out"

# Shut down with no call left (the fresh one clears its PSTN side after
# SIPp is done).  The watchdog's sleep must not hold the TAP output open.
wait_for no_calls
(sleep 30 && kill "$pid" 2>/dev/null) >/dev/null 2>&1 & # bounded, whatever happens
dog=$!
gw_stop
r=$?
kill "$dog" 2>/dev/null
ok $r "graceful shutdown (exit 0)"
[ $fail = 0 ] || tail -n 30 "$tmp/log" | sed 's/^/# gw: /'
exit $fail
