#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: gateway calls per second, SIP → PRI, on one core.
#
# SIPp (uac, with SDP) calls the daemon, which is pinned to CPU 0 (SIPp to
# CPU 1); the daemon routes each call over its simulated E1 PRI spans to a
# simulated PBX that answers at once; SIPp hangs up at once.  The simulated
# spans and the PBX run inside the daemon, so their cost is on the measured
# core too.
#
# The method is RFC 7502's (§4, session establishment rate): a step offers
# calls at a fixed rate for a fixed time, and passes only if every call
# succeeded (SIPp exits 0 with every call successful), nobody retransmitted
# (SIPp's counters and the gateway's `sip.retransmissions`), no call was
# left up, and SIPp kept the rate (the step took no longer than the hold
# plus a small margin).  The rate climbs by STEP until a step fails, then a
# binary search between the last pass and the first failure narrows it to
# RES calls/s.  The result is the highest rate that passed.
#
# Concurrency is about rate × call duration, and a call holds its B-channel
# until RELEASE COMPLETE, so the bench runs its own configuration with more
# spans than the embedded default: GW_BENCH_SPANS E1 spans on the gateway,
# each crossed to a span of the simulated PBX (30 B-channels each).
#
# Environment (defaults in brackets):
#   GW_BENCH_HOLD   seconds each step holds its rate [5]; RFC 7502 asks 60
#   GW_BENCH_START  first rate [1000]     GW_BENCH_STEP  climb by [500]
#   GW_BENCH_RES    search resolution [100]
#   GW_BENCH_MAX    stop climbing here [18000, about SIPp's own ceiling]
#   GW_BENCH_SPANS  gateway spans [16]: room for the calls in flight when the
#                   daemon hiccups (a WAL checkpoint, a slow tick); 8 spans
#                   (240 B-channels) run out near 3,500 calls/s
#
# Prints a table (rate, calls, seconds, daemon CPU µs per call, verdict)
# and ends with: RESULT gw_cps_one_core <n> calls/s
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
hold=${GW_BENCH_HOLD:-5} rate=${GW_BENCH_START:-1000} step=${GW_BENCH_STEP:-500}
res=${GW_BENCH_RES:-100} max=${GW_BENCH_MAX:-18000} nspans=${GW_BENCH_SPANS:-16}
if ! command -v sipp >/dev/null 2>&1; then
	echo "# sipp not installed (apt-get install sip-tester)"
	echo "RESULT gw_cps_one_core 0 calls/s"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
pid=
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM # so that the EXIT trap stops the daemon too

. "$top/tests/gw_lib.sh"

# The bench's spans: 1..N the gateway's, N+1..2N the PBX's, span k crossed
# with span N+k, all E1 (31 timeslots, D-channel on 16), in DAHDI's
# system.conf syntax; the [span]/[simpbx] sections of the default replaced.
bench_config() {
	s=1
	: >"$tmp/sim-pri.conf"
	while [ $s -le $((2 * nspans)) ]; do
		b=$(((s - 1) * 31))
		echo "span=$s,$([ $s = 1 ] && echo 1 || echo 0),0,ccs,hdb3,crc4"
		echo "bchan=$((b + 1))-$((b + 15)),$((b + 17))-$((b + 31))"
		echo "dchan=$((b + 16))"
		s=$((s + 1))
	done >"$tmp/sim-pri.conf"
	awk '/^\[/ { skip = /^\[(span|simpbx) / } !skip' "$tmp/strowger.conf" >"$tmp/c"
	s=1
	while [ $s -le "$nspans" ]; do
		printf '[span %d]\nswitchtype = euroisdn_e1\nrole = cpe\ngroup = pbx\n' $s
		printf '[simpbx pbx%d]\nspan = %d\ncross = %d\nscript = sim-pbx.script\nzone = de\n' \
			$s $((nspans + s)) $s
		s=$((s + 1))
	done >>"$tmp/c"
	mv "$tmp/c" "$tmp/strowger.conf"
	echo "on * answer never" >"$tmp/sim-pbx.script" # answers at once, holds until cleared
	sed -i "s|^core = info|core = notice|" "$tmp/strowger.conf"
}

