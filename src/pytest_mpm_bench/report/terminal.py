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


def tokens(value: Any) -> str:
    """A token count in few characters (12, 3.4k, 1.2M); "-" when unknown."""
    if value is None:
        return "-"
    if value < 1000:
        return str(value)
    return f"{value / 1000:.1f}k" if value < 999_950 else f"{value / 1e6:.1f}M"


def dollars(value: Any) -> str:
    """USD with the precision small sums need; "-" when unknown."""
    if value is None:
        return "-"
    if value >= 1:
        return f"${value:.2f}"
    digits = f"{value:.6f}"  # cents of a cent matter for one answer: up to 6 decimals, at least 4
    return "$" + digits[:6] + digits[6:].rstrip("0")


def table(summary: dict[str, Any]) -> list[str]:
    agents = summary["agents"]
    if not agents:
        return ["no benchmark results"]
    dims = dimension_order(agents)
    head = (f"{'agent':<22} {'tests':>5} {'passed':>6} {'rate':>5} "
            + " ".join(f"{SHORT.get(d, d[:6]):>6}" for d in dims)
            + f" {'score':>6} {'agent s':>8} {'tok in':>7} {'tok out':>7} {'cost':>9}"
            f" {'$/solved':>9}  passed by difficulty")
    lines = [head, "-" * len(head)]
    for name, row in agents.items():
        by = row["by_difficulty"]
        diffs = "  ".join(f"{d} {by[d]['passed']}/{by[d]['tests']}" for d in DIFFICULTIES
                          if d in by)
        scores = " ".join(f"{row['dimensions'].get(d, 0.0):>6.2f}" for d in dims)
        spent = (f"{row.get('agent_seconds', 0.0):>8.1f} {tokens(row.get('input_tokens')):>7} "
                 f"{tokens(row.get('output_tokens')):>7} {dollars(row.get('cost_usd')):>9} "
                 f"{dollars(row.get('cost_per_solved')):>9}")
        lines.append(f"{name:<22} {row['tests']:>5} {row['passed']:>6} {row['pass_rate']:>5.0%} "
                     f"{scores} {row['weighted_score']:>6.2f} {spent}  {diffs}")
    for name, row in agents.items():
        if row.get("not_working"):
            lines.append(f"WARNING: {name}: the agent is probably not working: all "
                         f"{row['tests']} replies were the same text without code: "
                         f"{row['not_working']!r}")
    for name, row in agents.items():
        if row.get("harness_errors"):
            lines.append(f"{name}: {row['harness_errors']} harness error(s): a fault of "
                         "pytest-mpm-bench or a toolchain, not of the agent (counted as not "
                         "passed; see the errors above)")
    for name, row in agents.items():
        by_try = row.get("pass_rate_by_try", {})
        if len(by_try) > 1:  # --mpm-tries N > 1
            shown = "  ".join(f"{k}: {v:.0%}" for k, v in by_try.items())
            lines.append(f"{name}: pass rate by try {shown}")
    for name, row in agents.items():
        estimates = {**row.get("pass_at_k", {}), **row.get("pass_hat_k", {})}
        if len(estimates) > 2:  # more than one sample per case
            shown = "  ".join(f"{k} {v:.2f}" for k, v in estimates.items())
            flaky = ", ".join(row.get("flaky", [])) or "none"
            lines.append(f"{name}: {shown}; flaky cases: {flaky}")
    for name, row in agents.items():
        if row.get("not_scored"):
            lines.append(f"{name}: not scored (analyser not installed): "
                         f"{', '.join(row['not_scored'])}")
    return lines


def columns(rows: list[list[str]], right: set[int]) -> list[str]:
    """A header row and rows of cells as aligned text; the columns in ``right`` right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in rows]
    return [lines[0], "-" * max(len(line) for line in lines), *lines[1:]]
