#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Boot media for U-Boot boards: `make boot-files BOARD=<name>` runs
#   harness/boot-files.sh --board <name> --image <Image> --out <dir>
#                       [--bootargs <args>] [--dtb <file.dtb>|--dtb firmware]
# and writes into <dir>:
#   Image                   the kernel (Linux RISC-V Image header: booti)
#   boot.cmd, boot.scr      U-Boot script, source and mkimage'd
#   extlinux/extlinux.conf  the same boot for U-Boot's sysboot/distro boot
#   <tree>.dtb              only when a device tree file is used
#   README.txt              how to put them on an SD card
#
# Both boot paths load the Image at the board's ${kernel_addr_r} (from
# U-Boot's environment) and start it with booti. The device tree is
# either the one U-Boot runs with, ${fdtcontroladdr} (the firmware's
# tree: "firmware"), or a .dtb copied next to the Image and loaded at
# ${fdt_addr_r}. U-Boot's distro boot tries extlinux/extlinux.conf
# before boot.scr on each partition (doc/develop/distro.rst), so on a
# card holding both, extlinux.conf wins; either one alone boots.
#
# Exit status: 0 written, 1 bad arguments or a missing tool or file.
set -eu
export LC_ALL=C

die() {
	echo "boot-files: $*" >&2
	exit 1
}

boards="qemu-virt visionfive2 unmatched nezha lpi4a icicle bpi-f3"

board="" image="" out="" bootargs="" dtb="default"
while [ $# -gt 0 ]; do
	case "$1" in
	--board) board=${2-}; shift 2 ;;
	--image) image=${2-}; shift 2 ;;
	--out) out=${2-}; shift 2 ;;
	--bootargs) bootargs=${2-}; shift 2 ;;
	--dtb) dtb=${2-}; shift 2 ;;
	*) die "unknown option '$1'" ;;
	esac
done

[ -n "$board" ] || die "no BOARD given; one of: $boards"
if [ -z "$image" ] || [ -z "$out" ]; then
	die "--image and --out are required"
fi

# Per-board facts, from each board's U-Boot environment defaults:
#   title     what the script prints
#   kaddr     load address used only when the environment has no
#             kernel_addr_r (then: RAM base + 2 MiB, where booti puts
#             the Image anyway, so it is not moved)
#   tree      dts/boards/<tree>.dts, for --dtb default/tree
#   fdt       default device tree: firmware or tree
#   console   the UART the firmware's stdout-path names (the kernel
#             takes its console from /chosen/stdout-path: no console=)
case "$board" in
qemu-virt)
	# U-Boot include/configs/qemu-riscv.h: kernel_addr_r=0x84000000,
	# fdt_addr_r=0x8c000000 (Debian u-boot-qemu 2023.01 prints the same)
	title="QEMU virt" kaddr=0x80200000 tree="" fdt=firmware
	console="ns16550a at 0x10000000 (QEMU's tree)" ;;
visionfive2)
	# U-Boot include/configs/starfive-visionfive2.h:
	# kernel_addr_r=0x40200000, fdt_addr_r=0x46000000
	title="StarFive VisionFive 2" kaddr=0x40200000 tree=visionfive2
	fdt=firmware
	console="UART0 at 0x10000000, snps,dw-apb-uart, 115200" ;;
unmatched)
	# U-Boot include/configs/sifive-unmatched.h:
	# kernel_addr_r=0x84000000, fdt_addr_r=0x8c000000
	title="SiFive HiFive Unmatched" kaddr=0x80200000
	tree=hifive-unmatched fdt=firmware
	console="UART0 at 0x10010000, sifive,uart0, 115200" ;;
nezha)
	# U-Boot include/configs/sunxi-common.h (RISC-V, at least 256 MiB):
	# kernel_addr_r=SDRAM_OFFSET(2000000)=0x42000000, fdt_addr_r=0x43000000
	title="Allwinner D1 Nezha" kaddr=0x40200000 tree=d1-nezha
	fdt=firmware
	console="UART0 at 0x02500000, snps,dw-apb-uart, 115200" ;;
