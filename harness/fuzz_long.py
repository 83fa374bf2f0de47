# SPDX-License-Identifier: BSD-2-Clause
"""The long fuzzing campaign behind `make fuzz-long`: each libFuzzer
target (build/fuzz/fuzz_<target>) for a fixed number of executions
(-runs), from its checked-in seeds, one or more targets at a time.

Usage: fuzz_long.py --build DIR --runs N [--parallel P] TARGET:MAXLEN...

Each target runs as

  fuzz_<t> -runs=N -max_len=MAXLEN -timeout=60 -print_final_stats=1
           -artifact_prefix=DIR/fuzz/<t>- DIR/fuzz/corpus/<t>
           mm/tests/corpus/<t> [DIR/dts DIR/dts/boards]

with its whole output in DIR/fuzz/<t>-long.log (new inputs collect in
DIR/fuzz/corpus/<t>, as with `make fuzz`; `make fuzz-merge` folds them
into the seeds). When it ends, one line:

  fuzz: <t> <execs> executions, <findings> findings, <seconds> s
        (<exec/s> exec/s, <cpu> CPU s, cov <edges>, ft <features>,
        <n> new inputs)

(on one line): seconds of wall time, executions per wall second, the
CPU time the target used (user and system), and libFuzzer's last edge
and feature counts. A finding is a crash, sanitizer report, leak, timeout or
out-of-memory: libFuzzer stops at the first and saves the input as
DIR/fuzz/<t>-crash-* (leak-, timeout-, oom-). The exit status is 1 when
any target had a finding or ran fewer executions than asked, else 0.
"""

import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FINDINGS = ("crash-", "leak-", "timeout-", "oom-")
INTERRUPTED = 72  # libFuzzer's -interrupted_exitcode (SIGINT, SIGTERM)


def artifacts(build, target):
    """The finding files libFuzzer has saved for target so far."""
    d = os.path.join(build, "fuzz")
    prefix = target + "-"
    return {f for f in os.listdir(d)
            if f.startswith(prefix) and f[len(prefix):].startswith(FINDINGS)}


def start(build, target, runs, max_len):
    binary = os.path.join(build, "fuzz", "fuzz_" + target)
    if not os.access(binary, os.X_OK):
        sys.exit(f"fuzz_long: {binary} missing: run 'make fuzz-bins'")
    scratch = os.path.join(build, "fuzz", "corpus", target)
    os.makedirs(scratch, exist_ok=True)
    dirs = [scratch, os.path.join(ROOT, "mm", "tests", "corpus", target)]
    if target == "fdt":
        dirs += [os.path.join(build, "dts"),
                 os.path.join(build, "dts", "boards")]
    cmd = [binary, f"-runs={runs}", f"-max_len={max_len}", "-timeout=60",
           "-print_final_stats=1",
           "-artifact_prefix=" + os.path.join(build, "fuzz", target + "-")]
    log_path = os.path.join(build, "fuzz", target + "-long.log")
    log = open(log_path, "w")
    log.write("# " + " ".join(cmd + dirs) + "\n")
    log.flush()
    before = artifacts(build, target)
    proc = subprocess.Popen(cmd + dirs, cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)
    return {"target": target, "proc": proc, "rc": None, "cpu": 0.0, "log": log, "path": log_path,
            "before": before, "t0": time.monotonic(), "runs": runs}


def stat(text, name):
    m = re.search(r"^stat::%s:\s+(\d+)" % name, text, re.M)
    return int(m.group(1)) if m else None


def reap(job):
    """True once job's process has ended; records its status and CPU."""
    pid, status, usage = os.wait4(job["proc"].pid, os.WNOHANG)
    if pid == 0:
        return False
    job["rc"] = os.waitstatus_to_exitcode(status)
    job["cpu"] = usage.ru_utime + usage.ru_stime
    return True


def finish(build, job):
    job["log"].close()
    seconds = time.monotonic() - job["t0"]
    with open(job["path"], errors="replace") as f:
        text = f.read()
    target, rc = job["target"], job["rc"]
    execs = stat(text, "number_of_executed_units") or 0
    rate = execs / seconds if seconds > 0 else 0
    new = stat(text, "new_units_added") or 0
    done = re.findall(r"^#\d+\s+(?:DONE|pulse|NEW|REDUCE|INITED)\s+"
                      r"cov: (\d+) ft: (\d+)", text, re.M)
    cov, ft = done[-1] if done else ("?", "?")
    found = sorted(artifacts(build, target) - job["before"])
    findings = len(found) or (1 if rc not in (0, INTERRUPTED) else 0)
    print(f"fuzz: {target} {execs} executions, {findings} findings, "
          f"{seconds:.0f} s ({rate:.0f} exec/s, {job['cpu']:.1f} CPU s, "
          f"cov {cov}, ft {ft}, "
          f"{new} new inputs)", flush=True)
    for f in found:
        print(f"fuzz: {target}: finding saved as "
              f"{os.path.join(build, 'fuzz', f)}", flush=True)
    if rc == INTERRUPTED and not found:
        print(f"fuzz: {target}: interrupted, see {job['path']}", flush=True)
    elif rc != 0:
        print(f"fuzz: {target}: exit status {rc}, see {job['path']}",
              flush=True)
    elif execs < job["runs"]:
        print(f"fuzz: {target}: {execs} executions of {job['runs']} "
              f"asked, see {job['path']}", flush=True)
    return rc == 0 and not found and execs >= job["runs"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--parallel", type=int, default=1)
    ap.add_argument("targets", nargs="+", metavar="TARGET:MAXLEN")
    a = ap.parse_args()
    if a.runs <= 0 or a.parallel <= 0:
        sys.exit("fuzz_long: --runs and --parallel must be positive")
    todo = []
    for spec in a.targets:
        target, sep, max_len = spec.partition(":")
        if not sep or not max_len.isdigit() or int(max_len) <= 0:
            sys.exit(f"fuzz_long: bad target '{spec}': expected "
                     "<target>:<max_len>")
        todo.append((target, int(max_len)))
    build = os.path.abspath(a.build)
    running, ok = [], True
    while todo or running:
        while todo and len(running) < a.parallel:
            target, max_len = todo.pop(0)
            running.append(start(build, target, a.runs, max_len))
        time.sleep(1)
        for job in [j for j in running if reap(j)]:
            running.remove(job)
            ok &= finish(build, job)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
