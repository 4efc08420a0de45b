"""What makes v2 scoring cheap (issue 15, docs/scoring.md "Cost of scoring"), and that each
shortcut keeps the verdicts: the reference measured once per machine, a solution measured
only until its score is known, the correctness run reused, analysers served by one worker or
kept from an earlier run, one ruff run, the report encoded once per result."""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench import jsonsafe, sandbox
from pytest_mpm_bench.languages import executor_for, known_languages
from pytest_mpm_bench.observe import analysers, measure, observe_v2
from pytest_mpm_bench.observe.analysers import memo, worker
from pytest_mpm_bench.observe.analysers.python import ruff_dimension
from pytest_mpm_bench.observe.run import ExecSettings, execute
from pytest_mpm_bench.report.json_report import JsonReport
from pytest_mpm_bench.suite import Case, load_suite
from tests.helpers import bench, make_case, make_suite

PY = executor_for("python")
DEDUPE = {
    "signature": "def dedupe(items: list[int]) -> list[int]:", "entry_point": "dedupe",
    "test_cases": [{"args": [[1, 2, 1]], "expected": [1, 2]},
                   {"args": [[3, 3, 2]], "expected": [3, 2], "hidden": True}],
    "performance": {"args": [{"$random_ints": {"n": 100000, "lo": 0, "hi": 10**9, "seed": 1}}]},
    "time_complexity": "O(n)",
    "reference_solution": "def dedupe(items):\n    return list(dict.fromkeys(items))\n",
}
SLOW = ("def dedupe(items):\n    for _ in range(60):\n        out = list(dict.fromkeys(items))\n"
        "    return out\n")
LINTY = '''import subprocess


def run(cmd, flag):
    if flag == True:
        subprocess.call(cmd, shell=True)
        return True
    else:
        return False
'''


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh private state for this test (and the sessions it starts)."""
    root = tmp_path / "xdg"
    root.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(root))
    return root / "pytest-mpm-bench"


def _case(write_suite: Any, **spec: Any) -> Case:
    return load_suite(write_suite(make_suite(make_case("dedupe", **spec))),
                      known_languages()).cases[0]


def _settings() -> ExecSettings:
    return ExecSettings(sandbox.Limits(wall_seconds=20), sandbox.resolve_level("auto"))


def _counting_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every program run ``measure`` starts, by its solution's first line."""
    started: list[str] = []
    real = measure.run_in_workdir

    def counted(executor: Any, solution: str, *args: Any) -> Any:
        started.append(solution.split("\n")[0])
        return real(executor, solution, *args)

    monkeypatch.setattr(measure, "run_in_workdir", counted)
    return started


# -- the reference, measured once per machine ------------------------------------------------

def test_the_reference_is_measured_once_across_sessions(
        pytester: pytest.Pytester, write_suite: Any, tmp_path: Path,
        private_cache: Path) -> None:
    suite = write_suite(make_suite(make_case("dedupe", **DEDUPE)))
    evidence = []
    for session in range(2):
        report = tmp_path / f"report{session}.json"
        bench(pytester, suite, "--mpm-backend", "reference", "--mpm-report",
              str(report)).assert_outcomes(passed=1)
        [result] = json.loads(report.read_text())["results"]
        evidence.append(result["evidence"]["performance"][0])
    # One stored measurement, read by the second session rather than measured again.
    assert len(list((private_cache / "reference").glob("*.json"))) == 1
    assert evidence[0]["reference_cpu_seconds"] == evidence[1]["reference_cpu_seconds"] > 0
    assert all(e["tool"] == "cpu-time" and 1 <= e["runs"] <= measure.REPEATS for e in evidence)


