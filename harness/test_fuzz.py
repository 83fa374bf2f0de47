# SPDX-License-Identifier: BSD-2-Clause
"""The libFuzzer targets (mm/tests/fuzz_*.c) over their checked-in seed
corpora, then a few seconds of fuzzing each, and the coverage gate
(`make coverage` against harness/coverage_floor).

The binaries come from `make test`'s prerequisites (`make fuzz-bins`,
and the coverage build). New inputs go to a scratch directory under
build/, never into the checked-in corpus; a crash is saved as
build/fuzz/test-<target>-crash-* for replaying
(`build/fuzz/fuzz_<target> <file>`, FUZZ_VERBOSE=1 for printk output)."""

import os
import re
import shutil
import subprocess

import pytest

import qemu

TARGETS = ["fdt", "buddy", "buddy_policy", "slab", "vmalloc", "pgtable"]
FUZZ_SECONDS = 5
FLOOR = os.path.join(qemu.ROOT, "harness", "coverage_floor")


def _binary(target):
    path = os.path.join(qemu.BUILD, "fuzz", "fuzz_" + target)
    if not os.path.exists(path):
        pytest.fail(f"{path} missing: run 'make fuzz-bins'")
    return path


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_corpus(target):
    """Scenario: every seed of mm/tests/corpus/<target>/ (and for fdt the
    compiled dts/), then FUZZ_SECONDS of new inputs. Expect: libFuzzer
    exits 0 (no crash, sanitizer report, leak or hang), having run at
    least every seed."""
    seeds = os.path.join(qemu.ROOT, "mm", "tests", "corpus", target)
    nseeds = len(os.listdir(seeds))
    assert nseeds > 0, f"{seeds} is empty"
    scratch = os.path.join(qemu.BUILD, "fuzz", "test-corpus", target)
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    dirs = [scratch, seeds]
    if target == "fdt":
        dirs.append(os.path.join(qemu.BUILD, "dts"))
    cmd = [_binary(target), f"-max_total_time={FUZZ_SECONDS}",
           "-timeout=60", "-print_final_stats=1",
           # whole device-tree blobs; the allocator inputs are short
           f"-max_len={65536 if target == 'fdt' else 4096}",
           "-artifact_prefix=" + os.path.join(qemu.BUILD, "fuzz",
                                              f"test-{target}-")] + dirs
    p = subprocess.run(cmd, cwd=qemu.ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True,
                       errors="replace", timeout=120)
    log = os.path.join(qemu.BUILD, "fuzz", f"test-{target}.log")
    with open(log, "w") as f:
        f.write(p.stdout)
    assert p.returncode == 0, f"fuzz_{target} failed, see {log}:\n" + \
        p.stdout[-3000:]
    runs = re.search(r"stat::number_of_executed_units: (\d+)", p.stdout)
    assert runs and int(runs.group(1)) >= nseeds, p.stdout[-2000:]


def test_coverage_floor():
    """Scenario: `make coverage` (host unit tests and corpora replayed,
    built with clang's source-based coverage). Expect: it exits 0, which
    means every binary passed and the total is at or above the floor in
    harness/coverage_floor; one "coverage: <file> <pct>%" line per file
    of mm/ and lib/ built on the host, then the total."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    # BUILD as `make` spells it by default (relative to the tree): the
    # dependency files name their targets as given, so an absolute
    # spelling here would hide header changes from a later plain `make
    # coverage` (stale objects, wrong struct layouts).
    p = subprocess.run(["make", "-s", "coverage",
                        "BUILD=" + os.path.relpath(qemu.BUILD, qemu.ROOT)],
                       cwd=qemu.ROOT, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace", timeout=540)
    log = os.path.join(qemu.BUILD, "cov", "coverage.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    with open(log, "w") as f:
        f.write(p.stdout)
    assert p.returncode == 0, p.stdout[-4000:]
    files = re.findall(r"^coverage: ((?:mm|lib)/\S+) (\d+\.\d)%$",
                       p.stdout, re.M)
    assert any(f == "mm/buddy.c" for f, _ in files), p.stdout[-2000:]
    assert any(f == "lib/fdt.c" for f, _ in files), p.stdout[-2000:]
    total = re.search(r"^coverage: total (\d+\.\d)%$", p.stdout, re.M)
    assert total, p.stdout[-2000:]
    with open(FLOOR) as f:
        values = [line.split("#", 1)[0].strip() for line in f]
    floor = float(next(v for v in values if v))
    assert float(total.group(1)) >= floor
