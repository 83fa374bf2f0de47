# SPDX-License-Identifier: BSD-2-Clause
"""mm-walk <va>: the Sv39 translation of va, done by hand from satp.

  38        30 29        21 20        12 11           0
 +------------+------------+------------+--------------+
 |  VPN[2]    |  VPN[1]    |  VPN[0]    | page offset  |
 +------------+------------+------------+--------------+

satp (MODE in bits 63:60, 8 = Sv39; PPN in 43:0) gives the root table.
Each level indexes 512 eight-byte entries with its VPN field; an entry
with V clear ends the walk (not mapped), one with R or X set is a leaf
(1 GiB at level 2, 2 MiB at level 1, 4 KiB at level 0), otherwise it
points to the next table. gdb reads memory through the stopped hart's
MMU, so table pages, which are physical, are read through the kernel's
linear map: va = pa + va_pa_offset (mm/linear.h). A table outside the
linear map cannot be read and is reported as such.

What the walk reports as the hardware would treat it: V clear, W
without R (reserved), a pointer at level 0, a misaligned superpage
(its low PPN bits set) and a non-canonical va (bits 63:39 not all equal
to bit 38) each end the walk with the reason; the MMU would raise a
page fault for each.
"""

import gdb

import mm_defs as d

MMU_H = "lib/riscv_pte.h"  # the one PTE encoding (kernel and host)
LEVELS = 3
SV39_MODE = 8


def pte_bits():
    """[(name, bit)] of the PTE flag bits V R W X U G A D."""
    return [(n, d.const(MMU_H, "PTE_" + n)) for n in "VRWXUGAD"]


def pte_flags(pte):
    return "".join(n if pte & b else "-" for n, b in pte_bits())


def satp_root():
    """(satp, root table pa) of the selected hart, or a GdbError."""
    try:
        priv = int(gdb.parse_and_eval("$priv"))
    except gdb.error:
        priv = None  # a stub without QEMU's virtual priv register
    if priv == 3:
        raise gdb.GdbError("mm-walk: this hart is in M-mode (in the "
                           "firmware), where reads bypass the MMU; pick "
                           "another hart (thread N) or stop again")
    try:
        satp = int(gdb.parse_and_eval("$satp")) & ((1 << 64) - 1)
    except gdb.error as e:
        raise gdb.GdbError(f"mm-walk: cannot read $satp ({e}); QEMU's gdb "
                           "stub shows it while the hart is stopped")
    mode = satp >> 60
    if mode == 0:
        raise gdb.GdbError(f"mm-walk: satp 0x{satp:x}: paging is off "
                           "(MODE Bare); nothing to walk")
    if mode != SV39_MODE:
        raise gdb.GdbError(f"mm-walk: satp 0x{satp:x}: MODE {mode} is not "
                           f"Sv39 ({SV39_MODE})")
    ppn_bits = d.const(MMU_H, "PTE_PPN_BITS")
    return satp, (satp & ((1 << ppn_bits) - 1)) << 12


def read_phys_u64(pa):
    """8 bytes of physical memory, through the linear map."""
    off = int(d.ev("va_pa_offset")) & ((1 << 64) - 1)
    va = (pa + off) & ((1 << 64) - 1)
    try:
        return d.read_u64(va)
    except gdb.MemoryError as e:
        raise gdb.GdbError(f"mm-walk: cannot read pa 0x{pa:x} through the "
                           f"linear map (va 0x{va:x}): {e}")


