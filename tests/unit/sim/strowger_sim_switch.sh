#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# strowger-sim playing simulated ISDN switches (-S, --call, --for): bad
# scripts, spans and zones are refused with exit 1 and a clear message; two
# crossed E1 spans in one process, a network switch that answers on span 1
# and a CPE switch calling from span 2, show the SETUP, the answer and the
# hangup 16 on both sides.  TAP on stdout.
set -u
sim=${top_builddir:-.}/strowger-sim
conf=${top_srcdir:-.}/conf/sim-system.conf
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0
check() { # check DESCRIPTION COMMAND...: ok if COMMAND succeeds
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$dir/out"
	fi
}
# refused COMMAND-ARGS... PATTERN: strowger-sim exits 1, stderr has PATTERN
refused() {
	pat=$1
	shift
	timeout 10 "$sim" -c "$conf" -x 1:2 --for 2s "$@" >"$dir/out" 2>&1
	[ $? -eq 1 ] && grep -q -- "$pat" "$dir/out"
}
# seen SPAN EVENT: the run's log has "span SPAN: EVENT"
seen() { grep -q "^span $1: $2" "$dir/run"; }

echo 1..10
printf '# a typo on line 2\non * answer\non 3 frobnicate\n' >"$dir/bad.sw"
printf 'on * proceeding answer wait 1s hangup 16\n' >"$dir/net.sw"

check "a bad script is refused with file:line" refused "$dir/bad.sw:3: unknown action" \
	-S "1:$dir/bad.sw"
check "an unknown span is refused" refused "span 9: no such span" -S "9:$dir/net.sw"
check "an unknown zone is refused" refused "unknown tone zone 'xx'" \
	-S "1:$dir/net.sw:network:euroisdn_e1:xx"

start=$(date +%s)
timeout 20 "$sim" -c "$conf" -x 1:2 -S "1:$dir/net.sw" -S 2::cpe --call 2:200:100 \
	--for 3s >"$dir/run" 2>"$dir/err"
rc=$?
cp "$dir/run" "$dir/out" && cat "$dir/err" >>"$dir/out"
check "--for 3s: strowger-sim stops by itself, exit 0 (rc $rc)" \
	test $rc -eq 0 -a $(($(date +%s) - start)) -lt 10
check "network: the SETUP from the CPE arrives" seen 1 "rx setup 200 from 100"
check "network: answers" seen 1 "tx answer"
check "network: hangs up with 16" seen 1 "tx hangup 16"
check "CPE: --call sends the SETUP" seen 2 "tx setup 200 from 100$"
check "CPE: the answer arrives" seen 2 "rx answer"
check "CPE: cleared with 16" seen 2 "rx hangup 16"
