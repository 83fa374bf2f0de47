# SPDX-License-Identifier: BSD-2-Clause
"""The memory console (kernel/shell.c), driven through pexpect on a pty
as a person would type: every command, JSON output parsed with
json.loads, trace lines, the editing keys and history, every kind of bad
input, allocator misuse that must give the allocator's BUG line and
leave the kernel running, and a seeded random session of 1,000 commands
that frees everything and ends with every checker clean and the free
page count it started with. On QEMU virt (ns16550a) and sifive_u
(sifive,uart0)."""

import json
import os
import random
import re

import pexpect
import pytest

import qemu

MACHINES = {
    "virt": dict(machine="virt", mem="256M", smp=2),
    # hart 0 is the E51 without an MMU: two harts give one kernel hart
    "sifive_u": dict(machine="sifive_u", mem="1G", smp=2),
}
BOOT_TIMEOUT = 240
CMD_TIMEOUT = 60
PROMPT = "mm> "


class Console:
    """One QEMU with the console on a pty. The serial chardev is opened
    with signal=off so that Ctrl-C reaches the guest."""

    def __init__(self, name, machine, mem, smp):
        args = qemu.qemu_args(machine=machine, mem=mem, smp=smp)
        i = args.index("-serial")
        args[i:i + 2] = ["-chardev", "stdio,id=con,signal=off",
                         "-serial", "chardev:con"]
        os.makedirs(qemu.LOGS, exist_ok=True)
        self.log = open(os.path.join(qemu.LOGS, name + ".log"), "w")
        self.log.write("$ " + " ".join(args) + "\n")
        self.p = pexpect.spawn(args[0], args[1:], encoding="utf-8",
                               codec_errors="replace", timeout=CMD_TIMEOUT)
        self.p.logfile_read = self.log
        self.p.expect_exact("boot: console ready", timeout=BOOT_TIMEOUT)
        self.p.expect_exact(PROMPT, timeout=CMD_TIMEOUT)

    def raw(self, data, until=PROMPT, timeout=CMD_TIMEOUT):
        """Send bytes as typed; return the lines printed before `until`."""
        self.p.send(data)
        self.p.expect_exact(until, timeout=timeout)
        return self.p.before.replace("\r", "").split("\n")

    def run(self, line, timeout=CMD_TIMEOUT):
        """Type line and Enter; return the output lines (echo dropped)."""
        out = self.raw(line + "\r", "\r\n" + PROMPT, timeout)
        assert out[0] == line[:255], (line, out)
        return out[1:]

    def json(self, line):
        """A command under `json on`: its one JSON object, parsed. Lines
        before it (BUG or trace lines) are returned too."""
        out = self.run(line)
        objs = [json.loads(l) for l in out if l.startswith("{")]
        assert len(objs) == 1, out
        return objs[0], [l for l in out if not l.startswith("{")]

    def close(self):
        if self.p.isalive():
            self.p.terminate(force=True)
        self.log.close()


@pytest.fixture(scope="module", params=sorted(MACHINES))
def con(request):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    c = Console(f"test_console-{request.param}{'-' + worker if worker else ''}",
                **MACHINES[request.param])
    c.machine = request.param
    yield c
    c.close()


def one(lines, pattern):
    """The single line matching pattern (a regex), as a match."""
    found = [m for m in (re.search(pattern, l) for l in lines) if m]
    assert len(found) == 1, (pattern, lines)
    return found[0]


def checked(con):
    """Every checker clean."""
    assert one(con.run("check"), r"^check: (\d+) violations").group(1) \
        == "0"


def free_pages_after_drain(con):
    return int(one(con.run("drain"), r"^meminfo: .* free=(\d+)").group(1))


# ------------------------------------------------------------- commands

def test_help_lists_every_command(con):
    """Scenario: help. Expect one line per command (and per cache form),
    naming each command of the contract."""
    out = con.run("help")
    names = {l.split()[0] for l in out if l.startswith("  ")}
    assert names >= {"help", "meminfo", "buddyinfo", "slabinfo",
                     "vmallocinfo", "memmap", "alloc", "free", "kmalloc",
                     "kfree", "vmalloc", "vfree", "cache", "walk", "trace",
                     "check", "json", "selftest", "bench", "poweroff"}
    for form in ("cache create", "cache alloc", "cache free",
                 "cache destroy"):
        assert any(l.startswith("  " + form) for l in out), out


