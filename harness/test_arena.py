# SPDX-License-Identifier: BSD-2-Clause
"""selftest=arena with buddy_trace: the seeds' walk-through happening on
the UART, split by split and merge by merge (kernel/selftests/arena.c
over mm/buddy_arena.c)."""
import re

SIZE = r"(\d+[KMG]?)"


def test_seeds_walkthrough_traced(boot):
    """Scenario: the 256 KiB arena, 25 KiB request, binary. Expect the
    three splits 256 -> 128 + 128, 128 -> 64 + 64, 64 -> 32 + 32 at the
    arena's start, then the three merges back up, in that order, with
    the free lists printed between, and every arena case passing."""
    r = boot(bootargs="selftest=arena buddy_trace", timeout=60)
    assert r.status == 0, r.log
    lines = r.lines()
    first = next(i for i, l in enumerate(lines)
                 if l.startswith("buddy arena seeds:"))
    steps = [l for l in lines[first:]
             if l.startswith("buddy: ") or l.startswith("buddy arena seeds:")]
    want = [
        r"buddy arena seeds: binary, free 256K x 1",
        r"buddy: split 256K at (0x[0-9a-f]+) -> 128K \+ 128K",
        r"buddy: split 128K at (0x[0-9a-f]+) -> 64K \+ 64K",
        r"buddy: split 64K at (0x[0-9a-f]+) -> 32K \+ 32K",
        r"buddy arena seeds: binary, free 128K x 1 64K x 1 32K x 1",
        r"buddy: merge 32K \+ 32K at (0x[0-9a-f]+) -> 64K",
        r"buddy: merge 64K \+ 64K at (0x[0-9a-f]+) -> 128K",
        r"buddy: merge 128K \+ 128K at (0x[0-9a-f]+) -> 256K",
        r"buddy arena seeds: binary, free 256K x 1",
    ]
    addrs = set()
    for pat, line in zip(want, steps):
        m = re.fullmatch(pat, line)
        assert m, (pat, line, r.log)
        addrs.update(m.groups())
    assert len(addrs) == 1, addrs  # every step at the arena's start
    assert r.grep(r"^ok \d+ arena$"), r.log
    assert r.grep(r"# arena_seeds_36k: 36 KiB request, fibonacci: 55 KiB"), \
        r.log


def test_no_trace_without_argument(boot):
    """Without buddy_trace the arena prints its free lists but no split
    or merge line."""
    r = boot(bootargs="selftest=arena", timeout=60)
    assert r.status == 0, r.log
    assert r.grep(r"^buddy arena lecture: binary, free 1M x 1$"), r.log
    assert not r.grep(r"^buddy: (split|merge) "), r.log
