# SPDX-License-Identifier: BSD-2-Clause
"""One image, many machines: the same build/kernel.elf and build/Image
boot and pass selftest=all on QEMU virt (64M to 8G), sifive_u, spike,
microchip-icicle-kit (with our dts/boards/icicle-kit.dts), and through
U-Boot's booti at load addresses other than 0x80200000."""

import os
import re
import subprocess

import pytest

import ktap
import qemu


def passed_all(run):
    rep = ktap.parse(run.log)
    assert not rep.errors, rep.errors
    failed = [c.id for c in rep.cases if not c.ok]
    assert not failed, failed
    assert rep.failed == 0 and rep.passed > 0
    return rep


@pytest.mark.parametrize("mem", ["64M", "512M", "3G"])
def test_virt_memory_sizes(boot, mem):
    """Scenario: selftest=all on virt at sizes not covered elsewhere.
    Expect every case to pass and status 0."""
    r = boot(mem=mem, bootargs="selftest=all", timeout=240)
    passed_all(r)
    assert r.status == 0


def test_sifive_u(boot):
    """Scenario: -M sifive_u (boot hart 1, sifive,uart0 console, 1G). Its
    device tree has no poweroff device and OpenSBI cannot power it off,
    so the kernel says so and halts. Expect the UART console, every
    self-test passing, then the halting line."""
    r = boot(machine="sifive_u", mem="1G", smp=2, bootargs="selftest=all",
             timeout=240, until=r"poweroff: .*halting \(status \d+\)")
    assert r.grep(r"^boot: console sifive,uart0 at "), r.log
    assert r.grep(r"^boot: hart 1,"), r.log
    passed_all(r)
    assert r.grep(r"halting \(status 0\)"), r.log


def test_spike(boot):
    """Scenario: -M spike (stdout-path is the HTIF: SBI console; power-off
    through the HTIF exit command). Expect every self-test passing on the
    SBI console and status 0."""
    r = boot(machine="spike", mem="256M", bootargs="selftest=all",
             timeout=240)
    assert r.grep(r"^boot: console SBI"), r.log
    assert r.grep(r"poweroff via HTIF at 0x"), r.log
    passed_all(r)
    assert r.status == 0


ICICLE_FW = {
    "fw_dynamic": "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin",
    "fw_jump": "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin",
}


@pytest.mark.parametrize("fw,tests", [("fw_dynamic", "all"),
                                      ("fw_jump", "fdt,mmu,buddy")])
def test_icicle_kit(fw, tests):
    """Scenario: QEMU 7.2's microchip-icicle-kit started by Debian's
    OpenSBI 1.1 (fw_dynamic, or fw_jump, which copies the tree to
    0x82200000) with the board's own tree, dts/boards/icicle-kit.dts,
    unchanged: -m 3G so that QEMU's high window backs the tree's
    [0x10_4000_0000, +1 GiB), and MMUART1, the stdout-path, on stdio
    (-serial null for MMUART0). -smp 5: hart 0 is the E51 (no MMU), and
    the boot hart is a U54 chosen by OpenSBI's lottery. Nothing can power
    this machine off (no reset device for OpenSBI; the kernel's SBI
    shutdown does not return), so the run stops at the summary line (or
    at a panic or fault report).
    Expect the MMUART1 console with reg-shift 2 and 32-bit access, both
    RAM windows and the HSS region reserved, hart 0 skipped, the four
    U54s online and every self-test passing."""
    if not os.path.exists(ICICLE_FW[fw]):
        pytest.skip(f"{ICICLE_FW[fw]} missing: install opensbi")
    args = qemu.qemu_args(machine="microchip-icicle-kit", mem="3G", smp=5,
                          bios=ICICLE_FW[fw], bootargs=f"selftest={tests}",
                          dtb=qemu.dtb("boards/icicle-kit"))
    i = args.index("-serial")
    args[i:i + 2] = ["-serial", "null", "-serial", "stdio"]
    # Stop at the summary, or at a panic or fault report (the kernel
    # cannot power off here either way).
    r = qemu.run(f"icicle-{fw}", args, timeout=600,
                 until=r"\n(\d+ passed, \d+ failed|(panic|fault|trap): "
                       r"[^\n]*)\r?\n")
    assert r.grep(r"^boot: console ns16550a at 0x20100000 "
                  r"\(serial@20100000, reg-shift 2, reg-io-width 4\)"), \
        r.log
    m = re.search(r"^boot: hart (\d+),", r.log, re.M)
    assert m and 1 <= int(m.group(1)) <= 4, r.log
    assert r.grep(r"^memory: usable \[mem 0x0000000080000000-"
                  r"0x00000000bfffffff\]$"), r.log
    assert r.grep(r"^memory: usable \[mem 0x0000001040000000-"
                  r"0x000000107fffffff\]$"), r.log
    assert r.grep(r"^memory: reserved \[mem 0x00000000bfc00000-"
                  r"0x00000000bfffffff\] region@bfc00000$"), r.log
    assert r.grep(r"^smp: hart 0 skipped: no MMU$"), r.log
    assert r.grep(r"^smp: 4 harts online$"), r.log
    passed_all(r)


