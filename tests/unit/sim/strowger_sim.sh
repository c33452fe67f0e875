#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# strowger-sim --check: a good system.conf passes, a bad one fails with
# file:line.  TAP on stdout.
set -u
sim=${top_builddir:-.}/strowger-sim
src=${top_srcdir:-.}
bad=$(mktemp)
trap 'rm -f "$bad"' EXIT
echo 1..3
if "$sim" --check "$src/conf/sim-system.conf" >/dev/null 2>&1; then
	echo "ok 1 - conf/sim-system.conf passes --check"
else
	echo "not ok 1 - conf/sim-system.conf passes --check"
fi
printf 'span=1,1,0,ccs,hdb3\nbchan=1-15\nbogus=1\n' >"$bad"
out=$("$sim" --check "$bad" 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "$bad:3: unknown key 'bogus'"; then
	echo "ok 2 - a bad file is refused with file:line"
else
	echo "not ok 2 - a bad file is refused with file:line (rc $rc: $out)"
fi
if timeout 10 "$sim" -c "$src/conf/sim-system.conf" -x 1:9 >/dev/null 2>&1; then
	echo "not ok 3 - a bad cross-connect is refused"
else
	echo "ok 3 - a bad cross-connect is refused"
fi
