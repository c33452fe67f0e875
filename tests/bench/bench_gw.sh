#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: gateway calls per second, SIP → PRI, on one core.
#
# SIPp (uac, with SDP) calls the daemon, which is pinned to CPU 0 (SIPp to
# CPU 1); the daemon routes each call over its two simulated E1 PRI spans to
# a simulated PBX that answers at once; SIPp hangs up at once.  RFC 7502's
# method: a rate counts only if every call of a step succeeds (SIPp exits
# 0) within the step's time; the rate climbs until a step fails, and the
# result is the highest rate that passed.  The simulated spans run inside
# the daemon, so their cost is on the measured core too.
#
#   bench_gw.sh [SECONDS-PER-STEP] [FIRST-RATE] [STEP]   (defaults 10 200 200)
# Ends with: RESULT gw_cps_one_core <n> calls/s
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
secs=${1:-10} rate=${2:-200} step=${3:-200}
if ! command -v sipp >/dev/null 2>&1; then
	echo "# sipp not installed (apt-get install sip-tester)"
	echo "RESULT gw_cps_one_core 0 calls/s"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

. "$top/tests/gw_lib.sh"
gw_setup
echo "on * answer never" >"$tmp/sim-pbx.script"    # answers at once, holds until cleared
sed -i "s|^core = info|core = notice|" "$tmp/strowger.conf"
gw_start taskset -c 0 || { echo "# the gateway did not start"; cat "$tmp/log"; exit 1; }

printf '%-10s %-8s %-10s %s\n' "rate/s" "calls" "seconds" "result"
best=0
while :; do
	m=$((rate * secs))
	start=$(date +%s.%N)
	taskset -c 1 sipp "127.0.0.1:$port" -sn uac -s 2000000 -i 127.0.0.1 -p 0 \
		-ci 127.0.0.1 -cp "$(free_port)" -nostdin -r "$rate" -m "$m" \
		-l 2000 -timeout $((secs * 3 + 10))s -timeout_error >"$tmp/sipp.out" 2>&1
	rc=$?
	took=$(echo "$(date +%s.%N) - $start" | bc)
	# Every call, within half again the step's time: otherwise the rate
	# was not sustained.
	ok=$([ $rc = 0 ] && [ "$(echo "$took < $secs * 1.5" | bc)" = 1 ] && echo pass || echo fail)
	printf '%-10s %-8s %-10.2f %s\n' "$rate" "$m" "$took" "$ok (sipp exit $rc)"
	[ "$ok" = pass ] || break
	best=$rate
	rate=$((rate + step))
done
gw_stop
echo "RESULT gw_cps_one_core $best calls/s"
