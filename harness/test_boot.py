# SPDX-License-Identifier: BSD-2-Clause
"""Boot on QEMU virt: memory map from the device tree, boot arguments,
exit statuses, the Image header and bad device trees."""

import os
import re
import struct

import pytest

import qemu

USABLE = re.compile(r"^memory: usable \[mem 0x([0-9a-f]{16})-0x([0-9a-f]{16})\]$")
RESERVED = re.compile(
    r"^memory: reserved \[mem 0x([0-9a-f]{16})-0x([0-9a-f]{16})\] (.+)$")


def usable(run):
    return [(int(a, 16), int(b, 16) + 1)
            for a, b in (USABLE.match(l).groups()
                         for l in run.lines() if USABLE.match(l))]


def reserved(run):
    return [(int(a, 16), int(b, 16) + 1, n)
            for a, b, n in (RESERVED.match(l).groups()
                            for l in run.lines() if RESERVED.match(l))]


def ready(run):
    return any(re.match(r"^boot: ready after \d+ instructions, \d+ us$", l)
               for l in run.lines())


SIZES = {"64M": 64 << 20, "128M": 128 << 20, "1G": 1 << 30, "4G": 4 << 30}


@pytest.mark.parametrize("mem", list(SIZES))
def test_memory_size(boot, mem):
    """Scenario: QEMU virt with -m 64M/128M/1G/4G. Expect exactly one usable
    range [0x80000000, +size), OpenSBI's region, the blob and the kernel
    image reserved and inside it, and a clean power-off."""
    r = boot(mem=mem, bootargs="selftest=lib")
    assert r.status == 0, r.log
    assert usable(r) == [(0x80000000, 0x80000000 + SIZES[mem])]
    res = reserved(r)
    names = [n for _, _, n in res]
    assert any(n.startswith("mmode_res") for n in names), names
    assert "device tree blob" in names and "kernel image" in names
    for s, e, n in res:
        assert 0x80000000 <= s < e <= 0x80000000 + SIZES[mem], (n, s, e)
    assert ready(r)
    meminfo = r.grep(r"^meminfo: present=\d+ managed=\d+ free=\d+ pcp=\d+$")
    assert meminfo, r.log
    present = int(re.search(r"present=(\d+)", meminfo[0]).group(1))
    assert present == SIZES[mem] // 4096


def test_bootargs_arrive(boot):
    """Scenario: -append with a known and an unknown argument. Expect the
    command line echoed, one warning naming the unknown one, and the
    known one acted upon."""
    r = boot(bootargs="frobnicate=3 selftest=lib")
    assert "boot: command line 'frobnicate=3 selftest=lib'" in r.lines()
    assert r.grep(r"^cmdline: warning: unknown argument 'frobnicate=3'")
    assert r.grep(r"^    # Subtest: lib$")
    assert r.status == 0


def test_exit_status_pass(boot):
    """Scenario: selftest=fdt,lib. Expect KTAP with 0 failed, status 0."""
    r = boot(bootargs="selftest=fdt,lib")
    assert r.grep(r"^\d+ passed, 0 failed$"), r.log
    assert r.status == 0


def test_exit_status_failure(boot):
    """Scenario: a self-test selection naming a suite that does not exist.
    Expect it reported as a failed suite and status 1."""
    r = boot(bootargs="selftest=lib,no_such_suite")
    assert r.grep(r"^not ok \d+ no_such_suite$"), r.log
    assert r.grep(r"^\d+ passed, 1 failed$")
    assert r.status == 1


def test_exit_status_panic(boot):
    """Scenario: crash=null. Expect a fault report and status 2."""
    r = boot(bootargs="crash=null")
    assert r.grep(r"^fault: load page fault at 0x0000000000000000 "
                  r"\(sepc 0x[0-9a-f]{16}\) on hart \d+$"), r.log
    assert r.status == 2


def test_halt_stays_up(boot):
    """Scenario: selftest=lib halt. Expect the tests, then 'halted', and
    QEMU still running (the harness stops it)."""
    r = boot(bootargs="selftest=lib halt", until=r"halted\r?\n", timeout=60)
    assert "halted" in r.lines()
    assert r.status is None and not r.timed_out


def test_console_without_arguments(boot):
    """Scenario: no boot arguments. Expect the boot log, the memory
    console's ready line and its prompt, and no power-off."""
    r = boot(until=r"mm> ", timeout=60)
    assert ready(r) and r.grep(r"^boot: console ready")
    assert r.status is None and not r.timed_out


