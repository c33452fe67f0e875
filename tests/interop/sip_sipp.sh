#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: SIPp (sip-tester) as UAC against sip_uas, a minimal auto-answering
# UA built on strowger's SIP layers.  Prints TAP; each case checks sipp's
# exit code (0: every call succeeded).  Skips only when sipp is missing.
bd=${top_builddir:-.}
top=${top_srcdir:-.}
uas=$bd/tests/interop/sip_uas
dir=$top/tests/interop
. "$top/tests/gw_lib.sh"
tap_plan 9
tap_need sipp
gw_tmp upid

# run NAME UAS_ARGS HOST SIPP_ARGS...: start the UAS, run sipp against
# HOST:port, stop the UAS.
run() {
	name=$1 uargs=$2 host=$3 k=$((n + 1))
	shift 3
	# shellcheck disable=SC2086
	"$uas" $uargs >"$tmp/uas$k.out" 2>"$tmp/uas$k.err" &
	upid=$!
	uas_port() { port=$(sed -n 's/^PORT //p' "$tmp/uas$k.out") && [ -n "$port" ]; }
	if ! wait_for uas_port; then
		ok 1 "$name"
		echo "# sip_uas did not start: $(cat "$tmp/uas$k.err")"
		kill "$upid" 2>/dev/null
		upid=
		return
	fi
	uas_port
	# No -cp: SIPp dies if a given control port is taken (see gw_sipp).
	sipp "$host:$port" -ci 127.0.0.1 -nostdin \
		-timeout 60s -timeout_error "$@" >"$tmp/sipp.out" 2>&1
	rc=$?
	kill "$upid" 2>/dev/null
	wait "$upid" 2>/dev/null
	upid=
	ok $rc "$name"
	[ $rc = 0 ] || {
		echo "# sipp exit $rc"
		show "$tmp/sipp.out"
		show "$tmp/uas$k.err" uas
	}
}

# UDP cases bind sipp to an ephemeral port (-p 0); sipp's TCP client
# refuses -p 0 and picks its own.
v4="-i 127.0.0.1 -p 0"
run "INVITE/ACK/BYE over UDP (sipp uac, 200 calls)" "" 127.0.0.1 $v4 -sn uac -m 200 -r 200
run "INVITE/ACK/BYE over TCP (sipp uac, 50 calls)" "-t" 127.0.0.1 -i 127.0.0.1 -sn uac -t t1 \
	-m 50 -r 50
run "486 Busy Here, ACK" "-r 486" 127.0.0.1 $v4 -sf "$dir/sip_uac_486.xml" -m 20 -r 20
run "CANCEL after 180: 200 and 487" "-r ring" 127.0.0.1 $v4 -sf "$dir/sip_uac_cancel.xml" \
	-m 20 -r 20
run "re-INVITE to hold, then BYE" "" 127.0.0.1 $v4 -sf "$dir/sip_uac_hold.xml" -m 20 -r 20
run "OPTIONS answered with Allow" "" 127.0.0.1 $v4 -sf "$dir/sip_options.xml" -m 5 -r 5
run "IPv6: INVITE/ACK/BYE over UDP" "-a ::1" "[::1]" -i ::1 -p 0 -sn uac -m 20 -r 20
run "reliable 183 with early media, PRACK (RFC 3262)" "-r early" 127.0.0.1 $v4 \
	-sf "$dir/sip_uac_prack.xml" -m 20 -r 20
run "session timer: the UAS refreshes by UPDATE (RFC 4028)" "-e 4" 127.0.0.1 $v4 \
	-sf "$dir/sip_uac_timer.xml" -m 5 -r 5
exit $fail
