# SPDX-License-Identifier: BSD-2-Clause
"""make host-bench, shortened: the project's allocators beside glibc,
jemalloc, mimalloc and tcmalloc on the host (mm/tests/bench_host.c,
harness/host_bench.py). A benchmark, not a test: only the form of its
report is checked here, never the figures; `make host-bench` runs it
whole. The binary comes from `make test`'s prerequisites."""

import os
import re
import subprocess
import sys

import pytest

import qemu

BIN = os.path.join(qemu.BUILD, "bench", "bench_host")
DRIVER = os.path.join(qemu.ROOT, "harness", "host_bench.py")
OUT = os.path.join(qemu.BUILD, "bench", "quick")
WORKLOADS = ["pair64", "pair64_held", "batch_lifo", "batch_random", "mixed",
             "page0", "xthread"]
ALLOCATORS = ["project", "glibc", "jemalloc", "mimalloc", "tcmalloc"]
NUM = r"(\d+(?:\.\d+)?)"


@pytest.fixture(scope="module")
def quick():
    """Three rounds at 5 % of the counts, callgrind at 1 %."""
    if not os.path.exists(BIN):
        rel = os.path.relpath(BIN, qemu.ROOT)
        pytest.fail(f"{BIN} missing: run 'make {rel}'")
    p = subprocess.run([sys.executable, DRIVER, "--bin", BIN, "--out", OUT,
                        "--repeats", "3", "--scale", "5", "--cg-scale", "1"],
                       cwd=qemu.ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=240)
    with open(os.path.join(OUT, "test.log"), "w") as f:
        f.write(p.stdout)
    return p


def test_host_bench_reports_every_figure(quick):
    """Scenario: the short host bench. Expect status 0, one line
    'host-bench: <workload> <allocator> <ns> ns <instr> instr' for every
    workload and allocator, 'host-bench: <workload> ratio <x.xx>' for
    every workload, 'host-bench: mixed memory <allocator> <x.xx>' for
    every allocator, all numbers positive, and host.txt and host.png
    written with the same lines."""
    assert quick.returncode == 0, quick.stdout[-3000:]
    lines = quick.stdout.splitlines()
    missing, bad = [], []

    def find(rx):
        hits = [m for m in map(re.compile(rx).match, lines) if m]
        if len(hits) != 1:
            missing.append(rx)
            return None
        return [float(g) for g in hits[0].groups()]

    for w in WORKLOADS:
        for a in ALLOCATORS:
            v = find(rf"^host-bench: {w} {a} {NUM} ns {NUM} instr$")
            if v and not all(x > 0 for x in v):
                bad.append((w, a, v))
        v = find(rf"^host-bench: {w} ratio (\d+\.\d\d)$")
        if v and not v[0] > 0:
            bad.append((w, "ratio", v))
    for a in ALLOCATORS:
        v = find(rf"^host-bench: mixed memory {a} (\d+\.\d\d)$")
        if v and not v[0] > 0:
            bad.append(("memory", a, v))
    assert not missing, (missing, quick.stdout[-3000:])
    assert not bad, (bad, quick.stdout[-3000:])
    with open(os.path.join(OUT, "host.txt")) as f:
        written = f.read().splitlines()
    assert [l for l in written if l.startswith("host-bench:")] == \
        [l for l in lines if l.startswith("host-bench:")]
    assert os.path.getsize(os.path.join(OUT, "host.png")) > 0


def test_host_bench_peers_are_the_real_ones(quick):
    """Scenario: the short host bench's header. Expect each peer's
    malloc found in its own library with its version, and the process's
    malloc still glibc's after the dlopens."""
    assert quick.returncode == 0, quick.stdout[-3000:]
    out = quick.stdout
    assert re.search(r"^# peer: glibc \S+ malloc in \S*libc\.so", out, re.M)
    assert re.search(r"^# peer: jemalloc \S+ malloc in \S*libjemalloc\.so",
                     out, re.M)
    assert re.search(r"^# peer: mimalloc \d+ malloc in \S*libmimalloc\.so",
                     out, re.M)
    assert re.search(r"^# peer: tcmalloc .* malloc in "
                     r"\S*libtcmalloc_minimal\.so", out, re.M)
    assert re.search(r"^# peer: process malloc still in \S*libc\.so", out,
                     re.M)


def test_host_bench_names_the_machine(quick):
    """Scenario: the short host bench's header. Expect one machine line:
    the CPU (model name, family and model numbers, CPUs online) and what
    an atomic swap and a plain load and store of a word cost there, the
    measure that separates machines most for the project's frees."""
    assert quick.returncode == 0, quick.stdout[-3000:]
    found = re.findall(r"^# machine: (.+) \(family -?\d+, model -?\d+, "
                       r"(\d+) cpus\); atomic swap ([\d.]+) ns, plain load "
                       r"and store ([\d.]+) ns$", quick.stdout, re.M)
    assert len(found) == 1, quick.stdout[:3000]
    model, cpus, swap, plain = found[0]
    assert model and int(cpus) >= 1
    assert float(swap) > 0 and float(plain) > 0