lpi4a)
	# U-Boot include/configs/th1520_lpi4a.h sets no load addresses
	# (RAM at 0, UART_BASE 0xffe7014000): the fallback is used
	title="Sipeed Lichee Pi 4A (TH1520)" kaddr=0x00200000
	tree=lichee-pi-4a fdt=firmware
	console="UART0 at 0xffe7014000, snps,dw-apb-uart, 115200" ;;
icicle)
	# U-Boot include/configs/microchip_mpfs_icicle.h:
	# kernel_addr_r=0x80200000, fdt_addr_r=0x8a000000. Our tree by
	# default: earlier Icicle trees (Linux's mpfs-icicle-kit.dts before
	# its fix) put the high DDR window at 0x10_0000_0000, which aliases
	# the low window's first GiB (see dts/boards/icicle-kit.dts).
	title="Microchip PolarFire SoC Icicle Kit" kaddr=0x80200000
	tree=icicle-kit fdt=tree
	console="MMUART1 at 0x20100000, ns16550a reg-shift 2, 115200" ;;
bpi-f3)
	# U-Boot include/configs/k1.h sets no load addresses (RAM at 0):
	# the fallback is used
	title="Banana Pi BPI-F3 (SpacemiT K1)" kaddr=0x00200000
	tree=bananapi-f3 fdt=firmware
	console="UART0 at 0xd4017000, 115200" ;;
*)
	die "unknown BOARD '$board'; one of: $boards" ;;
esac

# The command line goes into a U-Boot script between double quotes and
# into extlinux.conf's append line: printable ASCII without the
# characters U-Boot's shell would interpret there.
case "$bootargs" in
*[!\ -~]* | *\"* | *\$* | *\;* | *\\* | *\'*)
	die "BOOTARGS '$bootargs': only printable ASCII without" \
		"\" \$ ; \\ ' (U-Boot would interpret them)" ;;
esac
[ ${#bootargs} -le 1023 ] ||
	die "BOOTARGS is ${#bootargs} bytes; the kernel keeps 1023"

[ -f "$image" ] || die "$image missing: run 'make'"
command -v mkimage >/dev/null 2>&1 ||
	die "mkimage not found: install u-boot-tools (make deps)"

case "$dtb" in
default) [ "$fdt" = tree ] && dtb="tree" || dtb="firmware" ;;
esac
dtb_file="" dtb_name=""
case "$dtb" in
firmware) ;;
tree)
	[ -n "$tree" ] || die "BOARD $board has no tree in dts/boards/"
	dtb_file="${DTB_DIR:-build/dts}/boards/$tree.dtb"
	[ -f "$dtb_file" ] ||
		die "$dtb_file missing: 'make dtbs' builds it from dts/boards/$tree.dts" ;;
*)
	dtb_file=$dtb
	[ -f "$dtb_file" ] || die "DTB $dtb_file: no such file" ;;
esac
if [ -n "$dtb_file" ]; then
	dtb_name=$(basename "$dtb_file")
	case "$dtb_name" in
	*.dtb) ;;
	*) die "DTB $dtb_file: expected a compiled .dtb" ;;
	esac
	fdt_desc="$dtb_name, loaded at \${fdt_addr_r}"
else
	fdt_desc="U-Boot's own tree at \${fdtcontroladdr}"
fi

mkdir -p "$out/extlinux"
cp "$image" "$out/Image"
[ -z "$dtb_file" ] || cp "$dtb_file" "$out/$dtb_name"

# ---------------------------------------------------------------- boot.cmd
{
	echo "# U-Boot boot script for the rv64 unikernel on the $title,"
	echo "# written by 'make boot-files BOARD=$board' (harness/boot-files.sh)."
	echo "# Loads Image at \${kernel_addr_r} and starts it with booti and"
	echo "# $fdt_desc."
	echo "# Distro boot sets devtype, devnum, distro_bootpart and prefix;"
	echo "# to run it by hand, set the first three (see README.txt)."
	echo "echo \"boot.scr: rv64 unikernel for the $title\""
	echo "if test -z \"\${devtype}\" || test -z \"\${devnum}\" || test -z \"\${distro_bootpart}\"; then"
	echo "	echo \"boot.scr: set devtype, devnum and distro_bootpart first\""
	echo "	exit"
	echo "fi"
	echo "if test -z \"\${kernel_addr_r}\"; then"
	echo "	setenv kernel_addr_r $kaddr"
	echo "fi"
	if [ -n "$bootargs" ]; then
		echo "setenv bootargs \"$bootargs\""
	else
		echo "# No BOOTARGS: the tree's own /chosen/bootargs, if any, stays."
		echo "setenv bootargs"
	fi
	echo "load \${devtype} \${devnum}:\${distro_bootpart} \${kernel_addr_r} \${prefix}Image"
	if [ -n "$dtb_file" ]; then
		echo "load \${devtype} \${devnum}:\${distro_bootpart} \${fdt_addr_r} \${prefix}$dtb_name"
		echo "booti \${kernel_addr_r} - \${fdt_addr_r}"
	else
		echo "booti \${kernel_addr_r} - \${fdtcontroladdr}"
	fi
	echo "echo \"boot.scr: booti returned: the Image did not start\""
} >"$out/boot.cmd"

