"""The result dict of one item: the original claude-mpm format plus our fields (DESIGN.md)."""

from __future__ import annotations

import traceback
from typing import Any

from pytest_mpm_bench import jsonsafe, statuses
from pytest_mpm_bench.observe.run import CaseOutcome
from pytest_mpm_bench.safetext import printable
from pytest_mpm_bench.scoring import DIMENSIONS
from pytest_mpm_bench.suite import Case

PREVIEW = 2000  # a value longer than this (as JSON) is shown truncated in results
TRACEBACK_LINES = 12  # the tail of our own traceback a harness_error result keeps


def preview(value: Any) -> Any:
    """``value`` itself when small, else a truncated JSON text (reports stay readable); in
    either case strict JSON data (see :mod:`pytest_mpm_bench.jsonsafe`)."""
    plain = jsonsafe.to_plain(value)
    text = jsonsafe.dumps(plain)
    return plain if len(text) <= PREVIEW else text[:PREVIEW] + f"… ({len(text)} chars)"


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


def harness_result(*, case: Case, sample: int, scoring: str, sandbox: dict[str, Any],
                   exc: BaseException) -> dict[str, Any]:
    """The result of an item whose work raised (our bug, a broken toolchain, pytest-timeout's
    budget): status ``harness_error``, scores 0, the message and the tail of the traceback."""
    if "pytest-timeout" in str(exc):
        message = f"pytest-timeout stopped the item: {exc}"
    else:
        message = f"{type(exc).__name__}: {exc}"
    result = build_result(
        case=case, agent=case.agent_id, sample=sample, status=statuses.HARNESS_ERROR,
        message=printable(message[:PREVIEW]), solution=None, outcome=None,
        dimensions=dict.fromkeys(DIMENSIONS, 0.0),
        weighted_score=0.0, scoring=scoring, agent_seconds=0.0, cached=False, sandbox=sandbox,
        evidence={})
    lines = "".join(traceback.format_exception(exc)).splitlines()
    result["traceback"] = printable("\n".join(lines[-TRACEBACK_LINES:]))
    return result


def user_properties(result: dict[str, Any]) -> list[tuple[str, Any]]:
    """Scalars for junit XML / pytest-json-report, plus the whole result as strict JSON text
    (ASCII: it crosses execnet and lands in XML attributes); text scalars made printable."""
    dims = result["dimensions"]
    return [
        ("mpm_agent", printable(str(result["agent"]))),
        ("mpm_test_id", printable(str(result["test_id"]))),
        ("mpm_status", printable(str(result["status"]))),
        ("mpm_correctness", dims.get("correctness", 0.0)),
        ("mpm_idiomaticity", dims.get("idiomaticity", 0.0)),
        ("mpm_performance", dims.get("performance", 0.0)),
        ("mpm_best_practices", dims.get("best_practices", 0.0)),
        ("mpm_weighted_score", result["weighted_score"]),
        ("mpm_result", jsonsafe.dumps(result, sort_keys=True)),
    ]
