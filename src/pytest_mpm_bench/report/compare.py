"""Compare two lists of results: deltas, a bootstrap interval, regressions.

The same comparison serves ``--mpm-compare`` (this session against a report file or a history
run) and ``mpm-bench compare A B`` (any two of those).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path
from statistics import fmean
from typing import Any

from pytest_mpm_bench.report import history
from pytest_mpm_bench.report.json_report import SCHEMA, version_label
from pytest_mpm_bench.report.summary import case_label
from pytest_mpm_bench.report.terminal import SHORT, columns, dollars, tokens
from pytest_mpm_bench.scoring import DIMENSIONS

BOOTSTRAP_ROUNDS = 2000


class BaselineError(ValueError):
    pass


def describe(source: Path | int) -> str:
    return f"history run {source}" if isinstance(source, int) else str(source)


def load_document(source: Path | int, history_path: Path | None) -> dict[str, Any]:
    """A report document: the file ``source``, or run ``source`` of the history at
    ``history_path`` in the same shape."""
    if isinstance(source, Path):
        return load_report(source)
    if history_path is None:
        raise BaselineError(f"{source} names a history run: say which database with "
                            "--mpm-history PATH (or ini mpm_history)")
    try:
        run = history.load_run(history_path, source)
    except history.HistoryError as exc:
        raise BaselineError(str(exc)) from None
    return {"schema": SCHEMA, "created": run.created, "complete": run.status == "complete",
            "environment": run.environment, "config": run.config, "results": run.results,
            "summary": run.summary}


def load_report(path: Path) -> dict[str, Any]:
    """A ``--mpm-report`` document, checked to be one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BaselineError(f"cannot read report {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise BaselineError(f"{path} is not a pytest-mpm-bench report ({SCHEMA})")
    return data


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


def _side(result: dict[str, Any]) -> dict[str, Any]:
    return {"status": result["status"], "passed": result["passed"],
            "weighted_score": result["weighted_score"], "dimensions": result["dimensions"]}


def _spent(result: dict[str, Any], field: str) -> Any:
    if field == "agent_seconds":
        return (result.get("timings") or {}).get("agent")
    return (result.get("usage") or {}).get(field)


def spending(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """Per figure (tokens in and out, cost, agent time): its total before and now over the
    shared cases whose both runs know it, and the change; None where no pair knows it."""
    out: dict[str, Any] = {}
    for field in ("input_tokens", "output_tokens", "cost_usd", "agent_seconds"):
        known = [(_spent(old, field), _spent(now, field)) for old, now in pairs]
        known = [(a, b) for a, b in known if a is not None and b is not None]
        if not known:
            out[field] = None
            continue
        before, after = sum(a for a, _ in known), sum(b for _, b in known)
        digits = 6 if field == "cost_usd" else 2
        out[field] = {"before": round(before, digits), "after": round(after, digits),
                      "delta": round(after - before, digits), "cases": len(known)}
    return out


def environment_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed from one report document to another besides the agent: the scorer, the
    sandbox, a toolchain, an analyser, a suite's content. A delta may come from these too.
    Only what both documents record is compared (an older report lacks some of it)."""
    old_env, new_env = before.get("environment") or {}, after.get("environment") or {}
    old_cfg, new_cfg = before.get("config") or {}, after.get("config") or {}
    pairs = [("scoring", old_cfg.get("scoring"), new_cfg.get("scoring")),
             ("weights", old_cfg.get("weights"), new_cfg.get("weights")),
             ("sandbox", old_env.get("sandbox"), new_env.get("sandbox")),
             ("pytest-mpm-bench", old_env.get("plugin_version"), new_env.get("plugin_version"))]
    changes = [f"{name}: {old} -> {new}" for name, old, new in pairs
               if old is not None and new is not None and old != new]
    for group in ("toolchains", "analysers"):
        old, new = old_env.get(group) or {}, new_env.get(group) or {}
        changes += [f"{name}: {version_label(old[name])} -> {version_label(new[name])}"
                    for name in sorted(old.keys() & new.keys()) if old[name] != new[name]]
    # Suites by file name: the same suite is often read from another checkout's path.
    old_suites, new_suites = ({Path(k).name: v for k, v in (env.get("suites") or {}).items()}
                              for env in (old_env, new_env))
    changes += [f"suite {name}: edited" for name in sorted(old_suites.keys() & new_suites.keys())
                if old_suites[name] != new_suites[name]]
    return changes


def compare(current: list[dict[str, Any]], baseline: list[dict[str, Any]],
            changes: list[str] | None = None) -> dict[str, Any]:
    """Per agent: weighted-score delta with its interval, dimension deltas, case changes,
    each shared case's scores before and after (``case_rows``), and the baseline's cases
    that have no result now (``missing``; those that passed there in ``missing_passed``: a
    lost result must not read as no regression); ``changes`` (from
    :func:`environment_changes`) goes along as ``environment_changes``."""
    before = {_key(r): r for r in baseline}
    present = {_key(r) for r in current}
    paired: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for result in current:
        if _key(result) in before:
            paired[result["agent"]].append((before[_key(result)], result))
    gone: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key, result in sorted(before.items()):
        if key not in present and result["agent"] in paired:  # an agent not run: not compared
            gone[result["agent"]].append(result)
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
            "case_deltas": {case_label(now): round(now["weighted_score"] - old["weighted_score"], 2)
                            for old, now in pairs},
            "case_rows": [{"case": case_label(now), "before": _side(old), "after": _side(now)}
                      for old, now in sorted(pairs, key=lambda pair: _key(pair[1]))],
            "spending": spending(pairs),
            "missing": [case_label(r) for r in gone[agent]],
            "missing_passed": [case_label(r) for r in gone[agent] if r["passed"]],
        }
    return {"agents": agents, "environment_changes": list(changes or [])}


def gate(comparison: dict[str, Any], threshold: float, complete: bool = True) -> list[str]:
    """Why the session must fail (empty: it passes the gate). ``complete``: whether every
    item of the current run has a result; when some have none (lost, interrupted), a case
    that passed in the baseline and has no result now fails the gate, since it may hide a
    regression (a complete run without it left it out on purpose: ``-k``, a shard)."""
    reasons = []
    for agent, row in comparison["agents"].items():
        if not complete and row.get("missing_passed"):
            reasons.append(f"{agent}: passed in the baseline, no result now (this run is "
                           "incomplete): " + ", ".join(row["missing_passed"]))
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
        spent = spending_line(row.get("spending") or {})
        if spent:
            out.append(f"  {spent}")
        if row["regressed"]:
            out.append("  regressed (passed before): " + ", ".join(row["regressed"]))
        if row["fixed"]:
            out.append("  fixed (failed before): " + ", ".join(row["fixed"]))
        if row.get("missing"):
            passed = row.get("missing_passed") or []
            out.append(f"  not in this run: {len(row['missing'])} of the baseline's cases "
                       f"({len(passed)} passed there): " + ", ".join(row["missing"]))
    out = out or ["no case in common with the baseline"]
    if comparison.get("environment_changes"):
        out.append("changed since the baseline besides the agent (scores may move with it): "
                   + "; ".join(comparison["environment_changes"]))
    return out


def spending_line(spent: dict[str, Any]) -> str:
    """``cost $0.0120 -> $0.0090 (-$0.0030); tokens in 1.2k -> 900 (-300); …``: only for
    agents whose usage both runs know (agent time alone is no news for replayed replies)."""
    if all(spent.get(f) is None for f in ("cost_usd", "input_tokens", "output_tokens")):
        return ""
    parts = []
    for field, label in (("cost_usd", "cost"), ("input_tokens", "tokens in"),
                         ("output_tokens", "tokens out"), ("agent_seconds", "agent time")):
        figure = spent.get(field)
        if figure is None:
            continue
        if field == "cost_usd":
            sign = "-" if figure["delta"] < 0 else "+"
            parts.append(f"cost {dollars(figure['before'])} -> {dollars(figure['after'])} "
                         f"({sign}{dollars(abs(figure['delta']))})")
        elif field == "agent_seconds":
            parts.append(f"agent time {figure['before']:.1f} s -> {figure['after']:.1f} s "
                         f"({figure['delta']:+.1f} s)")
        else:
            parts.append(f"{label} {tokens(figure['before'])} -> {tokens(figure['after'])} "
                         f"({'-' if figure['delta'] < 0 else '+'}{tokens(abs(figure['delta']))})")
    return "; ".join(parts)


def case_table(comparison: dict[str, Any]) -> list[str]:
    """One row per shared case: status before → after, each dimension's change, the weighted
    score before → after and its change."""
    rows = [(agent, case) for agent, row in comparison["agents"].items()
            for case in row["case_rows"]]
    if not rows:
        return []
    seen = {d for _, case in rows for side in ("before", "after")
            for d in case[side]["dimensions"]}
    dims = [d for d in DIMENSIONS if d in seen] + sorted(seen - set(DIMENSIONS))
    out = [["agent", "case", "status", *(SHORT.get(d, d[:6]) for d in dims), "score", "delta"]]
    for agent, case in rows:
        old, now = case["before"], case["after"]
        out.append([
            agent, case["case"],
            old["status"] if old["status"] == now["status"] else f"{old['status']} -> "
            f"{now['status']}",
            *(f"{now['dimensions'].get(d, 0.0) - old['dimensions'].get(d, 0.0):+.2f}"
              for d in dims),
            f"{old['weighted_score']:.2f} -> {now['weighted_score']:.2f}",
            f"{now['weighted_score'] - old['weighted_score']:+.2f}"])
    return columns(out, right=set(range(3, len(dims) + 5)))
