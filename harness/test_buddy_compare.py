# SPDX-License-Identifier: BSD-2-Clause
"""make buddy-compare, shortened: the four buddy policies on the same
traces (mm/tests/buddy_compare.c over mm/buddy_arena.c). The traces are
seeded, so the fragmentation figures are exact and repeatable; the test
checks the report's form and the published orderings the figures must
reproduce, never a time."""
import os
import re
import subprocess
import sys

import pytest

import qemu

BIN = os.path.join(qemu.BUILD, "bench", "buddy_compare")
DRIVER = os.path.join(qemu.ROOT, "harness", "buddy_compare.py")
OUT = os.path.join(qemu.BUILD, "bench", "compare-quick")
POLICIES = ["binary", "fibonacci", "weighted", "tertiary"]
TRACES = ["uniform", "exponential", "loguniform"]
LINE = re.compile(r"^buddy-compare: (\S+) (\S+) internal ([\d.]+) external "
                  r"([\d.]+) total ([\d.]+) alloc (\d+) free (\d+)$", re.M)


@pytest.fixture(scope="module")
def report():
    if not os.path.exists(BIN):
        pytest.fail(f"{BIN} missing: run 'make {os.path.relpath(BIN, qemu.ROOT)}'")
    p = subprocess.run([sys.executable, DRIVER, "--bin", BIN, "--out", OUT,
                        "--no-callgrind"], cwd=qemu.ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stdout
    rows = {(m[0], m[1]): tuple(float(x) for x in m[2:5])
            for m in LINE.findall(p.stdout)}
    return p.stdout, rows


def test_every_policy_and_trace_reported(report):
    """Expect one line per policy and trace, the text file and a PNG."""
    text, rows = report
    assert set(rows) == {(p, t) for p in POLICIES for t in TRACES}, text
    with open(os.path.join(OUT, "buddy-compare.txt")) as f:
        assert len(LINE.findall(f.read())) == len(rows)
    with open(os.path.join(OUT, "buddy-compare.png"), "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    for (p, t), (internal, external, total) in rows.items():
        assert 0 < internal < 50 and 0 <= external < 60, (p, t)
        # 1 - total = (1 - internal') (1 - external) within rounding:
        # total can never be below external or below zero.
        assert total >= external - 0.1, (p, t)


def test_published_orderings(report):
    """Shen and Peterson (CACM 1974): with uniformly distributed sizes the
    binary system has less total fragmentation than the weighted one;
    with exponentially distributed sizes the weighted one has less. The
    internal fragmentation falls as the size series gets finer: binary
    (ratio 2) > Fibonacci (ratio 1.618) > weighted (ratio ~1.414)."""
    _, rows = report
    total = {k: v[2] for k, v in rows.items()}
    internal = {k: v[0] for k, v in rows.items()}
    assert total[("binary", "uniform")] < total[("weighted", "uniform")]
    assert total[("weighted", "exponential")] < \
        total[("binary", "exponential")]
    for t in TRACES:
        assert internal[("binary", t)] > internal[("fibonacci", t)] > \
            internal[("weighted", t)], t


def test_callgrind_counts_one_replay():
    """The instruction counts come from callgrind's inclusive cost of
    buddy_arena_alloc over one replay: expect a plausible per-call figure
    (more than a list pop, far less than a walk of the arena)."""
    sys.path.insert(0, os.path.dirname(DRIVER))
    import buddy_compare
    os.makedirs(os.path.join(OUT, "callgrind"), exist_ok=True)
    n = buddy_compare.callgrind(BIN, [], "binary", "uniform", 60000,
                                "buddy_arena_alloc", OUT)
    assert 20 < n < 2000, n
