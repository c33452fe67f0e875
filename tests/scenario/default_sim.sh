#!/bin/sh
# Scenario: the README's quick start.  The gateway runs the embedded
# default (conf/strowger.conf): simulated E1 PRI spans toward the simulated
# PBX, whose D-channels must come up.  Prints TAP.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
. "$top/tests/gw_lib.sh"
tap_plan 4
gw_tmp
gw_setup

"$bd/strowger" --check-config "$tmp/strowger.conf" >"$tmp/check" 2>&1
ok $? "the embedded default is a valid configuration"
gw_start
ctl spans | grep -q '^1 *pbx *up *none'
ok $? "span 1 is up toward the simulated PBX"
ctl spans | grep -q '^2 *pbx *up *none'
ok $? "span 2 is up toward the simulated PBX"
gw_stop
rc=$?
[ $rc = 0 ] && grep -q "simulated PBX on sim span 3 facing span 1" "$tmp/log"
ok $? "it shuts down cleanly (exit $rc)"
exit $fail
