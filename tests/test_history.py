"""The history database: schema, records, read-back, and the files it refuses."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pytest_mpm_bench.report import history
from tests.helpers import history_result as result
from tests.helpers import make_case, make_suite, parse_html
from tests.helpers import record_run as record


def test_record_and_read_back(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "h.sqlite"
    first = record(db, [result("c2", False), result("c1")])
    second = record(db, [result("c1")], interrupted=True)
    assert (first, second) == (1, 2)
    runs = history.runs(db)
    assert [(r.id, r.status, r.agents) for r in runs] == [(1, "complete", ["a"]),
                                                          (2, "interrupted", ["a"])]
    assert runs[0].results == [] and runs[0].summary["overall"]["tests"] == 2
    run = history.load_run(db, 1)
    assert [r["test_id"] for r in run.results] == ["c1", "c2"]
    assert run.results[0]["dimensions"]["security"] == 5.0  # a plugin's dimension survives
    assert (run.git_commit, run.suites_sha256, run.config) == ("c0ffee", "ab" * 32,
                                                               {"scoring": "v2"})
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT run_id, test_id, status, passed, correctness, performance, "
                            "weighted_score FROM results ORDER BY run_id, test_id").fetchall()
        assert rows[:2] == [(1, "c1", "passed", 1, 9.0, None, 9.0),
                            (1, "c2", "wrong_answer", 0, 1.0, None, 1.0)]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION


def test_run_refs() -> None:
    assert history.parse_run_ref("12") == 12
    assert history.parse_run_ref("run:7") == 7
    assert history.parse_run_ref("report.json") is None
    assert history.parse_run_ref("runs/12") is None


@pytest.mark.parametrize("content", [b"hello, not a database\n" * 10, b"SQLite format 3\x00junk"])
def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    for action in (lambda: history.prepare(bad), lambda: record(bad, [result("c1")]),
                   lambda: history.runs(bad)):
        with pytest.raises(history.HistoryError, match="not an SQLite database"):
            action()
    assert bad.read_bytes() == content  # never overwritten


def test_foreign_and_newer_databases_are_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(history.HistoryError, match="not a pytest-mpm-bench history"):
        history.prepare(foreign)
    newer = tmp_path / "newer.db"
    history.prepare(newer)
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    with pytest.raises(history.HistoryError, match="upgrade it"):
        record(newer, [result("c1")])


def test_reading_never_creates_and_unknown_runs_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(history.HistoryError, match="no history database at"):
        history.runs(missing)
    assert not missing.exists()
    db = tmp_path / "h.db"
    record(db, [result("c1")])
    with pytest.raises(history.HistoryError, match=r"no run 5 in .*lists the runs"):
        history.load_run(db, 5)


def test_a_writer_waits_for_another_sessions_transaction(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    history.prepare(db)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another session holds the write lock
    done: list[int] = []
    writer = threading.Thread(target=lambda: done.append(record(db, [result("c1")])))
    writer.start()
    writer.join(1.0)
    assert writer.is_alive() and not done  # waiting, not failing
    other.execute("COMMIT")
    other.close()
    writer.join(10)
    assert done == [1] and len(history.load_run(db, 1).results) == 1


# End to end: sessions that write the history, and mpm-bench reading what they wrote. ----------

ADD = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return a + b if a < 10**6 else 0\n"
IDIOMATIC_ADD = ('def add(a: int, b: int) -> int:\n    """Sum of a and b."""\n'
                 "    # plain addition\n    return a + b\n")
STYLE_ONLY = ("--mpm-scoring", "v1", "-o", "mpm_weights=idiomaticity:0.5 best_practices:0.5")
TWO_CASES = make_suite(make_case("c1"), make_case("c2", name="Add again"))


def bench(pytester: pytest.Pytester, suite: Path, *args: str | Path) -> pytest.RunResult:
    return pytester.runpytest_subprocess("--mpm-agent", "py_agent", "--mpm-suite", str(suite),
                                         "-p", "no:cacheprovider", *map(str, args))


def replies(root: Path, **by_case: str) -> Path:
    (root / "py_agent").mkdir(parents=True)
    for case_id, code in by_case.items():
        (root / "py_agent" / f"{case_id}.md").write_text(f"```python\n{code}```\n")
    return root


def mpm_bench(pytester: pytest.Pytester, *args: str | Path) -> pytest.RunResult:
    """The console script, as ``python -m`` (its entry point is checked once installed)."""
    return pytester.run(sys.executable, "-m", "pytest_mpm_bench.cli", *map(str, args))


def test_sessions_append_to_one_history_and_mpm_bench_reads_it(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, write_suite, tmp_path: Path) -> None:
    suite = write_suite(TWO_CASES)
    db = tmp_path / "history.sqlite"
    root = replies(tmp_path / "replies", c1=WRONG, c2=ADD)
    first = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", root,
                  "--mpm-history", db)
    first.assert_outcomes(passed=1, failed=1)
    first.stdout.fnmatch_lines([f"history: run 1 recorded in {db}"])
    second = bench(pytester, suite, "--mpm-backend", "reference", "--mpm-history", db,
                   "-n", "2")
    second.assert_outcomes(passed=2)
    second.stdout.fnmatch_lines([f"history: run 2 recorded in {db}"])

    runs = history.runs(db)  # one row per session, also under -n 2
    assert [(r.id, r.status, r.exit_status, r.agents) for r in runs] == [
        (1, "complete", 1, ["py_agent"]), (2, "complete", 0, ["py_agent"])]
    assert runs[0].suites_sha256 == runs[1].suites_sha256 == \
        runs[1].environment["suites_sha256"]
    assert runs[1].config["backend"] == "reference" and runs[1].plugin_version
    assert [(r["test_id"], r["status"]) for r in history.load_run(db, 1).results] == [
        ("c1", "wrong_answer"), ("c2", "passed")]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT run_id, count(*), sum(passed) FROM results "
                            "GROUP BY run_id").fetchall() == [(1, 2, 1), (2, 2, 2)]

    listing = mpm_bench(pytester, "history", "--db", db)
    assert listing.ret == 0
    listing.stdout.fnmatch_lines(["id  date (UTC) *agents*tests*pass*score*commit*status",
                                  "---*",
                                  " 1  20??-??-?? ??:??  py_agent      2   50%  * complete",
                                  " 2  20??-??-?? ??:??  py_agent      2  100%  * complete"])
    shown = mpm_bench(pytester, "show", "1", "--db", db)
    assert shown.ret == 0
    shown.stdout.fnmatch_lines(["run 1  * complete (exit 1)", "*",
                                "py_agent * 2 * 1 * 50%*easy 1/2",
                                "agent     case  status*score",
                                "py_agent  c1    wrong_answer*", "py_agent  c2    passed *"])
    compared = mpm_bench(pytester, "compare", "1", "run:2", "--db", db)
    assert compared.ret == 0
    compared.stdout.fnmatch_lines(["history run 2 compared with history run 1",
                                   "py_agent: weighted +* over 2 cases; *correctness +1.67*",
                                   "  fixed (failed before): c1",
                                   "py_agent  c1    wrong_answer -> passed  *"])
    assert "besides the agent" not in compared.stdout.str()  # one machine, one setup
    missing = mpm_bench(pytester, "show", "7", "--db", db)
    assert missing.ret == 2 and missing.outlines == []
    assert missing.errlines == [f"mpm-bench: no run 7 in {db} (mpm-bench history --db {db} "
                                "lists the runs)"]

    page = tmp_path / "run2.html"
    drawn = mpm_bench(pytester, "html", "2", "-o", page, "--compare", "1", "--db", db)
    assert drawn.ret == 0 and drawn.outlines == [f"html: {page}"]
    dashboard = parse_html(page.read_text())
    assert [d.attrs["data-test-id"] for d in dashboard.find_all("details", class_="case")] == [
        "c1", "c2"]
    assert "fixed" in dashboard.find("section", id="comparison").text()


def test_compare_with_a_history_run_and_gate(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, write_suite, tmp_path: Path) -> None:
    suite = write_suite(TWO_CASES)
    db = tmp_path / "history.sqlite"
    good = replies(tmp_path / "good", c1=IDIOMATIC_ADD, c2=IDIOMATIC_ADD)
    bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", good,
          "--mpm-history", db, *STYLE_ONLY).assert_outcomes(passed=2)

    same = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", good,
                 "--mpm-history", db, "--mpm-compare", "run:1", "--mpm-fail-regression", "0.5",
                 *STYLE_ONLY)
    assert same.ret == pytest.ExitCode.OK
    same.stdout.fnmatch_lines(["*mpm-bench comparison with history run 1*",
                               "py_agent: weighted +0.00 (95% CI +0.00 .. +0.00) over 2 cases*"])

    plain = replies(tmp_path / "plain", c1="def add(a,b):\n    return a+b\n",
                    c2="def add(a,b):\n    return a+b\n")
    worse = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", plain,
                  "--mpm-history", db, "--mpm-compare", "1", "--mpm-fail-regression", "0.5",
                  *STYLE_ONLY)
    worse.assert_outcomes(passed=2)
    assert worse.ret == pytest.ExitCode.TESTS_FAILED
    worse.stdout.fnmatch_lines(["*REGRESSION: py_agent: weighted score dropped by 1.25 (> 0.5)*",
                                f"history: run 3 recorded in {db}"])
    assert history.runs(db)[2].exit_status == pytest.ExitCode.TESTS_FAILED

    unknown = bench(pytester, suite, "--mpm-backend", "reference", "--mpm-history", db,
                    "--mpm-compare", "42")
    assert unknown.ret == pytest.ExitCode.USAGE_ERROR
    unknown.stderr.fnmatch_lines([f"ERROR: --mpm-compare: no run 42 in {db} *"])
    no_db = bench(pytester, suite, "--mpm-backend", "reference", "--mpm-compare", "run:1")
    assert no_db.ret == pytest.ExitCode.USAGE_ERROR
    no_db.stderr.fnmatch_lines(["ERROR: --mpm-compare: 1 names a history run: say which "
                                "database with --mpm-history PATH (or ini mpm_history)"])
    assert len(history.runs(db)) == 3  # sessions stopped at start-up record nothing


SYNC_PLUGIN = """
import os, time
from pathlib import Path
import pytest

