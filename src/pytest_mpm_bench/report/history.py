"""The ``--mpm-history`` database: every session appended to one SQLite file.

One transaction per session, taken with ``BEGIN IMMEDIATE`` under a busy timeout, so sessions
that finish at the same moment queue for the write lock instead of failing, and a reader never
sees half a run. The schema is versioned with ``PRAGMA user_version``: ``MIGRATIONS[n]`` takes a
file from version ``n`` to ``n + 1``, and a session that writes applies whatever is missing.
Readers open any version from 1 up as it is: they read only what version 1 has (the result JSON
carries everything else), so ``mpm-bench`` reads an old file without changing it.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_mpm_bench import __version__, jsonsafe
from pytest_mpm_bench.report.summary import sort_key, summarize
from pytest_mpm_bench.scoring import DIMENSIONS

DEFAULT_PATH = ".mpm_history.sqlite"
APPLICATION_ID = 0x4D504D42  # "MPMB": tells our databases from other SQLite files
BUSY_TIMEOUT = 30.0  # seconds a writer waits for another session's transaction

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 0 -> 1
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,          -- session start, ISO 8601 UTC
            finished TEXT NOT NULL,
            status TEXT NOT NULL,           -- 'complete', 'interrupted' or 'incomplete'
            exit_status INTEGER NOT NULL,
            agents TEXT NOT NULL,           -- JSON list of the agents with results
            config TEXT NOT NULL,           -- JSON, as in the report's "config"
            environment TEXT NOT NULL,      -- JSON, as in the report's "environment"
            summary TEXT NOT NULL,          -- JSON, as in the report's "summary"
            suites_sha256 TEXT,
            git_commit TEXT,
            plugin_version TEXT NOT NULL)""",
        f"""CREATE TABLE results (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            agent TEXT NOT NULL,
            test_id TEXT NOT NULL,
            sample INTEGER NOT NULL,
            status TEXT NOT NULL,
            passed INTEGER NOT NULL,
            {", ".join(f"{d} REAL" for d in DIMENSIONS)},
            weighted_score REAL NOT NULL,
            result TEXT NOT NULL)           -- JSON, the whole result dict""",
        "CREATE INDEX results_run ON results(run_id)",
        "CREATE INDEX results_case ON results(agent, test_id)",
    ),
    (  # 1 -> 2: what each answer cost (NULL where the tool did not say, and in older rows)
        "ALTER TABLE results ADD COLUMN input_tokens INTEGER",
        "ALTER TABLE results ADD COLUMN output_tokens INTEGER",
        "ALTER TABLE results ADD COLUMN cost_usd REAL",
        "ALTER TABLE results ADD COLUMN agent_seconds REAL",
    ),
)
USAGE_COLUMNS = ("input_tokens", "output_tokens", "cost_usd")
SCHEMA_VERSION = len(MIGRATIONS)
_RUN_COLUMNS = ("id, created, finished, status, exit_status, agents, config, environment, "
                "summary, suites_sha256, git_commit, plugin_version")


class HistoryError(Exception):
    """What is wrong with a history file or a request to it, in one line."""


@dataclass(frozen=True)
class RunRecord:
    """One row of ``runs``; ``results`` is filled by :func:`load_run` only."""

    id: int
    created: str
    finished: str
    status: str
    exit_status: int
    agents: list[str]
    config: dict[str, Any]
    environment: dict[str, Any]
    summary: dict[str, Any]
    suites_sha256: str | None
    git_commit: str | None
    plugin_version: str
    results: list[dict[str, Any]] = field(default_factory=list)


def parse_run_ref(text: str) -> int | None:
    """``12`` or ``run:12`` → 12; anything else (a report path) → None."""
    match = re.fullmatch(r"(?:run:)?(\d+)", text.strip())
    return int(match.group(1)) if match else None


def _connect(path: Path, *, write: bool) -> sqlite3.Connection:
    if write:
        path.parent.mkdir(parents=True, exist_ok=True)
        target, uri = str(path), False
    else:
        if not path.is_file():
            raise HistoryError(f"no history database at {path} (record one with pytest "
                               "--mpm-history PATH)")
        target, uri = path.resolve().as_uri() + "?mode=ro", True
    try:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per session.
        return sqlite3.connect(target, timeout=BUSY_TIMEOUT, isolation_level=None, uri=uri)
    except sqlite3.Error as exc:
        raise HistoryError(f"cannot open history database {path}: {exc}") from None


