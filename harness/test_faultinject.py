# SPDX-License-Identifier: BSD-2-Clause
"""Allocation fault injection (fail_page_alloc=, failslab=, Linux's
syntax and meaning) and selftest=oom, from issue 13.

Under injection every self-test may fail (status 1) but nothing may
crash, hang, leak or corrupt: the runner prints one "# balance <suite>:"
line after every suite, "ok" when the free pages and slab objects came
back and the checkers are clean."""

import re

import pytest

import qemu

BALANCE = re.compile(r"^# balance (\w+): (.*)$")
SUITE = re.compile(r"^    # Subtest: (\w+)$")
SUMMARY = re.compile(r"^fault-inject: (fail_page_alloc|failslab) injected "
                     r"(\d+) failures in (\d+) calls$")


def no_crash(r):
    assert not r.timed_out, r.log
    assert not r.grep(r"^(fault|panic|trap): "), r.log


def balances(r):
    """suite -> list of balance texts, and the suites that ran."""
    got, ran = {}, []
    for line in r.lines():
        if m := BALANCE.match(line):
            got.setdefault(m.group(1), []).append(m.group(2))
        elif m := SUITE.match(line):
            ran.append(m.group(1))
    return got, ran


def injected(r):
    return {m.group(1): (int(m.group(2)), int(m.group(3)))
            for l in r.lines() if (m := SUMMARY.match(l))}


# (probability %, seed, harts): a few seeds at each rate; one with two
# harts, where allocations from both harts meet the same injector.
MATRIX = [(1, 1, 1), (1, 2, 1), (10, 3, 1), (10, 4, 2), (50, 5, 1),
          (50, 6, 1)]


@pytest.mark.parametrize("prob,seed,smp", MATRIX,
                         ids=[f"p{p}-seed{s}-smp{n}" for p, s, n in MATRIX])
def test_selftest_all_under_injection(boot, prob, seed, smp):
    """Scenario: selftest=all with fail_page_alloc and failslab at the same
    probability, every call a candidate, no space, no limit. Expect the
    boot line of each injector with these figures, status 0 or 1, no
    fault, panic or trap, one "ok" balance line for every suite that ran
    and no other balance line, and failures really injected at both
    sites."""
    args = (f"selftest=all fail_page_alloc=1,{prob},0,-1 "
            f"failslab=1,{prob},0,-1 fail_seed={seed}")
    r = boot(mem="256M", smp=smp, bootargs=args, timeout=480)
    no_crash(r)
    assert r.status in (0, 1), r.log
    for name in ("fail_page_alloc", "failslab"):
        assert r.grep(rf"^fault-inject: {name} interval 1 probability "
                      rf"{prob}% space 0 times -1 seed {seed} "
                      r"ignore_gfp_wait N"), r.log
    got, ran = balances(r)
    assert ran and set(got) == set(ran), r.log
    bad = {s: v for s, v in got.items()
           if len(v) != 1 or not v[0].startswith("ok: ")}
    assert not bad, bad
    inj = injected(r)
    assert set(inj) == {"fail_page_alloc", "failslab"}, r.log
    assert all(n > 0 and calls >= n for n, calls in inj.values()), inj


def test_times_and_filters(boot):
    """Scenario: fail_page_alloc=1,100,0,5 (fail the first 5 calls) and
    failslab at 100 % with failslab.ignore_gfp_wait=Y, running
    selftest=oom (whose allocations are all GFP_KERNEL). Expect exactly 5
    page failures injected, no slab call even reaching the injector (the
    filter comes first, as in Linux), the filter named in the boot line,
    and the suite's balance ok."""
    r = boot(mem="256M", bootargs="selftest=oom fail_page_alloc=1,100,0,5 "
             "failslab=1,100,0,-1 failslab.ignore_gfp_wait=Y "
             "fail_page_alloc.min_order=0", timeout=240)
    no_crash(r)
    assert r.grep(r"^fault-inject: failslab interval 1 probability 100% "
                  r"space 0 times -1 seed 1 ignore_gfp_wait Y$"), r.log
    inj = injected(r)
    assert inj["fail_page_alloc"][0] == 5, inj
    assert inj["failslab"] == (0, 0), inj
    got, _ = balances(r)
    assert got == {"oom": [got["oom"][0]]} and \
        got["oom"][0].startswith("ok: "), r.log


BAD = [
    ("fail_page_alloc=1,2,3", "bad fail_page_alloc '1,2,3': expected "
     "<interval>,<probability>,<space>,<times>, ignored"),
    ("failslab=1,101,0,-1", "bad failslab '1,101,0,-1': probability above "
     "100, ignored"),
    ("fail_page_alloc=1,10,-1,-1", "bad fail_page_alloc '1,10,-1,-1': "
     "space is negative, ignored"),
    ("failslab=1,10,0,-7", "bad failslab '1,10,0,-7': times below -1, "
     "ignored"),
    ("fail_seed=12z", "bad fail_seed '12z': expected a number, using 1"),
    ("fail_page_alloc.min_order=12", "bad fail_page_alloc.min_order '12': "
     "expected 0 to 11, ignored"),
    ("failslab.ignore_gfp_wait=maybe", "bad failslab.ignore_gfp_wait "
     "'maybe': expected Y or N, ignored"),
]


@pytest.mark.parametrize("group", [0, 1])
def test_bad_arguments(boot, group):
    """Scenario: malformed fault-injection arguments, with selftest=lib;
    each key once per boot (the last value of a key wins, as in Linux),
    so in two boots. Expect one specific cmdline warning per argument, no
    injector configured (no fault-inject line at all), and the tests
    passing."""
    bad = BAD[:2] + BAD[4:] if group == 0 else BAD[2:4]
    r = boot(mem="256M", bootargs="selftest=lib " +
             " ".join(a for a, _ in bad), timeout=120)
    no_crash(r)
    for _, msg in bad:
        assert r.grep("^cmdline: warning: " + re.escape(msg) + "$"), \
            (msg, r.log)
    assert not r.grep(r"^fault-inject:"), r.log
    assert r.status == 0, r.log


OOM = [("32M", 1), ("32M", 4), ("1G", 1), ("1G", 4)]


@pytest.mark.parametrize("mem,smp", OOM, ids=[f"{m}-smp{n}" for m, n in OOM])
def test_oom_cycles(boot, mem, smp):
    """Scenario: selftest=oom (100 rounds of exhausting pages of every
    order, every kmalloc class and vmalloc, then freeing all) at 32 MiB
    and 1 GiB, on 1 and 4 harts. Expect the case to pass, its first and
    last round reported, the suite's balance ok and status 0."""
    r = boot(mem=mem, smp=smp, bootargs="selftest=oom", timeout=480)
    no_crash(r)
    assert r.grep(r"^    ok 1 oom_cycles$"), r.log
    for n in (1, 100):
        assert r.grep(rf"^    # oom_cycles: round {n}: \d+ blocks, \d+ "
                      r"vmalloc areas, \d+ kmalloc objects until failure; "
                      r"all returned$"), r.log
    assert r.grep(r"^# balance oom: ok: "), r.log
    assert r.status == 0, r.log
