"""Hostile solutions inside a real session: exact statuses, and the honest items still pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import make_case, make_suite

HONEST = "def add(a, b):\n    return a + b\n"
HOSTILE = {
    "spin": ("import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
             "def add(a, b):\n    while True:\n        pass\n", "timeout"),
    "forkbomb": ("import os\ndef add(a, b):\n    while True:\n        try:\n            os.fork()\n"
                 "        except OSError:\n            pass\n", "timeout"),
    "flood": ("import sys\ndef add(a, b):\n    while True:\n"
              "        sys.stdout.write('x' * 65536)\n", "output_exceeded"),
    "exit0": ("import os\nos._exit(0)\n", "runtime_error"),
    "fakepass": ("def add(a, b):\n    print('ALL TESTS PASSED')\n    return 0\n", "wrong_answer"),
    "killparent": ("import os, signal\ndef add(a, b):\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                   "    os.kill(-1, signal.SIGKILL)\n    return a + b\n", "runtime_error"),
    # 1 GiB steps: a memory cgroup (root) stops the first one as its pages are touched, and
    # RLIMIT_AS (an ordinary user) refuses it at once; 64 MiB steps up to the cap cost seconds
    # of page zeroing per test, too slow beside a fork bomb on a loaded machine.
    "memory": ("def add(a, b):\n    blocks = []\n    while True:\n"
               "        blocks.append(bytearray(1 << 30))\n", "memory_exceeded"),
}


def test_hostile_items_get_their_status_and_others_pass(pytester: pytest.Pytester,  # type: ignore[no-untyped-def]
                                                        write_suite, tmp_path: Path) -> None:
    names = [*HOSTILE, "honest1", "honest2"]
    suite = write_suite(make_suite(*(make_case(name) for name in names)))
    root = tmp_path / "replies" / "py_agent"
    root.mkdir(parents=True)
    for name in names:
        source = HOSTILE[name][0] if name in HOSTILE else HONEST
        (root / f"{name}.md").write_text(f"```python\n{source}```\n")
    report = tmp_path / "report.json"
    # A 6 s wall limit: on a loaded 2-core machine the memory bomb needs seconds to reach 256 MiB.
    pytester.makeini("[pytest]\nmpm_memory_mb = 256\n")
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(suite), "--mpm-backend", "replay",
        "--mpm-replay-dir", str(root.parent), "--mpm-exec-timeout", "6", "--mpm-scoring", "v1",
        "--mpm-report", str(report), "-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=len(HOSTILE))
    results = {r["test_id"]: r for r in json.loads(report.read_text())["results"]}
    assert {name: results[name]["status"] for name in HOSTILE} == {
        name: status for name, (_, status) in HOSTILE.items()}
    assert results["honest1"]["status"] == results["honest2"]["status"] == "passed"
    assert {r["sandbox"]["level"] for r in results.values()} <= {"bwrap", "unshare"}
    assert "Traceback" not in result.stdout.str()


def test_unisolated_runs_are_flagged(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                     tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(write_suite(make_suite())),
        "--mpm-backend", "reference", "--mpm-sandbox", "none", "--mpm-report", str(report),
        "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["WARNING: --mpm-sandbox none: *can be gamed*"])
    data = json.loads(report.read_text())
    assert data["environment"]["sandbox"] == "none"
    assert any("can be gamed" in w for w in data["config"]["warnings"])
    assert data["results"][0]["sandbox"]["level"] == "none"
