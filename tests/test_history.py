"""The history database: schema, records, read-back, and the files it refuses."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from pytest_mpm_bench.report import history
from tests.helpers import history_result as result
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
