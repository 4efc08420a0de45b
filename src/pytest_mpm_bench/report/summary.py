"""Aggregate results into the per-agent summary (pure functions over result dicts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from statistics import fmean
from typing import Any

DIFFICULTIES = ("easy", "medium", "hard")


def sort_key(result: dict[str, Any]) -> tuple[str, str, int]:
    return (result["agent"], result["test_id"], result["sample"])


def _group(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    dims: dict[str, list[float]] = defaultdict(list)
    for result in results:
        for name, value in result["dimensions"].items():
            dims[name].append(value)
    passed = sum(r["passed"] for r in results)
    return {
        "tests": len(results),
        "passed": passed,
        "pass_rate": round(passed / len(results), 4) if results else 0.0,
        "dimensions": {k: round(fmean(v), 2) for k, v in dims.items()},
        "weighted_score": round(fmean(r["weighted_score"] for r in results), 2) if results else 0.0,
    }


def _by(results: Sequence[dict[str, Any]], field: str) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        groups[result[field]].append(result)
    order = sorted(groups, key=lambda k: (DIFFICULTIES.index(k) if k in DIFFICULTIES else 9, k))
    return {key: _group(groups[key]) for key in order}


def summarize(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """``{"agents": {agent: {...}}, "overall": {...}}`` as the JSON report holds it."""
    ordered = sorted(results, key=sort_key)
    agents: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in ordered:
        agents[result["agent"]].append(result)
    summary: dict[str, Any] = {"agents": {}, "overall": _group(ordered)}
    for agent, rows in agents.items():
        entry = _group(rows)
        entry["pass_at_k"] = {"pass@1": entry["pass_rate"]}
        entry["by_difficulty"] = _by(rows, "difficulty")
        entry["by_category"] = _by(rows, "category")
        summary["agents"][agent] = entry
    return summary
