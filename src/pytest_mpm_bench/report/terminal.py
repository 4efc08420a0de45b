"""The terminal summary table, one row per agent."""

from __future__ import annotations

from typing import Any

from pytest_mpm_bench.report.summary import DIFFICULTIES
from pytest_mpm_bench.scoring import DIMENSIONS

SHORT = {"correctness": "corr", "idiomaticity": "idiom", "performance": "perf",
         "best_practices": "best"}


def dimension_order(agents: dict[str, Any]) -> list[str]:
    """The standard dimensions in their usual order, then any a plugin added, by name."""
    seen = {d for row in agents.values() for d in row["dimensions"]}
    return [d for d in DIMENSIONS if d in seen] + sorted(seen - set(DIMENSIONS))


def table(summary: dict[str, Any]) -> list[str]:
    agents = summary["agents"]
    if not agents:
        return ["no benchmark results"]
    dims = dimension_order(agents)
    head = (f"{'agent':<22} {'tests':>5} {'passed':>6} {'rate':>5} "
            + " ".join(f"{SHORT.get(d, d[:6]):>6}" for d in dims)
            + f" {'score':>6}  passed by difficulty")
    lines = [head, "-" * len(head)]
    for name, row in agents.items():
        by = row["by_difficulty"]
        diffs = "  ".join(f"{d} {by[d]['passed']}/{by[d]['tests']}" for d in DIFFICULTIES
                          if d in by)
        scores = " ".join(f"{row['dimensions'].get(d, 0.0):>6.2f}" for d in dims)
        lines.append(f"{name:<22} {row['tests']:>5} {row['passed']:>6} {row['pass_rate']:>5.0%} "
                     f"{scores} {row['weighted_score']:>6.2f}  {diffs}")
    for name, row in agents.items():
        estimates = {**row.get("pass_at_k", {}), **row.get("pass_hat_k", {})}
        if len(estimates) > 2:  # more than one sample per case
            shown = "  ".join(f"{k} {v:.2f}" for k, v in estimates.items())
            flaky = ", ".join(row.get("flaky", [])) or "none"
            lines.append(f"{name}: {shown}; flaky cases: {flaky}")
    return lines
