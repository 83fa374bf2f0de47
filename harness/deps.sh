#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Install what `make run`, `make test` and `make host-bench` need on
# Debian 12, if missing.
# As root this runs apt-get; otherwise it prints the exact command.
set -e
PKGS="gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf qemu-system-misc
opensbi u-boot-qemu u-boot-tools dosfstools mtools device-tree-compiler
libfdt-dev python3-pytest
python3-pytest-timeout python3-pytest-xdist python3-pexpect gdb-multiarch
clang libclang-rt-14-dev llvm-14 libjemalloc-dev libmimalloc-dev
libgoogle-perftools-dev valgrind python3-matplotlib"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: missing:$missing"
# Recommends stay out: they are what pulls QEMU's graphical front-ends
# (qemu-system-gui: GTK, SDL, VTE, GStreamer plugins) and half of the
# download; nothing here uses them (harness/test_deps.py checks both).
APT_INSTALL="apt-get install -y -q --no-install-recommends"
if [ "$(id -u)" = 0 ]; then
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive $APT_INSTALL $missing
else
	echo "deps: run as root: apt-get update && $APT_INSTALL$missing"
	exit 1
fi
