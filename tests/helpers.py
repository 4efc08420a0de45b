"""Helpers shared by the project's tests: paths and small suites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_mpm_bench.report import history

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def make_case(case_id: str = "c1", **overrides: Any) -> dict[str, Any]:
    case = {
        "id": case_id, "name": "Add", "difficulty": "easy", "category": "algorithms",
        "description": "Add two integers.", "signature": "def add(a: int, b: int) -> int:",
        "entry_point": "add",
        "test_cases": [
            {"args": [1, 2], "expected": 3},
            {"args": [-1, 1], "expected": 0},
            {"args": [10**12, 1], "expected": 10**12 + 1, "hidden": True},
        ],
        "reference_solution": "def add(a: int, b: int) -> int:\n    return a + b\n",
    }
    case.update(overrides)
    return case


def make_suite(*cases: dict[str, Any], agent: str = "py_agent",
               language: str = "python") -> dict[str, Any]:
    return {"agent_id": agent, "language": language, "version": "2.0.0",
            "tests": list(cases) or [make_case()]}


def history_result(case: str, passed: bool = True, sample: int = 0,
                   agent: str = "a") -> dict[str, Any]:
    """A result dict as the history stores it (only the fields it reads)."""
    score = 9.0 if passed else 1.0
    return {"agent": agent, "test_id": case, "sample": sample, "passed": passed,
            "status": "passed" if passed else "wrong_answer", "difficulty": "easy",
            "category": "algorithms", "weighted_score": score,
            "dimensions": {"correctness": score, "idiomaticity": 8.0, "security": 5.0}}


def record_run(path: Path, results: list[dict[str, Any]], interrupted: bool = False) -> int:
    """Record ``results`` as one finished (or interrupted) session of a fixed date."""
    return history.record(path, created="2024-05-01T10:00:00+00:00",
                          finished="2024-05-01T10:01:00+00:00", interrupted=interrupted,
                          exit_status=2 if interrupted else 0, config={"scoring": "v2"},
                          environment={"suites_sha256": "ab" * 32, "git_commit": "c0ffee"},
                          results=results)
