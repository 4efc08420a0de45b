"""The result dict of one item: the original claude-mpm format plus our fields (DESIGN.md)."""

from __future__ import annotations

import json
from typing import Any

from pytest_mpm_bench.execution import CaseOutcome
from pytest_mpm_bench.suite import Case

PREVIEW = 2000  # a value longer than this (as JSON) is shown truncated in results


def preview(value: Any) -> Any:
    """``value`` itself when small, else a truncated JSON text (reports stay readable)."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)[:PREVIEW]
    return value if len(text) <= PREVIEW else text[:PREVIEW] + f"… ({len(text)} chars)"


def build_result(
    *,
    case: Case,
    agent: str,
    sample: int,
    status: str,
    message: str,
    solution: str | None,
    outcome: CaseOutcome | None,
    dimensions: dict[str, float],
    weighted_score: float,
    scoring: str,
    agent_seconds: float,
    cached: bool,
    sandbox: dict[str, Any],
    evidence: dict[str, list[dict[str, Any]]],
    usage: dict[str, Any] | None = None,
    agent_said: str = "",
) -> dict[str, Any]:
    """``usage`` is ``{"input_tokens", "output_tokens", "cost_usd"}`` (None where unknown);
    ``agent_said`` the agent's own first line when its reply held no code (else "")."""
    tests = []
    if outcome is not None:
        for t in outcome.tests:
            row = t.as_dict()
            row.update(input=preview(row["input"]), expected=preview(row["expected"]),
                       actual=preview(row["actual"]))
            tests.append(row)
    return {
        "test_id": case.id,
        "test_name": case.name,
        "difficulty": case.difficulty,
        "category": case.category,
        "passed": status == "passed",
        "dimensions": dimensions,
        "weighted_score": weighted_score,
        "execution_time": round(outcome.run_seconds, 4) if outcome else 0.0,
        "solution_length": len(solution or ""),
        "solution": solution or "",
        "execution_details": {
            "test_results": tests,
            "stderr": outcome.stderr if outcome else "",
            "stdout": outcome.stdout if outcome else "",
        },
        "agent": agent,
        "language": case.language,
        "status": status,
        "message": message,
        "sample": sample,
        "timings": {
            "agent": round(agent_seconds, 4),
            "build": round(outcome.build_seconds, 4) if outcome else 0.0,
            "run": round(outcome.run_seconds, 4) if outcome else 0.0,
        },
        "usage": usage or {"input_tokens": None, "output_tokens": None, "cost_usd": None},
        "agent_said": agent_said,
        "cached": cached,
        "sandbox": sandbox,
        "scoring": scoring,
        "evidence": evidence,
    }


def user_properties(result: dict[str, Any]) -> list[tuple[str, Any]]:
    """Scalars for junit XML / pytest-json-report, plus the whole result as JSON text."""
    dims = result["dimensions"]
    return [
        ("mpm_agent", result["agent"]),
        ("mpm_test_id", result["test_id"]),
        ("mpm_status", result["status"]),
        ("mpm_correctness", dims.get("correctness", 0.0)),
        ("mpm_idiomaticity", dims.get("idiomaticity", 0.0)),
        ("mpm_performance", dims.get("performance", 0.0)),
        ("mpm_best_practices", dims.get("best_practices", 0.0)),
        ("mpm_weighted_score", result["weighted_score"]),
        ("mpm_result", json.dumps(result, sort_keys=True)),
    ]
