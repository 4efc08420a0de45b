"""Aggregate results into the per-agent summary (pure functions over result dicts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from math import comb
from statistics import fmean
from typing import Any

from pytest_mpm_bench import statuses

DIFFICULTIES = ("easy", "medium", "hard")
CODELESS = ("no_code", "agent_error")
KS = (1, 3, 5, 10)


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased estimate that at least one of k samples passes, from n samples with c passing
    (Chen et al., 2021)."""
    return 1.0 if n - c < k else 1.0 - comb(n - c, k) / comb(n, k)


def pass_hat_k(n: int, c: int, k: int) -> float:
    """Estimate that all k samples pass (pass^k): the reliability of an agent."""
    return comb(c, k) / comb(n, k)


def sampling(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """pass@k and pass^k for k in 1, 3, 5, 10 up to the samples of every case; flaky cases."""
    per_case: dict[str, list[bool]] = defaultdict(list)
    for result in results:
        per_case[result["test_id"]].append(bool(result["passed"]))
    if not per_case:
        return {"pass_at_k": {}, "pass_hat_k": {}, "flaky": []}
    n_min = min(len(v) for v in per_case.values())
    ks = [k for k in KS if k <= n_min]
    at = {f"pass@{k}": round(fmean(pass_at_k(len(v), sum(v), k) for v in per_case.values()), 4)
          for k in ks}
    hat = {f"pass^{k}": round(fmean(pass_hat_k(len(v), sum(v), k) for v in per_case.values()), 4)
           for k in ks}
    flaky = sorted(case for case, v in per_case.items() if any(v) and not all(v))
    return {"pass_at_k": at, "pass_hat_k": hat, "flaky": flaky}


def pass_rate_by_try(results: Sequence[dict[str, Any]]) -> dict[str, float]:
    """``{"1": r1, "2": r2, …}``: the share of items passed by try k (cumulative), for k up to
    ``--mpm-tries``. Results from before ``--mpm-tries`` count as one try."""
    if not results:
        return {}
    budget = max(int(r.get("max_tries", 1)) for r in results)
    at = [r.get("passed_at_try", 1 if r["passed"] else None) for r in results]
    return {str(k): round(sum(a is not None and a <= k for a in at) / len(results), 4)
            for k in range(1, budget + 1)}


def sort_key(result: dict[str, Any]) -> tuple[str, str, int]:
    return (result["agent"], result["test_id"], result["sample"])


def case_label(result: dict[str, Any]) -> str:
    """``test_id``, with ``[sK]`` for a sample K > 0."""
    return str(result["test_id"]) + (f"[s{result['sample']}]" if result["sample"] else "")


def _group(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    dims: dict[str, list[float]] = defaultdict(list)
    for result in results:
        for name, value in result["dimensions"].items():
            dims[name].append(value)
    passed = sum(r["passed"] for r in results)
    return {
        "tests": len(results),
        "passed": passed,
        # Our faults (or a toolchain's): in "tests" as not passed, and counted apart.
        "harness_errors": sum(r.get("status") == statuses.HARNESS_ERROR for r in results),
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


def not_scored(results: Sequence[dict[str, Any]]) -> list[str]:
    """The analysers missing from the machine, as ``tool (dimension)``: what they would have
    found is not in the scores (a tool that ran and failed costs its dimension instead)."""
    found = {f"{item.get('tool')} ({dimension})"
             for result in results for dimension, items in (result.get("evidence") or {}).items()
             for item in items
             if isinstance(item, dict) and str(item.get("message", "")).startswith("not installed")}
    return sorted(found)


def _sum(values: Iterable[Any]) -> Any:
    """The sum of the known values; None when none is known (older results have no usage)."""
    known = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sum(known) if known else None


def costs(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Tokens, cost in USD, cost per solved case and the agent's wall time over ``results``
    (a figure no result knows is None; cost per solved case is None without a solved case)."""
    usages = [r.get("usage") or {} for r in results]
    cost = _sum(u.get("cost_usd") for u in usages)
    passed = sum(bool(r["passed"]) for r in results)
    return {
        "input_tokens": _sum(u.get("input_tokens") for u in usages),
        "output_tokens": _sum(u.get("output_tokens") for u in usages),
        "cost_usd": None if cost is None else round(cost, 6),
        "cost_per_solved": None if cost is None or not passed else round(cost / passed, 6),
        "agent_seconds": round(sum(float((r.get("timings") or {}).get("agent", 0.0))
                                   for r in results), 2),
    }


def not_working(results: Sequence[dict[str, Any]]) -> str | None:
    """The agent's own first line when every one of (two or more) replies was code-less with
    that same first line: then the agent, not the model, is most likely what failed."""
    if len(results) < 2 or any(r.get("status") not in CODELESS for r in results):
        return None
    said = {str(r.get("agent_said") or "") for r in results}
    only = said.pop() if len(said) == 1 else ""
    return only or None


def summarize(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """``{"agents": {agent: {...}}, "overall": {...}}`` as the JSON report holds it."""
    ordered = sorted(results, key=sort_key)
    agents: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in ordered:
        agents[result["agent"]].append(result)
    summary: dict[str, Any] = {"agents": {}, "overall": {**_group(ordered), **costs(ordered)}}
    for agent, rows in agents.items():
        entry = _group(rows)
        entry.update(costs(rows))
        entry["not_working"] = not_working(rows)
        entry.update(sampling(rows))
        entry["pass_rate_by_try"] = pass_rate_by_try(rows)
        entry["by_difficulty"] = _by(rows, "difficulty")
        entry["by_category"] = _by(rows, "category")
        entry["not_scored"] = not_scored(rows)
        summary["agents"][agent] = entry
    return summary