counter() { ctl counters | sed -n "s/^$1 //p"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }

# One step at rate $1: prints a table row, returns 0 if it passed.
run_step() {
	r=$1 m=$(($1 * hold))
	rt0=$(counter sip.retransmissions) c0=$(cpu_ticks)
	start=$(date +%s.%N)
	taskset -c 1 sipp "127.0.0.1:$port" -sn uac -s 2000000 -i 127.0.0.1 -p 0 \
		-ci 127.0.0.1 -nostdin -r "$r" -m "$m" -l 100000 \
		-buff_size 8388608 -timeout $((hold * 3 + 20))s -timeout_error \
		-trace_stat -stf "$tmp/stat.csv" -fd 3600 >"$tmp/sipp.out" 2>&1
	rc=$?
	took=$(echo "$(date +%s.%N) - $start" | bc)
	c1=$(cpu_ticks)
	# Calls end at once, but the PSTN side clears a moment later.
	i=0
	while [ "$(counter calls.in_progress)" != 0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	left=$(counter calls.in_progress)
	rt=$(($(counter sip.retransmissions) - rt0))
	# SIPp's own retransmission and success counters (last line of its stats).
	srt=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) {
			if ($i ~ /Retrans.*\(C\)/) c[i] = 1
			if ($i ~ /^SuccessfulCall\(C\)$/) ok = i } }
		NR > 1 && ok { n = 0; for (i in c) n += $i; s = $ok } END { print n + 0, s + 0 }' \
		"$tmp/stat.csv" 2>/dev/null)
	ok_calls=${srt#* } srt=${srt% *}
	us=$(echo "($c1 - $c0) * 1000000 / $(getconf CLK_TCK) / $m" | bc)
	why=
	[ $rc = 0 ] || why="$why sipp-exit-$rc"
	[ "$ok_calls" = "$m" ] || why="$why ok-$ok_calls"
	[ "$rt" = 0 ] && [ "$srt" = 0 ] || why="$why retrans-$rt/$srt"
	[ "$left" = 0 ] || why="$why left-$left"
	[ "$(echo "$took <= $hold * 1.1 + 2" | bc)" = 1 ] || why="$why slow"
	printf '%-8s %-8s %-8.2f %-8s %s\n' "$r" "$m" "$took" "$us" "${why:-pass}"
	[ -z "$why" ]
}

gw_setup
bench_config
gw_spans=$nspans gw_start taskset -c 0 ||
	{ echo "# the gateway did not start"; cat "$tmp/log"; exit 1; }

echo "# hold ${hold}s per step, $nspans spans ($((nspans * 30)) B-channels); GW_BENCH_HOLD=60 for RFC 7502"
printf '%-8s %-8s %-8s %-8s %s\n' "rate/s" "calls" "seconds" "cpu-us" "result"
best=0 bad=0
while [ "$rate" -le "$max" ] && run_step "$rate"; do
	best=$rate
	rate=$((rate + step))
done
[ "$rate" -le "$max" ] && bad=$rate
# Bisect between the last pass and the first failure.
while [ "$bad" -gt 0 ] && [ $((bad - best)) -gt "$res" ]; do
	mid=$(((best + bad) / 2 / res * res))
	[ "$mid" -le "$best" ] && break
	if run_step "$mid"; then best=$mid; else bad=$mid; fi
done
# Graceful shutdown waits for calls in progress: bounded, a stuck call is
# reported rather than hanging the benchmark.
# A failed step can leave calls whose ACK and BYE were both lost while the
# daemon was behind: they end when our 2xx retransmissions give up, 64*T1
# (32 s) after the answer (RFC 3261 §13.3.1.4).
ctl shutdown >/dev/null 2>&1
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 400 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$pid" 2>/dev/null; then
	echo "# the gateway did not shut down within 40 s: calls stuck"
	kill -KILL "$pid"
fi
wait "$pid"
pid=
echo "RESULT gw_cps_one_core $best calls/s"
