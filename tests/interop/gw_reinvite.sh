#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: hold and resume by re-INVITE keep the PSTN call up.  SIPp calls
# the echo number of the gateway's embedded default (SIP → simulated E1 PRI
# → the simulated PBX), puts the call on hold (a=sendonly, answered
# a=recvonly: RFC 3264 §8.4) with its media on a port where an RTP sink
# must hear nothing, resumes it with its media on another port (the RTP
# must follow: a second sink listens there), and hangs up.  Checked:
# the call is ACTIVE during the hold (strowger-ctl calls, run by SIPp), the
# PSTN leg is cleared only after the BYE (the gateway's ISDN log), and the
# CDR: one answered call, cause 16, longer than a second.
# Prints TAP; skips only when sipp is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
dir=$top/tests/interop
. "$top/tests/gw_lib.sh"
tap_plan 8
tap_need sipp
gw_tmp sink hsink
gw_setup
# The ISDN messages and the call layer's lines, to see when the PSTN leg clears.
printf 'call = info\nisdn = info\n' >>"$tmp/strowger.conf"
gw_start
ok $? "the gateway listens (UDP port ${port:-none}) and its spans are up"

# The RTP sinks for the held and the resumed media; a sink's first line is
# its port.  They run until stopped after the call (60 s at most).
python3 "$dir/gw_rtp_sink.py" 60 >"$tmp/sink.out" &
sink=$!
python3 "$dir/gw_rtp_sink.py" 60 >"$tmp/hsink.out" &
hsink=$!
sinks_ready() { [ -s "$tmp/sink.out" ] && [ -s "$tmp/hsink.out" ]; }
wait_for sinks_ready
newport=$(head -n 1 "$tmp/sink.out")
holdport=$(head -n 1 "$tmp/hsink.out")
echo "\"$bd/strowger-ctl\" -s \"$tmp/ctl.sock\" calls >\"$tmp/calls.hold\" 2>&1" >"$tmp/hold.sh"

gw_sipp -sf "$dir/gw_uac_hold.xml" -s 7000000 -m 1 -set newport "${newport:-9}" \
	-set holdport "${holdport:-9}" -set holdcmd "sh $tmp/hold.sh" -timeout 60s -timeout_error \
	>"$tmp/sipp.out" 2>&1
rc=$?
ok $rc "hold (200 a=recvonly), resume on a new port (200 a=sendrecv), BYE"
[ $rc = 0 ] || show "$tmp/sipp.out"

kill "$sink" "$hsink" 2>/dev/null
wait "$sink" "$hsink"
sink= hsink=
# "<packets> <payload types>": 20 ms packets for the second after the resume.
set -- $(sed -n 2p "$tmp/sink.out")
[ "${1:-0}" -ge 10 ] && [ "${2:-}" = 8 ] && [ $# = 2 ]
r=$?
ok $r "RTP (PCMA) follows the new port after the resume (${1:-0} packets)"
[ $r = 0 ] || sed 's/^/# sink: /' "$tmp/sink.out"

# The held media's sink: the offer moved the media there and said sendonly,
# so the gateway may send it nothing (RTCP is not counted).
set -- $(sed -n 2p "$tmp/hsink.out")
[ -n "$holdport" ] && [ "${1:-x}" = 0 ]
r=$?
ok $r "no RTP toward the held port while held (${1:-none} packets)"
[ $r = 0 ] || sed 's/^/# hold sink: /' "$tmp/hsink.out"

grep -q '^[0-9]* *ACTIVE *1001 *7000000 ' "$tmp/calls.hold" 2>/dev/null
r=$?
ok $r "the call is ACTIVE while held (strowger-ctl calls)"
[ $r = 0 ] || sed 's/^/# calls: /' "$tmp/calls.hold" 2>/dev/null

# SIPp is done once its BYE is answered; the gateway clears the PSTN leg
# and ends the call (its record) after that: wait (bounded) for the call
# to be gone before reading the log and the CDRs.
no_call() { [ "$(ctl calls | wc -l)" = 1 ]; }
wait_for no_call
grep -q 're-INVITE: media recvonly' "$tmp/log" &&
	grep -q "re-INVITE: media sendrecv, remote 127.0.0.1:$newport" "$tmp/log"
ok $? "the gateway answered both offers and moved the stream"

# The PSTN leg: no DISCONNECT or RELEASE on the gateway's span before the
# SIP side ended with the BYE.
bye=$(grep -n 'sip-in [0-9]*: ended: 200' "$tmp/log" | head -n 1 | cut -d: -f1)
clr=$(grep -n 'isdn s[12]: [TR]X .*| \(DISCONNECT\|RELEASE\)' "$tmp/log" | head -n 1 | cut -d: -f1)
[ -n "$bye" ] && [ -n "$clr" ] && [ "$clr" -gt "$bye" ]
ok $? "the PSTN leg is cleared only after the BYE (log lines ${bye:-none} < ${clr:-none})"

# One call: answered, normal clearing (16), 200, more than a second long.
csv=$(ctl cdr --csv | tail -n +2)
echo "$csv" | awk -F, 'END { exit !(NR == 1 && $10 == "7000000" && $5 != "" &&
	$16 == 16 && $17 == 200 && $8 > 1000) }'
r=$?
ok $r "one CDR: answered, cause 16, status 200, billed over a second"
[ $r = 0 ] || echo "$csv" | sed 's/^/# cdr: /'
gw_stop
exit $((fail | $?))
