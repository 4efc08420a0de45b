"""Which limits hold for whoever runs the benchmark: claimed, probed, and reported."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
from pathlib import Path

import pytest

from pytest_mpm_bench import guarantees, sandbox, state
from tests.helpers import make_suite, ordinary_user, readable_src

CLAIMS_AND_PROBE = ("import json\nfrom pytest_mpm_bench import guarantees, sandbox\n"
                    "try:\n    level = sandbox.resolve_level('auto')\n"
                    "except sandbox.SandboxUnavailable:\n    level = 'none'\n"
                    "print(json.dumps({'level': level, 'claims': {g.name: g.holds for g in "
                    "guarantees.claims(level)}, 'probe': guarantees.probe(level)}))\n")


def auto_level() -> str:
    try:
        return sandbox.resolve_level("auto")
    except sandbox.SandboxUnavailable:
        return "none"


def test_every_claimed_limit_stops_the_probe() -> None:
    level = auto_level()
    measured = guarantees.probe(level)
    for claim in guarantees.claims(level):
        if claim.holds and claim.name in measured:
            assert measured[claim.name], f"{claim.name} is claimed ({claim.how}) but not held"


def test_doctor_says_which_limits_hold_for_this_user(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--mpm-doctor", "-p", "no:cacheprovider")
    level = auto_level()
    out = result.stdout.str()
    assert f"limits for {state.owner(os.geteuid())} at sandbox level {level}:" in out
    lines = out.splitlines()
    for claim in guarantees.claims(level):
        line = next(x for x in lines if x.startswith(f"  {claim.name}  "))
        assert (" holds: " if claim.holds else " DOES NOT HOLD: ") in line, line
        assert claim.how in line
    assert "FAILS" not in out and result.ret == 0


def test_the_summary_and_report_name_what_does_not_hold(pytester: pytest.Pytester,  # type: ignore[no-untyped-def]
                                                        write_suite, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(write_suite(make_suite())),
        "--mpm-backend", "reference", "--mpm-sandbox", "none", "--mpm-scoring", "v1",
        "--mpm-report", str(report), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    # At level none the network and the PID namespace never hold, for root or anyone.
    result.stdout.fnmatch_lines(["WARNING: sandbox limits that do not hold for this user: *"
                                 "network: the code shares the host's network*"])
    data = json.loads(report.read_text())
    limits = data["environment"]["sandbox_limits"]
    assert limits["network"]["holds"] is False and limits["wall time"]["holds"] is True
    assert limits["pid namespace"] == {"holds": False, "how": next(
        g.how for g in guarantees.claims("none") if g.name == "pid namespace")}
    assert any("do not hold" in w and "network" in w for w in data["config"]["warnings"])


@pytest.fixture
def second_user() -> str:
    return ordinary_user()


def test_an_ordinary_user_gets_what_the_machine_offers(second_user: str) -> None:
    home = pwd.getpwnam(second_user).pw_dir
    with readable_src() as src:
        env = ["env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin", f"PYTHONPATH={src}"]
        out = subprocess.run(["runuser", "-u", second_user, "--", *env, "/usr/bin/python3", "-c",
                              CLAIMS_AND_PROBE],
                             capture_output=True, text=True, check=True, timeout=120)
    seen = json.loads(out.stdout)
    claims, probe, level = seen["claims"], seen["probe"], seen["level"]
    assert claims["memory"] is False  # runuser delegates no cgroup: per process only
    if level == "bwrap" and guarantees._kernel() >= guarantees.UCOUNTS_KERNEL:
        assert claims["processes"] is True and probe["processes"] is True
    for name, holds in claims.items():
        if holds and name in probe:
            assert probe[name], f"{name} claimed for {second_user} but the probe was not stopped"
