"""What a comparison says changed besides the agent (``compare.environment_changes``), and what
the agent spent before and after."""

from __future__ import annotations

from typing import Any

from pytest_mpm_bench.report import compare
from pytest_mpm_bench.report.compare import environment_changes


def document(scoring: str = "v2", **environment: Any) -> dict[str, Any]:
    env = {"plugin_version": "0.1.0", "sandbox": "bwrap",
           "toolchains": {"python": "Python 3.11.7", "go": "go1.26"},
           "analysers": {"ruff": "ruff 0.17.6", "gofmt": ""},
           "suites": {"/ci/a/benchmarks/python_mini.json": "aa"}, **environment}
    return {"environment": env, "config": {"scoring": scoring, "weights": {"correctness": 0.4}}}


def test_the_same_setup_elsewhere_is_no_change() -> None:
    moved = document(suites={"/home/me/clone/benchmarks/python_mini.json": "aa"})
    assert environment_changes(document(), moved) == []


def test_each_change_is_named_old_to_new() -> None:
    after = document("v1", sandbox="unshare", toolchains={"python": "Python 3.12.1", "go": None},
                     analysers={"ruff": "ruff 0.18.0", "gofmt": None},
                     suites={"/x/python_mini.json": "bb"})
    assert environment_changes(document(), after) == [
        "scoring: v2 -> v1", "sandbox: bwrap -> unshare", "go: go1.26 -> missing",
        "python: Python 3.11.7 -> Python 3.12.1", "gofmt: found -> missing",
        "ruff: ruff 0.17.6 -> ruff 0.18.0", "suite python_mini.json: edited"]


def test_what_only_one_side_records_is_not_a_change() -> None:
    older = {"environment": {"toolchains": {"python": "Python 3.11.7"}}, "config": {}}
    newer = document(toolchains={"python": "Python 3.11.7", "go": "go1.26"})
    assert environment_changes(older, newer) == []
    assert environment_changes({}, newer) == []


def _spent(case: str, usage: dict[str, Any] | None, seconds: float) -> dict[str, Any]:
    result = {"agent": "a", "test_id": case, "sample": 0, "passed": True, "status": "passed",
              "weighted_score": 9.0, "dimensions": {"correctness": 9.0},
              "timings": {"agent": seconds}}
    return {**result, "usage": usage} if usage is not None else result


def test_cost_and_tokens_are_compared_over_the_cases_both_runs_priced() -> None:
    before = [_spent("c1", {"input_tokens": 1000, "output_tokens": 100, "cost_usd": 0.01}, 2.0),
              _spent("c2", None, 1.0)]  # an old report: no usage
    after = [_spent("c1", {"input_tokens": 400, "output_tokens": 150, "cost_usd": 0.004}, 1.0),
             _spent("c2", {"input_tokens": 5, "output_tokens": 5, "cost_usd": 1.0}, 1.0)]
    row = compare.compare(after, before)["agents"]["a"]
    assert row["spending"] == {
        "input_tokens": {"before": 1000, "after": 400, "delta": -600, "cases": 1},
        "output_tokens": {"before": 100, "after": 150, "delta": 50, "cases": 1},
        "cost_usd": {"before": 0.01, "after": 0.004, "delta": -0.006, "cases": 1},
        "agent_seconds": {"before": 3.0, "after": 2.0, "delta": -1.0, "cases": 2}}
    assert compare.lines(compare.compare(after, before))[1] == (
        "  cost $0.0100 -> $0.0040 (-$0.0060); tokens in 1.0k -> 400 (-600); tokens out 100 -> "
        "150 (+50); agent time 3.0 s -> 2.0 s (-1.0 s)")
    unpriced = compare.compare(before[1:], before[1:])
    assert not any("cost" in line for line in compare.lines(unpriced))
