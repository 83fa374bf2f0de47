# SPDX-License-Identifier: BSD-2-Clause
"""harness/fuzz_long.py (`make fuzz-long`) against stand-in fuzz
binaries: small shell scripts that print what libFuzzer prints at the
end of a run and exit as it would. The real targets are run by
`make fuzz-long` itself and, briefly, by harness/test_fuzz.py."""

import os
import re
import stat
import subprocess
import sys

import qemu

SCRIPT = os.path.join(qemu.ROOT, "harness", "fuzz_long.py")

# Prints what libFuzzer prints at the end of RUNS executions; its
# arguments are saved in <artifact prefix>args.
FAKE = """#!/bin/sh
for a; do
    case $a in -artifact_prefix=*) prefix=${a#-artifact_prefix=};; esac
    case $a in -runs=*) runs=${a#-runs=};; esac
done
echo "$0 $*" > "${prefix}args"
echo "#$RUNS	DONE   cov: 12 ft: 34 corp: 5/50b lim: 8 exec/s: 0 rss: 1Mb"
echo "stat::number_of_executed_units: $RUNS"
echo "stat::new_units_added:          3"
"""


def fake(build, name, runs, body):
    path = os.path.join(build, "fuzz", "fuzz_" + name)
    with open(path, "w") as f:
        f.write(FAKE.replace("$RUNS", str(runs)) + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def run(build, *args):
    return subprocess.run([sys.executable, SCRIPT, "--build", build] +
                          list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=60)


def test_fuzz_long_summary_and_findings(tmp_path):
    """Scenario: three stand-in targets run two at a time with --runs
    100: `good` does 100 executions and exits 0, `crashy` saves a
    crash-* file and exits 1 (libFuzzer's deadly-signal exit), `short`
    does 40 and exits 0. Expect: one summary line each, in the format
    the README gives, with 0, 1 and 0 findings; the crash file named;
    `short` reported as short of the runs asked; the max_len passed on;
    exit status 1."""
    build = str(tmp_path)
    os.makedirs(os.path.join(build, "fuzz"))
    fake(build, "good", 100, "exit 0\n")
    fake(build, "crashy", 7, 'touch "${prefix}crash-0123abcd"; exit 1\n')
    fake(build, "short", 40, "exit 0\n")
    p = run(build, "--runs", "100", "--parallel", "2", "good:16",
            "crashy:32", "short:64")
    assert p.returncode == 1, p.stdout
    line = r"^fuzz: %s %d executions, %d findings, \d+ s \(\d+ exec/s, " \
        r"[\d.]+ CPU s, cov 12, ft 34, 3 new inputs\)$"
    assert re.search(line % ("good", 100, 0), p.stdout, re.M), p.stdout
    assert re.search(line % ("crashy", 7, 1), p.stdout, re.M), p.stdout
    assert re.search(line % ("short", 40, 0), p.stdout, re.M), p.stdout
    assert "fuzz: crashy: finding saved as " + os.path.join(
        build, "fuzz", "crashy-crash-0123abcd") in p.stdout
    assert "fuzz: short: 40 executions of 100 asked" in p.stdout
    with open(os.path.join(build, "fuzz", "good-args")) as f:
        args = f.read().split()
    assert "-runs=100" in args and "-max_len=16" in args
    assert os.path.exists(os.path.join(build, "fuzz", "good-long.log"))


def test_fuzz_long_clean_run_and_bad_arguments(tmp_path):
    """Scenario: one stand-in target that does all its executions, then
    a target without :max_len, then a missing binary. Expect: exit 0
    for the first; a message naming the problem and a non-zero exit for
    the other two."""
    build = str(tmp_path)
    os.makedirs(os.path.join(build, "fuzz"))
    fake(build, "good", 50, "exit 0\n")
    p = run(build, "--runs", "50", "good:8")
    assert p.returncode == 0, p.stdout
    assert re.search(r"^fuzz: good 50 executions, 0 findings, ", p.stdout,
                     re.M), p.stdout
    p = run(build, "--runs", "50", "good")
    assert p.returncode != 0
    assert "bad target 'good': expected <target>:<max_len>" in p.stdout
    p = run(build, "--runs", "50", "missing:8")
    assert p.returncode != 0
    assert "fuzz_missing missing: run 'make fuzz-bins'" in p.stdout
