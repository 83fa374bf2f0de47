#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Driver of `make plots`: PNG files under build/plots/ (matplotlib, Agg).

  bench.png              every bench=all figure against its target, as
                         measured / target (1.0 = on target; the bars
                         say "value / target"); targets are the table in
                         harness/test_bench.py (EXPECTED), the one the
                         harness reports against
  buddyinfo-<zone>.png   free blocks per order of each zone right after
                         boot and after selftest=all (the buddyinfo lines
                         printed before "boot: ready" and, with `halt`,
                         after the tests), pages on per-hart lists in
                         the legend

bench=all runs under -icount shift=0 at 1 GiB as harness/test_bench.py
does (exact, repeatable counts); build/bench.txt, which that test
writes, is reused when it is newer than build/kernel.elf. The buddyinfo
boot uses 3 GiB and 2 harts, so that both zones (DMA32 below 4 GiB,
Normal above) have memory.

Fragmentation per buddy policy: the four policies of mm/buddy_policy.c
on make buddy-compare's seeded traces (build/bench/buddy_compare,
without its callgrind pass), plotted by harness/buddy_compare.py's own
plot. (The page allocator itself runs the binary policy only.)
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402
from test_bench import BENCH, EXPECTED  # noqa: E402

BUDDYINFO = re.compile(r"^buddyinfo: zone (\S+) ((?:\d+ )+)pcp=(\d+)$")
BENCH_TXT = re.compile(r"^(\S+)\s+(\d+)\s+(\S+)\s+target <= (\d+)")


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def bench_figures():
    """{name: value} of every figure with a target: from build/bench.txt
    when it is newer than the kernel, else from a bench=all boot."""
    txt = os.path.join(qemu.BUILD, "bench.txt")
    if os.path.exists(txt) and \
            os.path.getmtime(txt) >= os.path.getmtime(qemu.KERNEL):
        got = {}
        for line in open(txt):
            m = BENCH_TXT.match(line)
            if m:
                got[m.group(1)] = int(m.group(2))
        if all(n in got for n in EXPECTED):
            print(f"plots: bench figures from {txt}")
            return got
    print("plots: running bench=all (-icount shift=0, 1 GiB)")
    r = qemu.boot("plots-bench", mem="1G", bootargs="bench=all",
                  timeout=600, extra=["-icount", "shift=0"])
    got = {}
    for line in r.lines():
        m = BENCH.match(line)
        if m:
            got[m.group(1)] = int(m.group(2))
    missing = [n for n in EXPECTED if n not in got]
    if r.status != 0 or missing:
        sys.exit(f"plots: bench=all failed (status {r.status}, missing "
                 f"{missing}); log: {r.log_path}")
    return got


def plot_bench(path, figures):
    plt = _plt()
    names = list(EXPECTED)
    ratios = [figures[n] / EXPECTED[n][1] for n in names]
    fig, ax = plt.subplots(figsize=(8, 5.2))
    colours = ["#3a7d44" if r <= 1.0 else "#c0392b" for r in ratios]
    y = range(len(names))
    ax.barh(y, ratios, color=colours)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_yticks(list(y), names, fontsize=8)
    ax.invert_yaxis()
    for i, n in enumerate(names):
        ax.text(ratios[i], i, f" {figures[n]:,} / {EXPECTED[n][1]:,}",
                va="center", fontsize=7)
    ax.set_xlim(0, max(ratios) * 1.35)
    ax.set_xlabel("measured / target (<= 1 meets it; green meets, red "
                  "misses)")
    ax.set_title("bench=all under QEMU -icount shift=0, 1 GiB "
                 "(instructions, bytes, %)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def buddyinfo_sets():
    """({zone: (counts, pcp)} after boot, the same after selftest=all)."""
    print("plots: booting selftest=all halt (3 GiB, 2 harts)")
    r = qemu.boot("plots-buddyinfo", mem="3G", smp=2,
                  bootargs="selftest=all halt", timeout=600,
                  until=r"\nhalted\r?\n")
    lines = r.lines()
    if "halted" not in lines:
        sys.exit(f"plots: the selftest=all halt boot did not reach "
                 f"'halted'; log: {r.log_path}")
    ready = next(i for i, l in enumerate(lines)
                 if l.startswith("boot: ready"))
    end = lines.index("halted")
    start = end
    while start > 0 and lines[start - 1].startswith(
            ("buddyinfo:", "meminfo:", "slabinfo:", "vmallocinfo:")):
        start -= 1

    def parse(block):
        out = {}
        for line in block:
            m = BUDDYINFO.match(line)
            if m:
                out[m.group(1)] = ([int(x) for x in m.group(2).split()],
                                   int(m.group(3)))
        return out
    boot, after = parse(lines[:ready]), parse(lines[start:end])
    if not boot or set(boot) != set(after):
        sys.exit(f"plots: buddyinfo lines missing; log: {r.log_path}")
    return boot, after


def plot_buddyinfo(path, zone, boot, after):
    plt = _plt()
    orders = range(len(boot[0]))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    w = 0.4
    ax.bar([o - w / 2 for o in orders], boot[0], w,
           label=f"after boot (pcp={boot[1]})", color="#2e86c1")
    ax.bar([o + w / 2 for o in orders], after[0], w,
           label=f"after selftest=all (pcp={after[1]})", color="#e67e22")
    ax.set_yscale("symlog", linthresh=1)
    ax.yaxis.set_major_formatter(
        plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xticks(list(orders))
    ax.set_xlabel("order (block of 2^order pages)")
    ax.set_ylabel("free blocks")
    ax.set_title(f"buddyinfo: zone {zone} (3 GiB, 2 harts)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def plot_fragmentation(path):
    """The buddy policies' fragmentation per trace (make buddy-compare)."""
    import subprocess
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import buddy_compare
    binary = os.path.join(qemu.BUILD, "bench", "buddy_compare")
    if not os.path.exists(binary):
        sys.exit(f"plots: {binary} missing: run 'make "
                 f"{os.path.relpath(binary, qemu.ROOT)}'")
    out = subprocess.run([binary], capture_output=True, text=True,
                         check=True).stdout
    rows = []
    for line in out.splitlines():
        m = buddy_compare.LINE.match(line)
        if m:
            rows.append(dict(policy=m.group(1), trace=m.group(2),
                             internal=float(m.group(3)),
                             external=float(m.group(4)),
                             total=float(m.group(5))))
    if not rows:
        sys.exit("plots: buddy_compare printed no figures")
    buddy_compare.plot(rows, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(qemu.BUILD, "plots"))
    opt = ap.parse_args()
    if not os.path.exists(qemu.KERNEL):
        sys.exit(f"plots: {qemu.KERNEL} missing: run 'make'")
    os.makedirs(opt.out, exist_ok=True)
    written = []
    path = os.path.join(opt.out, "bench.png")
    plot_bench(path, bench_figures())
    written.append(path)
    boot, after = buddyinfo_sets()
    for zone in boot:
        path = os.path.join(opt.out, f"buddyinfo-{zone}.png")
        plot_buddyinfo(path, zone, boot[zone], after[zone])
        written.append(path)
    path = os.path.join(opt.out, "fragmentation.png")
    plot_fragmentation(path)
    written.append(path)
    for p in written:
        print(f"plots: wrote {p}")


if __name__ == "__main__":
    main()
