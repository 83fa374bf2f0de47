# SPDX-License-Identifier: BSD-2-Clause
"""Line coverage of mm/ and lib/ for `make coverage`.

Runs the coverage builds of the host unit tests and of the fuzz targets
(each replaying its checked-in corpus, mm/tests/corpus/<target>/, and for
the device-tree target the compiled dts/ too), each writing its own raw
profile, two at a time; merges the profiles with llvm-profdata; asks
llvm-cov for the line counts of every source file of mm/ and lib/ that
the binaries contain; and prints

    coverage: <file> <pct>%        one line per file, in path order
    coverage: total <pct>%         all of those lines together

with the percentage to one decimal. Exit status 1 when a binary fails
(its output is printed) or the total is below the floor read from
--floor; 0 otherwise."""

import argparse
import concurrent.futures
import glob
import json
import re
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_binary(cmd, profile, env_extra):
    env = dict(os.environ, LLVM_PROFILE_FILE=profile, **env_extra)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          errors="replace", timeout=600)
    return cmd, proc.returncode, proc.stdout


def measured(path):
    """True for the files the gate covers: C sources and headers of
    mm/ and lib/ (not their tests)."""
    rel = os.path.relpath(path, ROOT)
    top, _, rest = rel.partition(os.sep)
    return top in ("mm", "lib") and os.sep not in rest and \
        rel.endswith((".c", ".h"))


def read_floor(path):
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                return float(line)
    raise SystemExit(f"coverage: no floor value in {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build")
    ap.add_argument("--profdata", default="llvm-profdata-14")
    ap.add_argument("--llvm-cov", default="llvm-cov-14")
    ap.add_argument("--floor")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--tests", nargs="*", default=[])
    ap.add_argument("--fuzz", nargs="*", default=[])
    args = ap.parse_args()

    profdir = os.path.join(args.build, "cov", "profiles")
    os.makedirs(profdir, exist_ok=True)
    for old in glob.glob(os.path.join(profdir, "*.profraw")):
        os.remove(old)

    jobs = []
    for t in args.tests:
        name = os.path.relpath(t, args.build).replace(os.sep, "-")
        jobs.append(([t], os.path.join(profdir, name + ".profraw"), {}))
    for f in args.fuzz:
        target = os.path.basename(f)[len("fuzz_"):]
        inputs = [os.path.join("mm", "tests", "corpus", target)]
        if target == "fdt":
            inputs.append(os.path.join(args.build, "dts"))
        jobs.append(([f] + inputs,
                     os.path.join(profdir, "fuzz-" + target + ".profraw"),
                     {}))

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for cmd, rc, out in pool.map(lambda j: run_binary(*j), jobs):
            if rc != 0:
                failed += 1
                print(out[-4000:])
                print(f"coverage: {' '.join(cmd)} failed (status {rc})")

    merged = os.path.join(args.build, "cov", "coverage.profdata")
    subprocess.run([args.profdata, "merge", "-sparse", "-o", merged] +
                   [j[1] for j in jobs], check=True, cwd=ROOT)
    binaries = args.tests + args.fuzz
    cmd = [args.llvm_cov, "export", "-summary-only",
           "-instr-profile=" + merged, binaries[0]]
    for b in binaries[1:]:
        cmd += ["-object", b]
    data = json.loads(subprocess.run(cmd, check=True, cwd=ROOT,
                                     stdout=subprocess.PIPE).stdout)

    files = {}
    for entry in data["data"][0]["files"]:
        path = os.path.normpath(os.path.join(ROOT, entry["filename"]))
        if not measured(path):
            continue
        lines = entry["summary"]["lines"]
        if lines["count"]:
            files[os.path.relpath(path, ROOT)] = (lines["covered"],
                                                  lines["count"])
    covered = sum(c for c, _ in files.values())
    total = sum(n for _, n in files.values())
    for name in sorted(files):
        c, n = files[name]
        print(f"coverage: {name} {100.0 * c / n:.1f}%")
    # The target: mm/, and mm/ with lib/fdt*.c.
    for label, keep in (("mm/", lambda f: f.startswith("mm/")),
                        ("mm/+lib/fdt*.c", lambda f: f.startswith("mm/") or
                         re.match(r"lib/fdt\w*\.c$", f))):
        sel = [files[f] for f in files if keep(f)]
        if sel:
            print(f"coverage: subtotal {label} "
                  f"{100.0 * sum(c for c, _ in sel) / sum(n for _, n in sel):.1f}%")
    pct = 100.0 * covered / total if total else 0.0
    print(f"coverage: total {pct:.1f}%")

    if failed:
        print(f"coverage: {failed} binaries failed")
        return 1
    if args.floor:
        floor = read_floor(args.floor)
        if pct < floor:
            print(f"coverage: total {pct:.1f}% is below the floor "
                  f"{floor:.1f}% ({args.floor})")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