def walk(va):
    """(steps, result): steps are text lines, result is (pa, size, pte)
    of the leaf, or None with the reason as the last step."""
    va &= (1 << 64) - 1
    steps = []
    top = va >> 38
    if top not in (0, (1 << 26) - 1):
        steps.append(f"va 0x{va:016x} is not canonical for Sv39 (bits 63:39 "
                     "must all equal bit 38): a page fault")
        return steps, None
    satp, table = satp_root()
    steps.append(f"satp 0x{satp:016x}: Sv39, root table at pa "
                 f"0x{table:x}")
    shift = d.const(MMU_H, "PTE_PPN_SHIFT")
    ppn_mask = (1 << d.const(MMU_H, "PTE_PPN_BITS")) - 1
    V, R, W, X = (d.const(MMU_H, "PTE_" + n) for n in "VRWX")
    for level in range(LEVELS - 1, -1, -1):
        lshift = 12 + 9 * level
        idx = (va >> lshift) & 511
        pte = read_phys_u64(table + 8 * idx)
        ppn = (pte >> shift) & ppn_mask
        head = (f"L{level} [{idx:3d}] pte 0x{pte:016x} {pte_flags(pte)} "
                f"at pa 0x{table + 8 * idx:x}")
        if not pte & V:
            steps.append(f"{head}: invalid (V clear): 0x{va:x} is not "
                         "mapped")
            return steps, None
        if pte & W and not pte & R:
            steps.append(f"{head}: W without R is reserved: a page fault")
            return steps, None
        if pte & (R | X):
            size = 1 << lshift
            if ppn & ((size >> 12) - 1):
                steps.append(f"{head}: misaligned {_size(size)} leaf "
                             "(low PPN bits set): a page fault")
                return steps, None
            pa = (ppn << 12) + (va & (size - 1))
            steps.append(f"{head}: {_size(size)} leaf at pa "
                         f"0x{ppn << 12:x}")
            return steps, (pa, size, pte)
        if level == 0:
            steps.append(f"{head}: a table pointer at level 0: a page "
                         "fault")
            return steps, None
        table = ppn << 12
        steps.append(f"{head}: next table at pa 0x{table:x}")
    raise AssertionError("unreachable: level 0 always ends the walk")


def table_pages():
    """{pa: level} of every table page reachable from satp (each table
read in one 4 KiB transfer through the linear map)."""
    _, root = satp_root()
    shift = d.const(MMU_H, "PTE_PPN_SHIFT")
    ppn_mask = (1 << d.const(MMU_H, "PTE_PPN_BITS")) - 1
    V, R, X = (d.const(MMU_H, "PTE_" + n) for n in "VRX")
    off = int(d.ev("va_pa_offset"))
    found, todo = {}, [(root, LEVELS - 1)]
    while todo:
        pa, level = todo.pop()
        found[pa] = level
        va = (pa + off) & ((1 << 64) - 1)
        try:
            raw = bytes(gdb.selected_inferior().read_memory(va, 4096))
        except gdb.MemoryError as e:
            raise gdb.GdbError(f"mm: cannot read the table at pa 0x{pa:x}"
                               f" through the linear map: {e}")
        for i in range(512):
            pte = int.from_bytes(raw[8 * i:8 * i + 8], "little")
            if pte & V and not pte & (R | X) and level > 0:
                todo.append((((pte >> shift) & ppn_mask) << 12, level - 1))
    return found


def _size(size):
    return {1 << 30: "1 GiB", 1 << 21: "2 MiB", 1 << 12: "4 KiB"}[size]


def translate(va):
    """pa of va by the walk, or a GdbError with the reason."""
    steps, res = walk(va)
    if res is None:
        raise gdb.GdbError("mm: " + steps[-1])
    return res[0]


class MmWalk(gdb.Command):
    """Walk the Sv39 page tables for a virtual address: mm-walk <va>.
<va> is any gdb expression (a number, &symbol, a pointer). Starts at this
hart's satp and prints each level's entry (flags VRWXUGAD, '-' when
clear); ends with the physical address and the leaf's size and
permissions, or with why the address is not mapped (an invalid entry, a
reserved encoding, a misaligned superpage, a non-canonical address).
Table pages are read through the kernel's linear map."""

    def __init__(self):
        super().__init__("mm-walk", gdb.COMMAND_DATA)

    @d.readable
    def invoke(self, arg, from_tty):
        _, va = d.to_int(arg, "virtual address")
        steps, res = walk(va)
        for s in steps:
            gdb.write(s + "\n")
        if res is None:
            gdb.write(f"walk: 0x{va & ((1 << 64) - 1):016x} not mapped\n")
            return
        pa, size, pte = res
        gdb.write(f"walk: 0x{va & ((1 << 64) - 1):016x} -> pa 0x{pa:016x} "
                  f"({_size(size)} page, {pte_flags(pte)})\n")


def register():
    MmWalk()