def test_introspection_text(con):
    """Scenario: meminfo, buddyinfo, slabinfo, vmallocinfo, memmap in
    text. Expect the kernel's contract lines, the same as at boot."""
    m = one(con.run("meminfo"),
            r"^meminfo: present=(\d+) managed=(\d+) free=(\d+) pcp=(\d+)$")
    assert int(m.group(3)) <= int(m.group(2)) <= int(m.group(1))
    assert all(re.match(r"^buddyinfo: zone \w+( \d+){11} pcp=\d+$", l)
               for l in con.run("buddyinfo") if l), "buddyinfo"
    assert any(l.startswith("slabinfo: kmalloc-64 ")
               for l in con.run("slabinfo"))
    assert re.match(r"^vmallocinfo: \d+ areas, ",
                    con.run("vmallocinfo")[-1])
    out = con.run("memmap")
    assert any(re.match(r"^memory: usable \[mem 0x[0-9a-f]{16}-", l)
               for l in out)
    assert any(l.endswith(" kernel image") for l in out), out


def test_alloc_free_pages(con):
    """Scenario: alloc 0, alloc 2 dma32 zero, free one by pfn and one by
    va. Expect the contract line, a pfn below 4 GiB for dma32, the va in
    the linear map, and the free count back after a drain."""
    before = free_pages_after_drain(con)
    m = one(con.run("alloc 2 dma32 zero"),
            r"^page pfn 0x([0-9a-f]+) order 2 va 0x([0-9a-f]+)$")
    pfn, va = int(m.group(1), 16), int(m.group(2), 16)
    assert pfn < (1 << 20) and va >= 0xffffffd800000000
    m2 = one(con.run("alloc 0"), r"^page pfn 0x[0-9a-f]+ order 0 va "
             r"0x([0-9a-f]+)$")
    one(con.run(f"free {pfn:#x} 2"), rf"^free: {pfn:#x} freed$")
    one(con.run(f"free 0x{m2.group(1)} 0"), r"^free: 0x[0-9a-f]+ freed$")
    assert free_pages_after_drain(con) == before
    assert con.run("alloc 11") == ["error: alloc: order 11 is above "
                                   "MAX_ORDER (10)"]
    assert con.run("alloc 0 fast")[0].startswith(
        "error: alloc: unknown flag 'fast'")


def test_kmalloc_vmalloc_cache(con):
    """Scenario: kmalloc of sizes written three ways, kfree; vmalloc 12K,
    vfree; a cache created, an object allocated and freed, destroyed.
    Expect the contract lines (the cache name kmalloc picked, one pfn per
    vmalloc page) and a clean check."""
    m = one(con.run("kmalloc 100"),
            r"^kmalloc 0x([0-9a-f]+) size 100 cache (kmalloc-\d+)$")
    assert m.group(2) == "kmalloc-112"
    one(con.run(f"kfree 0x{m.group(1)}"), r"^kfree: 0x[0-9a-f]+ freed$")
    m = one(con.run("kmalloc 0x1K"), r"^kmalloc 0x([0-9a-f]+) size 1024 "
            r"cache kmalloc-1024$")
    con.run(f"kfree 0x{m.group(1)}")
    m = one(con.run("kmalloc 64K"), r"^kmalloc 0x([0-9a-f]+) size 65536 "
            r"cache large$")
    con.run(f"kfree 0x{m.group(1)}")
    m = one(con.run("vmalloc 12K"), r"^vmalloc 0x(ffffffc[0-9a-f]+) size "
            r"12288 pages 3 pfns((?: 0x[0-9a-f]+){3})$")
    assert len(set(m.group(2).split())) == 3
    one(con.run(f"vfree 0x{m.group(1)}"), r"^vfree: 0x[0-9a-f]+ freed$")
    one(con.run("cache create widget 40 64"),
        r"^cache widget objsize 40 size \d+ align 64 order \d+ perslab \d+$")
    m = one(con.run("cache alloc widget"),
            r"^cache widget alloc 0x([0-9a-f]+)$")
    assert int(m.group(1), 16) % 64 == 0
    one(con.run(f"cache free widget 0x{m.group(1)}"),
        r"^cache free: 0x[0-9a-f]+ freed$")
    assert con.run("cache destroy widget") == ["cache widget destroyed"]
    assert con.run("cache alloc widget")[0].startswith(
        "error: cache: no console cache 'widget'")
    checked(con)


