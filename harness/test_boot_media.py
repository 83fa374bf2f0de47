# SPDX-License-Identifier: BSD-2-Clause
"""Boot media (`make boot-files`, harness/boot-files.sh): the files it
writes for every board, the arguments it refuses, and the real thing on
QEMU virt: U-Boot (S-mode, Debian's u-boot-qemu) finds boot.scr or
extlinux/extlinux.conf on a FAT partition of a virtio disk made here
(MBR, mkfs.vfat, mcopy), and its default distro boot runs the kernel
with selftest=all from that file."""

import os
import re
import shutil
import struct
import subprocess

import pytest

import ktap
import qemu

SCRIPT = os.path.join(qemu.ROOT, "harness", "boot-files.sh")
BOARDS = ["qemu-virt", "visionfive2", "unmatched", "nezha", "lpi4a",
          "icicle", "bpi-f3"]
# kernel_addr_r of each board's U-Boot environment where it has one
# (harness/boot-files.sh cites the headers), else RAM base + 2 MiB.
FALLBACK = {"qemu-virt": 0x80200000, "visionfive2": 0x40200000,
            "unmatched": 0x80200000, "nezha": 0x40200000,
            "lpi4a": 0x00200000, "icicle": 0x80200000, "bpi-f3": 0x00200000}


def boot_files(out, board, bootargs="", dtb=None):
    """Run harness/boot-files.sh; returns the CompletedProcess."""
    args = ["sh", SCRIPT, "--board", board, "--image", qemu.IMAGE,
            "--out", str(out), "--bootargs", bootargs]
    if dtb is not None:
        args += ["--dtb", dtb]
    env = dict(os.environ, DTB_DIR=qemu.DTB_DIR)
    return subprocess.run(args, env=env, capture_output=True, text=True,
                          timeout=60)


