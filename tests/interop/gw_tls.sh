#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: SIP over TLS to the running gateway on its embedded default, with
# transports = udp,tcp,tls and a throwaway CA and certificate made by the
# openssl command.  The peer is Python's ssl module (gw_tls.py): OPTIONS and
# a CRLF keep-alive, a call to the test number 7000000 with a sips: URI (ACK,
# BYE), plaintext on the TLS port (closed, and the gateway still serves TLS),
# a client that checks for a name the certificate lacks (refused); then the
# CDR; the gateway calls a TLS phone (gw_tls.py uas) for the simulated PBX;
# then baresip calls 7000000 over TLS.  Debian's SIPp has no TLS.  With
# SSLKEYLOGFILE set, the gateway logs its TLS keys there for tshark.  Prints
# TAP; skips when openssl or python3 is missing.
set -u
bd=${top_builddir:-.}
top=$(cd "${top_srcdir:-.}" && pwd)
. "$top/tests/gw_lib.sh"
tap_plan 9
tap_need openssl python3
gw_tmp upid

# A CA and a server certificate for 127.0.0.1 (and gw.test), valid a day.
certs() {
	(
		cd "$tmp" &&
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-keyout ca.key -out ca.pem -days 1 -subj "/CN=strowger test CA" &&
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-keyout gw.key -out gw.csr -subj "/CN=gw.test" &&
			printf 'subjectAltName=IP:127.0.0.1,DNS:gw.test\nextendedKeyUsage=serverAuth\n' >ext &&
			openssl x509 -req -in gw.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
				-out gw.pem -days 1 -extfile ext
	) >"$tmp/openssl.out" 2>&1
}
certs
ok $? "openssl made a CA and a server certificate"

gw_setup
# ISDN → SIP over TLS: the PBX's calls to 1xx go to a TLS phone (gw_tls.py uas).
uport=$(free_port tcp)
# The phone listens on it from now on (it waits up to 120 s for the call),
# before the gateway starts and the TLS clients below take ports of their own.
python3 "$top/tests/interop/gw_tls.py" "$tmp/ca.pem" "$uport" uas "$tmp/gw.pem" "$tmp/gw.key" \
	"$tmp/uas.ready" 2>"$tmp/uas.err" &
upid=$!
wait_for test -e "$tmp/uas.ready" || echo "# the TLS phone did not start"
sed -i "s|route uri sip:\${called}@127.0.0.1:5062|route uri sips:\${called}@127.0.0.1:$uport|" \
	"$tmp/sim-exchange.map"
sed -i -e "s|^; transports = udp,tcp .*|transports = udp,tcp,tls|" \
	-e "s|^; tls_port = 5061|tls_port = 0|" \
	-e "s|^; tls_certificate = FILE .*|tls_certificate = gw.pem|" \
	-e "s|^; tls_private_key = FILE .*|tls_private_key = gw.key|" \
	-e "s|^; tls_ca_file = FILE .*|tls_ca_file = ca.pem|" "$tmp/strowger.conf"
gw_start
rc=$?
tport=$(sed -n 's/.*listening on TLS 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/log" | head -n 1)
[ $rc = 0 ] && [ -n "$tport" ]
ok $? "the gateway listens on TLS (port ${tport:-none})"
[ -n "$tport" ] || tport=1

py() { python3 "$top/tests/interop/gw_tls.py" "$tmp/ca.pem" "$tport" "$@" 2>"$tmp/py.err"; }
check() {
	rc=$?
	ok $rc "$1"
	[ $rc = 0 ] || show "$tmp/py.err"
}

py options
check "OPTIONS over TLS (certificate verified for 127.0.0.1): 200, Via TLS; CRLF keep-alive"
py call 7000000
check "INVITE sips:7000000: answered with a sips: Contact, ACK, BYE 200"
py plaintext
check "plaintext on the TLS port is closed unanswered"
py badname
check "a client expecting another name refuses the certificate"
cdr_written() { ctl cdr --csv | grep -q ',7000000,'; }
py options && wait_for cdr_written
check "after all that TLS still answers, and the call has its CDR"

# The gateway as the TLS client: it verifies the phone's certificate (our CA,
# 127.0.0.1) and places the PBX's call over it; the PBX hangs up.
ctl simcall pbx1 100 2001234 >/dev/null
wait "$upid"
rc=$?
upid=
ok $rc "ISDN → sips:100: the gateway calls a TLS phone (verified), 200, ACK, BYE"
[ $rc = 0 ] || show "$tmp/uas.err"

# baresip (libre on OpenSSL) as a second, independent TLS peer: it dials
# sip:...;transport=tls (baresip 1.0 mangles a sips: dial string), trusting
# our CA, holds the call 5 s and hangs up.
if command -v baresip >/dev/null 2>&1; then
	baresip_config "$tmp/bs" "sip_cafile	$tmp/ca.pem"
	timeout 30 baresip -f "$tmp/bs" -e "/dial sip:7000000@127.0.0.1:$tport;transport=tls" \
		-t 5 >"$tmp/bs.log" 2>&1
	# baresip quits once its BYE is answered; the gateway writes the record
	# when the PSTN side has cleared too: poll for it (bounded).
	two_cdrs() { [ "$(ctl cdr --csv | grep -c ',7000000,')" -ge 2 ]; }
	grep -q "Call established: sip:7000000@127.0.0.1:$tport;transport=tls" "$tmp/bs.log" &&
		grep -q "incoming rtp for 'audio' established" "$tmp/bs.log" &&
		wait_for two_cdrs
	rc=$?
	ok $rc "baresip calls 7000000 over TLS: established, audio flows, CDR written"
	[ $rc = 0 ] || show "$tmp/bs.log" baresip
else
	ok 0 "# SKIP baresip not installed"
fi
gw_stop
exit $((fail | $?))
