# SPDX-License-Identifier: BSD-2-Clause
"""Parser for KTAP version 1 output (Linux Documentation/dev-tools/ktap.rst)
as printed by lib/ktest.c: a top-level plan of suites, each suite a nested
KTAP document indented by 4 spaces, then a plain "N passed, N failed"
summary line."""

import re
from dataclasses import dataclass, field

RESULT = re.compile(r"^(?P<ok>ok|not ok) (?P<num>\d+) (?P<name>[^#]*?)\s*"
                    r"(?:#\s*(?P<directive>SKIP|TODO)\b\s*(?P<reason>.*))?$")
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")


@dataclass
class Case:
    suite: str
    number: int
    name: str
    ok: bool
    skipped: bool = False
    reason: str = ""
    diagnostics: list = field(default_factory=list)

    @property
    def id(self):
        return f"{self.suite}.{self.name}"


@dataclass
class Report:
    cases: list
    suites: dict            # suite name -> ok
    passed: int | None      # from the summary line
    failed: int | None
    errors: list            # structural problems found while parsing


def parse(text):
    """Parse the first KTAP document in text (other lines are ignored)."""
    lines = [l.rstrip("\r") for l in text.splitlines()]
    cases, suites, errors = [], {}, []
    passed = failed = None
    try:
        start = lines.index("KTAP version 1")
    except ValueError:
        return Report([], {}, None, None, ["no 'KTAP version 1' line"])
    plan = None
    suite = None
    expected_cases = None
    pending = []
    last = None
    for line in lines[start + 1:]:
        if plan is None:
            m = re.match(r"^1\.\.(\d+)$", line)
            if m:
                plan = int(m.group(1))
                continue
        if line.startswith("    "):
            inner = line[4:]
            m = re.match(r"^# Subtest: (.+)$", inner)
            if m:
                suite, expected_cases, pending, last = m.group(1), None, [], None
                continue
            m = re.match(r"^1\.\.(\d+)$", inner)
            if m:
                expected_cases = int(m.group(1))
                continue
            m = RESULT.match(inner)
            if m and suite is not None:
                c = Case(suite, int(m.group("num")), m.group("name").strip(),
                         m.group("ok") == "ok",
                         m.group("directive") == "SKIP",
                         (m.group("reason") or "").strip(), pending)
                cases.append(c)
                pending, last = [], c
                continue
            if inner.startswith("#"):
                pending.append(inner)
            continue
        m = RESULT.match(line)
        if m:
            name = m.group("name").strip()
            suites[name] = m.group("ok") == "ok"
            if suite == name and expected_cases is not None:
                got = sum(1 for c in cases if c.suite == name)
                if got != expected_cases:
                    errors.append(f"suite {name}: plan 1..{expected_cases} "
                                  f"but {got} results")
            # diagnostics printed before a case's result belong to it
            suite = None
            continue
        m = SUMMARY.match(line)
        if m:
            passed, failed = int(m.group(1)), int(m.group(2))
            break
    if plan is not None and len(suites) != plan:
        errors.append(f"plan 1..{plan} but {len(suites)} suite results")
    if passed is None:
        errors.append("no 'N passed, N failed' summary line")
    else:
        real_pass = sum(1 for c in cases if c.ok and not c.skipped)
        real_fail = sum(1 for c in cases if not c.ok)
        unknown = sum(1 for n, ok in suites.items()
                      if not ok and not any(c.suite == n for c in cases))
        if (passed, failed) != (real_pass, real_fail + unknown):
            errors.append(f"summary says {passed} passed, {failed} failed; "
                          f"results say {real_pass}, {real_fail + unknown}")
    return Report(cases, suites, passed, failed, errors)
