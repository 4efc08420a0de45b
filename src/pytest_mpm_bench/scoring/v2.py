"""The v2 rubric: correctness from the tests, style from real analysers, performance from CPU
time relative to the reference solution. Every point lost has its evidence."""

from __future__ import annotations

from typing import Any

from pytest_mpm_bench import statuses
from pytest_mpm_bench.execution import CaseOutcome, ExecSettings
from pytest_mpm_bench.languages import Executor
from pytest_mpm_bench.scoring import analysers
from pytest_mpm_bench.scoring.performance import (
    COUNTER,
    ReferenceTimes,
    growth,
    measure,
    ratio_score,
)
from pytest_mpm_bench.suite import Case

Evidence = dict[str, list[dict[str, Any]]]


def _performance(case: Case, source: str, outcome: CaseOutcome, executor: Executor,
                 settings: ExecSettings, references: ReferenceTimes
                 ) -> tuple[float, list[dict[str, Any]]]:
    if not outcome.passed:
        return 0.0, [{"tool": "cpu-time", "message": "only passing solutions earn performance "
                                                      "points"}]
    reference = references.get(case, executor, settings)
    if reference.cpu_seconds is None:
        return 0.0, [{"tool": "cpu-time", "message": f"the reference solution failed the "
                                                      f"performance input: {reference.problem}"}]
    mine = measure(case, source, executor, settings, reference)
    if mine.cpu_seconds is None:  # no time without every answer, each one right
        return 0.0, [{"tool": "cpu-time", "message": mine.problem,
                      "reference_cpu_seconds": round(reference.cpu_seconds, 4)}]
    ratio = mine.cpu_seconds / reference.cpu_seconds
    evidence = [{"tool": "cpu-time", "cpu_seconds": round(mine.cpu_seconds, 4),
                 "reference_cpu_seconds": round(reference.cpu_seconds, 4),
                 "ratio": round(ratio, 3), "startup_cpu_seconds": round(mine.startup_seconds, 4),
                 "input": "performance" if case.performance else "tests",
                 "counter": COUNTER}]
    grown = growth(case, source, executor, settings, mine, reference)
    return ratio_score(ratio), evidence + ([grown] if grown else [])


def score(case: Case, source: str, outcome: CaseOutcome, executor: Executor,
          settings: ExecSettings, references: ReferenceTimes) -> tuple[dict[str, float], Evidence]:
    """The four v2 dimensions and the evidence behind each."""
    total = len(outcome.tests)
    passed = sum(t.passed for t in outcome.tests)
    correctness = round(10.0 * passed / total, 2) if total else 0.0
    evidence: Evidence = {"correctness": [{"tool": "tests", "passed": passed, "total": total,
                                           "status": outcome.status}]}
    dimensions = {"correctness": correctness}
    if outcome.status == statuses.COMPILE_ERROR:  # code that does not build earns no style
        for dimension in ("idiomaticity", "best_practices"):
            dimensions[dimension] = 0.0
            evidence[dimension] = [{"tool": "compiler", "message": "the solution does not "
                                                                   "compile"}]
    else:
        findings = analysers.analyse(source, case.language, executor.file_name(source),
                                      settings.tools)
        for dimension in ("idiomaticity", "best_practices"):
            dimensions[dimension] = analysers.score(findings[dimension], source, case.language)
            evidence[dimension] = findings[dimension]
    dimensions["performance"], evidence["performance"] = _performance(
        case, source, outcome, executor, settings, references)
    order = ("correctness", "idiomaticity", "performance", "best_practices")
    return {k: dimensions[k] for k in order}, evidence
