"""--mpm-tries end to end: a failed try is followed by a repair task built from the visible tests
only; the verdict is the last try's; the summary gives the pass rate by try."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import make_case, make_suite

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

TWO_CASES = make_suite(make_case("c1"), make_case("c2", name="Add again"))
HIDDEN = (str(10**12), str(10**12 + 1), str(10**12 - 1))  # input, expected, the wrong answer
WRONG = "def add(a, b):\n    return a - b\n"
RIGHT = "def add(a, b):\n    return a + b\n"


def _fake_agent(tmp_path: Path) -> str:
    """An agent CLI that answers wrong, and right once it is shown a failing example. It keeps
    every task it is given (``tasks/<test_id>.try<k>.md``) and logs every call."""
    script = tmp_path / "fake_agent.py"
    script.write_text(
        "import pathlib, sys\n"
        "test_id, number = sys.argv[1], sys.argv[2]\n"
        "task = sys.stdin.read()\n"
        f"tasks = pathlib.Path({str(tmp_path / 'tasks')!r})\n"
        "tasks.mkdir(exist_ok=True)\n"
        "(tasks / f'{test_id}.try{number}.md').write_text(task)\n"
        f"with open({str(tmp_path / 'calls.log')!r}, 'a') as log:\n"
        "    log.write(f'{test_id}.try{number}\\n')\n"
        "fixed = 'should give `3`; it gave `-1`' in task\n"
        f"code = {RIGHT!r} if fixed else {WRONG!r}\n"
        "print(f'```python\\n{code}```')\n")
    return f"{sys.executable} {script} {{test_id}} {{try}}"


def _calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "calls.log"
    return sorted(log.read_text().split()) if log.exists() else []


def _bench(pytester: pytest.Pytester, tmp_path: Path, *args: str) -> tuple[pytest.RunResult,
                                                                           dict[str, Any]]:
    report = tmp_path / "report.json"
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(pytester.path / "suites" / "mini.json"),
        "--mpm-report", str(report), "--mpm-scoring", "v1",
        "--mpm-cache-dir", str(tmp_path / "cache"), "-p", "no:cacheprovider",
        "--no-mpm-preflight", *args)  # the agent's calls are counted
    return result, json.loads(report.read_text())


@pytest.fixture
def suite(pytester: pytest.Pytester) -> Path:
    path = pytester.path / "suites" / "mini.json"
    path.parent.mkdir()
    path.write_text(json.dumps(TWO_CASES))
    return path


def test_a_wrong_first_answer_is_repaired_at_try_2_and_cached(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, suite: Path, tmp_path: Path, workers: list[str]) -> None:
    cmd = _fake_agent(tmp_path)
    result, report = _bench(pytester, tmp_path, "--mpm-agent-cmd", cmd, "--mpm-tries", "3",
                            *workers)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["py_agent * 2 * 2 * 100%*",
                                 "py_agent: pass rate by try 1: 0%  2: 100%  3: 100%"])
    assert _calls(tmp_path) == ["c1.try1", "c1.try2", "c2.try1", "c2.try2"]
    agent = report["summary"]["agents"]["py_agent"]
    assert agent["pass_rate_by_try"] == {"1": 0.0, "2": 1.0, "3": 1.0}
    assert agent["pass_rate"] == 1.0 and report["config"]["tries"] == 3
    for r in report["results"]:
        assert (r["status"], r["passed_at_try"], r["max_tries"]) == ("passed", 2, 3)
        assert r["solution"] == RIGHT and r["dimensions"]["correctness"] == 9.5
        first, second = r["tries"]
        assert first["try"] == 1 and first["status"] == "wrong_answer"
        assert (first["visible_passed"], first["visible_tests"]) == (0, 2)
        assert (first["tests_passed"], first["tests"]) == (0, 3)
        assert first["solution"] == WRONG and first["cached"] is False
        assert first["attempts"] == 1 and first["agent_seconds"] > 0
        assert second["status"] == "passed" and (second["tests_passed"], second["tests"]) == (3, 3)
        assert r["attempts"] == 2 and r["cached"] is False

    tasks = tmp_path / "tasks"
    first_task = (tasks / "c1.try1.md").read_text()
    follow_up = (tasks / "c1.try2.md").read_text()
    assert follow_up.startswith(first_task.rstrip())
    assert f"## Your previous answer (try 1)\n\n```python\n{WRONG}```" in follow_up
    assert "- `add(1, 2)` should give `3`; it gave `-1`" in follow_up
    assert "- `add(-1, 1)` should give `0`; it gave `-2`" in follow_up
    for text in (first_task, follow_up):
        for hidden in HIDDEN:  # the hidden test's input, expected value and actual value
            assert hidden not in text

    rerun, again = _bench(pytester, tmp_path, "--mpm-agent-cmd", cmd, "--mpm-tries", "3",
                          *workers)
    rerun.assert_outcomes(passed=2)
    assert len(_calls(tmp_path)) == 4  # the re-run asked the agent nothing
    assert all(r["cached"] and [t["cached"] for t in r["tries"]] == [True, True]
               for r in again["results"])
    assert again["summary"]["agents"]["py_agent"]["pass_rate_by_try"] == {
        "1": 0.0, "2": 1.0, "3": 1.0}


def test_one_try_is_the_default_and_unchanged(pytester: pytest.Pytester, suite: Path,  # type: ignore[no-untyped-def]
                                              tmp_path: Path) -> None:
    result, report = _bench(pytester, tmp_path, "--mpm-agent-cmd", _fake_agent(tmp_path),
                            "--mpm-tries", "2", "-o", "mpm_tries=1", "--mpm-tries", "1")
    result.assert_outcomes(failed=2)
    assert _calls(tmp_path) == ["c1.try1", "c2.try1"]
    assert "pass rate by try" not in result.stdout.str()
    assert "tries:" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*py_agent / c1: wrong_answer — 3 of 3 tests failed*"])
    assert report["summary"]["agents"]["py_agent"]["pass_rate_by_try"] == {"1": 0.0}
    for r in report["results"]:
        assert r["passed_at_try"] is None and r["max_tries"] == 1 and r["attempts"] == 1
        assert [t["status"] for t in r["tries"]] == ["wrong_answer"]


def test_tries_from_the_ini_and_agent_retries_inside_each_try(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, suite: Path, tmp_path: Path) -> None:
    """Every try's first call fails (rate limited); --mpm-agent-retries asks again within it."""
    flaky = tmp_path / "flaky.py"
    flaky.write_text(
        "import pathlib, sys\n"
        f"seen = pathlib.Path({str(tmp_path)!r}) / f'seen-{{sys.argv[1]}}-{{sys.argv[2]}}'\n"
        "if not seen.exists():\n"
        "    seen.touch()\n"
        "    sys.exit('rate limited')\n"
        "task = sys.stdin.read()\n"
        f"code = {RIGHT!r} if 'it gave' in task else {WRONG!r}\n"
        "print(f'```python\\n{code}```')\n")
    pytester.makeini("[pytest]\nmpm_tries = 2\nmpm_retry_backoff = 0.05\n")
    result, report = _bench(pytester, tmp_path, "--mpm-agent-cmd",
                            f"{sys.executable} {flaky} {{test_id}} {{try}}",
                            "--mpm-agent-retries", "1", "--mpm-no-cache")
    result.assert_outcomes(passed=2)
    for r in report["results"]:
        assert [(t["status"], t["attempts"]) for t in r["tries"]] == [("wrong_answer", 2),
                                                                      ("passed", 2)]
        assert r["attempts"] == 4 and r["passed_at_try"] == 2