def test_image_header():
    """Scenario: build/Image. Expect the Linux RISC-V header: text_offset,
    image_size covering the file and bss, magic and magic2."""
    with open(qemu.IMAGE, "rb") as f:
        data = f.read()
    code0, code1, text_offset, image_size, flags, version = \
        struct.unpack_from("<IIQQQI", data, 0)
    assert data[48:56] == b"RISCV\0\0\0"
    assert data[56:60] == b"RSC\x05"
    assert text_offset == 0x200000
    assert image_size >= len(data) and image_size % 4096 == 0
    assert version == 2 and flags == 0


def test_kernel_map_exists():
    """Scenario: the build. Expect build/kernel.map naming kernel_main."""
    with open(os.path.join(qemu.BUILD, "kernel.map")) as f:
        assert "kernel_main" in f.read()


def test_no_mmu_panics(boot):
    """Scenario: a hart without an MMU (-cpu rv64,mmu=false) ignores the
    Sv39 satp write. Expect 'panic: mmu: Sv39 not supported by this hart'
    before anything runs at virtual addresses, no nested-trap report, and
    status 2 through the sifive,test device."""
    r = boot(extra=["-cpu", "rv64,mmu=false"], timeout=30)
    assert r.grep(r"^panic: mmu: Sv39 not supported by this hart"), r.log
    assert not r.grep(r"nested trap"), r.log
    assert r.status == 2, r.log


def test_bootargs_cannot_forge_lines(boot):
    """Scenario: boot arguments carrying a newline, a carriage return and
    an escape sequence try to forge contract lines ('panic: injected', a
    fake '7 passed, 0 failed') through the command-line echo, the unknown
    argument warning and the fdt self-test's bootargs diagnostic. Expect
    every such byte echoed as \\xNN, no forged line, and status 0."""
    r = boot(bootargs="selftest=fdt \npanic: injected\r\n7 passed, 0 failed"
             "\x1b[2Kx\rpanic:y", timeout=60)
    assert not r.grep(r"^panic: injected"), r.log
    assert not r.grep(r"^7 passed, 0 failed"), r.log
    assert "\x1b" not in r.log and not re.search(r"\r[^\r\n]", r.log)
    assert r.grep(r"^boot: command line 'selftest=fdt \\x0apanic: injected"
                  r"\\x0d\\x0a7 passed, 0 failed\\x1b\[2Kx\\x0dpanic:y'$"),\
        r.log
    assert r.grep(r"^cmdline: warning: unknown argument "
                  r"'failed\\x1b\[2Kx\\x0dpanic:y', ignored$"), r.log
    assert r.grep(r'# fdt_chosen_bootargs: bootargs "selftest=fdt \\x0a'), \
        r.log
    assert r.status == 0, r.log


@pytest.mark.parametrize("sel", [",", ",,"])
def test_selftest_selecting_nothing_fails(boot, sel):
    """Scenario: selftest=<sel> names no suite at all (only separators).
    Expect '0 passed, 0 failed', a line saying the selection selects no
    test, and status 1: zero tests run is a failure, not a pass."""
    r = boot(bootargs=f"selftest={sel}")
    assert r.grep(r"^0 passed, 0 failed$"), r.log
    assert r.grep(r"^selftest: error: '.*' selects no test$"), r.log
    assert r.status == 1, r.log


def test_long_command_line(boot):
    """Scenario: a 1041-byte command line: selftest=fdt and ten unknown
    arguments filling 1015 bytes, then selftest=lib, crash=null and zz
    past byte 1023. Expect the first 1023 bytes kept (Linux's
    COMMAND_LINE_SIZE on RISC-V is 1024), the cut before the argument that
    does not fit, a warning naming each dropped argument and saying that
    selftest= and crash= were dropped, and selftest=fdt run (status 0)."""
    pads = " ".join(f"p{i}=" + "x" * 96 for i in range(9))
    head = "selftest=fdt " + pads + " tail=" + "y" * 97
    assert 900 < len(head) < 1023 < len(head) + len(" selftest=lib")
    line = head + " selftest=lib crash=null zz"
    r = boot(bootargs=line, timeout=60)
    echo = r.grep(r"^boot: command line '")
    assert echo == [f"boot: command line '{head}'"], echo
    assert r.grep(rf"^cmdline: warning: command line truncated to "
                  rf"{len(head)} bytes$"), r.log
    for arg in ("selftest=lib", "crash=null", "zz"):
        assert r.grep(rf"^cmdline: warning: dropped argument '{arg}'$"), arg
    assert r.grep(r"^cmdline: warning: selftest= was dropped"), r.log
    assert r.grep(r"^cmdline: warning: crash= was dropped"), r.log
    assert not r.grep(r"^cmdline: warning: bench= was dropped"), r.log
    assert r.grep(r"^# Subtest: fdt$|^    # Subtest: fdt$"), r.log
    assert r.status == 0, r.log
