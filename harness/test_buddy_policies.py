# SPDX-License-Identifier: BSD-2-Clause
"""The page allocator under every buddy policy (boot argument
buddy=<policy>, issue 11): selftest=all passes under fibonacci, weighted
and tertiary at 64 MiB, 1 GiB and 8 GiB and on the dts/ memory layouts;
the boot names the policy and its number of size classes; an unknown
name warns once and boots binary; bench=buddy prints its figures under
every policy (written to build/bench_policies.txt for the README)."""
import os
import re

import pytest

import ktap
import qemu

OTHERS = ["fibonacci", "weighted", "tertiary"]
POLICIES = ["binary"] + OTHERS
SIZES = [("64M", 240), ("1G", 240), ("8G", 480)]
# The dts/ trees with their own memory layouts (test_dts.py and
# test_memory.py boot them too), with the -m each needs.
LAYOUTS = [("virt-two-banks", "256M"), ("virt-reserved-nomap", "256M"),
           ("virt-memreserve", "256M"), ("virt-multi-reg", "256M"),
           ("virt-resmem-cells", "256M"), ("virt-32m", "32M")]
POLICY_LINE = re.compile(r"^buddy: policy (\S+), (\d+) size classes$")
BENCH = re.compile(r"^bench: (\S+) (\d+) (\S+)$")
MAX_ORDER = 10  # the default build's (Makefile)


def size_classes(policy, top=1 << MAX_ORDER):
    """Sizes in pages of each policy up to the first of at least top
    pages (so that every order alloc_pages() takes has a class), from
    the papers' rules (mm/buddy_policy.c states them; computed here on
    their own)."""
    if policy == "binary":
        s = [1]
    elif policy == "fibonacci":
        s = [1, 2]
    else:  # weighted and tertiary: 2^k and 3 * 2^k
        s = [1, 2, 3]
    while s[-1] < top:
        if policy == "binary":
            s.append(2 * s[-1])
        elif policy == "fibonacci":
            s.append(s[-1] + s[-2])
        else:
            s.append(2 * s[-2])
    return s


def policy_of(r):
    lines = [POLICY_LINE.match(l) for l in r.lines()]
    found = [(m.group(1), int(m.group(2))) for m in lines if m]
    assert len(found) == 1, (found, r.log[-3000:])
    return found[0]


def expect_selftests_pass(r, policy):
    assert not r.timed_out, r.log[-3000:]
    assert r.status == 0, r.log[-3000:]
    rep = ktap.parse(r.log)
    assert not rep.errors, rep.errors
    bad = [c.id for c in rep.cases if not c.ok]
    assert rep.failed == 0 and not bad, (bad, r.log[-3000:])
    assert rep.passed and all(rep.suites.values()), rep.suites
    assert policy_of(r) == (policy, len(size_classes(policy)))


@pytest.mark.parametrize("mem,timeout", SIZES, ids=[m for m, _ in SIZES])
@pytest.mark.parametrize("policy", OTHERS)
def test_selftest_all_sizes(boot, policy, mem, timeout):
    """Scenario: selftest=all buddy=<policy> at 64 MiB, 1 GiB and 8 GiB
    (two zones). Expect 'buddy: policy <policy>, <n> size classes' with
    the policy's own number of sizes up to 2^MAX_ORDER pages, every KTAP
    case ok, the summary's 0 failed and status 0."""
    r = boot(mem=mem, bootargs=f"selftest=all buddy={policy}",
             timeout=timeout)
    expect_selftests_pass(r, policy)


@pytest.mark.parametrize("tree,mem", LAYOUTS, ids=[t for t, _ in LAYOUTS])
@pytest.mark.parametrize("policy", OTHERS)
def test_selftest_all_layouts(boot, policy, tree, mem):
    """Scenario: selftest=all buddy=<policy> on each dts/ memory layout
    (two banks with a hole, reserved and no-map regions, memreserve, a
    cleaned-up multi-reg node, 1/1-cell reserved memory, 32 MiB). Expect
    everything to pass as at the default layout."""
    r = boot(mem=mem, dtb=qemu.dtb(tree),
             bootargs=f"selftest=all buddy={policy}", timeout=240)
    expect_selftests_pass(r, policy)