def test_walk(con):
    """Scenario: walk a linear-map address, a vmalloc address, NULL, an
    unmapped vmalloc address and a non-canonical one. Expect each level's
    PTE with its flags and the leaf, 'not mapped' without a fault, and an
    error for the non-canonical address."""
    m = one(con.run("alloc 0"), r"^page pfn 0x([0-9a-f]+) order 0 va "
            r"0x([0-9a-f]+)$")
    out = con.run(f"walk 0x{m.group(2)}")
    assert out[0].startswith("walk: L2 table 0x")
    # RAM: no attribute bits on virt (no Svpbmt), read as memory
    assert re.search(r" DAG--WRV leaf 0x[0-9a-f]+ size 0x[0-9a-f]+ "
                     r"attr 0x00 memory$", out[-2]), out
    assert out[-1] == f"walk: 0x{m.group(2)} -> pa 0x{m.group(1)}000 rw- " \
        "(mapped)", out
    con.run(f"free 0x{m.group(1)} 0")
    m = one(con.run("vmalloc 4K"), r"^vmalloc 0x([0-9a-f]+) size 4096 "
            r"pages 1 pfns 0x([0-9a-f]+)$")
    out = con.run(f"walk 0x{m.group(1)}")
    assert len([l for l in out if l.startswith("walk: L")]) == 3, out
    assert out[-1].startswith(f"walk: 0x{m.group(1)} -> pa "
                              f"0x{m.group(2)}000 rw-")
    # the guard page after the area
    guard = int(m.group(1), 16) + 4096
    assert con.run(f"walk {guard:#x}")[-1] == \
        f"walk: 0x{guard:016x} not mapped"
    con.run(f"vfree 0x{m.group(1)}")
    assert con.run("walk 0")[-1] == "walk: 0x0000000000000000 not mapped"
    assert con.run("walk 0x8000000000")[0].startswith(
        "error: walk: 0x8000000000 is not a canonical Sv39 address")


def test_json(con):
    """Scenario: json on, then every introspection and allocation
    command. Expect exactly one JSON object per command, parsed by
    json.loads, with the documented keys; json off restores text."""
    assert con.run("json on") == ["json: on"]
    try:
        mi, _ = con.json("meminfo")
        assert {"present", "managed", "free", "pcp"} <= mi.keys()
        bi, _ = con.json("buddyinfo")
        assert all(len(z["free"]) == 11 for z in bi["zones"])
        si, _ = con.json("slabinfo")
        assert any(c["name"] == "kmalloc-64" for c in si["caches"])
        vi, _ = con.json("vmallocinfo")
        assert vi["nr_areas"] == len([a for a in vi["areas"]
                                      if not a["lazy"]])
        mm, _ = con.json("memmap")
        assert mm["usable"] and any(r["name"] == "kernel image"
                                    for r in mm["reserved"])
        ck, _ = con.json("check")
        assert ck["violations"] == 0
        a, _ = con.json("alloc 1")
        assert a["cmd"] == "alloc" and a["order"] == 1
        f, _ = con.json(f"free {a['pfn']} 1")
        assert f["ok"] is True
        k, _ = con.json("kmalloc 24")
        assert k["cache"] == "kmalloc-24"
        assert con.json(f"kfree {k['va']}")[0]["ok"] is True
        v, _ = con.json("vmalloc 20K")
        assert v["pages"] == 5 and len(v["pfns"]) == 5
        assert con.json(f"vfree {v['va']}")[0]["ok"] is True
        w, _ = con.json(f"walk {k['va']}")
        assert w["mapped"] and len(w["levels"]) >= 1
        assert w["levels"][-1]["flags"] == "DAG--WRV"
        d, _ = con.json("drain")
        assert d["cmd"] == "drain" and "free" in d
    finally:
        assert con.run("json off") == ["json: off"]
    assert con.run("meminfo")[0].startswith("meminfo: ")


