"""Summary arithmetic: pass@k, pass^k, flaky cases, grouping."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_mpm_bench.report.summary import pass_at_k, pass_hat_k, summarize
from pytest_mpm_bench.report.terminal import table


def result(case: str, sample: int, passed: bool, difficulty: str = "easy") -> dict[str, Any]:
    score = 9.5 if passed else 0.0
    return {"agent": "a", "test_id": case, "sample": sample, "passed": passed,
            "difficulty": difficulty, "category": "algorithms",
            "dimensions": {"correctness": score}, "weighted_score": score}


def test_unbiased_estimators() -> None:
    assert pass_at_k(10, 0, 1) == 0.0
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(5, 1, 3) == pytest.approx(1 - 4 * 3 * 2 / (5 * 4 * 3))  # 1 - C(4,3)/C(5,3)
    assert pass_at_k(3, 1, 3) == 1.0
    assert pass_hat_k(3, 3, 3) == 1.0 and pass_hat_k(3, 2, 3) == 0.0
    assert pass_hat_k(4, 2, 1) == 0.5


def test_summary_with_samples() -> None:
    rows = [result("x", s, p) for s, p in enumerate([True, False, True])]
    rows += [result("y", s, True, "hard") for s in range(3)]
    rows += [result("z", s, False, "hard") for s in range(3)]
    agent = summarize(rows)["agents"]["a"]
    assert agent["tests"] == 9 and agent["passed"] == 5
    assert agent["pass_at_k"] == {"pass@1": round((2 / 3 + 1 + 0) / 3, 4),
                                  "pass@3": round(2 / 3, 4)}
    assert agent["pass_hat_k"]["pass^3"] == round(1 / 3, 4)
    assert agent["flaky"] == ["x"]
    assert agent["by_difficulty"]["hard"] == {"tests": 6, "passed": 3, "harness_errors": 0,
                                              "pass_rate": 0.5,
                                              "dimensions": {"correctness": 4.75},
                                              "weighted_score": 4.75}


def test_pass_rate_by_try_is_cumulative_up_to_the_tries_allowed() -> None:
    rows = [dict(result(case, 0, at is not None), passed_at_try=at, max_tries=3)
            for case, at in (("a", 1), ("b", 2), ("c", None), ("d", 2))]
    agent = summarize(rows)["agents"]["a"]
    assert agent["pass_rate_by_try"] == {"1": 0.25, "2": 0.75, "3": 0.75}
    assert agent["pass_rate"] == 0.75  # the last try's verdict
    lines = table(summarize(rows))
    assert "a: pass rate by try 1: 25%  2: 75%  3: 75%" in lines


def test_results_without_tries_count_as_one_try() -> None:
    rows = [result("x", 0, True), result("y", 0, False)]  # a report from before --mpm-tries
    summary = summarize(rows)
    assert summary["agents"]["a"]["pass_rate_by_try"] == {"1": 0.5}
    assert not any("pass rate by try" in line for line in table(summary))