@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    # Hold each session until both have finished their items, so they write at the same moment.
    here = Path(os.environ["MPM_TEST_SYNC"])
    (here / str(os.getpid())).touch()
    deadline = time.monotonic() + 60
    while len(list(here.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.005)
"""


def test_concurrent_sessions_both_land(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                       tmp_path: Path) -> None:
    suite = write_suite(make_suite(*(make_case(f"c{i}") for i in range(1, 4))))
    db = tmp_path / "history.sqlite"  # created by whichever session starts first
    pytester.makepyfile(sync_plugin=SYNC_PLUGIN)
    (sync := tmp_path / "sync").mkdir()
    command = [sys.executable, "-m", "pytest", "--mpm-agent", "py_agent", "--mpm-suite",
               str(suite), "--mpm-backend", "reference", "--mpm-history", str(db),
               "-p", "no:cacheprovider", "-p", "sync_plugin"]
    env = {**os.environ, "MPM_TEST_SYNC": str(sync)}
    sessions = [subprocess.Popen(command, cwd=pytester.path, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [proc.communicate(timeout=240)[0].decode() for proc in sessions]
    for proc, out in zip(sessions, outputs, strict=True):
        assert proc.returncode == 0, out
    assert sorted(re.findall(r"history: run (\d) recorded", "".join(outputs))) == ["1", "2"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT run_id, count(*) FROM results GROUP BY run_id").fetchall() \
            == [(1, 3), (2, 3)]
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (2,)


def test_a_history_that_is_not_a_database_stops_the_session(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, write_suite) -> None:
    suite = write_suite(TWO_CASES)
    notes = pytester.path / "notes.txt"
    notes.write_text("my notes, not a database\n" * 40)
    result = bench(pytester, suite, "--mpm-backend", "reference", "--mpm-history", notes)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.errlines if line.strip()] == [
        f"ERROR: --mpm-history: {notes} is not an SQLite database, so not a pytest-mpm-bench "
        "history"]
    assert "Traceback" not in result.stdout.str() and "collected" not in result.stdout.str()
    assert notes.read_text() == "my notes, not a database\n" * 40

    # Spoiled after start-up: the benchmark stands, the summary says the run was not recorded.
    pytester.makepyfile(spoil_plugin=(
        "import pytest\n"
        "@pytest.hookimpl(tryfirst=True)\n"
        "def pytest_sessionfinish(session):\n"
        f"    open({str(pytester.path / 'h.db')!r}, 'w').write('spoiled' * 100)\n"))
    spoiled = bench(pytester, suite, "--mpm-backend", "reference", "--mpm-history", "h.db",
                    "-p", "spoil_plugin")
    spoiled.assert_outcomes(passed=2)
    spoiled.stdout.fnmatch_lines([f"history: not recorded: {pytester.path / 'h.db'} is not an "
                                  "SQLite database, so not a pytest-mpm-bench history"])
    assert "Traceback" not in spoiled.stdout.str()


def _schema_1_file(path: Path) -> None:
    """A history as pytest-mpm-bench wrote it before usage columns (schema 1), with one run."""
    with sqlite3.connect(path) as conn:
        for statement in history.MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {history.APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO runs (created, finished, status, exit_status, agents, config, "
                     "environment, summary, plugin_version) VALUES ('2024-01-01T00:00:00+00:00', "
                     "'2024-01-01T00:01:00+00:00', 'complete', 0, '[\"a\"]', '{}', '{}', "
                     "'{\"overall\": {\"tests\": 1, \"pass_rate\": 1.0, \"weighted_score\": 9.0}}',"
                     " '0.1.0')")
        old = result("c1")  # a result of then: no usage
        conn.execute("INSERT INTO results (run_id, agent, test_id, sample, status, passed, "
                     "weighted_score, result) VALUES (1, 'a', 'c1', 0, 'passed', 1, 9.0, ?)",
                     (json.dumps(old),))


def test_an_old_history_reads_as_it_is_and_a_session_upgrades_it(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    _schema_1_file(db)
    before = db.read_bytes()
    assert [r.id for r in history.runs(db)] == [1]
    assert [r["test_id"] for r in history.load_run(db, 1).results] == ["c1"]
    assert db.read_bytes() == before  # reading changed nothing
    new = {**result("c1"), "usage": {"input_tokens": 100, "output_tokens": 20,
                                     "cost_usd": 0.003}, "timings": {"agent": 2.5}}
    assert record(db, [new]) == 2
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION == 2
        assert conn.execute("SELECT run_id, input_tokens, output_tokens, cost_usd, agent_seconds "
                            "FROM results ORDER BY run_id").fetchall() == [
            (1, None, None, None, None), (2, 100, 20, 0.003, 2.5)]
    summary = history.runs(db)[1].summary["agents"]["a"]
    assert (summary["input_tokens"], summary["cost_usd"], summary["cost_per_solved"],
            summary["agent_seconds"]) == (100, 0.003, 0.003, 2.5)
    old_summary = history.load_run(db, 1)
    assert "usage" not in old_summary.results[0]  # stored as it was
