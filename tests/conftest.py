"""Fixtures shared by the project's tests: small suites and a pytester runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture
def write_suite(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a suite dict to ``tmp_path/suites/<name>.json`` and return its path."""

    def write(suite: dict[str, Any] | str, name: str = "mini") -> Path:
        path = tmp_path / "suites" / f"{name}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(suite if isinstance(suite, str) else json.dumps(suite))
        return path

    return write


@pytest.fixture(params=[0, 2], ids=["serial", "xdist2"])
def workers(request: pytest.FixtureRequest) -> list[str]:
    """Run an end-to-end test serially and with ``-n 2`` (as pytest-json-report does)."""
    return [] if request.param == 0 else ["-n", str(request.param)]
