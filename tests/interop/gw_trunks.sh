#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: SIP trunks (issue 7).  The embedded default with [trunk] sections:
#  - failover: the simulated PBX calls out (strowger-ctl simcall) over
#    `route trunk t1` / `fallback trunk t2`; t1 is a SIPp UAS answering 503,
#    t2 SIPp's built-in uas, which answers: the call connects over t2;
#  - limits: calls from SIP come in over trunk "phones" (max_calls = 1); a
#    second concurrent SIPp call gets 503 with Retry-After and Reason cause 34.
# Prints TAP; skips only when sipp or python3 is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
dir="$top/tests/interop"
. "$top/tests/gw_lib.sh"
tap_plan 11
tap_need sipp python3
gw_tmp p1 p2 p3

set -- $(free_port 2)
u1=$1 u2=$2
gw_setup
cat >>"$tmp/strowger.conf" <<CONF
[trunk t1]
host = 127.0.0.1
port = $u1
[trunk t2]
host = 127.0.0.1
port = $u2
CONF
# The shipped [trunk phones] (127.0.0.0/8) takes SIPp's calls: at most one.
sed -i 's|^\[trunk phones\]$|[trunk phones]\nmax_calls = 1|' "$tmp/strowger.conf"
sed -i -e 's|^route uri sip:${called}@127.0.0.1:5062$|route trunk t1\nfallback trunk t2|' \
	-e 's|^expect route uri sip:100@127.0.0.1:5062$|expect route trunk t1\nexpect fallback trunk t2|' \
	-e 's|^\[group pbx\]$|[trunk t1]\n[trunk t2]\n[group pbx]|' "$tmp/sim-exchange.map"

# --- failover: t1 answers 503, t2 answers ---------------------------------
# Both bind their ports before the gateway starts (and binds its own).
sipp_uas "$u1" -sf "$dir/gw_uas_503.xml" >"$tmp/t1.out" 2>&1 &
p1=$!
sipp_uas "$u2" -sn uas >"$tmp/t2.out" 2>&1 &
p2=$!
wait_for bound "$u1" && wait_for bound "$u2" || echo "# SIPp did not bind ports $u1 $u2"
gw_start
ok $? "the gateway runs with [trunk] sections (UDP port ${port:-none})"
ctl simcall pbx1 100 2001234 | grep -q "pbx1 calls 100"
ok $? "the simulated PBX calls 100 through the gateway"
active() { ctl calls | grep -q ACTIVE; }
wait_for active
id=$(ctl calls | awk '$2 == "ACTIVE" { print $1; exit }')
[ -n "$id" ] && ctl hangup "$id" >/dev/null
wait "$p1"
rc=$?
p1=
ok $rc "trunk t1 (SIPp) answered the INVITE with 503 and got its ACK"
[ $rc = 0 ] || show "$tmp/t1.out"
wait "$p2"
rc=$?
p2=
ok $rc "the call failed over to trunk t2 (SIPp's uas): answered, then BYE (exit $rc)"
[ $rc = 0 ] || show "$tmp/t2.out"
cdr() { ctl cdr --csv | grep ',to-sip,' | grep -q ',t2,.*,16,200,pbx-to-sip-phone'; }
wait_for cdr
ok $? "the CDR records the call on trunk t2"
ctl trunks >"$tmp/trunks"
# Columns: trunk destination tp max_calls max_cps in out refused failovers, then
# the registration's four.
awk '$1 == "t1" && $9 == 1 { f = 1 } END { exit !f }' "$tmp/trunks" &&
	grep -q "^t2 .*127.0.0.1:$u2 " "$tmp/trunks"
ok $? "strowger-ctl trunks: t1 has one failover, t2 its destination"
[ $? = 0 ] || sed 's/^/# /' "$tmp/trunks"
ctl counters >"$tmp/counters"
grep -qx 'calls.failovers 1' "$tmp/counters" && grep -qx 'trunk.t1.failovers 1' "$tmp/counters" &&
	grep -qx 'trunk.t2.total_out 1' "$tmp/counters"
ok $? "counters: calls.failovers, trunk.t1.failovers, trunk.t2.total_out"

# --- limits: max_calls = 1 on the trunk SIP callers come in over ----------
gw_sipp -sf "$dir/gw_uac_stay.xml" -s 7000000 -m 1 -d 3000 -timeout 30s -timeout_error \
	>"$tmp/stay.out" 2>&1 &
p3=$!
wait_for active
gw_sipp -sf "$dir/gw_uac_503.xml" -s 7000001 -m 1 -timeout 30s -timeout_error \
	>"$tmp/over.out" 2>&1
rc=$?
ok $rc "a second concurrent call gets 503 with Retry-After and Reason cause 34"
[ $rc = 0 ] || show "$tmp/over.out"
ctl counters | grep -qx 'trunk.phones.refused_in 1'
ok $? "counters: trunk.phones.refused_in 1"
wait "$p3"
rc=$?
p3=
ok $rc "the first call was not disturbed: answered, held, BYE (exit $rc)"
[ $rc = 0 ] || show "$tmp/stay.out"
gw_stop
ok $? "graceful shutdown"
exit $fail