def test_replay_reads_try_files_and_a_missing_one_keeps_the_verdict(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, suite: Path, tmp_path: Path) -> None:
    root = tmp_path / "replies"
    (root / "py_agent").mkdir(parents=True)
    half_right = "def add(a, b):\n    return a + b if a > 0 else 7\n"
    for name, code in (("c1.md", WRONG), ("c1.try2.md", RIGHT), ("c2.md", half_right)):
        (root / "py_agent" / name).write_text(f"```python\n{code}```\n")
    result, report = _bench(pytester, tmp_path, "--mpm-backend", "replay", "--mpm-replay-dir",
                            str(root), "--mpm-tries", "3")
    result.assert_outcomes(passed=1, failed=1)
    missing = root / "py_agent" / "c2.try2.md"
    result.stdout.fnmatch_lines([
        f"*py_agent / c2: wrong_answer — 1 of 3 tests failed (no reply for try 2: no recorded "
        f"reply at {missing}; the verdict of try 1 stands)",
        "tries: 1 wrong_answer (1/2 examples), 2 no reply",
        "py_agent: pass rate by try 1: 0%  2: 50%  3: 50%",
    ])
    c1, c2 = report["results"]
    assert c1["passed_at_try"] == 2 and [t["status"] for t in c1["tries"]] == ["wrong_answer",
                                                                                "passed"]
    assert c2["passed_at_try"] is None and c2["solution"] == half_right
    assert [(t["try"], t["status"], t["reply"]) for t in c2["tries"]] == [
        (1, "wrong_answer", "ok"), (2, "wrong_answer", "missing")]
    assert c2["tries"][1]["message"] == f"no reply for try 2: no recorded reply at {missing}"
    assert report["summary"]["agents"]["py_agent"]["pass_rate_by_try"] == {
        "1": 0.0, "2": 0.5, "3": 0.5}
