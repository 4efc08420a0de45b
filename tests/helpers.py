"""Helpers shared by the project's tests: paths and small suites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
