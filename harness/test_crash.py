# SPDX-License-Identifier: BSD-2-Clause
"""crash=<kind>: deliberate faults end in a fault report and status 2;
deliberate misuse is reported with one BUG line and survived (status 0)."""

import re

import pytest

FAULT = (r"^fault: {} page fault at 0x([0-9a-f]{{16}}) "
         r"\(sepc 0x[0-9a-f]{{16}}\) on hart \d+$")

FAULTS = {
    # kind: (access, what the report says lies at the address)
    "null": ("load", r"NULL pointer"),
    "text_write": ("store", r"kernel text"),
    "rodata_write": ("store", r"kernel read-only data"),
    "exec_data": ("fetch", r"kernel data"),
    "stack_overflow": ("store", r"stack guard page"),
    "vmalloc_guard": ("store", r"vmalloc area .*guard page"),
    "vmalloc_use_after_free": ("load", r"vmalloc .*freed area"),
}

MISUSE = {
    # kind: (boot arguments added, pattern of the BUG line)
    "page_double_free": ("", r"^BUG: .*double free.* pfn 0x[0-9a-f]+ order "
                         r"\d+ caller 0x[0-9a-f]+$"),
    "page_wrong_order": ("", r"^BUG: .*order.* pfn 0x[0-9a-f]+ order "
                         r"\d+ caller 0x[0-9a-f]+$"),
    "slab_double_free": ("", r"^BUG [^:]+: .*double free"),
    "slab_invalid_free": ("", r"^BUG [^:]+: .*(not an object|invalid)"),
    "slab_redzone": ("slab_debug=FZPU", r"^BUG [^:]+: .*red ?zone"),
    "slab_use_after_free": ("slab_debug=FZPU",
                            r"^BUG [^:]+: .*(poison|use.after.free)"),
}


@pytest.mark.parametrize("kind", list(FAULTS))
def test_fault_kind(boot, kind):
    """Scenario: crash=<kind> for a deliberate bad access. Expect the
    one-line fault report with the right access type, a description of
    what lies at the address, the registers, and status 2."""
    access, what = FAULTS[kind]
    r = boot(bootargs=f"crash={kind}", timeout=60)
    assert r.grep(FAULT.format(access)), r.log
    assert r.grep(r"^fault: address is .*" + what), r.log
    assert r.grep(r"^regs: "), r.log
    assert r.status == 2, r.log


def test_null_address_is_zero(boot):
    """Scenario: crash=null. Expect the faulting address to be exactly 0."""
    r = boot(bootargs="crash=null")
    m = [re.match(FAULT.format("load"), l) for l in r.lines()]
    assert [x.group(1) for x in m if x] == ["0" * 16]


@pytest.mark.parametrize("kind", list(MISUSE))
def test_misuse_kind(boot, kind):
    """Scenario: crash=<kind> for a misuse the allocator must refuse.
    Expect one BUG line, the kernel surviving, and status 0."""
    extra, pattern = MISUSE[kind]
    r = boot(bootargs=f"crash={kind} {extra}".strip(), timeout=60)
    bugs = r.grep(r"^BUG")
    assert len(r.grep(pattern)) == 1, r.log
    assert len(bugs) == 1, bugs
    assert r.grep(r"^crash: '.*' returned: the kernel survived$")
    assert r.status == 0, r.log


def test_unexpected_trap(boot):
    """Scenario: crash=illegal_insn executes an all-zero instruction word.
    Expect 'trap: unexpected illegal instruction' with scause 2, sepc and
    stval, the registers, and status 2."""
    r = boot(bootargs="crash=illegal_insn")
    assert r.grep(r"^trap: unexpected illegal instruction \(scause 0x2\) "
                  r"sepc 0x[0-9a-f]{16} stval 0x[0-9a-f]{16} on hart \d+$"),\
        r.log
    assert r.grep(r"^regs: .*ra +0x"), r.log
    assert r.status == 2


def test_fault_inside_reporter(boot):
    """Scenario: crash=nested_fault makes the fault reporter fault while
    reporting a NULL read. Expect the first fault line, one 'nested trap
    while reporting' line, no loop, and status 2."""
    r = boot(bootargs="crash=nested_fault", timeout=30)
    assert r.grep(FAULT.format("load")), r.log
    assert len(r.grep(r"^fault: nested trap while reporting: scause 0xd "
                      r"sepc 0x[0-9a-f]{16} stval 0x0000000000000008$")) == 1
    assert r.status == 2 and not r.timed_out


def test_unknown_kind(boot):
    """Scenario: crash=bogus. Expect a warning listing known kinds, then a
    normal power-off."""
    r = boot(bootargs="crash=bogus")
    assert r.grep(r"^crash: warning: unknown kind 'bogus'; known: .*null")
    assert r.status == 0
