# SPDX-License-Identifier: BSD-2-Clause
"""Device trees from dts/, compiled with dtc and passed with -dtb: the
memory map the kernel prints follows each layout."""

import re

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
