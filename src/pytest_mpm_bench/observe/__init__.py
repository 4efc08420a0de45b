"""Everything done to a solution besides asking for it: build, run, measure, analyse.

Every process started here reads or runs solution-derived text, so every one goes through the
sandbox (``sandbox.run`` for the solution's program, ``sandbox.Tools`` for compilers, type
checkers and analysers), and what comes back are frozen observations: the run's
``CaseOutcome`` (``run.py``), CPU-time ``Measurement``s (``measure.py``), the analysers'
findings (``analysers/``). ``scoring`` turns them into scores without starting anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import Executor
from pytest_mpm_bench.observe import analysers, measure
from pytest_mpm_bench.observe.analysers import Finding
from pytest_mpm_bench.observe.measure import Measurement, ReferenceTimes
from pytest_mpm_bench.observe.run import CaseOutcome, ExecSettings
from pytest_mpm_bench.suite import Case


@dataclass(frozen=True)
class Performance:
    reference: Measurement
    mine: Measurement | None  # None when the reference could not be measured
    growth: dict[str, Any] | None = None  # how the solution's time grows with the input


@dataclass(frozen=True)
class Observations:
    """What v2 scores besides the tests; None where there was nothing to observe."""

    findings: dict[str, list[Finding]] | None  # None: the solution does not compile
    performance: Performance | None  # None: only a passing solution is measured


def observe_v2(case: Case, source: str, outcome: CaseOutcome, executor: Executor,
               settings: ExecSettings, references: ReferenceTimes) -> Observations:
    """Analyse ``source`` and, when it passed, measure it against the reference."""
    findings = None
    if outcome.status != statuses.COMPILE_ERROR:
        findings = analysers.analyse(source, case.language, executor.file_name(source),
                                     settings.tools)
    if not outcome.passed:
        return Observations(findings, None)
    reference = references.get(case, executor, settings)
    if reference.cpu_seconds is None:
        return Observations(findings, Performance(reference, None))
    base = references.baselines.get(executor, settings, executor.driver_options(source, case))
    if base.cpu_seconds is None:
        return Observations(findings, Performance(reference, base))
    # Where the workload is the tests, the correctness run just made (and judged) is a full
    # performance run: it counts as the first.
    first = outcome.cpu_seconds if case.performance is None and outcome.cpu_seconds else None
    mine = measure.measure(case, source, executor, settings, base.cpu_seconds, reference, first,
                           growth=measure.wants_growth(case))
    return Observations(findings, Performance(reference, mine, measure.growth(case, mine)))