def test_trace(con):
    """Scenario: trace on buddy, alloc 3 and free it; trace on slab and
    vmalloc with a cache and a vmalloc area. Expect a split line when the
    block is carved and a merge line when it goes back; slab grow, state
    change and release; vmalloc create and purge; trace off silences
    all."""
    free_pages_after_drain(con)
    # Take every free order-1 block, so that the next one is a split.
    held = []
    for l in con.run("buddyinfo"):
        for _ in range(int(l.split()[4])):
            held.append(one(con.run("alloc 1"),
                            r"^page pfn (0x[0-9a-f]+) ").group(1))
    assert con.run("trace on buddy") == ["trace: buddy"]
    out = con.run("alloc 1")
    splits = [l for l in out if l.startswith("buddy: split")]
    assert splits and all(re.match(r"^buddy: split (\d+)([KM]) at "
                                   r"0x[0-9a-f]+ -> (\d+)\2 \+ \3\2$", l)
                          for l in splits), out
    assert splits[-1].endswith("-> 8K + 8K"), out
    pfn = one(out, r"^page pfn (0x[0-9a-f]+) order 1").group(1)
    out = con.run(f"free {pfn} 1")
    assert any(re.match(r"^buddy: merge 8K \+ 8K at 0x[0-9a-f]+ -> 16K$",
                        l) for l in out), out
    assert con.run("trace off buddy") == ["trace: off"]
    for pfn in held:
        con.run(f"free {pfn} 1")
    assert con.run("trace on") == ["trace: buddy slab vmalloc"]
    assert con.run("trace off") == ["trace: off"]
    assert con.run("trace on slab") == ["trace: slab"]
    con.run("trace on vmalloc")
    con.run("cache create tracer 200")
    out = con.run("cache alloc tracer")
    assert any(re.match(r"^slab: grow tracer slab 0x[0-9a-f]+ order \d+ "
                        r"objs \d+$", l) for l in out), out
    assert any(re.match(r"^slab: tracer slab 0x[0-9a-f]+ empty -> "
                        r"(partial|full)$", l) for l in out), out
    va = one(out, r"^cache tracer alloc (0x[0-9a-f]+)$").group(1)
    con.run(f"cache free tracer {va}")
    out = con.run("cache destroy tracer")
    assert any(l.startswith("slab: release tracer slab 0x") for l in out)
    out = con.run("vmalloc 8K")
    assert any(re.match(r"^vmalloc: create \[0x[0-9a-f]{16}-0x[0-9a-f]{16}"
                        r"\] size 8192 pages 2 vmalloc$", l) for l in out)
    va = one(out, r"^vmalloc (0x[0-9a-f]+) ").group(1)
    con.run(f"vfree {va}")
    out = con.run("drain")
    assert any(re.match(r"^vmalloc: purge \d+ areas \d+ pages \d+ table "
                        r"pages$", l) for l in out), out
    assert con.run("trace off") == ["trace: off"]
    assert not [l for l in con.run("alloc 3") if l.startswith("buddy:")]
    checked(con)


# ---------------------------------------------------------- line editing

def test_editing_keys(con):
    """Scenario: Backspace (DEL and BS), Ctrl-U, Ctrl-C, and escape
    sequences that are not Up/Down. Expect the corrected line to run,
    nothing to run after Ctrl-U's erased text or Ctrl-C, a '^C' echo."""
    out = con.raw("meminfx\x7fo\r", "\r\n" + PROMPT)
    assert any(l.startswith("meminfo: present=") for l in out), out
    out = con.raw("mexx\x08\x08minfo\r", "\r\n" + PROMPT)
    assert any(l.startswith("meminfo: present=") for l in out), out
    out = con.raw("frobnicate\x15check\r", "\r\n" + PROMPT)
    assert any(l.startswith("check: 0 violations") for l in out), out
    assert not any("unknown command" in l for l in out), out
    out = con.raw("alloc 5\x03", PROMPT)
    assert "^C" in out[-1] or "^C" in "".join(out), out
    out = con.raw("che\x1b[Cck\x1b[3~\r", "\r\n" + PROMPT)
    assert any(l.startswith("check: 0 violations") for l in out), out