def test_the_reference_key_holds_what_the_time_depends_on(write_suite: Any,
                                                          private_cache: Path) -> None:
    case = _case(write_suite, **DEDUPE)
    times = measure.ReferenceTimes("s")
    settings = _settings()
    key = times.key(case, settings)
    assert key == measure.ReferenceTimes("another session").key(case, settings)
    changed = [
        _case(write_suite, **{**DEDUPE, "reference_solution": SLOW}),
        _case(write_suite, **{**DEDUPE, "performance": {"args": [[1, 2]]}}),
    ]
    assert all(times.key(other, settings) != key for other in changed)
    assert times.key(case, ExecSettings(settings.limits, "none")) != key or (
        settings.level == "none")
    assert measure.machine()[1] == str(os.cpu_count())
    # The runtime's flags (the JVM's -Xbatch, say) move CPU times as a new version would.
    command = type(PY).command
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(PY), "command", lambda self, workdir: [*command(self, workdir), "-O"])
        measure._toolchain.cache_clear()
        assert times.key(case, settings) != key
    measure._toolchain.cache_clear()
    assert times.key(case, settings) == key


# -- a solution, measured until its score is known -------------------------------------------

def test_far_from_the_reference_one_run_settles_the_score(
        write_suite: Any, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = _case(write_suite, **{**DEDUPE, "time_complexity": ""})  # no growth runs
    settings = _settings()
    times = measure.ReferenceTimes("s")
    reference = times.get(case, PY, settings)
    base = times.baselines.get(PY, settings).cpu_seconds
    assert reference.cpu_seconds is not None and base is not None
    started = _counting_runs(monkeypatch)
    slow = measure.measure(case, SLOW, PY, settings, base, reference)
    # Sixty times the reference's work: the lowest band whatever a second run would show.
    assert slow.cpu_seconds is not None and slow.cpu_seconds > 10 * reference.cpu_seconds
    assert slow.runs == 1 and started == ["def dedupe(items):"]


def test_settled_is_where_a_lower_minimum_scores_the_same() -> None:
    reference = 0.1
    assert measure.settled(0.09, reference)  # ratio 0.9: 0.75 would still score 8.5
    assert not measure.settled(0.14, reference)  # 1.4 is 6.5, 1.17 would be 8.5
    assert measure.settled(2.0, reference)  # 20x: the lowest band either way
    assert measure.settled(measure.FLOOR, reference)  # the floor cannot fall


def test_the_correctness_run_is_the_first_performance_run(
        write_suite: Any, private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No performance input: the workload is the tests, which the correctness run just ran.
    spec = {k: v for k, v in DEDUPE.items() if k not in ("performance", "time_complexity")}
    case = _case(write_suite, **spec)
    settings = _settings()
    times = measure.ReferenceTimes("s")
    times.get(case, PY, settings)
    times.baselines.get(PY, settings)
    outcome = execute(case, DEDUPE["reference_solution"], PY, settings)
    started = _counting_runs(monkeypatch)
    observed = observe_v2(case, DEDUPE["reference_solution"], outcome, PY, settings, times)
    assert observed.performance is not None and observed.performance.mine is not None
    mine = observed.performance.mine
    # The correctness run counts as a run: one fewer is started. (Two tiny tests usually
    # take under the floor, so it alone settles the score; a loaded machine may add a run.)
    assert mine.cpu_seconds is not None and mine.runs == len(started) + 1
    assert set(started) <= {DEDUPE["reference_solution"].split("\n")[0]}


def test_start_up_is_measured_once_per_language_and_session(
        private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = _counting_runs(monkeypatch)
    settings = _settings()
    first = measure.Baselines("s").get(PY, settings)
    again = measure.Baselines("s").get(PY, settings)  # another worker of the same session
    assert first == again and first.cpu_seconds is not None
    assert len(started) == measure.STARTUP_REPEATS  # every one of them the stand-in
    assert set(started) == {PY.stand_in.split("\n")[0]}


def test_what_the_driver_loads_for_a_solution_is_in_its_start_up_too(
        write_suite: Any, private_cache: Path) -> None:
    """The Python driver loads asyncio (~30 ms) before a solution that says async; the
    start-up subtracted from that solution's runs is measured with it loaded too, so saying
    async costs no score, and a reference that does cannot hand that cost to the solutions."""
    case = _case(write_suite, **{**DEDUPE, "time_complexity": ""})
    settings = _settings()
    times = measure.ReferenceTimes("s")
    says_async = "# not async at all\n" + DEDUPE["reference_solution"]
    assert PY.driver_options(says_async, case) == {"asyncio": True}
    assert PY.driver_options(DEDUPE["reference_solution"], case) == {}
    observed = observe_v2(case, says_async, execute(case, says_async, PY, settings), PY,
                          settings, times)
    assert observed.performance is not None and observed.performance.mine is not None
    plain = times.baselines.get(PY, settings).cpu_seconds
    loaded = times.baselines.get(PY, settings, {"asyncio": True}).cpu_seconds
    assert plain is not None and loaded is not None and loaded > plain + 0.01
    assert observed.performance.mine.startup_seconds == loaded


# -- analysers: one worker, one ruff run, kept output -----------------------------------------

def test_served_analysers_find_what_their_command_lines_find(
        monkeypatch: pytest.MonkeyPatch, private_cache: Path) -> None:
    if not worker.available():
        pytest.skip("bandit or lizard is not importable here")
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
    source = LINTY + f"\n\ndef f(x):\n{branches}    return -1\n"
    monkeypatch.setattr(memo, "get", lambda name: None)  # every run real
    served = analysers.analyse(source, "python", "solution.py")
    monkeypatch.setattr(worker, "available", lambda: False)
    alone = analysers.analyse(source, "python", "solution.py")
    assert served == alone
    rules = {(f["tool"], f.get("rule")) for d in served.values() for f in d}
    assert {("bandit", "B602"), ("lizard", "cyclomatic-complexity")} <= rules


def test_one_worker_serves_every_file(monkeypatch: pytest.MonkeyPatch,
                                     private_cache: Path) -> None:
    """The worker is asked from analyse's pool threads, which end after each file; bwrap's
    --die-with-parent follows the thread that started it, so a worker started from one of
    them died after its first file and every file paid for a new one."""
    if not worker.available():
        pytest.skip("bandit or lizard is not importable here")
    monkeypatch.setattr(memo, "get", lambda name: None)  # every run real
    starts: list[int] = []
    start = worker.Worker._start

    def start_spy(self: worker.Worker) -> Any:
        starts.append(1)
        return start(self)

    monkeypatch.setattr(worker.Worker, "_start", start_spy)
    monkeypatch.setattr(worker, "_workers", {})
    try:
        for n in range(3):
            found = analysers.analyse(LINTY + f"\n# file {n}\n", "python", "solution.py")
            assert any(f.get("rule") == "B602" for f in found["best_practices"])
    finally:
        worker._stop_all()
    assert len(starts) == 1


def test_a_worker_that_died_is_replaced_and_the_file_asked_again(private_cache: Path) -> None:
    if not worker.available():
        pytest.skip("bandit or lizard is not importable here")
    tools = sandbox.Tools(sandbox.resolve_level("auto"))
    [bandit] = [a for a in analysers.for_language("python") if a.tool == "bandit"]
    served = worker.Worker(tools, analysers._binds(bandit, sys.executable))
    files = {"solution.py": LINTY}
    first = served.run("bandit", ["bandit", "-q", "-f", "json", "solution.py"], files, 60)
    assert isinstance(first, tuple) and "B602" in first[0]
    assert served.service is not None
    os.killpg(served.service.proc.pid, signal.SIGKILL)  # as if the last file had killed it
    again = served.run("bandit", ["bandit", "-q", "-f", "json", "solution.py"], files, 60)
    assert isinstance(again, tuple) and json.loads(again[0]) ["results"] == json.loads(
        first[0])["results"]
    served.stop()


def test_a_file_that_hangs_the_worker_times_out_and_the_next_is_served(
        private_cache: Path) -> None:
    """A service that stops answering is killed at the deadline; a new one serves the next."""
    level = sandbox.resolve_level("auto")
    program = "import sys, time\nfor line in sys.stdin:\n    time.sleep(float(line))\n" \
              "    print('done', flush=True)\n"
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "serve.py").write_text(program)
        tools = sandbox.Tools(level)
        service = tools.start(["/usr/bin/python3", "-I", str(Path(tmp, "serve.py"))],
                              workdir=Path(tmp))
        assert service.ask(b"0", 20, 1 << 20) == b"done"
        assert service.ask(b"30", 1, 1 << 20) == "timed out after 1 s"
        assert service.closed and service.ask(b"0", 20, 1 << 20) == "the service has ended"
        fresh = tools.start(["/usr/bin/python3", "-I", str(Path(tmp, "serve.py"))],
                            workdir=Path(tmp))
        assert fresh.ask(b"0", 20, 1 << 20) == b"done"
        fresh.close()


def test_kept_analyses_are_read_back_and_keyed_by_the_files(
        monkeypatch: pytest.MonkeyPatch, private_cache: Path) -> None:
    first = analysers.analyse(LINTY, "python", "solution.py")
    ran: list[str] = []
    served, run = analysers._served, sandbox.Tools.run

    def served_spy(analyser: analysers.Analyser, *args: Any) -> Any:
        ran.append(analyser.tool)
        return served(analyser, *args)

    def run_spy(self: sandbox.Tools, argv: list[str], **kwargs: Any) -> Any:
        ran.append(Path(argv[0]).name)
        return run(self, argv, **kwargs)

    monkeypatch.setattr(analysers, "_served", served_spy)
    monkeypatch.setattr(sandbox.Tools, "run", run_spy)
    assert analysers.analyse(LINTY, "python", "solution.py") == first
    assert ran == []  # nothing ran: every tool's output was kept
    changed = analysers.analyse(LINTY.replace("shell=True", "shell=False"), "python",
                                "solution.py")
    assert {"ruff", "bandit", "lizard"} <= set(ran)  # another file: every tool looks again
    assert "B602" not in json.dumps(changed) and "B602" in json.dumps(first)


@pytest.mark.parametrize("code, dimension", [
    ("UP006", "idiomaticity"), ("SIM108", "idiomaticity"), ("C416", "idiomaticity"),
    ("PERF401", "idiomaticity"), ("RET505", "idiomaticity"), ("PIE790", "idiomaticity"),
    ("E711", "best_practices"), ("F401", "best_practices"), ("B006", "best_practices"),
    ("N802", "best_practices"), ("ANN001", "best_practices"), ("D103", "best_practices"),
])
def test_one_ruff_run_files_each_rule_under_its_dimension(code: str, dimension: str) -> None:
    assert ruff_dimension(code) == dimension


# -- the report, encoded once per result ------------------------------------------------------

def test_the_report_text_is_the_document_encoded(tmp_path: Path) -> None:
    report = JsonReport(tmp_path / "r.json", {"agents": ["a"]}, {"python": sys.version})
    for k in range(3):
        report.add({"agent": "a", "test_id": f"t{2 - k}", "sample": 0, "passed": k != 1,
                    "status": "passed", "difficulty": "easy", "category": "c",
                    "language": "python", "weighted_score": 8.0, "solution": "a\n  b\"",
                    "dimensions": {"correctness": 10.0},
                    "evidence": {"performance": [{"ratio": float("nan")}]},
                    "tests": [{"input": {"a": [[1, {}]]}, "expected": "\ud800"}]})
        text = (tmp_path / "r.json").read_text()
        assert text == jsonsafe.dumps(report.document(), indent=1)
        assert [r["test_id"] for r in json.loads(text)["results"]] == sorted(
            f"t{2 - j}" for j in range(k + 1))