@contextmanager
def _database(path: Path, *, write: bool) -> Iterator[sqlite3.Connection]:
    """A connection whose SQLite errors become one-line ``HistoryError``s."""
    conn = _connect(path, write=write)
    try:
        yield conn
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise HistoryError(f"{path} is not an SQLite database, so not a pytest-mpm-bench "
                               "history") from None
        raise HistoryError(f"history database {path}: {exc}") from None
    finally:
        conn.close()


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")  # take the write lock now, waiting up to BUSY_TIMEOUT
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _schema(conn: sqlite3.Connection, path: Path, *, upgrade: bool) -> None:
    """Check that ``conn`` is our history and, if ``upgrade``, bring its schema up to date."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    app = int(conn.execute("PRAGMA application_id").fetchone()[0])
    tables = int(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
                 .fetchone()[0])
    if (version == 0 and tables) or (version and app != APPLICATION_ID):
        raise HistoryError(f"{path} is an SQLite database but not a pytest-mpm-bench history")
    if version > SCHEMA_VERSION:
        raise HistoryError(f"{path} has history schema {version}; this pytest-mpm-bench "
                           f"({__version__}) knows up to {SCHEMA_VERSION}: upgrade it")
    if version == SCHEMA_VERSION:
        return
    if not upgrade:
        if version == 0:
            raise HistoryError(f"{path} holds no history yet")
        return  # an older schema reads as it is: readers use only what schema 1 has
    for step in MIGRATIONS[version:]:
        for statement in step:
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def prepare(path: Path) -> None:
    """Create or upgrade the history at ``path`` (at start-up, so a bad file stops the session
    before it runs anything)."""
    with _database(path, write=True) as conn, _transaction(conn):
        _schema(conn, path, upgrade=True)


def record(path: Path, *, created: str, finished: str, interrupted: bool, exit_status: int,
           config: dict[str, Any], environment: dict[str, Any],
           results: Sequence[dict[str, Any]], missing: int = 0) -> int:
    """Append one session (its run row and every result) in one transaction; its run id.
    ``missing`` collected items have no result: the run is 'incomplete' (or 'interrupted')."""
    ordered = sorted(results, key=sort_key)
    agents = sorted({r["agent"] for r in ordered})
    rows = [(r["agent"], r["test_id"], r["sample"], r["status"], int(bool(r["passed"])),
             *(r["dimensions"].get(d) for d in DIMENSIONS), r["weighted_score"], jsonsafe.dumps(r),
             *((r.get("usage") or {}).get(u) for u in USAGE_COLUMNS),
             (r.get("timings") or {}).get("agent"))
            for r in ordered]
    with _database(path, write=True) as conn, _transaction(conn):
        _schema(conn, path, upgrade=True)
        cursor = conn.execute(
            f"INSERT INTO runs ({_RUN_COLUMNS.partition(', ')[2]}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (created, finished,
             "interrupted" if interrupted else "incomplete" if missing else "complete",
             exit_status,
             jsonsafe.dumps(agents), jsonsafe.dumps(config), jsonsafe.dumps(environment),
             jsonsafe.dumps({**summarize(ordered), "missing": missing}),
             environment.get("suites_sha256"), environment.get("git_commit"), __version__))
        run_id = cursor.lastrowid
        assert run_id is not None
        conn.executemany(
            f"INSERT INTO results (run_id, agent, test_id, sample, status, passed, "
            f"{', '.join(DIMENSIONS)}, weighted_score, result, {', '.join(USAGE_COLUMNS)}, "
            f"agent_seconds) VALUES ({', '.join('?' * (12 + len(DIMENSIONS)))})",
            [(run_id, *row) for row in rows])
    return run_id


def _run(row: Sequence[Any]) -> RunRecord:
    return RunRecord(id=row[0], created=row[1], finished=row[2], status=row[3],
                     exit_status=row[4], agents=json.loads(row[5]), config=json.loads(row[6]),
                     environment=json.loads(row[7]), summary=json.loads(row[8]),
                     suites_sha256=row[9], git_commit=row[10], plugin_version=row[11])


def runs(path: Path) -> list[RunRecord]:
    """Every run, oldest first, without its results."""
    with _database(path, write=False) as conn:
        _schema(conn, path, upgrade=False)
        return [_run(row) for row in
                conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id").fetchall()]


def load_run(path: Path, run_id: int) -> RunRecord:
    """Run ``run_id`` with its results (sorted by agent, case, sample)."""
    with _database(path, write=False) as conn:
        _schema(conn, path, upgrade=False)
        row = conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?",
                           (run_id,)).fetchone()
        if row is None:
            raise HistoryError(f"no run {run_id} in {path} (mpm-bench history --db {path} "
                               "lists the runs)")
        results = [json.loads(text) for (text,) in conn.execute(
            "SELECT result FROM results WHERE run_id = ? ORDER BY agent, test_id, sample",
            (run_id,))]
    return dataclasses.replace(_run(row), results=results)