def test_history(con):
    """Scenario: three commands, then Up (ESC [ A) to recall them, Down
    to come back to a half-typed line. Expect each recalled command to
    run again; the line typed before browsing to be restored."""
    con.run("buddyinfo")
    con.run("meminfo")
    out = con.raw("\x1b[A\r", "\r\n" + PROMPT)
    assert any(l.startswith("meminfo: present=") for l in out), out
    out = con.raw("\x1b[A\x1b[A\r", "\r\n" + PROMPT)
    assert any(l.startswith("buddyinfo: zone") for l in out), out
    out = con.raw("chec\x1b[A\x1b[B\x1b[Bk\r", "\r\n" + PROMPT)
    assert any(l.startswith("check: 0 violations") for l in out), out


# ------------------------------------------------------------ bad input

@pytest.mark.parametrize("line,error", [
    ("frobnicate 1 2", "error: unknown command 'frobnicate' (try help)"),
    ("alloc", "error: alloc: missing argument (usage: alloc <order> "
     "[dma32] [zero])"),
    ("alloc x", "error: alloc: order 'x' is not a number"),
    ("alloc 0x", "error: alloc: order '0x' is not a number"),
    ("alloc 99999999999999999999", "error: alloc: order "
     "'99999999999999999999' is out of range"),
    ("kmalloc 12Q", "error: kmalloc: size '12Q' is not a size"),
    ("kmalloc 0", "error: kmalloc: size 0 is outside 1.."),
    ("kmalloc 17179869184G", "error: kmalloc: size '17179869184G' is out "
     "of range"),
    ("vmalloc 1G", "error: vmalloc: size 1073741824 is outside 1.."),
    ("free 0x1000", "error: free: missing argument"),
    ("kfree 0", "error: kfree: 0x0 is NULL or ZERO_SIZE_PTR"),
    ("meminfo now", "error: meminfo: too many arguments"),
    ("a b c d e f g h i", "error: too many words (at most 8)"),
    ("trace maybe", "error: trace: 'maybe' is neither on nor off"),
    ("trace on pcp", "error: trace: unknown group 'pcp'"),
    ("json yes", "error: json: 'yes' is neither on nor off"),
    ("cache", "error: cache: missing argument"),
    ("cache alloc", "error: cache: missing argument (usage: cache alloc "
     "<name>)"),
    ("cache free x", "error: cache: missing argument (usage: cache free "
     "<name> <va>)"),
    ("cache create x", "error: cache: missing argument (usage: cache "
     "create <name> <size> [align])"),
    ("cache destroy x y", "error: cache: too many arguments for destroy"),
    ("cache melt x", "error: cache: unknown operation 'melt'"),
    ("cache create c 0", "error: cache: size 0 is outside 1.."),
    ("cache create c 64 48", "error: cache: align 48 is not a power of "
     "two"),
    ("poweroff 256", "error: poweroff: status 256 is above 255"),
])
def test_bad_input(con, line, error):
    """Scenario: each kind of bad input. Expect exactly one error line
    (its start is given) and a new prompt."""
    out = [l for l in con.run(line) if l]
    assert len(out) == 1 and out[0].startswith(error), out


def test_line_too_long(con):
    """Scenario: 300 characters, then Enter. Expect the echo to stop at
    255, one error line, then a working prompt."""
    out = con.raw("x" * 300 + "\r", "\r\n" + PROMPT)
    assert out[-1] == "error: line longer than 255 characters, ignored"
    assert con.run("meminfo")[0].startswith("meminfo: ")


# --------------------------------------------------------------- misuse

