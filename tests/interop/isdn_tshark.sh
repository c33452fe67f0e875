#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Interop: tshark (Wireshark's dissectors, written by others) decodes the
# D-channel trace of an ISDN call written by pstn/isdn as pcap link type 177
# (LINUX_LAPD): no malformed packets; SETUP, CONNECT, DISCONNECT, RELEASE and
# RELEASE COMPLETE are decoded as Q.931, with the numbers and the cause.
# Prints TAP.  Skips only when tshark is not installed.
set -u

builddir=${top_builddir:-.}
prog=$builddir/tests/interop/isdn_trace_call
echo "1..5"
if ! command -v tshark >/dev/null 2>&1; then
	for i in 1 2 3 4 5; do echo "ok $i # SKIP tshark is not installed"; done
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/isdn_tshark.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pcap=$tmp/call.pcap
ts() { tshark -n -r "$pcap" "$@" 2>/dev/null; }

if "$prog" "$pcap" 2>"$tmp/err"; then
	echo "ok 1 - a call and a refused call traced to $pcap"
else
	echo "not ok 1 - isdn_trace_call failed: $(cat "$tmp/err")"
	for i in 2 3 4 5; do echo "not ok $i # no trace"; done
	exit 0
fi

n=$(ts -Y _ws.malformed | wc -l)
if [ "$n" -eq 0 ]; then
	echo "ok 2 - no malformed packets"
else
	echo "not ok 2 - $n malformed packets"
	ts -Y _ws.malformed | sed 's/^/# /'
fi

types=$(ts -Y q931 -T fields -e q931.message_type | sort -u | tr '\n' ' ')
missing=
for t in 0x05 0x02 0x01 0x07 0x0f 0x45 0x4d 0x5a; do
	case " $types" in *" $t "*) ;; *) missing="$missing $t" ;; esac
done
if [ -z "$missing" ]; then
	echo "ok 3 - Q.931 SETUP, CALL PROCEEDING, ALERTING, CONNECT, CONNECT ACK, DISCONNECT, RELEASE, RELEASE COMPLETE decoded"
else
	echo "not ok 3 - message types missing:$missing (have: $types)"
fi

nums=$(ts -Y "q931.message_type == 0x05" -T fields \
	-e q931.called_party_number.digits -e q931.calling_party_number.digits | head -n 1)
if [ "$nums" = "$(printf '4930123456\t8912345')" ]; then
	echo "ok 4 - called and calling numbers decoded"
else
	echo "not ok 4 - numbers: '$nums'"
fi

causes=$(ts -Y "q931.message_type == 0x45" -T fields -e q931.cause_value | tr '\n' ' ')
if [ "$causes" = "16 17 " ]; then
	echo "ok 5 - DISCONNECT causes 16 (normal clearing) and 17 (user busy)"
else
	echo "not ok 5 - DISCONNECT causes: '$causes'"
fi
exit 0