@pytest.mark.parametrize("addr", [0x84000000, 0x90200000])
def test_uboot_booti(addr):
    """Scenario: U-Boot (S-mode) with the Image placed by QEMU's loader at
    a 2 MiB-aligned address other than 0x80200000 and started with booti
    at the U-Boot prompt (booti moves it to RAM base + text_offset, as
    for Linux). Expect every self-test passing and the image's physical
    address, as U-Boot reports it, in the reserved list."""
    if not os.path.exists(qemu.UBOOT):
        pytest.skip("u-boot-qemu not installed")
    args = qemu.qemu_args(mem="512M", kernel=qemu.UBOOT,
                          extra=["-device", f"loader,file={qemu.IMAGE},"
                                 f"addr={addr:#x},force-raw=on"])
    cmd = (f"setenv bootargs selftest=all; booti {addr:#x} - "
           "${fdtcontroladdr}\n")
    r = qemu.run(f"uboot-{addr:#x}", args, timeout=240,
                 send=[(r"Hit any key to stop autoboot", "\n"),
                       (r"=> ", cmd)])
    m = re.search(r"Moving Image from 0x([0-9a-f]+) to 0x([0-9a-f]+)", r.log)
    assert m and int(m.group(1), 16) == addr, r.log
    at = int(m.group(2), 16)
    assert r.grep(rf"^memory: reserved \[mem 0x{at:016x}-0x[0-9a-f]+\] "
                  r"kernel image$"), r.log
    passed_all(r)
    assert r.status == 0


@pytest.mark.parametrize("pa", [0x90200000, 0x8f000000, 0x80801000])
def test_load_address(tmp_path, pa):
    """Scenario: the same kernel.elf with its segments' load addresses
    moved (objcopy --change-section-lma; the code is byte-identical), so
    QEMU's loader starts it at 0x90200000, 0x8f000000 or the merely
    page-aligned 0x80801000. Expect the image reserved at that address
    and every self-test passing: nothing depends on where it runs."""
    elf = tmp_path / f"kernel-{pa:#x}.elf"
    subprocess.run(["riscv64-unknown-elf-objcopy", "--change-section-lma",
                    f"*+{pa - 0x80200000:#x}", qemu.KERNEL, str(elf)],
                   check=True)
    r = qemu.boot(f"load-{pa:#x}", kernel=str(elf), mem="512M",
                  bootargs="selftest=all", timeout=240)
    assert r.grep(rf"^memory: reserved \[mem 0x{pa & ~0xfff:016x}-"
                  r"0x[0-9a-f]+\] kernel image$"), r.log
    passed_all(r)
    assert r.status == 0
