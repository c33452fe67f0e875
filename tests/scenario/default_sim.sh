#!/bin/sh
# Scenario: the README's quick start.  The gateway runs the embedded
# default (conf/strowger.conf): simulated E1 PRI spans toward the simulated
# PBX, whose D-channels must come up; then the PBX calls a SIP phone
# (strowger-ctl simcall) that never answers, and strowger-ctl shows the live
# call (calls: both legs; channels: its B-channel busy with the call's id)
# until it is cleared (hangup).  Prints TAP.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
. "$top/tests/gw_lib.sh"
tap_plan 7
gw_tmp
gw_setup

"$bd/strowger" --check-config "$tmp/strowger.conf" >"$tmp/check" 2>&1
ok $? "the embedded default is a valid configuration"
gw_start
ctl spans | grep -q '^1 *pbx *up *none'
ok $? "span 1 is up toward the simulated PBX"
ctl spans | grep -q '^2 *pbx *up *none'
ok $? "span 2 is up toward the simulated PBX"
# The PBX's call: to a SIP "phone" on a port where nothing listens, so the
# call stays in progress until it is hung up.
sed -i "s|127\.0\.0\.1:5062|127.0.0.1:$(free_port)|" "$tmp/sim-exchange.map"
ctl reload >/dev/null && ctl simcall pbx1 100 5551234 >/dev/null
one_call() { [ "$(ctl calls | wc -l)" = 2 ]; }
wait_for one_call
ctl calls >"$tmp/calls"
id=$(awk 'NR == 2 { print $1 }' "$tmp/calls")
awk -v id="$id" 'NR == 2 && $1 == id && $3 == "5551234" && $4 == "100" && $7 ~ /^isdn:1\/[0-9]+$/ &&
	$8 ~ /^sip:/ { f = 1 } END { exit !f }' "$tmp/calls"
r=$?
ok $r "calls shows the PBX's call with both legs, ISDN in and SIP out"
[ $r = 0 ] || show "$tmp/calls" calls
ctl channels 1 >"$tmp/chans"
chan=$(awk 'NR == 2 { sub(/^isdn:1\//, "", $7); print $7 }' "$tmp/calls")
awk -v id="$id" -v c="$chan" 'NR > 1 && $4 == "busy" { b++; if ($2 == c && $6 == "in" && $7 == id) f = 1 }
	NR > 1 && $4 == "idle" { i++ } END { exit !(f && b == 1 && i == 29) }' "$tmp/chans"
r=$?
ok $r "channels 1: the call's B-channel ($chan) is busy, incoming, with call $id; 29 idle"
[ $r = 0 ] || show "$tmp/chans" channels
ctl hangup "$id" >/dev/null
all_idle() { [ "$(ctl channels | grep -c ' idle ')" = 60 ]; }
wait_for all_idle
ok $? "after hangup every B-channel of both spans is idle again"

gw_stop
rc=$?
[ $rc = 0 ] && grep -q "simulated PBX on sim span 3 facing span 1" "$tmp/log"
ok $? "it shuts down cleanly (exit $rc)"
exit $fail
