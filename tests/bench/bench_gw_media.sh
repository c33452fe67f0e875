#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: concurrent G.711 calls through the daemon on one core, and the
# heap each established call costs.
#
# The daemon runs on tests/bench/bench_gw_media.conf: the embedded default
# grown to 134 simulated E1 PRI spans toward 134 simulated PBXs (4,020
# B-channels), pinned to CPU 0 (taskset).  For each step of N calls, SIPp
# (CPU 1) places N calls to the echo number 7000000 at 500 calls/s with an
# SDP offer of PCMA whose media is our own generator, bench_gw_media (CPU
# 1; see its header for what it measures and how): once all N are up it
# sends each call 50 packets/s of 160 bytes for WARM + SECS seconds and
# times what the PBX's echo brings back.  No transcoding anywhere: PCMA on
# SIP, A-law on the E1.  A step passes when SIPp's calls all succeed, no
# packet sent in the window is lost, and the added latency's p99 is at most
# 2 ms; N climbs until a step fails.
#
# Heap per call: `strowger-ctl counters` reports heap.bytes_in_use (glibc
# mallinfo2: bytes allocated in the main arena plus mmap'd blocks; the
# daemon allocates from one thread).  It is read before each step with no
# call up (after the previous step's calls ended, so caches are warm) and
# again one second after all N calls are established; the difference over
# N is the heap per call of the largest step that came up.  It includes
# everything a call holds in the daemon: SIP session and dialog, the call
# and its legs, the RTP stream (with its 5 KiB jitter buffer), the media
# bridge and the B-channel's buffers, libpri's call, and also the
# simulated PBX's own call state (libpri, its channel) on the other span,
# which a real gateway would not carry: an upper bound.
#
#   bench_gw_media.sh               steps of 500 up to 4000, 3 s each, until
#                                   one fails twice in a row (a few minutes)
#   BENCH_GW_MEDIA_LONG=1 ...       steps of 250 up to 4000, 10 s each
#   BENCH_GW_MEDIA_STEPS="N ..."    explicit steps; BENCH_GW_MEDIA_SECS=S
#   BENCH_GW_MEDIA_RT=0             normal scheduling (default: SCHED_FIFO 1 if allowed)
# Ends with:
#   RESULT gw_g711_calls_one_core <n> calls
#   RESULT gw_added_latency_p99_ms <x> ms
#   RESULT gw_heap_bytes_per_call <n> bytes
#   RESULT gw_g711_bound_calls <n> calls
#   RESULT gw_g711_ratio_to_bound <x>
# The bound is measured first, in the same run, on the same core:
# bench_udp_floor does nothing but the kernel's part of relaying (a send
# and a receive per packet, 4,000 sockets each way) and says how many calls
# a core doing only that could carry.  The issue's 4,000 is 0.37 of the
# bound it names (10,800, "from system-call costs"); on a machine whose
# loopback costs more per packet the bound, and so the reachable count,
# is lower, and the ratio is what compares.
#
# Two cores only: the generator needs about as much kernel time per packet
# as the gateway (it sends and receives as many), so near the bound CPU 1
# runs out too; its gen_cpu and late columns show it.
# The sim ticks every 1 ms and moves each B-channel a 20 ms block at a
# time, channels staggered (see the configuration: per-tick copies of a
# few bytes over 8,040 channels cost the measured core 15-25%).
# The simulated PBXs, their spans and the sim's clock run in the daemon, on
# the measured core (their echo is a byte copy; through linear samples it
# was ~10% of it); so is the kernel's loopback
# delivery of every packet we are sent, charged to the daemon's sendto.
# The generator shares CPU 1 with SIPp: its gen_cpu and late columns show
# when it, not the gateway, was near its limit.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
gen=$bd/tests/bench/bench_gw_media
floor=$bd/tests/bench/bench_udp_floor
warm=3
if [ "${BENCH_GW_MEDIA_LONG:-0}" = 1 ]; then
	steps=$(seq -s " " 250 250 4000)
	secs=10
else
	steps=$(seq -s " " 500 500 4000)
	secs=3
fi
steps=${BENCH_GW_MEDIA_STEPS:-$steps}
secs=${BENCH_GW_MEDIA_SECS:-$secs}
rate=500
results() {
	echo "RESULT gw_g711_calls_one_core $1 calls"
	echo "RESULT gw_added_latency_p99_ms $2 ms"
	echo "RESULT gw_heap_bytes_per_call $3 bytes"
	echo "RESULT gw_g711_bound_calls ${bound:-0} calls"
	echo "RESULT gw_g711_ratio_to_bound $(awk -v n="$1" -v b="${bound:-0}" \
		'BEGIN { printf "%.3f", (b > 0 ? n / b : 0) }')"
}
if ! command -v sipp >/dev/null 2>&1 || ! command -v taskset >/dev/null 2>&1 ||
	! [ -x "$gen" ] || ! [ -x "$floor" ]; then
	echo "# needs sipp (apt-get install sip-tester), taskset and $gen (make bench)"
	results 0 0 0
	exit 0
