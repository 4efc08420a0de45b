"""The v2 rubric: correctness from the tests, style from real analysers, performance from CPU
time relative to the reference solution. Every point lost has its evidence."""

from __future__ import annotations

from typing import Any

from pytest_mpm_bench.observe import Observations
from pytest_mpm_bench.observe.measure import COUNTER
from pytest_mpm_bench.observe.run import CaseOutcome
from pytest_mpm_bench.scoring.performance import judge_growth, ratio_score
from pytest_mpm_bench.scoring.style import priced, style_score
from pytest_mpm_bench.suite import Case

Evidence = dict[str, list[dict[str, Any]]]


def _performance(case: Case, observed: Observations) -> tuple[float, list[dict[str, Any]]]:
    perf = observed.performance
    if perf is None:
        return 0.0, [{"tool": "cpu-time", "message": "only passing solutions earn performance "
                                                      "points"}]
    reference, mine = perf.reference, perf.mine
    if reference.cpu_seconds is None:
        return 0.0, [{"tool": "cpu-time", "message": f"the reference solution failed the "
                                                      f"performance input: {reference.problem}"}]
    if mine is None or mine.cpu_seconds is None:  # no time without every answer, each right
        return 0.0, [{"tool": "cpu-time", "message": mine.problem if mine else "not measured",
                      "reference_cpu_seconds": round(reference.cpu_seconds, 4)}]
    ratio = mine.cpu_seconds / reference.cpu_seconds
    evidence = [{"tool": "cpu-time", "cpu_seconds": round(mine.cpu_seconds, 4),
                 "reference_cpu_seconds": round(reference.cpu_seconds, 4),
                 "ratio": round(ratio, 3), "startup_cpu_seconds": round(mine.startup_seconds, 4),
                 "input": "performance" if case.performance else "tests",
                 "runs": mine.runs, "counter": COUNTER}]
    grown = [judge_growth(perf.growth, case.time_complexity)] if perf.growth else []
    return ratio_score(ratio), evidence + grown


def score(case: Case, source: str, outcome: CaseOutcome,
          observed: Observations) -> tuple[dict[str, float], Evidence]:
    """The four v2 dimensions and the evidence behind each: a pure function of the outcome and
    what ``observe.observe_v2`` saw (it starts nothing)."""
    total = len(outcome.tests)
    passed = sum(t.passed for t in outcome.tests)
    correctness = round(10.0 * passed / total, 2) if total else 0.0
    evidence: Evidence = {"correctness": [{"tool": "tests", "passed": passed, "total": total,
                                           "status": outcome.status}]}
    dimensions = {"correctness": correctness}
    if observed.findings is None:  # code that does not build earns no style
        for dimension in ("idiomaticity", "best_practices"):
            dimensions[dimension] = 0.0
            evidence[dimension] = [{"tool": "compiler", "message": "the solution does not "
                                                                   "compile"}]
    else:
        for dimension in ("idiomaticity", "best_practices"):
            findings = priced(observed.findings[dimension], source, case.language)
            dimensions[dimension] = style_score(findings, source, case.language)
            evidence[dimension] = findings
    dimensions["performance"], evidence["performance"] = _performance(case, observed)
    order = ("correctness", "idiomaticity", "performance", "best_practices")
    return {k: dimensions[k] for k in order}, evidence
