# SPDX-License-Identifier: BSD-2-Clause
"""Device trees from dts/, compiled with dtc and passed with -dtb: the
memory map the kernel prints follows each layout."""

import os
import re
import subprocess

import pytest

import qemu
from test_boot import reserved, usable, ready


def test_two_banks_with_hole(boot):
    """Scenario: two /memory nodes with a hole between them. Expect two
    usable lines in address order and a clean boot."""
    r = boot(dtb=qemu.dtb("virt-two-banks"), bootargs="selftest=lib")
    assert usable(r) == [(0x80000000, 0x84000000), (0x88000000, 0x8c000000)]
    assert r.status == 0 and ready(r)


def test_nomap_reserved(boot):
    """Scenario: /reserved-memory with a no-map child and a plain child.
    Expect both listed by node name, RAM line unchanged."""
    r = boot(dtb=qemu.dtb("virt-reserved-nomap"), bootargs="selftest=lib")
    names = {n: (s, e) for s, e, n in reserved(r)}
    assert any(n.startswith("secure@86000000") for n in names), names
    assert usable(r) == [(0x80000000, 0x90000000)]
    assert r.status == 0


def test_memreserve(boot):
    """Scenario: a /memreserve/ entry. Expect it reserved as 'memreserve'."""
    r = boot(dtb=qemu.dtb("virt-memreserve"), bootargs="selftest=lib")
    assert (0x87000000, 0x87100000, "memreserve") in reserved(r)
    assert r.status == 0


def test_32m_machine(boot):
    """Scenario: a 32 MiB machine. Expect one 32 MiB usable range and a
    complete boot."""
    r = boot(dtb=qemu.dtb("virt-32m"), mem="32M", bootargs="selftest=lib")
    assert usable(r) == [(0x80000000, 0x82000000)]
    assert r.status == 0 and ready(r)


def test_no_memory_panics(boot):
    """Scenario: a device tree without /memory. Expect 'panic: device
    tree: ...' and status 2 through the poweroff device."""
    r = boot(dtb=qemu.dtb("virt-nomemory"), bootargs="selftest=lib")
    assert r.grep(r"^panic: device tree: .*memory"), r.log
    assert r.status == 2


def test_multi_reg_cleanup(boot):
    """Scenario: one memory node with overlapping, adjacent, zero-size and
    unaligned reg entries, a disabled memory node and a memory node not
    named "memory". Expect one warning per fix-up (five) and the merged,
    page-trimmed ranges listed in dts/virt-multi-reg.dts."""
    r = boot(dtb=qemu.dtb("virt-multi-reg"), bootargs="selftest=lib")
    assert len(r.grep(r"^memory: warning: ")) == 5, r.log
    assert usable(r) == [(0x80000000, 0x84000000), (0x86001000, 0x88000000),
                         (0x8a000000, 0x8b000000), (0x8e000000, 0x8f000000)]
    assert r.status == 0


def test_poweroff_offset_cannot_wrap(boot):
    """Scenario: a syscon-poweroff node with offset 0xfffffffc (offset + 4
    wraps to 0 in 32 bits) before a valid node without an offset, and
    crash=null. Expect the first node refused, the second used at its own
    offset 0 (not the first node's), 'poweroff via sifive,test at
    0x100000', and the panic status 2 through that device."""
    r = boot(dtb=qemu.dtb("virt-poweroff-offset"), mem="32M",
             bootargs="crash=null")
    assert r.grep(r"^boot: console .*; poweroff via sifive,test at "
                  r"0x100000$"), r.log
    assert r.grep(r"^fault: load page fault at 0x0{16} "), r.log
    assert r.status == 2, r.log


@pytest.mark.parametrize("tree,why", [
    ("virt-no-stdout", "not found"),
    ("virt-uart-disabled", "device disabled"),
])
def test_no_usable_stdout_path(boot, tree, why):
    """Scenario: selftest=fdt on a tree whose /chosen has no stdout-path,
    and on one whose stdout-path names a UART with status = "disabled".
    Expect boot to fall back to the SBI console (the disabled UART never
    used), fdt_stdout_path reported '# SKIP <reason>' instead of failing,
    no failed case, and status 0."""
    r = boot(dtb=qemu.dtb(tree), mem="32M", bootargs="selftest=fdt")
    assert r.grep(r"^console: no usable stdout-path UART \(" + why +
                  r"\), using the SBI console$"), r.log
    assert r.grep(r"^boot: console SBI; "), r.log
    assert r.grep(r"^ +ok \d+ fdt_stdout_path # SKIP \S"), r.log
    assert r.grep(r"^\d+ passed, 0 failed$"), r.log
    assert r.status == 0, r.log


def test_oversized_blob_panics_with_status_2(boot, tmp_path):
    """Scenario: the 32 MiB virt tree with a 2.2 MB /chosen property, so
    the blob is over the reader's 2 MiB limit and is refused before the
    poweroff device could be probed from it. Expect the 'blob too big'
    panic and status 2 through the sifive,test device (not the SBI
    reset's 0)."""
    src = open(os.path.join(qemu.ROOT, "dts", "virt-32m.dts")).read()
    (tmp_path / "zeros.bin").write_bytes(bytes(2200000))
    src = src.replace('stdout-path = "/soc/serial@10000000";',
                      'stdout-path = "/soc/serial@10000000";\n'
                      '\t\tpad = /incbin/("zeros.bin");')
    (tmp_path / "big.dts").write_text(src)
    dtb = tmp_path / "big.dtb"
    subprocess.run(["dtc", "-q", "-i", str(tmp_path), "-I", "dts", "-O",
                    "dtb", "-o", str(dtb), str(tmp_path / "big.dts")],
                   check=True)
    r = boot(dtb=str(dtb), mem="32M", timeout=30)
    assert r.grep(r"^panic: device tree: blob at 0x[0-9a-f]{16} is "
                  r"unreadable: blob too big"), r.log
    assert r.status == 2, r.log


def test_ram_overclaim_full_fault_report(boot):
    """Scenario: /memory claims 2 GiB on a 64 MiB machine, so the first
    page-table page taken from the top of the claimed RAM (before the
    final page tables exist) is not RAM. Expect the complete fault report
    (store access fault line, 'fault: address is', 'fault: sepc is in',
    the registers), no nested-trap line, and status 2. (A guard for
    issue 13 item 7: this layout already reported fully here.)"""
    r = boot(dtb=qemu.dtb("virt-ram-overclaim"), mem="64M", timeout=30)
    assert r.grep(r"^fault: store access fault at 0x[0-9a-f]{16} "), r.log
    assert r.grep(r"^fault: address is "), r.log
    assert r.grep(r"^fault: sepc is in "), r.log
    assert r.grep(r"^regs: sepc "), r.log
    assert not r.grep(r"nested trap"), r.log
    assert r.status == 2, r.log
