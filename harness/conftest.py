# SPDX-License-Identifier: BSD-2-Clause
"""Shared fixtures and the KTAP collection machinery.

Host unit-test binaries and in-kernel self-test boots print KTAP. Each
case becomes its own pytest item: the producers run once, at collection
time (in parallel, under a file lock so pytest-xdist workers share one
run), their output is cached under build/ktap/, and the items assert on
the parsed results."""

import concurrent.futures
import fcntl
import glob
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import ktap  # noqa: E402
import qemu  # noqa: E402

CACHE = os.path.join(qemu.BUILD, "ktap")

# In-kernel self-test boots: id -> boot options.
KERNEL_RUNS = {
    "virt-256M": dict(mem="256M", bootargs="selftest=all"),
    "virt-2G": dict(mem="2G", bootargs="selftest=all"),
    "virt-256M-slab_debug": dict(
        mem="256M", bootargs="selftest=slab,kmalloc slab_debug=FZPU"),
    "virt-8G": dict(mem="8G", bootargs="selftest=fdt,mmu,buddy"),
    # Several harts: in parallel on the host's cores (races really
    # happen), and under -icount shift=0 (one thread, repeatable).
    "virt-smp2": dict(mem="256M", smp=2, bootargs="selftest=all"),
    "virt-smp4": dict(mem="512M", smp=4, bootargs="selftest=all"),
    "virt-smp8": dict(mem="1G", smp=8, bootargs="selftest=all"),
    "virt-smp4-icount": dict(mem="512M", smp=4, bootargs="selftest=all",
                             extra=["-icount", "shift=0"]),
    "virt-smp8-icount": dict(mem="1G", smp=8, bootargs="selftest=smp",
                             extra=["-icount", "shift=0"]),
    # The other shootdown method: SBI RFENCE (not under -icount, where
    # OpenSBI 1.1's busy wait for the remote harts never ends in QEMU).
    "virt-smp4-sbi-rfence": dict(
        mem="512M", smp=4, bootargs="selftest=smp,vmalloc,mmu shootdown=sbi"),
}


def host_binaries():
    """The ASan+UBSan unit tests (build/host) and the ThreadSanitizer
    builds of the concurrency tests (build/tsan)."""
    found = []
    for tree in ("host", "tsan"):
        pattern = os.path.join(qemu.BUILD, tree, "*", "tests", "test_*")
        found += [p for p in glob.glob(pattern)
                  if os.access(p, os.X_OK) and not p.endswith((".o", ".d"))]
    return sorted(found)


# Suites of the allocators built on the page allocator, run once more
# under each buddy policy other than binary (BUDDY_POLICY, read by
# mm/tests/host_arch.c): slabs, kmalloc, vmalloc, tracing and fault
# injection must hold whatever the block sizes.
POLICY_SUITES = ("test_slab", "test_kmalloc", "test_vmalloc", "test_trace",
                 "test_fault_inject")
OTHER_POLICIES = ("fibonacci", "weighted", "tertiary")


def _run_host(path, policy=None):
    # The concurrency storms at a fifth of their size: beside QEMU's
    # busy threads each ticket-lock handoff waits for the scheduler
    # (mm/tests/test_smp_vmalloc.c); `make soak` runs them whole.
    env = dict(os.environ, FDT_DTB_DIR=qemu.DTB_DIR,
               KTEST_OPS_PERCENT=os.environ.get("KTEST_OPS_PERCENT", "20"),
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
               TSAN_OPTIONS="halt_on_error=1:exitcode=66")
    if policy:
        env["BUDDY_POLICY"] = policy
    try:
        p = subprocess.run([path], cwd=qemu.ROOT, env=env, timeout=300,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode("utf-8", "replace") + \
            "\n[timeout after 300 s]\n", None


def _run_kernel(rid):
    r = qemu.boot("selftest-" + rid, timeout=240, **KERNEL_RUNS[rid])
    return r.log, r.status


def _producers():
    prods = {}
    for path in host_binaries():
        rel = os.path.relpath(path, qemu.BUILD)
        tree, rel = rel.split(os.sep, 1)
        kind = "host" if tree == "host" else "host-" + tree
        prods[kind + ":" + rel] = (path, lambda p=path: _run_host(p))
        if tree == "host" and os.path.basename(path) in POLICY_SUITES:
            for pol in OTHER_POLICIES:
                prods["host-" + pol + ":" + rel] = (
                    path, lambda p=path, b=pol: _run_host(p, b))
    if os.path.exists(qemu.KERNEL):
        for rid in KERNEL_RUNS:
            prods["qemu:" + rid] = (qemu.KERNEL,
                                    lambda r=rid: _run_kernel(r))
    return prods


def _cache_file(pid):
    return os.path.join(CACHE, pid.replace("/", "_").replace(":", "_")
                        + ".json")


def ktap_results():
    """pid -> {"log", "status"} for every producer, running stale ones."""
    os.makedirs(CACHE, exist_ok=True)
    prods = _producers()
    with open(os.path.join(CACHE, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stale = [pid for pid, (dep, _) in prods.items()
                 if not os.path.exists(_cache_file(pid))
                 or os.path.getmtime(_cache_file(pid))
                 < os.path.getmtime(dep)]
        if stale:
            workers = max(1, os.cpu_count() or 1)
            with concurrent.futures.ThreadPoolExecutor(workers) as ex:
                futs = {ex.submit(prods[pid][1]): pid for pid in stale}
                for f in concurrent.futures.as_completed(futs):
                    log, status = f.result()
                    with open(_cache_file(futs[f]), "w") as out:
                        json.dump({"log": log, "status": status}, out)
        results = {}
        for pid in prods:
            with open(_cache_file(pid)) as f:
                results[pid] = json.load(f)
    return results


def pytest_generate_tests(metafunc):
    if "ktap_case" in metafunc.fixturenames or \
            "ktap_run" in metafunc.fixturenames:
        results = ktap_results()
    if "ktap_run" in metafunc.fixturenames:
        ids = sorted(results)
        metafunc.parametrize("ktap_run",
                             [(pid, results[pid]) for pid in ids], ids=ids)
    if "ktap_case" in metafunc.fixturenames:
        params, ids = [], []
        for pid in sorted(results):
            rep = ktap.parse(results[pid]["log"])
            seen = set()
            for c in rep.cases:
                cid = f"{pid}/{c.suite}.{c.name}"
                if cid in seen:
                    cid += f"#{c.number}"
                seen.add(cid)
                params.append((pid, c))
                ids.append(cid)
        metafunc.parametrize("ktap_case", params, ids=ids)


@pytest.fixture
def boot(request):
    """boot(timeout=..., until=..., machine=..., mem=..., bootargs=...,
    dtb=..., extra=[...]) -> qemu.Run, logged under the test's name."""
    counter = [0]

    def _boot(**kw):
        counter[0] += 1
        name = request.node.name + (f"-{counter[0]}" if counter[0] > 1
                                    else "")
        return qemu.boot(name, **kw)
    return _boot
