# SPDX-License-Identifier: BSD-2-Clause
"""Memory map edge cases from issue 13: the initrd, /reserved-memory with
its own cell sizes, RAM the MMU cannot map, QEMU's NUMA tree."""

import os
import subprocess

import qemu
from test_boot import ready, reserved, usable


def qemu_chosen_initrd(tmp_path, initrd, mem):
    """The initrd range QEMU writes into /chosen, from its own tree
    (-M virt,dumpdtb=...), with the same options as the boot."""
    dtb = tmp_path / "virt-initrd.dtb"
    args = qemu.qemu_args(machine=f"virt,dumpdtb={dtb}", mem=mem,
                          extra=["-initrd", str(initrd)])
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    get = lambda prop: int(subprocess.run(
        ["fdtget", "-t", "x", str(dtb), "/chosen", prop], check=True,
        capture_output=True, text=True).stdout.split()[-1], 16)
    return get("linux,initrd-start"), get("linux,initrd-end")


def test_initrd_reserved(boot, tmp_path):
    """Scenario: -initrd with a 100000-byte file of a known pattern and
    selftest=all (which allocates most of RAM). Expect the exact range
    QEMU put in /chosen reserved as 'initrd' (widened to pages), no
    warning, and every self-test passing."""
    initrd = tmp_path / "initrd.bin"
    initrd.write_bytes(bytes(range(256)) * 390 + b"\xa5" * 160)
    start, end = qemu_chosen_initrd(tmp_path, initrd, "256M")
    r = boot(mem="256M", bootargs="selftest=all", timeout=240,
             extra=["-initrd", str(initrd)])
    want = (start & ~0xfff, (end + 0xfff) & ~0xfff, "initrd")
    assert want in reserved(r), r.log
    assert not r.grep(r"^memory: warning: "), r.log
    assert r.status == 0 and ready(r), r.log


def test_reserved_memory_other_cells(boot):
    """Scenario: /reserved-memory with 1/1 cells under a 2/2 root, to
    which OpenSBI adds mmode_resv0@80000000 with a 2/2-cell reg; one
    child's unit address disagrees with its reg. Expect the firmware's
    region at 0x80000000 reserved (whatever else the 1/1 reading gives),
    a warning for each disagreement, and every self-test passing (the
    allocators never hand out firmware memory)."""
    r = boot(dtb=qemu.dtb("virt-resmem-cells"), bootargs="selftest=all",
             timeout=240)
    fw = [(s, e) for s, e, n in reserved(r)
          if n == "mmode_resv0@80000000" and s == 0x80000000]
    assert fw and all(e > 0x80000000 for _, e in fw), r.log
    assert r.grep(r"^memory: warning: reserved-memory/mmode_resv0@80000000:"
                  r" reg\[0\] at 0x0000000000000000 disagrees with the unit"
                  r" address 0x0000000080000000$"), r.log
    assert r.grep(r"^memory: warning: reserved-memory/stale@88000000: "
                  r"reg\[0\] at 0x0000000088100000 disagrees"), r.log
    assert (0x87000000, 0x87100000, "shared@87000000") in reserved(r)
    assert r.status == 0 and ready(r), r.log


def test_ram_at_top_of_address_space(boot):
    """Scenario: the only /memory range is [0xffffffffc0000000,
    0xfffffffffffff000), which once made the early linear map loop
    forever (its 1 GiB step wrapped to 0) and is beyond Sv39's 56-bit
    physical addresses anyway. Expect a warning naming the range, then
    'panic: device tree: no usable memory' and status 2 well before the
    timeout."""
    r = boot(dtb=qemu.dtb("virt-top-of-space"), bootargs="selftest=lib",
             timeout=30)
    assert not r.timed_out, r.log
    assert r.grep(r"^memory: warning: memory@ffffffffc0000000: \[mem "
                  r"0xffffffffc0000000-0xffffffffffffefff\] above the "
                  r"MMU's 56-bit physical address limit, ignored$"), r.log
    assert r.grep(r"^panic: device tree: no usable memory"), r.log
    assert r.status == 2, r.log


def test_numa_tree_no_warning(boot):
    """Scenario: QEMU's own tree for -m 2G -smp 2 split into two 1 GiB NUMA
    nodes (memory@80000000 numa-node-id 0, memory@c0000000 numa-node-id
    1, adjacent). Expect no 'memory: warning' line, one usable line
    covering both nodes, and every self-test passing."""
    numa = ["-object", "memory-backend-ram,id=m0,size=1G",
            "-object", "memory-backend-ram,id=m1,size=1G",
            "-numa", "node,memdev=m0", "-numa", "node,memdev=m1"]
    r = boot(mem="2G", smp=2, bootargs="selftest=all", timeout=240,
             extra=numa)
    assert not r.grep(r"^memory: warning: "), r.log
    assert usable(r) == [(0x80000000, 0x100000000)], r.log
    assert r.status == 0 and ready(r), r.log


def test_more_ranges_than_the_map_holds(boot, tmp_path):
    """Scenario: QEMU's own tree (dumped with dumpdtb) whose memory node
    is rewritten to 33 disjoint 1 MiB ranges, one more than the memory
    map's own table holds. Expect the tables sized from the tree and
    placed in RAM ('memory: reserved [...] memory map' inside a usable
    range), all 33 ranges usable and a clean boot (README, Table
    sizes)."""
    base = tmp_path / "virt.dtb"
    subprocess.run(qemu.qemu_args(machine=f"virt,dumpdtb={base}",
                                  mem="256M"),
                   check=True, capture_output=True, timeout=60)
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", str(base)],
                         check=True, capture_output=True, text=True).stdout
    old = "reg = <0x00 0x80000000 0x00 0x10000000>;"
    assert old in dts
    regs = ", ".join(f"<0x00 {0x80000000 + i * 0x200000:#x} 0x00 0x100000>"
                     for i in range(33))
    src = tmp_path / "virt-33.dts"
    src.write_text(dts.replace(old, f"reg = {regs};"))
    dtb = tmp_path / "virt-33.dtb"
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(dtb),
                    str(src)], check=True)
    r = boot(dtb=str(dtb), bootargs="selftest=lib", timeout=30)
    ranges = [(0x80000000 + i * 0x200000, 0x80100000 + i * 0x200000)
              for i in range(33)]
    assert usable(r) == ranges, r.log
    tables = [(s, e) for s, e, n in reserved(r) if n == "memory map"]
    assert len(tables) == 1, r.log
    assert any(s <= tables[0][0] and tables[0][1] <= e
               for s, e in ranges), r.log
    assert r.status == 0 and ready(r), r.log
