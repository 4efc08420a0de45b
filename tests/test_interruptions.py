"""A session that is interrupted or loses a worker keeps every result finished before."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_mpm_bench.report import history
from tests.helpers import make_case, make_suite, parse_html

ADD = "def add(a, b):\n    return a + b\n"
SLOW = "import time\ndef add(a, b):\n    time.sleep(20)\n    return a + b\n"


def _replies(tmp_path: Path, codes: dict[str, str]) -> Path:
    root = tmp_path / "replies"
    (root / "py_agent").mkdir(parents=True)
    for case_id, code in codes.items():
        (root / "py_agent" / f"{case_id}.md").write_text(f"```python\n{code}```\n")
    return root


def test_ctrl_c_keeps_finished_results(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                       tmp_path: Path) -> None:
    suite = write_suite(make_suite(make_case("c1"), make_case("c2"), make_case("c3")))
    root = _replies(tmp_path, {"c1": ADD, "c2": ADD, "c3": SLOW})
    report, db = tmp_path / "report.json", tmp_path / "history.sqlite"
    page = tmp_path / "dash.html"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "--mpm-agent", "py_agent", "--mpm-suite", str(suite),
         "--mpm-backend", "replay", "--mpm-replay-dir", str(root), "--mpm-report", str(report),
         "--mpm-history", str(db), "--mpm-html", str(page), "-p", "no:cacheprovider"],
        cwd=pytester.path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if report.exists() and len(json.loads(report.read_text())["results"]) == 2:
            break
        time.sleep(0.1)
    time.sleep(0.5)  # c3 is now running its 20 s sleep
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == pytest.ExitCode.INTERRUPTED, out.decode()
    data = json.loads(report.read_text())
    assert data["complete"] is False
    assert [r["test_id"] for r in data["results"]] == ["c1", "c2"]
    assert all(r["status"] == "passed" for r in data["results"])
    assert f"history: run 1 (interrupted) recorded in {db}" in out.decode()
    (run,) = history.runs(db)
    assert (run.status, run.exit_status) == ("interrupted", pytest.ExitCode.INTERRUPTED)
    assert [r["test_id"] for r in history.load_run(db, 1).results] == ["c1", "c2"]
    dashboard = parse_html(page.read_text())
    assert [d.attrs["data-test-id"] for d in dashboard.find_all("details", class_="case")] == [
        "c1", "c2"]
    assert any("did not finish" in b.text() for b in dashboard.find_all("div", class_="banner"))


def test_crashed_worker_loses_only_its_item(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                            tmp_path: Path) -> None:
    suite = write_suite(make_suite(*(make_case(f"c{i}") for i in range(1, 5))))
    report = tmp_path / "report.json"
    pytester.makepyfile(crash_plugin=(
        "import os\n"
        "def pytest_runtest_call(item):\n"
        "    if item.name == 'c2':\n"
        "        os._exit(1)  # the worker process dies mid-item\n"))
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(suite), "--mpm-backend", "reference",
        "--mpm-report", str(report), "-n", "2", "-p", "no:cacheprovider", "-p", "crash_plugin")
    result.stdout.fnmatch_lines(["*worker*crashed while running*c2*"])
    data = json.loads(report.read_text())
    assert sorted(r["test_id"] for r in data["results"]) == ["c1", "c3", "c4"]
    assert data["summary"]["agents"]["py_agent"]["tests"] == 3
    assert data["complete"] is False and data["summary"]["missing"] == 1
    result.stdout.fnmatch_lines(["INCOMPLETE: 1 of 4 benchmark items have no result*"])