fi
tmp=$(mktemp -d) || exit 1
pid= gpid= spid=
cleanup() {
	for p in $gpid $spid $pid; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$top/tests/gw_lib.sh"
gw_setup
cp "$top/tests/bench/bench_gw_media.conf" "$tmp/strowger.conf"
cp "$top/tests/bench/bench_gw_media-sim.conf" "$tmp/"
sed -i -e "s|^\[general\]|[general]\ncontrol_socket = $tmp/ctl.sock\ncdr_database = $tmp/cdr.sqlite|" \
	-e "s|^port = 5060 |port = 0 |" "$tmp/strowger.conf"
# Two sockets per call and the spans' channels: more than the usual 1024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
# As bench_media does: on a machine shared with other work, real-time
# priority keeps "one core" the gateway's and the generator's sends on
# time (the kernel still leaves 5% of each CPU to others).
rt=
[ "${BENCH_GW_MEDIA_RT:-1}" = 1 ] && chrt -f 1 true 2>/dev/null && rt="chrt -f 1"
# The bound first, on the gateway's core, before anything else runs there.
$rt taskset -c 0 "$floor" 4000 >"$tmp/floor.out" 2>&1
sed 's/^/# floor: /' "$tmp/floor.out"
bound=$(sed -n 's/^RESULT udp_floor_calls_one_core \([0-9]*\) calls$/\1/p' "$tmp/floor.out")
gw_spans=134
gw_start $rt taskset -c 0 || { echo "# the gateway did not start"; tail -n 20 "$tmp/log"; exit 1; }

heap() { ctl counters | sed -n 's/^heap\.bytes_in_use //p'; }
# The jitter buffers' events over a step (strowger-ctl counters' totals):
# where a failing step's losses and latency steps came from.  Every call
# runs dry once when the generator stops, so underrun and target_grow
# count at least the calls.
jbuf() { ctl counters | sed -n 's/^media\.jbuf\.//p' >"$1"; }
jbuf_delta() {
	awk 'NR == FNR { v[$1] = $2; next } { printf "%s %d  ", $1, $2 - v[$1] }
		END { print "" }' "$1" "$2"
}
idle() {
	i=0
	while [ $i -lt 300 ] && ! ctl counters | grep -qx 'calls.in_progress 0'; do
		sleep 0.1
		i=$((i + 1))
	done
}

printf '%-6s %-8s %-5s %-9s %-10s %-10s %-10s %-6s %-6s %-6s %-8s %s\n' calls sent lost \
	trip_p50 added_p50 added_p99 added_max gw_cpu gen_cpu late late_max result
# trial N: one step of N calls; sets ok (pass/fail) and p99; fails when
# there was no measurement at all.
trial() {
	n=$1
	idle
	h0=$(heap)
	jbuf "$tmp/jb0"
	: >"$tmp/ports.log"
	rm -f "$tmp/gen.out" # not the last step's port, read before the new one is written
	$rt taskset -c 1 "$gen" "$tmp/ports.log" "$n" "$warm" "$secs" "$pid" >"$tmp/gen.out" 2>&1 &
	gpid=$!
	i=0
	while [ $i -lt 100 ] && ! [ -s "$tmp/gen.out" ]; do sleep 0.05; i=$((i + 1)); done
	rtpport=$(head -n 1 "$tmp/gen.out")
	# Every call stays up from its set-up until the generator is done.
	hold=$(((n / rate + warm + secs + 3) * 1000))
	taskset -c 1 sipp "127.0.0.1:$port" -sf "$top/tests/bench/bench_gw_media_uac.xml" \
		-s 7000000 -i 127.0.0.1 -p 0 -ci 127.0.0.1 -nostdin \
		-r "$rate" -m "$n" -l "$n" -d "$hold" -set rtpport "${rtpport:-9}" \
		-trace_logs -log_file "$tmp/ports.log" \
		-timeout $((hold / 1000 + 60))s -timeout_error >"$tmp/sipp.out" 2>&1 &
	spid=$!
	i=0
	while [ $i -lt 1200 ] && ! grep -qx up "$tmp/gen.out"; do sleep 0.1; i=$((i + 1)); done
	sleep 1
	h1=$(heap)
	wait "$gpid"
	gpid=
	wait "$spid"
	src=$?
	spid=
	line=$(tail -n 1 "$tmp/gen.out")
	set -- $line
	if [ $# -ne 11 ]; then
		echo "# step $n: no measurement (sipp exit $src)"
		sed 's/^/# gen: /' "$tmp/gen.out"
		tail -n 5 "$tmp/sipp.out" | sed 's/^/# sipp: /'
		return 1
	fi
	[ -n "$h0" ] && [ -n "$h1" ] && per_call=$(((h1 - h0) / n))
	ok=$([ "$src" = 0 ] && [ "$3" = 0 ] && [ "$(echo "$6 <= 2.0" | bc)" = 1 ] &&
		echo pass || echo fail)
	printf '%-6s %-8s %-5s %-9s %-10s %-10s %-10s %-6s %-6s %-6s %-8s %s\n' "$1" "$2" \
		"$3" "$4" "$5" "$6" "$7" "$8%" "$9%" "${10}" "${11}" \
		"$ok (sipp $src, heap/call $per_call)"
	jbuf "$tmp/jb1"
	echo "#   jitter buffers: $(jbuf_delta "$tmp/jb0" "$tmp/jb1")"
	p99=$6
}

best=0 best_p99=0 per_call=0
for n in $steps; do
	trial "$n" || break
	# This machine is shared: a step that failed is tried once more, so
	# that one disturbed second of a neighbour's does not decide it.
	if [ "$ok" != pass ]; then
		echo "# step $n again"
		trial "$n" || break
	fi
	[ "$ok" = pass ] || break
	best=$n best_p99=$p99
done
idle
gw_stop
results "$best" "$best_p99" "$per_call"