mkimage -A riscv -O linux -T script -C none -n "rv64 unikernel ($board)" \
	-d "$out/boot.cmd" "$out/boot.scr" >/dev/null ||
	die "mkimage failed on $out/boot.cmd"

# ----------------------------------------------------------- extlinux.conf
{
	echo "# extlinux.conf for the rv64 unikernel on the $title,"
	echo "# written by 'make boot-files BOARD=$board' (harness/boot-files.sh)."
	echo "# U-Boot's sysboot loads kernel at \${kernel_addr_r} and starts it"
	if [ -n "$dtb_file" ]; then
		echo "# with booti and the fdt file, loaded at \${fdt_addr_r}."
	else
		echo "# with booti and, as there is no fdt line, \${fdtcontroladdr}."
	fi
	echo "menu title rv64 unikernel ($title)"
	echo "timeout 10"
	echo "default unikernel"
	echo ""
	echo "label unikernel"
	echo "	kernel /Image"
	[ -z "$bootargs" ] || echo "	append $bootargs"
	[ -z "$dtb_file" ] || echo "	fdt /$dtb_name"
} >"$out/extlinux/extlinux.conf"

# -------------------------------------------------------------- README.txt
{
	echo "rv64 unikernel boot files for the $title ($board)"
	echo ""
	echo "Files: Image, boot.scr (source: boot.cmd)," \
		"extlinux/extlinux.conf${dtb_name:+, $dtb_name}."
	echo "Device tree: $fdt_desc."
	if [ -n "$bootargs" ]; then
		echo "Command line: $bootargs"
	else
		echo "Command line: none (the /chosen/bootargs of the tree, if any)."
	fi
	echo "Console: the tree's stdout-path; on this board $console."
	echo ""
	echo "To an SD card (the FAT or ext4 partition U-Boot boots from):"
	echo "  1. mount it, e.g. 'mount /dev/sdX1 /mnt' (check X with lsblk)"
	echo "  2. cp Image boot.scr${dtb_name:+ $dtb_name} /mnt/"
	echo "     or, to boot through extlinux.conf instead of boot.scr:"
	echo "     cp -r Image extlinux${dtb_name:+ $dtb_name} /mnt/"
	echo "     (with both, U-Boot's distro boot takes extlinux.conf first)"
	echo "  3. umount /mnt, put the card in the board, power on"
	echo ""
	echo "U-Boot's default bootcmd (distro boot) finds them. By hand, at the"
	echo "U-Boot prompt (mmc 0, partition 1 here; 'mmc list' and 'part list"
	echo "mmc 0' show yours):"
	echo "  setenv devtype mmc; setenv devnum 0; setenv distro_bootpart 1"
	echo "  load mmc 0:1 \${scriptaddr} boot.scr; source \${scriptaddr}"
	echo "or: sysboot mmc 0:1 any \${scriptaddr} extlinux/extlinux.conf"
	echo ""
	echo "Where the environment has no kernel_addr_r, boot.scr loads the"
	echo "Image at $kaddr (RAM base + 2 MiB); sysboot needs kernel_addr_r"
	echo "set ('setenv kernel_addr_r $kaddr')."
} >"$out/README.txt"

files="Image, boot.scr, extlinux/extlinux.conf${dtb_name:+, $dtb_name}"
echo "boot-files: wrote $out ($files, README.txt)"
