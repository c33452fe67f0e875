#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every shipped mapping file must pass `strowger-map check` and its own test
# vectors (`strowger-map test`).  Prints TAP; `make check` runs it.
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
tool=$builddir/strowger-map
files=$(ls "$srcdir"/mapping/*.map)
n=0
for f in $files; do n=$((n + 2)); done
echo "1..$n"
i=0
for f in $files; do
	name=$(basename "$f")
	for cmd in check test; do
		i=$((i + 1))
		if out=$("$tool" $cmd "$f" 2>&1); then
			echo "ok $i - strowger-map $cmd $name"
		else
			echo "not ok $i - strowger-map $cmd $name"
			printf '%s\n' "$out" | sed 's/^/# /'
		fi
	done
done
