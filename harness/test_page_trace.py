# SPDX-License-Identifier: BSD-2-Clause
"""page_trace and the recorded kernel trace: the kernel prints its page
allocations and frees (mm/trace.h), harness/record_trace.py turns them
into make buddy-compare's input, and the trace kept in the repository
(harness/traces/selftest-all-pages.trace.xz) replays under every policy."""
import os
import re
import subprocess

import pytest

import ktap
import qemu
import record_trace

TRACE = record_trace.DEFAULT_OUT
BIN = os.path.join(qemu.BUILD, "bench", "buddy_compare")
POLICIES = ["binary", "fibonacci", "weighted", "tertiary"]


def test_convert_numbers_allocations_and_maps_frees():
    """Scenario: two allocations, the first freed, a third at the first's
    pfn, a free of a pfn never allocated, unrelated lines between. Expect
    dense ids in allocation order, each free naming the id live at its
    pfn, the stray free counted and left out, one allocation live."""
    lines = ["boot: hello", "page: alloc 0x80400 1", "page: alloc 0x80600 4",
             "KTAP version 1", "page: free 0x80400\r",
             "page: alloc 0x80400 3", "page: free 0x9abc0",
             "page: free 0x80400"]
    out, st = record_trace.convert(lines)
    assert out == ["alloc 0 1", "alloc 1 4", "free 0", "alloc 2 3",
                   "free 2"]
    assert st == dict(allocs=3, frees=2, pages=8, untraced=1, live=1,
                      max_pages=4)


@pytest.mark.parametrize("lines,why", [
    (["page: alloc 0x10 1", "page: alloc 0x10 2"], "allocated again"),
    (["page: alloc 0x10 0"], "0 pages"),
    (["page: alloc 10 1"], "not a page trace line"),
    (["page: free 0x10 1"], "not a page trace line"),
])
def test_convert_refuses_inconsistent_lines(lines, why):
    """Scenario: a pfn allocated twice without a free between (a lost
    line), a zero-page request, a pfn without 0x, a free with a size.
    Expect a TraceError naming the line and the problem."""
    with pytest.raises(record_trace.TraceError, match=why):
        record_trace.convert(lines)


def test_page_trace_lines_match_the_allocator(boot):
    """Scenario: selftest=buddy,slab with page_trace at 64 MiB. Expect
    'page: alloc' and 'page: free' lines in the documented form, no
    allocation of a pfn that is live already (convert() raises on it),
    no free of a pfn allocated before tracing was armed, the suites
    passing and status 0; without page_trace no 'page:' line at all."""
    r = boot(mem="64M", bootargs="selftest=buddy,slab page_trace",
             timeout=240)
    assert r.status == 0, r.log[-3000:]
    rep = ktap.parse(r.log)
    assert rep.failed == 0 and not rep.errors, rep.errors
    traced = r.grep(r"^page: ")
    assert traced, r.log[-3000:]
    out, st = record_trace.convert(r.lines())
    assert st["allocs"] > 100 and st["frees"] > 100, st
    assert st["untraced"] == 0, st
    quiet = boot(mem="64M", bootargs="selftest=buddy")
    assert quiet.status == 0 and not quiet.grep(r"^page: "), quiet.log[-2000:]


def test_recorded_trace_replays_under_every_policy(tmp_path):
    """Scenario: the checked-in trace (make buddy-trace, xz-compressed)
    through the host comparison. Expect its header, at least a thousand
    allocations with dense ids, and one 'kernel' figure line per policy
    with plausible percentages."""
    with record_trace.open_trace(TRACE) as f:
        text = f.read()
    assert text.startswith("# kernel page allocations during "
                           "'selftest=all page_trace'\n"), text[:200]
    ids = [int(x) for x in re.findall(r"^alloc (\d+) \d+$", text, re.M)]
    assert len(ids) > 1000 and ids == list(range(len(ids)))
    if not os.path.exists(BIN):
        pytest.fail(f"{BIN} missing: run 'make "
                    f"{os.path.relpath(BIN, qemu.ROOT)}'")
    plain = tmp_path / "kernel.trace"
    plain.write_text(text)
    p = subprocess.run([BIN, "--kernel-trace", str(plain)], cwd=qemu.ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-2000:]
    got = dict(re.findall(r"^buddy-compare: (\S+) kernel internal ([\d.]+) ",
                          p.stdout, re.M))
    assert sorted(got) == sorted(POLICIES), p.stdout
    assert all(0 <= float(v) < 60 for v in got.values()), got


def test_buddy_compare_refuses_a_bad_trace(tmp_path):
    """Scenario: a trace whose free names an id that was never
    allocated. Expect buddy_compare to stop with status 2 and a message
    naming the file, the line and the problem."""
    bad = tmp_path / "bad.trace"
    bad.write_text("# header\nalloc 0 2\nfree 7\n")
    p = subprocess.run([BIN, "--kernel-trace", str(bad)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=120)
    assert p.returncode == 2
    assert f"{bad}:3: free of an id that is not live: free 7" in p.stdout
