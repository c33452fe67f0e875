#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: the simulated PBX calls a SIP phone through the gateway (ISDN →
# SIP, RFC 3666 §3).  SIPp's built-in uas plays the phone (180, 200, then
# the BYE the gateway sends when the PBX hangs up); strowger-ctl simcall
# makes the PBX dial.  Prints TAP; skips only when sipp is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
plan=5
echo "1..$plan"
if ! command -v sipp >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	i=1
	while [ $i -le $plan ]; do echo "ok $i # SKIP sipp or python3 missing"; i=$((i + 1)); done
	exit 0
fi
tmp=$(mktemp -d) || exit 1
pid= upid=
cleanup() { for p in $pid $upid; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
. "$top/tests/gw_lib.sh"
# A free UDP port for the phone, which the dial plan must name.
uport=$(free_port)
gw_setup
sed -i "s|@127.0.0.1:5062|@127.0.0.1:$uport|" "$tmp/sim-exchange.map"
gw_start || echo "# the gateway did not come up"
sipp -sn uas -i 127.0.0.1 -p "$uport" -m 1 -nostdin -ci 127.0.0.1 -cp "$(free_port)" \
	-timeout 30s -timeout_error >"$tmp/uas.out" 2>&1 &
upid=$!
sleep 0.3 # let sipp bind its port (a real process)
ctl simcall pbx1 100 2001234 | grep -q "pbx1 calls 100"
ok $? "strowger-ctl simcall makes the simulated PBX dial 100"
wait "$upid"
rc=$?
upid=
ok $rc "SIPp's uas: INVITE, 180, 200, ACK, then the gateway's BYE (exit $rc)"
[ $rc = 0 ] || { tail -n 20 "$tmp/uas.out" | sed 's/^/# /'; tail -n 20 "$tmp/log" | sed 's/^/# gw: /'; }
i=0
while [ $i -lt 100 ] && ! ctl cdr --csv | grep -q ',to-sip,'; do sleep 0.05; i=$((i + 1)); done
ctl cdr --csv | grep ',to-sip,' | grep -q ',2001234,100,.*,16,200,pbx-to-sip-phone'
ok $? "the CDR records the ISDN-to-SIP call"
ctl simcall nopbx 100 | grep -q . ; ctl simcall nopbx 100 >/dev/null 2>&1
[ $? = 1 ]
ok $? "simcall to a PBX that does not exist is an error"

# Graceful shutdown with a call up: the daemon exits once that call ends
# (the PBX hangs up 3 s after the answer), not before and not never.
sipp -sn uas -i 127.0.0.1 -p "$uport" -m 1 -nostdin -ci 127.0.0.1 -cp "$(free_port)" \
	-timeout 30s -timeout_error >"$tmp/uas2.out" 2>&1 &
upid=$!
sleep 0.3
ctl simcall pbx1 101 2001234 >/dev/null
i=0
while [ $i -lt 100 ] && ! ctl calls | grep -q ACTIVE; do sleep 0.05; i=$((i + 1)); done
ctl shutdown >/dev/null
kill -0 "$pid" 2>/dev/null
up=$?
wait "$upid"
upid=
i=0
while [ $i -lt 100 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
[ $up = 0 ] && ! kill -0 "$pid" 2>/dev/null
ok $? "shutdown during a call: the daemon waits for it, then exits"
wait "$pid"
rc=$?
pid=
exit $((fail | rc))
