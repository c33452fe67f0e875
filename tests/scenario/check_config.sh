#!/bin/sh
# Scenario: an operator validates a configuration with `strowger --check-config`.
# Prints TAP.  Needs $top_builddir and $top_srcdir (exported by `make check`).
set -u
b=${top_builddir:-.}/strowger
conf=${top_srcdir:-.}/conf/strowger.conf
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }

echo "1..10"
"$b" --check-config "$conf" >"$tmp/out" 2>&1
ok $? "shipped conf/strowger.conf is valid"

sed 's/^log_level = /lgo_level = /' "$conf" >"$tmp/bad.conf"
line=$(grep -n '^lgo_level' "$tmp/bad.conf" | cut -d: -f1)
"$b" --check-config "$tmp/bad.conf" >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 1 ]; ok $? "a misspelt key exits 1 (got $rc)"
grep -q "^$tmp/bad.conf:$line: \[general\] key 'lgo_level': unknown key" "$tmp/out"
ok $? "the message names file, line and key"

"$b" -c "$tmp/missing.conf" --check-config >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "missing.conf" "$tmp/out"
ok $? "a missing file exits 1 and is named"

map=$(cd "${top_srcdir:-.}" && pwd)/mapping/pbx-pri.map
printf '[mapping]\ndialplan = %s\n' "$map" >"$tmp/trunkless.conf"
"$b" --check-config "$tmp/trunkless.conf" >"$tmp/out" 2>&1
rc=$?
line=$(grep -n '^route trunk itsp' "$map" | head -n 1 | cut -d: -f1)
[ "$rc" = 1 ] && grep -q "^$map:$line: rule '[^']*' routes to trunk 'itsp', which .* does not define" "$tmp/out"
ok $? "a dial plan routing to a trunk strowger.conf lacks: exit 1 at the route's file:line"
printf '[trunk itsp]\nallow = 192.0.2.0/24\n' >>"$tmp/trunkless.conf"
"$b" --check-config "$tmp/trunkless.conf" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "routes to trunk 'itsp', which has no host" "$tmp/out"
ok $? "... or to a trunk without a host"

"$b" --version | grep -q '^strowger [0-9]'
ok $? "--version prints the version"
# TLS files (transports = ...,tls): checked, each fault at its key's line.
top=${top_srcdir:-.}
cp "$top"/conf/sim-pri.conf "$top"/conf/sim-pbx.script "$top"/conf/sim-exchange.map "$tmp"/
if command -v openssl >/dev/null 2>&1 &&
	(cd "$tmp" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout gw.key -out gw.pem -days 1 -subj /CN=gw.test &&
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key) \
		>"$tmp/openssl.out" 2>&1; then
	tlsconf() {
		sed -e "s|^; transports = udp,tcp .*|transports = udp,tcp,tls|" \
			-e "s|^; tls_certificate = FILE .*|tls_certificate = gw.pem|" \
			-e "s|^; tls_private_key = FILE .*|tls_private_key = $1|" "$conf" >"$tmp/tls.conf"
	}
	tlsconf gw.key
	"$b" --check-config "$tmp/tls.conf" >"$tmp/out" 2>&1
	ok $? "transports = udp,tcp,tls with a certificate and its key is valid"
	tlsconf other.key
	line=$(grep -n '^tls_private_key' "$tmp/tls.conf" | cut -d: -f1)
	"$b" --check-config "$tmp/tls.conf" >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" = 1 ] && grep -q "^$tmp/tls.conf:$line: \[sip\] tls_private_key: .*does not match" "$tmp/out"
	ok $? "a key that is not the certificate's: exit 1, named at its line"
	tlsconf gw.key
	sed -i "s|^tls_certificate = gw.pem|tls_certificate = nothere.pem|" "$tmp/tls.conf"
	line=$(grep -n '^tls_certificate' "$tmp/tls.conf" | cut -d: -f1)
	"$b" --check-config "$tmp/tls.conf" >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" = 1 ] && grep -q "^$tmp/tls.conf:$line: \[sip\] tls_certificate: .*nothere.pem: No such file" "$tmp/out"
	ok $? "a missing certificate: exit 1, named at its line"
else
	for i in 1 2 3; do ok 0 "# SKIP openssl cannot make a certificate"; done
fi
exit $fail