def test_misuse_gets_bug_lines(con):
    """Scenario: a double free of pages, a kfree of a page that is not a
    slab object, a kfree of an address inside an object, a double vfree,
    a cache free of a foreign and of an unmapped address, a cache
    destroyed with a live object. Expect the allocators' own BUG lines,
    each call refused, the kernel alive and every checker clean."""
    pfn = one(con.run("alloc 1"), r"^page pfn (0x[0-9a-f]+) ").group(1)
    con.run(f"free {pfn} 1")
    out = con.run(f"free {pfn} 1")
    assert any(re.match(r"^BUG: .*double free.*pfn", l) for l in out), out
    assert not any("freed" in l for l in out)
    va = one(con.run("alloc 0"), r" va (0x[0-9a-f]+)$").group(1)
    out = con.run(f"kfree {va}")
    assert any(l.startswith("BUG") for l in out), out
    con.run(f"free {va} 0")
    obj = one(con.run("kmalloc 64"), r"^kmalloc (0x[0-9a-f]+) ").group(1)
    out = con.run(f"kfree {int(obj, 16) + 8:#x}")
    assert any(l.startswith("BUG kmalloc-64: ") for l in out), out
    con.run(f"kfree {obj}")
    out = con.run(f"kfree {obj}")
    assert any(re.match(r"^BUG kmalloc-64: double free", l)
               for l in out), out
    v = one(con.run("vmalloc 4K"), r"^vmalloc (0x[0-9a-f]+) ").group(1)
    con.run(f"vfree {v}")
    out = con.run(f"vfree {v}")
    assert any(l.startswith("BUG: vfree: ") for l in out), out
    # 600-byte objects: descriptor off the slab, so a free validates any
    # pointer through its page descriptor before reading anything.
    con.run("cache create misuse 600")
    o = one(con.run("cache alloc misuse"), r" alloc (0x[0-9a-f]+)$").group(1)
    for bad in (obj, "0x1000", "0xffffffc000000000"):
        out = con.run(f"cache free misuse {bad}")
        assert any(l.startswith("BUG misuse: ") for l in out), (bad, out)
    # 32-byte objects: one-page slabs found by masking, which reads the
    # pointer's own page; the console refuses an unmapped one rather
    # than fault, and a foreign mapped one still gets the BUG line.
    con.run("cache create small 32")
    out = con.run(f"cache free small {obj}")
    assert any(l.startswith("BUG small: ") for l in out), out
    out = con.run("cache free small 0x1000")
    assert out == ["error: cache: 0x1000 is neither RAM the allocators "
                   "manage nor a vmalloc page: not a slab object, not "
                   "passed to kmem_cache_free"], out
    assert con.run("cache destroy small") == ["cache small destroyed"]
    out = con.run("cache destroy misuse")
    assert any(l.startswith("BUG misuse: destroy with") for l in out), out
    assert out[-1].startswith("error: cache: misuse still has objects")
    con.run(f"cache free misuse {o}")
    assert con.run("cache destroy misuse") == ["cache misuse destroyed"]
    out = con.run("free 0x1 0")
    assert any(l.startswith("BUG: ") for l in out), out
    # The first page of RAM: firmware memory, reserved, locked by PMP
    # (mapped on virt, no-map on sifive_u). Reading it would fault. A
    # 16-byte cache masks the pointer and reads its page, so the console
    # refuses it; kfree and free look the page descriptor up first.
    con.run("cache create misuse2 16")
    for line in ("kfree 0xffffffd800000000", "free 0xffffffd800000000 0"):
        out = con.run(line)
        assert any(l.startswith("BUG") for l in out), (line, out)
    for va in ("0xffffffd800000000", "0xffffffd800000010"):
        assert con.run(f"cache free misuse2 {va}") == [
            f"error: cache: {va} is neither RAM the allocators "
            "manage nor a vmalloc page: not a slab object, not passed to "
            "kmem_cache_free"]
    assert con.run("cache destroy misuse2") == ["cache misuse2 destroyed"]
    checked(con)


# ------------------------------------------------------ selftest, bench

def test_selftest_and_bench_return(con):
    """Scenario: selftest fdt,lib, then bench kmalloc, from the console.
    Expect KTAP ending '... passed, 0 failed', bench lines, and the
    prompt back each time (no power-off)."""
    out = con.run("selftest fdt,lib", timeout=300)
    assert re.match(r"^\d+ passed, 0 failed$", [l for l in out if l][-1])
    out = con.run("bench kmalloc", timeout=600)
    assert any(re.match(r"^bench: kmalloc\.\S+ \d+ ", l) for l in out), out
    checked(con)


# ------------------------------------------------------- random session