def test_default_is_binary(boot):
    """Scenario: no buddy= argument, and buddy=binary. Expect 'buddy:
    policy binary, 11 size classes' both times, no warning."""
    for args in ("selftest=lib", "selftest=lib buddy=binary"):
        r = boot(mem="64M", bootargs=args)
        assert r.status == 0, r.log[-2000:]
        assert policy_of(r) == ("binary", MAX_ORDER + 1)
        assert not r.grep(r"^cmdline: warning"), r.log[-2000:]


@pytest.mark.parametrize("value", ["buddy2", "", "Fibonacci", "weighted,x"])
def test_unknown_policy_warns_and_boots_binary(boot, value):
    """Scenario: buddy= with a name that is not a policy (a typo, empty,
    wrong case, a list). Expect exactly one cmdline warning that names
    the value and the valid policies, then 'buddy: policy binary, ...'
    and the self-tests passing."""
    r = boot(mem="64M", bootargs=f"selftest=buddy buddy={value}")
    warns = r.grep(r"^cmdline: warning")
    assert warns == [f"cmdline: warning: unknown buddy policy '{value}' "
                     f"(binary, fibonacci, weighted or tertiary), using "
                     f"binary"], r.log[-2000:]
    expect_selftests_pass(r, "binary")


# bench=buddy's figures (kernel/selftests/bench_buddy.c); order0_pair_split
# only when a free block of the largest size is left to split.
BENCH_FIGURES = ["buddy.order0_pair", "buddy.order0_pair_split",
                 "buddy.mixed", "buddy.order9_alloc", "buddy.virt_to_page",
                 "buddy.pfn_to_page", "buddy.page_to_pfn",
                 "buddy.init_per_gib", "buddy.metadata_per_page"]


@pytest.mark.parametrize("policy", POLICIES)
def test_bench_buddy_every_policy(boot, policy):
    """Scenario: bench=buddy buddy=<policy> at 1 GiB under -icount
    shift=0. Expect 'bench: buddy.policy <policy>' and every figure
    binary reports (order0_pair_split when a largest block is left) with
    its unit, no other line but 'bench: warning:' ones, and status 0.
    The figures go to build/bench/buddy-<policy>.txt (README, Buddy
    systems)."""
    r = boot(mem="1G", bootargs=f"bench=buddy buddy={policy}", timeout=400,
             extra=["-icount", "shift=0"])
    assert r.status == 0, r.log[-3000:]
    assert r.grep(rf"^bench: buddy\.policy {policy}$"), r.log[-3000:]
    figures = {m.group(1): (int(m.group(2)), m.group(3))
               for m in map(BENCH.match, r.lines()) if m}
    want = [n for n in BENCH_FIGURES if n != "buddy.order0_pair_split"]
    assert all(n in figures for n in want), (want, figures)
    assert set(figures) <= set(BENCH_FIGURES), figures
    assert figures["buddy.metadata_per_page"][1] == "bytes"
    assert all(u == "instructions" for n, (_, u) in figures.items()
               if n != "buddy.metadata_per_page"), figures
    odd = [l for l in r.grep(r"^bench: ") if not BENCH.match(l)
           and not l.startswith("bench: warning: ")
           and l != f"bench: buddy.policy {policy}"]
    assert not odd, odd
    os.makedirs(os.path.join(qemu.BUILD, "bench"), exist_ok=True)
    with open(os.path.join(qemu.BUILD, "bench", f"buddy-{policy}.txt"),
              "w") as f:
        f.write("".join(f"{n:28} {v:>10} {u}\n"
                        for n, (v, u) in figures.items()))
