#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: authentication and registration of the running gateway (issue 5)
# with SIPp (sip-tester):
#   - SIPp as a registrar for [trunk carrier] (register = yes) challenges
#     the REGISTER with digest and checks it (verifyauth, -au/-ap);
#     strowger-ctl trunks shows it registered; Expires: 0 at shutdown;
#   - SIPp calls as [trunk pbx] (inbound digest only) with -au/-ap: 401,
#     then the signed INVITE is answered by the simulated PBX;
#   - no credentials: 401; a wrong password: 403; after a reload in which
#     no trunk takes 127.0.0.1, an unknown source: 403; none of these
#     starts a call (strowger-ctl calls, the CDRs).
# Prints TAP; skips only when sipp is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
dir=$top/tests/interop
. "$top/tests/gw_lib.sh"
tap_plan 9
tap_need sipp
gw_tmp regpid
gw_setup

# The trunks: the registrar on an address of its own (a trunk's IP host is
# one of its sources: callers on 127.0.0.1 must not be the carrier), the
# PBX by digest only.
rport=$(free_port)
trunks() { # $1: the pbx trunk's way in
	cat <<EOT
[trunk carrier]
host = 127.0.0.2
port = $rport
username = gw1
password = s3cret
register = yes
register_expires = 300s

[trunk pbx]
$1
EOT
}
trunks "inbound_username = pbx
inbound_password = pw9" >"$tmp/trunks.conf"
# Replace the quick start's [trunk phones] (it lets 127.0.0.1 in).
sed -i -e '/^\[trunk phones\]/,/^allow/d' "$tmp/strowger.conf"
sed -i -e "s|^\[mapping\]|#include \"trunks.conf\"\n\n[mapping]|" "$tmp/strowger.conf"

sipp -sf "$dir/gw_auth_registrar.xml" -i 127.0.0.2 -p "$rport" -au gw1 -ap s3cret \
	-m 1 -nostdin -timeout 120s -timeout_error -trace_msg \
	-message_file "$tmp/registrar.log" >"$tmp/registrar.out" 2>&1 &
regpid=$!
gw_start
ok $? "the gateway listens (UDP port ${port:-none}) and its spans are up"

registered() { ctl trunks | grep -q '^carrier .* registered '; }
wait_for -s 30 registered
ctl trunks >"$tmp/trunks.out"
grep -q '^carrier .* registered  *2[0-9][0-9]s  *200 ' "$tmp/trunks.out" &&
	grep -q '^pbx  .*-  *-  *-  *-$' "$tmp/trunks.out"
ok $? "REGISTER challenged and verified by SIPp; strowger-ctl trunks: registered, 200"
[ $n -gt 0 ] && sed 's/^/# /' "$tmp/trunks.out"

# sipp NAME SCENARIO NUMBER [ARGS]: must succeed (exit 0).
call() {
	name=$1 sf=$2 num=$3
	shift 3
	gw_sipp -sf "$sf" -s "$num" -m 1 -l 1 -timeout 30s -timeout_error "$@" >"$tmp/sipp.out" 2>&1
	rc=$?
	ok $rc "$name"
	[ $rc = 0 ] || show "$tmp/sipp.out"
}
refused() {
	sed -e "s/@STATUS@/$1/g" "$dir/gw_auth_refused.xml.in" >"$tmp/r$1.xml"
	echo "$tmp/r$1.xml"
}

call "SIPp with digest credentials: 401, signed INVITE, answered, BYE" \
	"$dir/gw_auth_uac.xml" 7000000 -au pbx -ap pw9
call "no credentials: 401, no call" "$(refused 401)" 7000001
call "wrong password: 403, no call" "$dir/gw_auth_wrong.xml" 7000002 -au pbx -ap nope

# The PBX moves to another network: 127.0.0.1 now matches no trunk.
trunks "allow = 192.0.2.0/24" >"$tmp/trunks.conf"
ctl reload >/dev/null
ok $? "reload: [trunk pbx] now allows 192.0.2.0/24 only"
call "unknown source: 403, no call" "$(refused 403)" 7000003

calls=$(ctl calls | tail -n +2 | wc -l)
csv=$(ctl cdr --csv)
[ "$calls" = 0 ] && [ "$(echo "$csv" | grep -c ',700000[0-9],')" = 1 ] &&
	echo "$csv" | grep -q ',7000000,.*,pbx,'
ok $? "one call only, the authenticated one, with trunk pbx in its CDR"
[ $fail = 0 ] || echo "$csv" | sed 's/^/# /'
ctl counters | grep '^sip\.access\.' | sed 's/^/# /'

gw_stop
rc=$?
wait "$regpid"
rrc=$?
regpid=
[ $rc = 0 ] && [ $rrc = 0 ] && grep -q '^Expires: 0' "$tmp/registrar.log"
ok $? "shutdown de-registers (Expires: 0) and SIPp's registrar scenario completes"
[ $rrc = 0 ] || show "$tmp/registrar.out" registrar
exit $fail