def test_random_session(con):
    """Scenario: a seeded random mix of 1,000 allocation, free, cache and
    introspection commands under `json on`, every result parsed; then
    everything freed and caches destroyed. Expect every command to
    succeed, check clean every 100 commands and at the end, and, after
    draining the per-hart lists and caches, the free page count of the
    start."""
    rng = random.Random(12)
    start = free_pages_after_drain(con)
    con.run("json on")
    pages, objs, areas, caches = [], [], [], {}

    def ok(line):
        obj, other = con.json(line)
        assert not [l for l in other if l.startswith(("BUG", "error"))], \
            (line, other)
        return obj

    try:
        for n in range(1000):
            r = rng.random()
            if n % 100 == 99:
                assert ok("check")["violations"] == 0
            elif r < 0.15:
                order = rng.choice([0, 0, 0, 1, 2, 3, 5])
                flags = rng.choice(["", " dma32", " zero", " dma32 zero"])
                a = ok(f"alloc {order}{flags}")
                pages.append((a["pfn"] if rng.random() < .5 else a["va"],
                              order))
            elif r < 0.27 and pages:
                where, order = pages.pop(rng.randrange(len(pages)))
                assert ok(f"free {where} {order}")["ok"]
            elif r < 0.42:
                size = rng.choice([rng.randint(1, 256),
                                   rng.randint(1, 9000)])
                text = rng.choice([str(size), hex(size)])
                if size % 1024 == 0 and rng.random() < .5:
                    text = f"{size // 1024}K"
                objs.append(ok(f"kmalloc {text}")["va"])
            elif r < 0.54 and objs:
                va = objs.pop(rng.randrange(len(objs)))
                assert ok(f"kfree {va}")["ok"]
            elif r < 0.60:
                areas.append(ok(f"vmalloc {rng.randint(1, 40000)}")["va"])
            elif r < 0.66 and areas:
                va = areas.pop(rng.randrange(len(areas)))
                assert ok(f"vfree {va}")["ok"]
            elif r < 0.68 and len(caches) < 4:
                name = f"c{n}"
                size = rng.randint(8, 3000)
                align = rng.choice(["", " 8", " 64", " 0x100"])
                ok(f"cache create {name} {size}{align}")
                caches[name] = []
            elif r < 0.80 and caches:
                name = rng.choice(sorted(caches))
                caches[name].append(ok(f"cache alloc {name}")["va"])
            elif r < 0.90 and caches:
                name = rng.choice(sorted(caches))
                if caches[name]:
                    lst = caches[name]
                    va = lst.pop(rng.randrange(len(lst)))
                    assert ok(f"cache free {name} {va}")["ok"]
                else:
                    assert ok(f"cache destroy {name}")["ok"]
                    del caches[name]
            else:
                ok(rng.choice(["meminfo", "buddyinfo", "slabinfo",
                               "vmallocinfo", "memmap"]))
        for where, order in pages:
            assert ok(f"free {where} {order}")["ok"]
        for va in objs:
            assert ok(f"kfree {va}")["ok"]
        for va in areas:
            assert ok(f"vfree {va}")["ok"]
        for name, lst in caches.items():
            for va in lst:
                assert ok(f"cache free {name} {va}")["ok"]
            assert ok(f"cache destroy {name}")["ok"]
        assert ok("check")["violations"] == 0
    finally:
        con.run("json off")
    assert free_pages_after_drain(con) == start
    checked(con)


# -------------------------------------------------------------- poweroff

@pytest.mark.parametrize("machine", sorted(MACHINES))
def test_poweroff(machine):
    """Scenario: poweroff 3 at the prompt. Expect QEMU's exit status 3 on
    virt (sifive,test); on sifive_u, which cannot power off, the
    halting line with status 3."""
    c = Console(f"test_console_poweroff-{machine}", **MACHINES[machine])
    try:
        c.p.send("poweroff 3\r")
        if machine == "virt":
            c.p.expect(pexpect.EOF, timeout=CMD_TIMEOUT)
            c.p.close()
            assert c.p.exitstatus == 3
        else:
            c.p.expect(r"poweroff: .*halting \(status 3\)",
                       timeout=CMD_TIMEOUT)
    finally:
        c.close()