def need(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{' '.join(missing)} missing: run 'make deps'")


@pytest.mark.parametrize("board", BOARDS)
def test_boot_files_every_board(tmp_path, board):
    """Scenario: boot files for each board with BOOTARGS=selftest=all.
    Expect the Image byte for byte, a mkimage script whose payload is
    boot.cmd, a script that loads Image at ${kernel_addr_r} (the board's
    fallback only when unset) and runs booti with the board's device tree
    (Icicle: our tree, beside the Image; others: ${fdtcontroladdr}), an
    extlinux.conf with the same kernel, command line and tree, and a
    README naming every file."""
    need("mkimage")
    if board == "icicle":
        qemu.dtb("boards/icicle-kit")      # fails clearly without dtbs
    r = boot_files(tmp_path, board, "selftest=all")
    assert r.returncode == 0, r.stderr
    with open(qemu.IMAGE, "rb") as a, open(tmp_path / "Image", "rb") as b:
        assert a.read() == b.read()
    info = subprocess.run(["mkimage", "-l", str(tmp_path / "boot.scr")],
                          capture_output=True, text=True, timeout=30)
    assert "Script" in info.stdout, info.stdout + info.stderr
    cmd = (tmp_path / "boot.cmd").read_bytes()
    assert cmd in (tmp_path / "boot.scr").read_bytes()
    text = cmd.decode()
    assert "setenv bootargs \"selftest=all\"\n" in text
    assert f"setenv kernel_addr_r {FALLBACK[board]:#010x}\n" in text
    assert "load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} " \
        "${prefix}Image\n" in text
    ext = (tmp_path / "extlinux" / "extlinux.conf").read_text()
    assert re.search(r"^label unikernel\n\tkernel /Image\n"
                     r"\tappend selftest=all\n", ext, re.M), ext
    readme = (tmp_path / "README.txt").read_text()
    if board == "icicle":
        assert (tmp_path / "icicle-kit.dtb").read_bytes() == \
            open(qemu.dtb("boards/icicle-kit"), "rb").read()
        assert "booti ${kernel_addr_r} - ${fdt_addr_r}\n" in text
        assert "\tfdt /icicle-kit.dtb\n" in ext
        assert "icicle-kit.dtb" in readme
    else:
        assert not list(tmp_path.glob("*.dtb"))
        assert "booti ${kernel_addr_r} - ${fdtcontroladdr}\n" in text
        assert "fdt " not in ext.split("label unikernel")[1]
    for name in ("Image", "boot.scr", "extlinux"):
        assert name in readme


def test_boot_files_without_bootargs(tmp_path):
    """Scenario: the normal boot files, with no BOOTARGS. Expect the
    script to unset bootargs (the tree's own /chosen/bootargs stays) and
    extlinux.conf to have no append line."""
    need("mkimage")
    r = boot_files(tmp_path, "visionfive2")
    assert r.returncode == 0, r.stderr
    assert "\nsetenv bootargs\n" in (tmp_path / "boot.cmd").read_text()
    assert "append" not in (tmp_path / "extlinux" /
                            "extlinux.conf").read_text()


@pytest.mark.parametrize("board,bootargs,dtb,message", [
    ("", "", None, "no BOARD given; one of: qemu-virt visionfive2"),
    ("pinephone", "", None, "unknown BOARD 'pinephone'; one of:"),
    ("icicle", "selftest=all; reset", None, "only printable ASCII"),
    ("icicle", "a\"b", None, "only printable ASCII"),
    ("icicle", "x" * 1024, None, "is 1024 bytes; the kernel keeps 1023"),
    ("qemu-virt", "", "tree", "BOARD qemu-virt has no tree"),
    ("icicle", "", "/nonexistent.dtb", "DTB /nonexistent.dtb: no such"),
    ("icicle", "", SCRIPT, "expected a compiled .dtb"),
], ids=["no-board", "unknown-board", "semicolon", "quote", "too-long",
        "no-tree", "no-dtb-file", "not-a-dtb"])
def test_boot_files_refuses(tmp_path, board, bootargs, dtb, message):
    """Scenario: a missing or unknown board, a command line U-Boot would
    interpret or the kernel would cut, and device trees that cannot be
    used. Expect exit status 1 and one line saying what is wrong."""
    r = boot_files(tmp_path / "out", board, bootargs, dtb)
    assert r.returncode == 1
    assert r.stderr.startswith("boot-files: ") and message in r.stderr, \
        r.stderr


def make_disk(path, files, size_mib=32):
    """A raw disk image: an MBR with one bootable FAT partition from
    1 MiB (U-Boot's distro boot scans partitions, not a bare FAT), then
    mkfs.vfat at that offset and mcopy of `files` (host paths; a
    directory is copied with its contents)."""
    start = 2048                                # sectors
    sectors = size_mib * 2048 - start
    mbr = bytearray(512)
    mbr[446:462] = struct.pack("<B3sB3sII", 0x80, b"\0\0\0", 0x0c,
                               b"\0\0\0", start, sectors)
    mbr[510:512] = b"\x55\xaa"
    with open(path, "wb") as f:
        f.write(mbr)
        f.truncate(size_mib << 20)
    subprocess.run(["mkfs.vfat", "--offset", str(start), "-n", "UNIKERNEL",
                    str(path), str(sectors // 2)], check=True,
                   capture_output=True, timeout=60)
    subprocess.run(["mcopy", "-s", "-i", f"{path}@@{start * 512}"] +
                   [str(f) for f in files] + ["::/"], check=True,
                   capture_output=True, timeout=60)


def passed_all(run):
    rep = ktap.parse(run.log)
    assert not rep.errors, rep.errors
    failed = [c.id for c in rep.cases if not c.ok]
    assert not failed, failed
    assert rep.failed == 0 and rep.passed > 0


@pytest.mark.parametrize("method", ["boot.scr", "extlinux"])
@pytest.mark.parametrize("fdt", ["firmware", "file"])
def test_uboot_distro_boot(tmp_path, method, fdt):
    """Scenario: `make boot-files BOARD=qemu-virt BOOTARGS=selftest=all`,
    with U-Boot's own tree (firmware) or QEMU's tree dumped to a .dtb
    (file, the path the Icicle files take), copied to a FAT partition
    with only boot.scr or only extlinux/, on a virtio disk. U-Boot's
    default bootcmd is left to run (no key pressed), and QEMU gets no
    -append: the command line can only come from the boot file.
    Expect U-Boot to find that file, booti to move the Image from
    kernel_addr_r (0x84000000) to 0x80200000, the tree at fdt_addr_r
    (0x8c000000) for "file" and elsewhere for "firmware", OpenSBI's
    reserved region in both (U-Boot copies it into a loaded tree), the
    command line from the file, and every self-test passing, status 0."""
    need("mkimage", "mkfs.vfat", "mcopy")
    if not os.path.exists(qemu.UBOOT):
        pytest.skip("u-boot-qemu not installed")
    dtb = None
    if fdt == "file":
        dtb = str(tmp_path / "qemu-virt.dtb")
        subprocess.run([qemu.QEMU, "-M", f"virt,dumpdtb={dtb}", "-m", "512M",
                        "-smp", "1", "-display", "none"], check=True,
                       capture_output=True, timeout=60)
    files = tmp_path / "files"
    r = boot_files(files, "qemu-virt", "selftest=all", dtb)
    assert r.returncode == 0, r.stderr
    keep = [files / "Image"] + ([files / "qemu-virt.dtb"] if dtb else [])
    keep.append(files / ("boot.scr" if method == "boot.scr"
                         else "extlinux"))
    disk = tmp_path / "disk.img"
    make_disk(disk, keep)
    args = qemu.qemu_args(mem="512M", kernel=qemu.UBOOT,
                          extra=["-drive", f"file={disk},format=raw,"
                                 "if=none,id=hd0", "-device",
                                 "virtio-blk-device,drive=hd0"])
    r = qemu.run(f"uboot-media-{method}-{fdt}", args, timeout=300)
    if method == "boot.scr":
        assert "Found U-Boot script /boot.scr" in r.log, r.log
        assert "boot.scr: rv64 unikernel for the QEMU virt" in r.log, r.log
    else:
        assert "Found /extlinux/extlinux.conf" in r.log, r.log
        assert "append: selftest=all" in r.log, r.log
    assert "Moving Image from 0x84000000 to 0x80200000" in r.log, r.log
    m = re.search(r"Booting using the fdt blob at 0x([0-9a-f]+)", r.log)
    assert m, r.log
    assert (int(m.group(1), 16) == 0x8c000000) == (fdt == "file"), r.log
    assert r.grep(r"^memory: reserved \[mem 0x0000000080000000-"
                  r"0x[0-9a-f]+\] mmode_resv"), r.log
    assert r.grep(r"^boot: command line 'selftest=all'$"), r.log
    passed_all(r)
    assert r.status == 0
