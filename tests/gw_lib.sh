# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the tests and benchmarks that run the gateway daemon on its
# embedded default (sourced, not run).  The caller sets $bd (build tree),
# $top (source tree) and $tmp (a scratch directory: its own, or gw_tmp's).
#
#   gw_setup            copy the shipped default into $tmp, with the control
#                       socket and CDR database in $tmp and SIP on an
#                       ephemeral port (tests never bind fixed ports)
#   gw_start [CMD...]   start it (CMD: a prefix such as "taskset -c 0");
#                       wait, bounded (30 s), until SIP listens and $gw_spans
#                       spans (default 2) are up; sets $pid and $port;
#                       returns 1 if it did not come up
#   gw_stop             graceful shutdown; returns the daemon's exit status
#   ctl ARGS...         strowger-ctl on this gateway
#   gw_sipp ARGS...     SIPp as a UAC toward the gateway (127.0.0.1:$port),
#                       no stdin (its control socket: see gw_sipp below)
#   sipp_uas PORT ARGS...  SIPp for one call the gateway places to
#                       127.0.0.1:PORT (ARGS: -sn uas, or -sf a scenario),
#                       bounded by a 60 s timeout
#   baresip_config DIR [LINE...]  a headless baresip in DIR: a 440 Hz sine
#                       source, no player, G.711, the account 1001 without
#                       registration; LINEs are added to its config
#   free_port [tcp] [N] a port the kernel just gave out (N: that many,
#                       distinct, on one line)
#   bound PORT [tcp]    something listens on PORT (UDP, or TCP): to poll,
#                       with wait_for, for a peer to have bound its port
#   wav_freq WAV        "HZ RMS": the zero-crossing frequency and the RMS of
#                       the WAV's last second (first channel; python3); HZ
#                       where it sounds, 0 if under 4/5 of it does
#
# For the scripts that print TAP (source this first; they set $bd and $top):
#   tap_plan N          print the plan "1..N"; $n counts the tests, $fail
#                       becomes 1 at the first failure
#   tap_need CMD...     skip every test (the plan still holds) and exit 0
#                       unless each CMD is installed; tap_skip_all WHY: the
#                       same for any other reason
#   ok RC NAME          one test line: "ok" when RC is 0, else "not ok"
#   show FILE [LABEL]   after a failure: the tails of FILE and of the
#                       gateway's log, as TAP comments
#   wait_for [-s SECONDS] CMD...
#                       poll CMD (bounded: 20 s unless told) until it
#                       succeeds; returns 1 if it never did.  Bounds are
#                       for a loaded machine: a wait ends when CMD holds
#   gw_tmp [VAR...]     make $tmp; at exit kill the daemon ($pid) and every
#                       process whose id a named variable holds (empty at
#                       first), and remove $tmp

ctl() { "$bd/strowger-ctl" -s "$tmp/ctl.sock" "$@"; }

# A port the kernel just gave out (UDP, or TCP with "tcp"): for peers the
# dial plan must name.  Scripts that run in parallel under make -j then
# never collide, as a formula on $$ could.  The port is free again once
# this returns, so the peer should bind it soon (before the gateway starts
# and binds ports of its own); N ports are held together, so they differ.
free_port() {
	python3 -c 'import socket, sys
tcp = "tcp" in sys.argv[1:]
n = int(([a for a in sys.argv[1:] if a.isdigit()] or ["1"])[0])
socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
         for _ in range(n)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])' "$@"
}

# Something has bound 127.0.0.1 (or any address) on PORT: a UDP socket, or
# with "tcp" a TCP listener (state 0A), from /proc/net.  Polled instead of
# sleeping while a peer starts: a real process, on a machine maybe busy.
bound() {
	awk -v port="$(printf ':%04X' "$1")" -v tcp="${2:-}" '
		NR > 1 && substr($2, length($2) - 4) == port && (tcp == "" || $4 == "0A") { f = 1 }
		END { exit !f }' /proc/net/"${2:-udp}"
}

# wav_freq FILE: "HZ RMS" of a recording (16-bit WAV, first channel).
wav_freq() {
	python3 - "$1" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1])
