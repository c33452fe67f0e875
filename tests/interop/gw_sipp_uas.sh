#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: the simulated PBX calls a SIP phone through the gateway (ISDN →
# SIP, RFC 3666 §3).  SIPp's built-in uas plays the phone (180, 200, then
# the BYE the gateway sends when the PBX hangs up); strowger-ctl simcall
# makes the PBX dial.  Prints TAP; skips only when sipp is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
. "$top/tests/gw_lib.sh"
tap_plan 5
tap_need sipp python3
gw_tmp upid
# A free UDP port for the phone, which the dial plan must name.
uport=$(free_port)
gw_setup
sed -i "s|@127.0.0.1:5062|@127.0.0.1:$uport|" "$tmp/sim-exchange.map"
# The phone binds its port before the gateway starts (and binds its own).
sipp_uas "$uport" -sn uas >"$tmp/uas.out" 2>&1 &
upid=$!
wait_for bound "$uport" || echo "# SIPp did not bind port $uport"
gw_start || echo "# the gateway did not come up"
ctl simcall pbx1 100 2001234 | grep -q "pbx1 calls 100"
ok $? "strowger-ctl simcall makes the simulated PBX dial 100"
wait "$upid"
rc=$?
upid=
ok $rc "SIPp's uas: INVITE, 180, 200, ACK, then the gateway's BYE (exit $rc)"
[ $rc = 0 ] || show "$tmp/uas.out"
cdr_written() { ctl cdr --csv | grep -q ',to-sip,'; }
wait_for cdr_written
ctl cdr --csv | grep ',to-sip,' | grep -q ',2001234,100,.*,16,200,pbx-to-sip-phone'
ok $? "the CDR records the ISDN-to-SIP call"
ctl simcall nopbx 100 | grep -q . ; ctl simcall nopbx 100 >/dev/null 2>&1
[ $? = 1 ]
ok $? "simcall to a PBX that does not exist is an error"

# Graceful shutdown with a call up: the daemon exits once that call ends
# (the PBX hangs up 10 s after the answer), not before and not never.
sipp_uas "$uport" -sn uas >"$tmp/uas2.out" 2>&1 &
upid=$!
wait_for bound "$uport"
ctl simcall pbx1 101 2001234 >/dev/null
active() { ctl calls | grep -q ACTIVE; }
wait_for active
ctl shutdown >/dev/null
kill -0 "$pid" 2>/dev/null
up=$?
wait "$upid"
upid=
gone() { ! kill -0 "$pid"; }
wait_for -s 30 gone
[ $up = 0 ] && ! kill -0 "$pid" 2>/dev/null
ok $? "shutdown during a call: the daemon waits for it, then exits"
wait "$pid"
rc=$?
pid=
exit $((fail | rc))
