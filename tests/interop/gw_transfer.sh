#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: blind transfer by REFER through the running gateway (RFC 3515,
# RFC 5589 §6).  SIPp (gw_uac_refer.xml) calls the simulated PBX's echo
# number, then transfers the PBX's party to 100, which the embedded dial
# plan routes to a SIP phone (SIPp's built-in uas); SIPp checks the 202 and
# the NOTIFYs (100, 180, 200 terminated) and hangs up.  Then: the PBX's call
# is still up, now with the phone (strowger-ctl calls); the first CDR
# records the part before the transfer (status 202); strowger-ctl hangup
# ends the call, the phone gets its BYE, and the second CDR is the
# transferred part (to-sip, called 100).  Prints TAP; skips only when sipp
# is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
dir=$top/tests/interop
plan=6
echo "1..$plan"
if ! command -v sipp >/dev/null 2>&1; then
	i=1
	while [ $i -le $plan ]; do echo "ok $i # SKIP sipp not installed"; i=$((i + 1)); done
	exit 0
fi
tmp=$(mktemp -d) || exit 1
pid= upid=
cleanup() { for p in $pid $upid; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
. "$top/tests/gw_lib.sh"
uport=$(free_port)
gw_setup
sed -i "s|@127.0.0.1:5062|@127.0.0.1:$uport|" "$tmp/sim-exchange.map"
printf 'call = info\n' >>"$tmp/strowger.conf"

# The transfer target: answers (180, 200) and waits for the BYE.  It binds
# its port before the gateway starts (and binds its own).
sipp_uas "$uport" -sn uas >"$tmp/uas.out" 2>&1 &
upid=$!
wait_for bound "$uport" || echo "# SIPp did not bind port $uport"
gw_start
ok $? "the gateway listens (UDP port ${port:-none}) and its spans are up"

gw_sipp -sf "$dir/gw_uac_refer.xml" -s 7000000 -m 1 -set target 100 \
	-timeout 60s -timeout_error >"$tmp/sipp.out" 2>&1
rc=$?
ok $rc "REFER: 202, NOTIFY 100, 180, 200 (terminated), then the transferor's BYE"
[ $rc = 0 ] || { sed 's/^/# /' "$tmp/sipp.out" | tail -n 20; tail -n 20 "$tmp/log" | sed 's/^/# gw: /'; }

# SIPp is done once its BYE is answered; the gateway may still be joining
# the PBX's party and the phone: poll (bounded).
with_phone() { ctl calls >"$tmp/calls" 2>&1 && grep -q 'ACTIVE .* 100 ' "$tmp/calls"; }
wait_for with_phone
r=$?
ok $r "the PBX's party stays in the call, now with the phone (strowger-ctl calls)"
[ $r = 0 ] || sed 's/^/# calls: /' "$tmp/calls"

csv=$(ctl cdr --csv | tail -n +2)
echo "$csv" | awk -F, 'END { exit !(NR == 1 && $10 == "7000000" && $16 == 16 && $17 == 202) }'
r=$?
ok $r "one CDR so far: the part before the transfer (cause 16, status 202)"
[ $r = 0 ] || echo "$csv" | sed 's/^/# cdr: /'

id=$(awk '/ACTIVE/ { print $1; exit }' "$tmp/calls")
ctl hangup "${id:-0}" >/dev/null
wait "$upid"
rc=$?
upid=
ok $rc "strowger-ctl hangup: the phone (SIPp uas) gets its BYE (exit $rc)"
[ $rc = 0 ] || tail -n 20 "$tmp/uas.out" | sed 's/^/# uas: /'

# The phone's 200 to the BYE comes before the gateway ends the call (and
# writes its record): poll (bounded).
two_cdrs() { [ "$(ctl cdr --csv | tail -n +2 | wc -l)" -ge 2 ]; }
wait_for two_cdrs
ctl cdr --csv | tail -n +2 | tail -n 1 | grep -q ',to-sip,.*,100,.*,pbx-to-sip-phone'
r=$?
ok $r "the second CDR is the transferred part (to-sip, called 100)"
[ $r = 0 ] || ctl cdr --csv | sed 's/^/# cdr: /'
gw_stop
exit $((fail | $?))