rate, ch = w.getframerate(), w.getnchannels()
x = struct.unpack('<%dh' % (w.getnframes() * ch), w.readframes(w.getnframes()))[::ch]
# The median over loud 100 ms blocks: a gap (the jitter buffer refilling
# on a busy machine, the call's ends) neither skews nor hides the tone.
n = rate // 10
hz, rms = [], []
for b in range(0, len(x) - n + 1, n):
    y = x[b:b + n]
    r = math.sqrt(sum(v * v for v in y) / n)
    if r >= 300:
        zc = sum(1 for i in range(1, n) if (y[i - 1] < 0) != (y[i] < 0))
        hz.append(zc * rate // (2 * n))
        rms.append(int(r))
med = lambda v: sorted(v)[len(v) // 2] if v else 0
print(med(hz), med(rms))
PY
}

gw_setup() {
	cp "$top"/conf/strowger.conf "$top"/conf/sim-pri.conf "$top"/conf/sim-pbx.script \
		"$top"/conf/sim-exchange.map "$tmp"/
	sed -i -e "s|^\[general\]|[general]\ncontrol_socket = $tmp/ctl.sock\ncdr_database = $tmp/cdr.sqlite|" \
		-e "s|^port = 5060 |port = 0 |" "$tmp/strowger.conf"
}

gw_start() {
	"$@" "$bd/strowger" -f -c "$tmp/strowger.conf" 2>"$tmp/log" &
	pid=$!
	port=
	# A real process on real time: poll, bounded (30 s: a loaded machine).
	i=0
	while [ $i -lt 600 ]; do
		port=$(sed -n 's/.*listening on UDP 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/log" | head -n 1)
		[ -n "$port" ] && [ "$(ctl spans 2>/dev/null | grep -c ' up ')" = "${gw_spans:-2}" ] &&
			return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

gw_stop() {
	ctl shutdown >/dev/null 2>&1
	wait "$pid"
	rc=$?
	pid=
	return $rc
}

# SIPp's control socket: no -cp.  Given a port, SIPp dies if it is taken
# (a port free_port handed out may be taken again before SIPp binds it);
# without one it tries 8888-8947 and, all taken, runs on without it.
gw_sipp() {
	sipp "127.0.0.1:$port" -i 127.0.0.1 -p 0 -ci 127.0.0.1 -nostdin "$@"
}

sipp_uas() {
	sipp_port=$1
	shift
	sipp -i 127.0.0.1 -p "$sipp_port" -m 1 -nostdin -ci 127.0.0.1 \
		-timeout 60s -timeout_error "$@"
}

baresip_config() {
	mkdir -p "$1"
	cat >"$1/config" <<CONF
poll_method	epoll
sip_listen	127.0.0.1:0
audio_player	aubridge,nil
audio_source	ausine,440
ausrc_srate	48000
ausrc_channels	2
auplay_srate	48000
auplay_channels	2
net_interface	127.0.0.1
module_path	/usr/lib/baresip/modules
module		g711.so
module		ausine.so
module		aubridge.so
module_app	account.so
module_app	menu.so
CONF
	bs_dir=$1
	shift
	for line in "$@"; do printf '%s\n' "$line"; done >>"$bs_dir/config"
	echo "<sip:1001@127.0.0.1>;regint=0" >"$bs_dir/accounts"
}

tap_plan() {
	tap_n=$1 n=0 fail=0
	echo "1..$1"
}

tap_skip_all() {
	i=1
	while [ $i -le "$tap_n" ]; do
		echo "ok $i # SKIP $1"
		i=$((i + 1))
	done
	exit 0
}

tap_need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || tap_skip_all "$t not installed"
	done
}

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}

show() {
	tail -n 20 "$1" | sed "s/^/# ${2:+$2: }/"
	[ -f "$tmp/log" ] && tail -n 20 "$tmp/log" | sed 's/^/# gw: /'
}

wait_for() {
	w_max=400
	if [ "$1" = -s ]; then
		w_max=$(($2 * 20))
		shift 2
	fi
	w_i=0
	until "$@" >/dev/null 2>&1; do
		[ $w_i -ge $w_max ] && return 1
		sleep 0.05
		w_i=$((w_i + 1))
	done
}

gw_tmp() {
	tmp=$(mktemp -d) || exit 1
	gw_procs="$*"
	pid=
	for v in "$@"; do eval "$v="; done
	trap gw_cleanup EXIT
}

gw_cleanup() {
	for v in $gw_procs pid; do
		eval "gw_p=\${$v:-}"
		[ -n "$gw_p" ] && kill "$gw_p" 2>/dev/null
	done
	rm -rf "$tmp"
}
