#!/bin/sh
# Scenario: the README's quick start.  The gateway runs the embedded
# default (conf/strowger.conf): simulated E1 PRI spans toward the simulated
# PBX, whose D-channels must come up.  Prints TAP.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
tmp=$(mktemp -d) || exit 1
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
ctl() { "$bd/strowger-ctl" -s "$tmp/ctl.sock" "$@"; }

# The shipped files, with the runtime paths moved into the test's directory.
cp "$top"/conf/strowger.conf "$top"/conf/sim-pri.conf "$top"/conf/sim-pbx.script \
	"$top"/conf/sim-exchange.map "$tmp"/
sed -i "s|^\[general\]|[general]\ncontrol_socket = $tmp/ctl.sock\ncdr_database = $tmp/cdr.sqlite|" \
	"$tmp/strowger.conf"

echo "1..4"
"$bd/strowger" --check-config "$tmp/strowger.conf" >"$tmp/check" 2>&1
ok $? "the embedded default is a valid configuration"
"$bd/strowger" -f -c "$tmp/strowger.conf" 2>"$tmp/log" &
pid=$!
# A real process on real time: wait (bounded) for both D-channels.
i=0
while [ $i -lt 100 ]; do
	[ "$(ctl spans 2>/dev/null | grep -c ' up ')" = 2 ] && break
	sleep 0.05
	i=$((i + 1))
done
ctl spans | grep -q '^1 *pbx *up *none'
ok $? "span 1 is up toward the simulated PBX"
ctl spans | grep -q '^2 *pbx *up *none'
ok $? "span 2 is up toward the simulated PBX"
ctl shutdown >/dev/null
wait "$pid"
rc=$?
pid=
[ $rc = 0 ] && grep -q "simulated PBX on sim span 3 facing span 1" "$tmp/log"
ok $? "it shuts down cleanly (exit $rc)"
exit $fail
