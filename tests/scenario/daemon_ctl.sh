#!/bin/sh
# Scenario: an operator runs the gateway and drives it with strowger-ctl:
# version, help, a CDR export, a reload (good, then bad), simfault without a
# sim, channels without spans, counters, an unknown command, and a graceful
# shutdown.  Prints TAP.  Needs $top_builddir (make check).
set -u
bd=${top_builddir:-.}
tmp=$(mktemp -d) || exit 1
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
ctl() { "$bd/strowger-ctl" -s "$tmp/ctl.sock" "$@"; }

top=$(cd "${top_srcdir:-.}" && pwd)
cat >"$tmp/s.conf" <<CONF
[general]
node = scenario
control_socket = $tmp/ctl.sock
cdr_database = $tmp/cdr.sqlite
[mapping]
dialplan = $top/mapping/pbx-pri.map
[trunk itsp]
host = 192.0.2.1
CONF

echo "1..14"
"$bd/strowger" -f -c "$tmp/s.conf" 2>"$tmp/log" &
pid=$!
# Wait (bounded, 20 s: a loaded machine) for the daemon to come up: a real
# process, real time.
i=0
while [ ! -S "$tmp/ctl.sock" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
[ -S "$tmp/ctl.sock" ]; ok $? "the daemon creates its control socket"

ctl version | grep -q "^strowger .* node scenario config $tmp/s.conf$"
ok $? "version names the node and configuration"
ctl help | grep -q "^cdr --csv"
ok $? "help lists the commands"
ctl cdr --csv | head -n 1 | grep -q "^node,call_id,direction,start_time"
ok $? "cdr --csv exports a CSV header"
ctl explain --called +442079460142 --from trunk:itsp | grep -q "destination  group pbx-pri"
ok $? "explain shows how the running dial plan routes a call"
ctl reload | grep -q "configuration reloaded"
ok $? "reload of a good file"
sed -i 's/^node = .*/nodee = x/' "$tmp/s.conf"
ctl reload >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 1 ] && grep -q "reload failed" "$tmp/err" && grep -q "s.conf:2: \[general\] key 'nodee': unknown key" "$tmp/log" &&
	ctl explain --called +442079460142 --from trunk:itsp | grep -q "pbx-pri"
ok $? "reload of a bad file fails (exit $rc), logs file:line:key, keeps running"
ctl simfault 1 red >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 1 ] && grep -q "simfault needs \[sim\]" "$tmp/err"
ok $? "simfault on a gateway without [sim] is refused (exit $rc)"
[ "$(ctl channels)" = "no spans" ] && ctl help | grep -q "^channels \[SPAN\]"
ok $? "channels on a gateway without spans says so"
ctl counters >"$tmp/counters"
grep -qx 'calls.in_progress 0' "$tmp/counters" && grep -qx 'calls.ended 0' "$tmp/counters" &&
	grep -qx 'calls.answered 0' "$tmp/counters" && ! grep -q '^sip\.' "$tmp/counters"
ok $? "counters on an idle gateway without [sip]: no calls, no SIP lines"
# The media totals are there with or without [sip], so scripts can rely on the names.
missing=
for c in streams streams.now rtp.rx_packets rtp.tx_packets rtp.rx_bad jbuf.late jbuf.lost \
	jbuf.underrun jbuf.overflow jbuf.resync jbuf.filled jbuf.dup jbuf.target_grow; do
	grep -qx "media.$c 0" "$tmp/counters" || missing="$missing media.$c"
done
[ -z "$missing" ]
ok $? "counters: every media.* total, 0 on an idle gateway${missing:+ (missing:$missing)}"
ctl frobnicate >/dev/null 2>&1; rc=$?
[ $rc = 1 ]; ok $? "an unknown command exits 1"
ctl shutdown | grep -q "shutting down"
ok $? "shutdown is acknowledged"
wait "$pid"; rc=$?; pid=
[ $rc = 0 ] && [ ! -e "$tmp/ctl.sock" ]
ok $? "the daemon exits 0 and removes its socket (exit $rc)"
exit $fail
