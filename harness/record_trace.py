#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make buddy-trace: record the kernel's own page allocations during
selftest=all and write them as make buddy-compare's kernel trace.

The kernel, booted with `page_trace`, prints one line per page
allocation and one per allocation given back (mm/trace.h):

    page: alloc 0x<pfn> <pages>     pages asked for (2^order, or the
                                    exact count of alloc_pages_exact)
    page: free 0x<pfn>              the allocation starting at pfn

mm/tests/buddy_compare.c reads "alloc <id> <units>" and "free <id>" with
dense allocation numbers, so the converter numbers the allocations in
order and maps each free to the number of the live allocation at that
pfn. Frees of a pfn with no live traced allocation (pages allocated
before tracing was armed, which the kernel does right after the buddy
allocator starts, or a block given back in parts) are left out and
counted in the file's header; an allocation at a pfn that is already
live means lost lines, and stops the conversion.

selftest=all makes about 700,000 page allocations at 256 MiB, most of
them in the 100 out-of-memory rounds of selftest=oom: about 20 MB of
text, so a FILE ending in .xz is written xz-compressed (about 0.7 MB).

    record_trace.py [--out FILE] [--mem 256M] [--smp 1] [--timeout 900]
                    [--log FILE]    convert a saved UART log, no boot
"""
import argparse
import lzma
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402
import qemu  # noqa: E402

ALLOC = re.compile(r"^page: alloc 0x([0-9a-f]+) (\d+)$")
FREE = re.compile(r"^page: free 0x([0-9a-f]+)$")
DEFAULT_OUT = os.path.join(qemu.ROOT, "harness", "traces",
                           "selftest-all-pages.trace.xz")
BOOTARGS = "selftest=all page_trace"


class TraceError(Exception):
    pass


def convert(lines):
    """Page trace lines (other lines are skipped) -> (trace lines, stats).
    stats: allocs, frees, pages (summed requests), untraced (frees of
    pfns never allocated while tracing), live (allocations never freed),
    max_pages (largest request)."""
    out, live = [], {}
    st = dict(allocs=0, frees=0, pages=0, untraced=0, live=0, max_pages=0)
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line.startswith("page: "):
            continue
        m = ALLOC.match(line)
        if m:
            pfn, pages = int(m.group(1), 16), int(m.group(2))
            if pages == 0:
                raise TraceError(f"line {n}: allocation of 0 pages: {line!r}")
            if pfn in live:
                raise TraceError(f"line {n}: pfn {pfn:#x} allocated again "
                                 f"while allocation {live[pfn]} is live "
                                 f"(a free line was lost): {line!r}")
            live[pfn] = st["allocs"]
            out.append(f"alloc {st['allocs']} {pages}")
            st["allocs"] += 1
            st["pages"] += pages
            st["max_pages"] = max(st["max_pages"], pages)
            continue
        m = FREE.match(line)
        if m:
            pfn = int(m.group(1), 16)
            if pfn not in live:
                st["untraced"] += 1
                continue
            out.append(f"free {live.pop(pfn)}")
            st["frees"] += 1
            continue
        raise TraceError(f"line {n}: not a page trace line: {line!r}")
    st["live"] = len(live)
    return out, st


def header(st, mem, smp, policy):
    """Comment lines, each under 100 characters (buddy_compare.c reads
    lines of up to 127)."""
    return [f"# kernel page allocations during '{BOOTARGS}'",
            f"# -M virt -m {mem} -smp {smp} buddy={policy}; make buddy-trace",
            f"# {st['allocs']} allocations, {st['pages']} pages asked for, "
            f"at most {st['max_pages']} at once",
            f"# {st['frees']} frees, {st['live']} allocations live at the end",
            f"# {st['untraced']} frees of pfns with no traced allocation, "
            f"left out",
            "# alloc <id> <pages> | free <id>"]


def open_trace(path, mode="rt"):
    """A trace file, xz-compressed when its name ends in .xz."""
    if path.endswith(".xz"):
        return lzma.open(path, mode, preset=9 if "w" in mode else None)
    return open(path, mode)


def record(mem, smp, timeout):
    """Boot selftest=all with page_trace; the log's lines, or exit."""
    r = qemu.boot("record-page-trace", mem=mem, smp=smp, bootargs=BOOTARGS,
                  timeout=timeout)
    rep = ktap.parse(r.log)
    if r.timed_out:
        sys.exit(f"record_trace: no power-off after {timeout} s "
                 f"(log {r.log_path})")
    if r.status != 0 or rep.failed != 0 or rep.errors:
        sys.exit(f"record_trace: selftest=all did not pass (status "
                 f"{r.status}, {rep.passed} passed, {rep.failed} failed, "
                 f"{rep.errors}); log {r.log_path}")
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--log", help="convert this UART log instead of booting")
    a = ap.parse_args()
    if a.log:
        with open(a.log, errors="replace") as f:
            text = f.read()
    else:
        text = record(a.mem, a.smp, a.timeout).log
    pol = re.search(r"^buddy: policy (\S+), \d+ size classes\r?$", text,
                    re.M)
    try:
        trace, st = convert(text.splitlines())
    except TraceError as e:
        sys.exit(f"record_trace: {e}")
    if st["allocs"] == 0:
        sys.exit("record_trace: no 'page: alloc' line: was the kernel "
                 "booted with page_trace?")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open_trace(a.out, "wt") as f:
        f.write("\n".join(header(st, a.mem, a.smp,
                                 pol.group(1) if pol else "binary")
                          + trace) + "\n")
    print(f"record_trace: wrote {a.out}: {st['allocs']} allocations, "
          f"{st['frees']} frees, {st['live']} live at the end, "
          f"{st['untraced']} untraced frees left out")


if __name__ == "__main__":
    main()
