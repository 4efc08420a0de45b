"""Compare a session with a baseline report: deltas, a bootstrap interval, regressions."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path
from statistics import fmean
from typing import Any

from pytest_mpm_bench.report.json_report import SCHEMA

BOOTSTRAP_ROUNDS = 2000


class BaselineError(ValueError):
    pass


def load_baseline(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise BaselineError(f"{path} is not a pytest-mpm-bench report ({SCHEMA})")
    results: list[dict[str, Any]] = data["results"]
    return results


def bootstrap_interval(diffs: list[float], seed: int = 0) -> tuple[float, float]:
    """95% percentile-bootstrap interval of the mean paired difference."""
    if not diffs:
        return 0.0, 0.0
    rng = random.Random(seed)
    means = sorted(fmean(rng.choices(diffs, k=len(diffs))) for _ in range(BOOTSTRAP_ROUNDS))
    return round(means[int(0.025 * BOOTSTRAP_ROUNDS)], 3), round(
        means[int(0.975 * BOOTSTRAP_ROUNDS) - 1], 3)


def _key(result: dict[str, Any]) -> tuple[str, str, int]:
    return result["agent"], result["test_id"], result["sample"]


def compare(current: list[dict[str, Any]], baseline: list[dict[str, Any]]) -> dict[str, Any]:
    """Per agent: weighted-score delta with its interval, dimension deltas, case changes."""
    before = {_key(r): r for r in baseline}
    paired: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for result in current:
        if _key(result) in before:
            paired[result["agent"]].append((before[_key(result)], result))
    agents: dict[str, Any] = {}
    for agent, pairs in sorted(paired.items()):
        diffs = [now["weighted_score"] - old["weighted_score"] for old, now in pairs]
        dims = sorted({d for old, now in pairs for d in (*old["dimensions"], *now["dimensions"])})
        agents[agent] = {
            "cases": len(pairs),
            "weighted_delta": round(fmean(diffs), 3),
            "weighted_interval_95": bootstrap_interval(diffs),
            "dimension_deltas": {d: round(fmean(now["dimensions"].get(d, 0.0)
                                                - old["dimensions"].get(d, 0.0)
                                                for old, now in pairs), 3) for d in dims},
            "regressed": sorted(now["test_id"] for old, now in pairs
                                if old["passed"] and not now["passed"]),
            "fixed": sorted(now["test_id"] for old, now in pairs
                            if now["passed"] and not old["passed"]),
            "case_deltas": {now["test_id"] + (f"[s{now['sample']}]" if now["sample"] else ""):
                            round(now["weighted_score"] - old["weighted_score"], 2)
                            for old, now in pairs},
        }
    return {"agents": agents}


def gate(comparison: dict[str, Any], threshold: float) -> list[str]:
    """Why the session must fail (empty: it passes the gate)."""
    reasons = []
    for agent, row in comparison["agents"].items():
        if -row["weighted_delta"] > threshold:
            reasons.append(f"{agent}: weighted score dropped by {-row['weighted_delta']:.2f} "
                           f"(> {threshold:g})")
        if row["regressed"]:
            reasons.append(f"{agent}: passed in the baseline, fail now: "
                           + ", ".join(row["regressed"]))
    return reasons


def lines(comparison: dict[str, Any]) -> list[str]:
    out = []
    for agent, row in comparison["agents"].items():
        low, high = row["weighted_interval_95"]
        dims = ", ".join(f"{d} {v:+.2f}" for d, v in row["dimension_deltas"].items())
        out.append(f"{agent}: weighted {row['weighted_delta']:+.2f} (95% CI {low:+.2f} .. "
                   f"{high:+.2f}) over {row['cases']} cases; {dims}")
        changed = {c: d for c, d in row["case_deltas"].items() if d}
        if changed:
            out.append("  changed cases: " + ", ".join(f"{c} {d:+.2f}" for c, d in
                                                       sorted(changed.items())))
        if row["regressed"]:
            out.append("  regressed (passed before): " + ", ".join(row["regressed"]))
        if row["fixed"]:
            out.append("  fixed (failed before): " + ", ".join(row["fixed"]))
    return out or ["no case in common with the baseline"]
