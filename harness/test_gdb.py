# SPDX-License-Identifier: BSD-2-Clause
"""The gdb helpers (harness/gdb/mm.py) against the kernel's own lines.

Two boots, 2 harts each, QEMU's gdb stub on a free local port: `halt`
alone (objects left in the slab magazines and pages on the per-hart
lists by boot) and `selftest=all halt` (the state every suite leaves).
The kernel prints its buddyinfo, meminfo, slabinfo and vmallocinfo lines
and `halted`, then idles; gdb-multiarch -batch attaches, sources the
helpers and runs each of them once; QEMU is killed at the end. Every
step has a timeout and its log under build/logs/."""

import os
import re
import select
import shutil
import socket
import subprocess
import time

import pytest

import qemu

BOOT_TIMEOUT = 300
GDB_TIMEOUT = 240
HELPERS = os.path.join(qemu.ROOT, "harness", "gdb", "mm.py")
INFO = ("buddyinfo:", "meminfo:", "slabinfo:", "vmallocinfo:")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until_halted(proc, timeout):
    out, fd = bytearray(), proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    while b"\nhalted" not in out:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None:
            break
        if select.select([fd], [], [], min(left, 0.5))[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out += chunk
    return out.decode("utf-8", "replace").replace("\r", "")


def _gdb(port, commands, log):
    args = ["gdb-multiarch", "-batch", "-nx", "-ex",
            "set architecture riscv:rv64", "-ex",
            f"target remote 127.0.0.1:{port}", "-ex", f"source {HELPERS}"]
    for c in commands:
        args += ["-ex", f"echo @@ {c}\\n", "-ex", c]
    p = subprocess.run(args + [qemu.KERNEL], capture_output=True,
                       text=True, timeout=GDB_TIMEOUT)
    with open(log, "w") as f:
        f.write(p.stdout + "\n--- stderr\n" + p.stderr)
    # Errors go to stderr, which is not interleaved: tests find them by
    # their text in the whole output.
    sections, cur = {}, None
    for line in p.stdout.splitlines():
        if line.startswith("[Inferior "):  # gdb's detach at exit
            cur = None
        elif line.startswith("@@ "):
            cur = line[3:]
            sections[cur] = []
        elif cur is not None:
            sections[cur].append(line)
    return sections, p.stdout + p.stderr


def _halt_block(uart):
    """The introspection lines the kernel printed just before 'halted'."""
    lines = uart.splitlines()
    end = lines.index("halted")
    start = end
    while start > 0 and lines[start - 1].startswith(INFO):
        start -= 1
    return lines[start:end]


MAGAZINES = ("python import mm_info, mm_defs as d; print('magazines', "
             "sum(mm_info.cache_info(c)['cached'] for c in d.list_entries("
             "d.ev('slab_caches'), d.typ('struct kmem_cache'), 'caches')))")

BOOTS = {
    # objects in magazines, pages on per-hart lists, the secondary's stacks
    "boot": dict(mem="256M", smp=2, bootargs="halt"),
    # what every suite leaves, in two zones (DMA32 and Normal)
    "selftest-all": dict(mem="3G", smp=2, bootargs="selftest=all halt"),
    # two banks with a hole between them: two ranges, one hart
    "two-banks": dict(smp=1, bootargs="selftest=buddy,slab halt",
                      dtb="virt-two-banks"),
}


def _commands(block, uart):
    """The helper commands for this boot, and what they are about."""
    about = dict(area=None, banks=[])
    cmds = ["mm-meminfo", "mm-buddyinfo", "mm-slabinfo", "mm-vmallocinfo",
            "mm-walk kernel_main", "mm-walk 0x10", "mm-page 0x10",
            MAGAZINES]
    m = re.search(r"^vmallocinfo: \[0x([0-9a-f]+)-0x([0-9a-f]+)\] .* "
                  r"vmalloc$", "\n".join(block), re.M)
    if m:
        start, end = int(m.group(1), 16), int(m.group(2), 16)
        about["area"] = (start, end)
        cmds += [f"mm-walk 0x{start:x}", f"mm-walk 0x{end + 1:x}",
                 f"mm-page 0x{start:x}",
                 "python import mm_walk, mm_defs as d; "
                 f"pa = mm_walk.translate(0x{start:x}); print('walked', "
                 f"hex(pa), d.read_u64(0x{start:x}) == "
                 "d.read_u64(pa + int(d.ev('va_pa_offset'))))"]
    image = re.search(r"^memory: reserved \[mem 0x([0-9a-f]+)-0x[0-9a-f]+\] "
                      r"kernel image$", uart, re.M)
    about["image_pa"] = int(image.group(1), 16)
    cmds.append(f"mm-page -p 0x{about['image_pa']:x}")
    for m in re.finditer(r"^memory: usable \[mem 0x([0-9a-f]+)-"
                         r"0x([0-9a-f]+)\]$", uart, re.M):
        first, last = int(m.group(1), 16) >> 12, int(m.group(2), 16) >> 12
        about["banks"].append((first, last))
        cmds += [f"mm-page 0x{first:x}", f"mm-page 0x{last:x}",
                 f"mm-page 0x{last + 1:x}"]
    return cmds, about


@pytest.fixture(scope="module", params=list(BOOTS))
def halted(request):
    for tool in ("gdb-multiarch", qemu.QEMU):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found: run 'make deps'")
    port = _free_port()
    kw = dict(BOOTS[request.param])
    if "dtb" in kw:
        kw["dtb"] = qemu.dtb(kw["dtb"])
    args = qemu.qemu_args(extra=["-gdb", f"tcp:127.0.0.1:{port}"], **kw)
    os.makedirs(qemu.LOGS, exist_ok=True)
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        uart = _until_halted(proc, BOOT_TIMEOUT)
        with open(os.path.join(qemu.LOGS, f"gdb-halted-{request.param}.log"),
                  "w") as f:
            f.write("$ " + " ".join(args) + "\n" + uart)
        assert "\nhalted" in uart, f"no 'halted' line: {uart[-2000:]}"
        block = _halt_block(uart)
        cmds, about = _commands(block, uart)
        sections, raw = _gdb(port, cmds, os.path.join(
            qemu.LOGS, f"gdb-helpers-{request.param}.log"))
        yield dict(about, uart=uart, block=block, gdb=sections, raw=raw,
                   boot=request.param)
    finally:
        proc.kill()
        proc.wait(timeout=30)


def _kernel(h, prefix):
    return [l for l in h["block"] if l.startswith(prefix)]


def test_gdb_meminfo_matches(halted):
    """Scenario: mm-meminfo on each halted kernel. Expect exactly the
    kernel's last meminfo line, pages cached on per-hart lists included
    (after boot alone some are, so that accounting is exercised)."""
    want = _kernel(halted, "meminfo:")
    assert len(want) == 1, want
    if halted["boot"] == "boot":
        assert int(want[0].split("pcp=")[1]) > 0, want
    assert halted["gdb"]["mm-meminfo"] == want, halted["raw"][-3000:]


def test_gdb_buddyinfo_matches(halted):
    """Scenario: mm-buddyinfo. Expect the kernel's buddyinfo lines, one
    per zone (two at 3 GiB), histogram and pcp alike."""
    want = _kernel(halted, "buddyinfo:")
    assert len(want) == (2 if halted["boot"] == "selftest-all" else 1)
    assert halted["gdb"]["mm-buddyinfo"] == want, halted["raw"][-3000:]


def test_gdb_slabinfo_matches(halted):
    """Scenario: mm-slabinfo. Expect the kernel's slabinfo header and one
    identical line per cache (objects in magazines counted as free; after
    boot alone some are, so that accounting is exercised)."""
    want = _kernel(halted, "slabinfo:")
    assert len(want) > 10
    mags = halted["gdb"][MAGAZINES]
    assert len(mags) == 1 and mags[0].startswith("magazines "), mags
    if halted["boot"] == "boot":
        assert int(mags[0].split()[1]) > 0
    assert halted["gdb"]["mm-slabinfo"] == want, halted["raw"][-3000:]


def test_gdb_vmallocinfo_matches(halted):
    """Scenario: mm-vmallocinfo. Expect the kernel's area lines (with two
    harts, the secondary's stacks at least) and its totals line."""
    want = _kernel(halted, "vmallocinfo:")
    assert want and want[-1].startswith("vmallocinfo: ")
    if BOOTS[halted["boot"]]["smp"] > 1:
        assert len(want) >= 2 and halted["area"], want
    assert halted["gdb"]["mm-vmallocinfo"] == want, halted["raw"][-3000:]


def test_gdb_walk_text_and_null(halted):
    """Scenario: mm-walk of kernel_main and of NULL + 16. Expect kernel
    text as a 4 KiB leaf, readable and executable, not writable; 0x10 not
    mapped, found at level 2."""
    g = halted["gdb"]
    text = g["mm-walk kernel_main"]
    assert text[0].startswith("satp 0x8"), text
    assert re.search(r"\(4 KiB page, VR-X-G..\)$", text[-1]), text
    null = g["mm-walk 0x10"]
    assert null[-2].startswith("L2 ") and "invalid (V clear)" in null[-2]
    assert null[-1] == "walk: 0x0000000000000010 not mapped"


def test_gdb_walk_vmalloc(halted):
    """Scenario: mm-walk of the first vmalloc area and of its guard page.
    Expect a 4 KiB RW, non-executable, global leaf whose memory reads the
    same through the linear map at the walked pa; the guard page not
    mapped at level 0."""
    if halted["area"] is None:
        pytest.skip("no vmalloc area left in this boot (one hart)")
    start, end = halted["area"]
    g = halted["gdb"]
    last = g[f"mm-walk 0x{start:x}"][-1]
    assert re.fullmatch(rf"walk: 0x{start:016x} -> pa 0x[0-9a-f]{{16}} "
                        r"\(4 KiB page, VRW--G[A-][D-]\)", last), last
    same = next(v for k, v in g.items() if "translate" in k)
    assert len(same) == 1 and re.fullmatch(r"walked 0x[0-9a-f]+ True",
                                           same[0]), halted["raw"][-3000:]
    guard = g[f"mm-walk 0x{end + 1:x}"]
    assert guard[-2].startswith("L0 ") and "invalid (V clear)" in guard[-2]
    assert guard[-1] == f"walk: 0x{end + 1:016x} not mapped"


def test_gdb_page_vmalloc(halted):
    """Scenario: mm-page of the first vmalloc area's address. Expect an
    order-0 allocated head owned by exactly that area."""
    if halted["area"] is None:
        pytest.skip("no vmalloc area left in this boot (one hart)")
    start, end = halted["area"]
    vm = "\n".join(halted["gdb"][f"mm-page 0x{start:x}"])
    assert "vmalloc" in vm and \
        "state: allocated block head, order 0 (1 page)" in vm, vm
    assert f"owner: vmalloc frame of the area [0x{start:x}-0x{end:x}]" in vm


def test_gdb_page_ranges(halted):
    """Scenario: mm-page of the kernel image's first page (-p), of the
    first and last page of each usable RAM range, of the page after each
    (a hole or the end of RAM) and of pfn 0x10. Expect the image page
    reserved; each RAM page in a buddy range inside its usable range,
    DMA32 below 4 GiB and Normal above; the others refused with an error
    that says the pfn has no descriptor."""
    g, raw = halted["gdb"], halted["raw"]
    img = "\n".join(g[f"mm-page -p 0x{halted['image_pa']:x}"])
    assert f"page: pfn 0x{halted['image_pa'] >> 12:x} " in img, img
    assert "state: reserved: never handed to the buddy allocator" in img
    assert len(halted["banks"]) == (2 if halted["boot"] == "two-banks"
                                    else 1)
    for first, last in halted["banks"]:
        for pfn in (first, last):
            out = "\n".join(g[f"mm-page 0x{pfn:x}"])
            m = re.search(r"  zone (\w+) .* range \d+ \[pfn 0x([0-9a-f]+)-"
                          r"0x([0-9a-f]+)\]", out)
            assert m, out
            lo, hi = int(m.group(2), 16), int(m.group(3), 16)
            assert first <= lo <= pfn <= hi <= last, out
            assert m.group(1) == ("DMA32" if pfn < 1 << 20 else "Normal")
            assert re.search(r"  state: \w", out), out
        assert f"mm-page: pfn 0x{last + 1:x} is not RAM the buddy " \
            "allocator describes" in raw
    assert "mm-page: pfn 0x10 is not RAM the buddy allocator describes" \
        in raw
