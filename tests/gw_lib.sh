# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the tests and benchmarks that run the gateway daemon on its
# embedded default (sourced, not run).  The caller sets $bd (build tree),
# $top (source tree) and $tmp (a scratch directory it removes).
#
#   gw_setup            copy the shipped default into $tmp, with the control
#                       socket and CDR database in $tmp and SIP on an
#                       ephemeral port (tests never bind fixed ports)
#   gw_start [CMD...]   start it (CMD: a prefix such as "taskset -c 0");
#                       wait, bounded, until SIP listens and $gw_spans spans
#                       (default 2) are up; sets $pid and $port; returns 1 if
#                       it did not come up
#   gw_stop             graceful shutdown; returns the daemon's exit status
#   ctl ARGS...         strowger-ctl on this gateway

ctl() { "$bd/strowger-ctl" -s "$tmp/ctl.sock" "$@"; }

# A port the kernel just gave out (UDP, or TCP with "tcp"): for SIPp's
# control socket and for peers the dial plan must name.  Scripts that run
# in parallel under make -j then never collide, as a formula on $$ could.
free_port() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1:] == ["tcp"] else socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "$@"
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
	# A real process on real time: poll, bounded (10 s).
	i=0
	while [ $i -lt 200 ]; do
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
