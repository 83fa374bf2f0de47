# SPDX-License-Identifier: BSD-2-Clause
"""A device tree with more RAM ranges (40) and reservations (140 children
of /reserved-memory, 2 memreserve entries) than the memory map's own
tables hold (32 and 64), and more reservations than memblock's static
lists (128): the kernel sizes both from the tree, places them in free
RAM and boots through every self-test."""

import os
import re
import subprocess

import qemu
from test_boot import ready, reserved, usable

MB = 1 << 20
PAGE = 4096
# Range 0: 64 MiB for OpenSBI, the kernel and the allocators; ranges
# 1..39: 1 MiB every 2 MiB after a 1 MiB hole. All inside -m 256M.
RANGES = [(0x80000000, 0x84000000)] + [
    (0x84100000 + (k - 1) * 2 * MB, 0x84100000 + (k - 1) * 2 * MB + MB)
    for k in range(1, 40)]
# Three one-page reservations in each small range (pages 0, 2 and 4),
# 23 in range 0: 140 children.
CHILDREN = [(s + off, s + off + PAGE) for s, _ in RANGES[1:]
            for off in (0, 2 * PAGE, 4 * PAGE)] + [
    (0x83000000 + k * 0x10000, 0x83000000 + k * 0x10000 + PAGE)
    for k in range(23)]
MEMRESERVE = [(0x83ff0000, 0x83ff0000 + PAGE),
              (RANGES[5][0] + 4 * PAGE, RANGES[5][0] + 5 * PAGE)]


def big_dts():
    """dts/virt-two-banks.dts with its memory nodes replaced by one node
    of 40 reg entries, and /reserved-memory and /memreserve/ added."""
    src = open(os.path.join(qemu.ROOT, "dts", "virt-two-banks.dts")).read()
    src = re.sub(r"\tmemory@80000000 \{.*?\n\t\};\n\n\tmemory@88000000 "
                 r"\{.*?\n\t\};\n", "@MEMORY@", src, flags=re.S)
    assert "@MEMORY@" in src
    reg = ", ".join(f"<0x0 0x{s:x} 0x0 0x{e - s:x}>" for s, e in RANGES)
    children = "".join(
        f"\t\tr{i}@{s:x} {{ reg = <0x0 0x{s:x} 0x0 0x{e - s:x}>; }};\n"
        for i, (s, e) in enumerate(CHILDREN))
    memory = (f"\tmemory@80000000 {{\n\t\tdevice_type = \"memory\";\n"
              f"\t\treg = {reg};\n\t}};\n\n"
              f"\treserved-memory {{\n\t\t#address-cells = <0x2>;\n"
              f"\t\t#size-cells = <0x2>;\n\t\tranges;\n{children}\t}};\n")
    rsv = "".join(f"/memreserve/ 0x{s:x} 0x{e - s:x};\n"
                  for s, e in MEMRESERVE)
    src = src.replace("@MEMORY@", memory)
    return src.replace("/dts-v1/;\n", "/dts-v1/;\n" + rsv, 1)


def test_tables_sized_from_tree(boot, tmp_path):
    """Scenario: 40 RAM ranges and 142 tree reservations on virt -m 256M,
    selftest=all. Expect every range printed as usable, every
    reservation printed by name, the memory map's tables reserved once
    as "memory map" and memblock's lists once as "memblock", each inside
    range 0 and clear of every other reservation, all self-tests
    passing and status 0."""
    (tmp_path / "big.dts").write_text(big_dts())
    dtb = tmp_path / "big.dtb"
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(dtb),
                    str(tmp_path / "big.dts")], check=True)
    r = boot(dtb=str(dtb), mem="256M", bootargs="selftest=all", timeout=300)
    assert usable(r) == RANGES, r.log
    res = reserved(r)
    for i, (s, e) in enumerate(CHILDREN):
        assert (s, e, f"r{i}@{s:x}") in res, r.log
    for s, e in MEMRESERVE:
        assert (s, e, "memreserve") in res, r.log
    for own in ("memory map", "memblock"):
        tables = [(s, e) for s, e, n in res if n == own]
        assert len(tables) == 1, (own, r.log)
        ts, te = tables[0]
        assert RANGES[0][0] <= ts < te <= RANGES[0][1], r.log
        for s, e, n in res:
            if n != own:
                assert e <= ts or s >= te, (n, hex(s), hex(e), r.log)
    assert not r.grep(r"^memory: warning"), r.log
    assert r.grep(r"^\d+ passed, 0 failed$"), r.log
    assert ready(r) and r.status == 0, r.log
