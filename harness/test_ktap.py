# SPDX-License-Identifier: BSD-2-Clause
"""Every KTAP case from every host unit-test binary and every in-kernel
self-test boot, each as its own test; plus one check per run that the
output is well formed and the exit status matches the results."""

import ktap


def test_ktap_run(ktap_run):
    """Scenario: one producer (host binary or QEMU boot). Expect a well
    formed KTAP document, a summary line that agrees with the results,
    at least one case, and exit status 0 exactly when nothing failed."""
    pid, res = ktap_run
    rep = ktap.parse(res["log"])
    assert not rep.errors, f"{pid}: malformed KTAP: {rep.errors}\n" \
        + res["log"][-3000:]
    assert rep.cases, f"{pid}: no test cases"
    expected = 0 if rep.failed == 0 else 1
    assert res["status"] == expected, \
        f"{pid}: exit status {res['status']}, expected {expected}\n" \
        + res["log"][-3000:]


def test_ktap_case(ktap_case):
    """Scenario: one KTAP test case. Expect 'ok' (skips are reported as
    skipped, not passed)."""
    pid, case = ktap_case
    if case.skipped:
        import pytest
        pytest.skip(case.reason or "skipped")
    assert case.ok, f"{pid}: {case.suite}.{case.name} failed:\n" + \
        "\n".join(case.diagnostics)
