#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make check-vm: run drivers/dahdi's test (tests/vm/vm_dahdi) against the
# real DAHDI kernel modules.  Boots Debian's kernel under qemu-system-x86_64
# (TCG) with an initramfs holding busybox, dahdi.ko, dahdi_dynamic.ko and
# dahdi_dynamic_loc.ko built from Debian's dahdi-source against the matching
# linux-headers, dahdi_cfg from Debian's dahdi package, tests/vm/system.conf
# (two crossed dynamic=loc spans) and the test.
#
#   run-vm.sh /path/to/vm_dahdi [seconds of audio]
#
# Environment: VM_WORK (cache; default ./tests/vm/work), VM_TIMEOUT (s, 600),
# VM_STRICT=1 turns "qemu cannot run" into a failure instead of a skip.
# Downloads (apt-get download) and the module build happen once per cache.
set -eu

test_bin=$(readlink -f "$1")
secs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
work=${VM_WORK:-$(pwd)/tests/vm/work}
timeout_s=${VM_TIMEOUT:-600}

say() { echo "check-vm: $*"; }
fail() { echo "check-vm: FAIL: $*" >&2; exit 1; }
skip() {
	say "SKIP: $*"
	[ "${VM_STRICT:-0}" = 1 ] && exit 1
	exit 0
}

# --- can qemu run at all? -------------------------------------------------
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 is not installed (Debian: qemu-system-x86)"
echo q | timeout 60 qemu-system-x86_64 -machine none -accel tcg -display none \
	-nodefaults -monitor stdio >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 cannot start a TCG machine here"

# --- what else is needed ----------------------------------------------------
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || fail "busybox not found (Debian: busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && fail "$busybox is dynamic; install busybox-static"
dahdi_cfg=$(command -v dahdi_cfg || echo /usr/sbin/dahdi_cfg)
[ -x "$dahdi_cfg" ] || fail "dahdi_cfg not found (Debian: dahdi)"
dahdi_src=/usr/src/dahdi.tar.bz2
[ -f "$dahdi_src" ] || fail "$dahdi_src not found (Debian: dahdi-source)"
[ -x "$test_bin" ] || fail "test program $test_bin not built"

# The kernel ABI is the one linux-image-amd64 depends on, so the headers the
# modules are built against match the kernel that boots.
abi=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\).*/\1/p' | head -n 1)
[ -n "$abi" ] || fail "cannot tell the kernel ABI from linux-image-amd64's dependency"
kmaj=$(echo "$abi" | cut -d. -f1-2)
say "kernel ABI $abi, cache $work"
mkdir -p "$work/debs"

# --- kernel, headers, kbuild (apt-get download, unpacked into the cache) ----
root=$work/root
if [ ! -f "$root/.done-$abi" ]; then
	(cd "$work/debs" && apt-get download "linux-image-$abi" "linux-headers-$abi" \
		"linux-headers-${abi%-amd64}-common" "linux-kbuild-$kmaj") ||
		fail "apt-get download of the kernel packages failed"
	rm -rf "$root" && mkdir -p "$root"
	for deb in "$work"/debs/*"${abi%-amd64}"*.deb "$work"/debs/linux-kbuild-"$kmaj"_*.deb; do
		dpkg -x "$deb" "$root"
	done
	# the headers' Makefile includes the common part by absolute path
	sed -i "s|include /usr/src/|include $root/usr/src/|" \
		"$root/usr/src/linux-headers-$abi/Makefile"
	touch "$root/.done-$abi"
fi
vmlinuz=$root/boot/vmlinuz-$abi
[ -f "$vmlinuz" ] || fail "$vmlinuz missing"

# --- DAHDI modules from dahdi-source -----------------------------------------
mods=$work/dahdi/modules/dahdi/drivers/dahdi
if [ ! -f "$work/.dahdi-$abi" ]; then
	rm -rf "$work/dahdi" && mkdir -p "$work/dahdi"
	tar xjf "$dahdi_src" -C "$work/dahdi"
	say "building dahdi, dahdi_dynamic, dahdi_dynamic_loc for $abi"
	make -s -C "$work/dahdi/modules/dahdi" modules KVERS="$abi" \
		KSRC="$root/usr/src/linux-headers-$abi" DAHDI_BUILD_ALL= CONFIG_DAHDI=m \
		CONFIG_DAHDI_DYNAMIC=m CONFIG_DAHDI_DYNAMIC_LOC=m >"$work/dahdi-build.log" 2>&1 ||
		{ tail -n 20 "$work/dahdi-build.log"; fail "dahdi module build failed"; }
	touch "$work/.dahdi-$abi"
fi

# --- initramfs ---------------------------------------------------------------
ird=$work/initramfs
rm -rf "$ird" && mkdir -p "$ird/bin" "$ird/sbin" "$ird/usr/sbin" "$ird/etc/dahdi" \
	"$ird/lib/modules" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/tmp"
cp "$busybox" "$ird/bin/busybox"
for app in sh mount mkdir insmod ls cat echo sleep poweroff dmesg; do
	ln -s busybox "$ird/bin/$app"
done
cp "$mods/dahdi.ko" "$mods/dahdi_dynamic.ko" "$mods/dahdi_dynamic_loc.ko" "$ird/lib/modules/"
copy_with_libs() {
	cp "$1" "$ird/$2"
	ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^\t*\(\/[^ ]*\) (.*/\1/p' |
	while read -r lib; do
		mkdir -p "$ird$(dirname "$lib")"
		cp -L "$lib" "$ird$lib"
	done
}
copy_with_libs "$dahdi_cfg" usr/sbin/dahdi_cfg
copy_with_libs "$test_bin" vm_dahdi
cp "$here/system.conf" "$ird/etc/dahdi/system.conf"
cat >"$ird/init" <<EOF
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm && mount -t tmpfs shm /dev/shm
# Debian's default waits for udev to assign spans; there is none here
insmod /lib/modules/dahdi.ko auto_assign_spans=1
insmod /lib/modules/dahdi_dynamic.ko
insmod /lib/modules/dahdi_dynamic_loc.ko
/usr/sbin/dahdi_cfg -v || echo "VM: dahdi_cfg failed"
ls /dev/dahdi
/vm_dahdi --os $secs
echo "VM-RESULT \$?"
poweroff -f
EOF
chmod +x "$ird/init"
(cd "$ird" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initrd.gz"

# --- boot ----------------------------------------------------------------------
log=$work/console.log
rm -f "$log"
say "booting under qemu (TCG)"
timeout "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max -m 512 -smp 2 \
	-display none -monitor none -no-reboot -nic none \
	-kernel "$vmlinuz" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 quiet" -serial "file:$log" ||
	say "qemu exited with $?"
[ -f "$log" ] || fail "no console log"
tr -d '\r' <"$log" | grep -E '^(ok|not ok|#|1\.\.|Bail|VM)' || true
if tr -d '\r' <"$log" | grep -q '^VM-RESULT 0$'; then
	say "PASS: drivers/dahdi on the kernel's DAHDI"
	exit 0
fi
say "console log: $log"
fail "the driver test did not pass in the VM"
