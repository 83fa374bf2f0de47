#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make buddy-compare: run build/bench/buddy_compare (mm/tests/
buddy_compare.c), add instructions per allocation and per free from
callgrind, and write <out>/buddy-compare.txt and buddy-compare.png.

Each figure line:
  buddy-compare: <policy> <trace> internal <pct> external <pct> total <pct>
  alloc <instr> free <instr>
Instructions are callgrind's inclusive count of buddy_arena_alloc (or
buddy_arena_free) over one replay of the trace on the smallest arena that
runs it, divided by the number of calls; 0 with --no-callgrind."""
import argparse
import lzma
import os
import re
import shutil
import subprocess
import sys

LINE = re.compile(r"buddy-compare: (\S+) (\S+) internal ([\d.]+) external "
                  r"([\d.]+) total ([\d.]+) arena (\d+) ops (\d+)$")


def run(args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        sys.exit(f"buddy_compare: {' '.join(args)} failed "
                 f"({p.returncode}):\n{p.stdout[-3000:]}")
    return p.stdout


def callgrind(binary, extra, policy, trace, units, fn, out):
    """Instructions per call of fn over one replay."""
    path = os.path.join(out, "callgrind", f"cg.{policy}.{trace}.{fn}")
    text = run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                f"--toggle-collect={fn}", "--dump-instr=no",
                f"--callgrind-out-file={path}", binary] + extra +
               ["--callgrind", policy, trace, str(units)])
    m = re.search(r"callgrind allocs (\d+) frees (\d+)", text)
    calls = int(m.group(1) if fn.endswith("alloc") else m.group(2))
    with open(path) as f:
        total = next(int(x.split()[1]) for x in f if x.startswith("totals:"))
    return total / calls if calls else 0.0


def plot(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("buddy-compare: warning: no matplotlib, no plot")
        return
    traces = list(dict.fromkeys(r["trace"] for r in rows))
    policies = list(dict.fromkeys(r["policy"] for r in rows))
    fig, axes = plt.subplots(1, len(traces), figsize=(4 * len(traces), 3.6),
                             sharey=True)
    if len(traces) == 1:
        axes = [axes]
    width = 0.8 / len(policies)
    for ax, tr in zip(axes, traces):
        for i, pol in enumerate(policies):
            r = next(x for x in rows if x["trace"] == tr
                     and x["policy"] == pol)
            xs = [j + i * width for j in range(3)]
            ax.bar(xs, [r["internal"], r["external"], r["total"]], width,
                   label=pol)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(3)])
        ax.set_xticklabels(["internal", "external", "total"])
        ax.set_title(f"{tr} requests")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("fragmentation, % of memory")
    axes[-1].legend(fontsize=8)
    fig.suptitle("Buddy systems on the same traces (make buddy-compare)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--kernel-trace")
    ap.add_argument("--no-callgrind", action="store_true")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "callgrind"), exist_ok=True)
    trace = a.kernel_trace
    if trace and trace.endswith(".xz"):
        # harness/traces/ keeps the recorded trace xz-compressed
        # (harness/record_trace.py); the C program reads plain text.
        trace = os.path.join(a.out, "kernel.trace")
        with lzma.open(a.kernel_trace, "rb") as src, open(trace, "wb") as dst:
            dst.write(src.read())
    extra = ["--kernel-trace", trace] if trace else []
    rows = []
    for line in run([a.bin] + extra).splitlines():
        m = LINE.match(line)
        if m:
            rows.append(dict(policy=m.group(1), trace=m.group(2),
                             internal=float(m.group(3)),
                             external=float(m.group(4)),
                             total=float(m.group(5)),
                             arena=int(m.group(6)), ops=int(m.group(7))))
    if not rows:
        sys.exit("buddy_compare: no figures")
    cg = not a.no_callgrind
    if cg and shutil.which("valgrind") is None:
        sys.exit("buddy_compare: valgrind not found: run 'make deps'")
    out = ["# make buddy-compare: fragmentation in % (see mm/tests/"
           "buddy_compare.c), instructions per call from callgrind"]
    for r in rows:
        ai = fi = 0.0
        if cg:
            ai = callgrind(a.bin, extra, r["policy"], r["trace"], r["arena"],
                           "buddy_arena_alloc", a.out)
            fi = callgrind(a.bin, extra, r["policy"], r["trace"], r["arena"],
                           "buddy_arena_free", a.out)
        out.append(f"buddy-compare: {r['policy']} {r['trace']} internal "
                   f"{r['internal']:.1f} external {r['external']:.1f} total "
                   f"{r['total']:.1f} alloc {ai:.0f} free {fi:.0f}")
        print(out[-1], flush=True)
    with open(os.path.join(a.out, "buddy-compare.txt"), "w") as f:
        f.write("\n".join(out) + "\n")
    plot(rows, os.path.join(a.out, "buddy-compare.png"))
    print(f"buddy-compare: wrote {os.path.join(a.out, 'buddy-compare.txt')}"
          f" and buddy-compare.png")


if __name__ == "__main__":
    main()
