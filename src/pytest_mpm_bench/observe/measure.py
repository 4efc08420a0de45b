"""Measuring performance: the solution's CPU time on the case's performance input, measured by
the parent, and the reference solution's measured the same way in the same session (scored by
``scoring.performance``).

CPU time comes from the kernel's accounting of the child (rusage), never from clocks inside
the child, which the solution could patch. Each side is the minimum of ``REPEATS`` runs minus
the minimum of ``REPEATS`` start-up runs: the language's driver with a stand-in solution that
defines nothing (``Executor.stand_in``) and no test. The solution is not in the start-up run
at all, so it can neither tell that run apart nor slow it down, and what it does while
loading counts as its own time.

Every performance run is judged like a test: each answer must be there and equal the expected
one (the case's checker, the tests' expected values when the workload is the tests, else the
reference solution's answers on the same generated input, recorded when the reference is
measured). A run with a missing or wrong answer has no time.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_mpm_bench import sandbox, state
from pytest_mpm_bench.compare import matches, run_checker
from pytest_mpm_bench.generators import evaluate, has_sizes, scaled
from pytest_mpm_bench.languages import Executor
from pytest_mpm_bench.observe.run import ExecSettings, parse_records, run_in_workdir
from pytest_mpm_bench.suite import Case, Compare

REPEATS = 3
# Seconds beyond start-up below which two solutions tie: start-ups of one program spread by
# 5-10 ms on a loaded 2-core machine (Python: 53-61 ms), so a 2 ms and a 6 ms run can swap.
FLOOR = 0.01
# Hardware instruction counters (`perf stat -e instructions`) would be steadier than CPU time,
# but they are "not supported" on the virtual machines this runs on (checked with
# `perf stat -e instructions true`); the evidence names the counter used.
COUNTER = "rusage cpu time (user+sys), min of 3"
GROWTH_FACTOR = 4  # the growth run uses the performance input at a quarter of its size
GROWTH_FLOOR = 0.01  # seconds: a smaller run faster than this says nothing about growth
SHOWN = 120  # characters of an answer quoted in the evidence

#: Judges a run's answers (in workload order): "" when right, else what differed.
Judge = Callable[[list[Any]], str]


@dataclass(frozen=True)
class Measurement:
    cpu_seconds: float | None  # None: the performance run did not complete or answered wrong
    problem: str = ""
    startup_seconds: float = 0.0  # the driver with a stand-in solution (subtracted)
    #: The answers of the full run, in workload order (the reference's are the expected ones).
    answers: tuple[Any, ...] | None = None


def workload(case: Case, factor: float = 1.0) -> list[dict[str, Any]]:
    """The performance input (its sizes scaled by ``factor``), or, for a case without one, all
    of its tests' inputs."""
    if case.performance is None:
        return [t.payload() for t in case.test_cases]
    return [evaluate(scaled(case.performance, factor))]


def _spec(case: Case, payloads: list[dict[str, Any]]) -> dict[str, Any]:
    return {"entry_point": case.entry_point, "kind": case.kind,
            "tests": [json.dumps(p) for p in payloads]}


def answers(raw: sandbox.RunResult, count: int) -> tuple[list[Any] | None, str]:
    """The ``count`` answers of a run in order, or why the run gave none to trust: as for the
    tests, a run counts only with one ok record per input and then its end record."""
    if raw.timed_out:
        return None, f"timed out after {raw.wall_seconds:.1f} s on the performance input"
    if raw.memory_exceeded:
        return None, "exceeded the memory limit on the performance input"
    if raw.output_exceeded:
        return None, f"flooded {raw.output_exceeded} on the performance input"
    records, broken = parse_records(raw.channel, count)
    if broken is not None:
        return None, broken
    first = records[0] if records else {}
    if first.get("type") in ("compile_error", "load_error"):
        return None, f"loading the solution failed: {first.get('message')}"
    values: dict[int, Any] = {}
    for record in records:
        if record.get("type") != "result":
            continue
        index = record.get("index")
        if not isinstance(index, int) or not 0 <= index < count or index in values:
            return None, "the results channel holds a duplicate or unknown record"
        if not record.get("ok"):
            return None, (f"input {index + 1} of the performance run failed: "
                          f"{record.get('error_type')}: {str(record.get('error'))[:300]}")
        values[index] = record.get("value")
    ended = [r for r in records if r.get("type") == "end"]
    if len(values) < count:
        return None, (f"the performance run reported {len(values)} of {count} answer(s) "
                      f"(exit: {raw.exit_code if raw.signal is None else raw.signal})")
    if len(ended) != 1 or ended[0].get("count") != count or records[-1].get("type") != "end":
        return None, "the performance run did not end with one end record"
    return [values[k] for k in range(count)], ""


def _shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + f"… ({len(text)} characters)"


def difference(expected: Any, actual: Any) -> str:
    """Where ``actual`` first departs from ``expected``, for the evidence."""
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"{len(actual)} items where {len(expected)} were expected"
        at = next((k for k, (e, a) in enumerate(zip(expected, actual, strict=True)) if e != a),
                  None)
        if at is not None:
            return f"item {at}: {_shown(actual[at])} where {_shown(expected[at])} was expected"
    return f"{_shown(actual)} where {_shown(expected)} was expected"


def judge_against(case: Case, expected: Sequence[Any], compares: Sequence[Compare],
                  loose_numbers: bool) -> Judge:
    """A judge comparing each answer with its expected value under its compare mode."""
    def judge(found: list[Any]) -> str:
        for k, (want, got, compare) in enumerate(zip(expected, found, compares, strict=True)):
            if not matches(want, got, compare, loose_numbers=loose_numbers):
                return f"wrong answer on input {k + 1} of the performance run: " + \
                    difference(want, got)
        return ""
    return judge


def judge_by_checker(case: Case, payloads: list[dict[str, Any]]) -> Judge:
    """A judge asking the case's checker about each answer."""
    def judge(found: list[Any]) -> str:
        for k, (payload, got) in enumerate(zip(payloads, found, strict=True)):
            ok, note = run_checker(case.checker or "", next(iter(payload.values())), got)
            if not ok:
                return (f"wrong answer on input {k + 1} of the performance run: the checker "
                        f"rejected {_shown(got)}" + (f" ({note})" if note else ""))
        return ""
    return judge


def expectation(case: Case, executor: Executor,
                reference: Measurement | None) -> Judge | None:
    """How the full performance run's answers are judged: by the checker, by the tests'
    expected values (the workload is the tests), else by the reference's answers (None while
    the reference itself is being measured: its answers are then recorded)."""
    payloads = workload(case)
    if case.checker is not None:
        return judge_by_checker(case, payloads)
    if case.performance is None:
        return judge_against(case, [t.expected for t in case.test_cases],
                             [t.compare for t in case.test_cases], executor.loose_numbers)
    if reference is None or reference.answers is None:
        return None
    return judge_against(case, reference.answers, [case.compare], executor.loose_numbers)


@dataclass(frozen=True)
class _Run:
    source: str
    spec: dict[str, Any]
    judge: Judge | None = None  # None: the answers are recorded, not judged


def _one(executor: Executor, run: _Run,
         settings: ExecSettings) -> tuple[float | None, str, list[Any] | None]:
    _, raw = run_in_workdir(executor, run.source, run.spec, settings)
    if raw is None:
        return None, "did not build", None
    found, problem = answers(raw, len(run.spec["tests"]))
    if found is None:
        return None, problem, None
    problem = run.judge(found) if run.judge is not None else ""
    if problem:
        return None, problem, None
    return raw.cpu_seconds, "", found


def _interleaved(executor: Executor, runs: list[_Run], settings: ExecSettings
                 ) -> tuple[list[float] | None, str, list[list[Any] | None]]:
    """The least CPU time of each run over ``REPEATS`` rounds, and each one's answers (of its
    first round). The runs take turns within a round, so a change of load on the machine hits
    them alike (their difference is the figure that matters). Every round is judged."""
    best = [math.inf] * len(runs)
    found: list[list[Any] | None] = [None] * len(runs)
    for _ in range(REPEATS):
        for i, run in enumerate(runs):
            seconds, problem, values = _one(executor, run, settings)
            if seconds is None:
                return None, problem, found
            best[i] = min(best[i], seconds)
            found[i] = values if found[i] is None else found[i]
    return best, "", found


def startup_run(case: Case, executor: Executor) -> _Run:
    """The driver with the stand-in solution and no test: what is subtracted as start-up.
    The same for every solution of the language, and the solution is not in it."""
    return _Run(executor.stand_in, _spec(case, []), judge=lambda found: "")


def measure(case: Case, source: str, executor: Executor, settings: ExecSettings,
            reference: Measurement | None = None) -> Measurement:
    """CPU seconds the solution spends on the performance input (start-up subtracted), its
    answers judged by ``expectation`` (``reference``: the reference's measurement)."""
    judge = expectation(case, executor, reference)
    full = _Run(source, _spec(case, workload(case)), judge)
    times, problem, found = _interleaved(executor, [startup_run(case, executor), full],
                                         settings)
    if times is None:
        return Measurement(None, problem)
    base, total = times
    return Measurement(max(FLOOR, total - base), startup_seconds=base,
                       answers=tuple(found[1] or ()))


def growth(case: Case, source: str, executor: Executor, settings: ExecSettings,
           full: Measurement, reference: Measurement | None = None) -> dict[str, Any] | None:
    """Evidence of how CPU time grows with the input: the same performance input at
    1/``GROWTH_FACTOR`` of its size, and the exponent k of time ~ size^k between the two.
    None when the input has no generated size to scale."""
    if case.performance is None or not has_sizes(case.performance) or full.cpu_seconds is None:
        return None
    evidence: dict[str, Any] = {"tool": "growth", "size_ratio": GROWTH_FACTOR,
                                "declared": case.time_complexity or None}
    # The smaller input has no expected answers (the reference never ran it): its run must
    # complete; the full one is judged again.
    small_run = _Run(source, _spec(case, workload(case, 1 / GROWTH_FACTOR)))
    full_run = _Run(source, _spec(case, workload(case)),
                    expectation(case, executor, reference))
    times, problem, _ = _interleaved(executor, [small_run, full_run], settings)
    if times is None:
        return {**evidence, "message": f"not measured: {problem}"}
    small = times[0] - full.startup_seconds
    if small < GROWTH_FLOOR:
        return {**evidence, "message": f"not measured: the smaller input takes under "
                                       f"{GROWTH_FLOOR * 1000:g} ms of CPU time"}
    large = max(FLOOR, min(times[1], full.cpu_seconds + full.startup_seconds)
                - full.startup_seconds)
    evidence["exponent"] = round(math.log(large / small) / math.log(GROWTH_FACTOR), 2)
    return evidence


class ReferenceTimes:
    """The reference's CPU time and answers per case, computed once per session and shared by
    xdist workers through files (atomic writes; at worst two workers both measure once). The
    answers are kept in full: a solution's are compared with them under the case's compare
    mode (order, float tolerance), which a hash could not do. They live in a private directory
    of the user's cache (``state.perf_dir``)."""

    def __init__(self, session: str) -> None:
        self.root = state.perf_dir(session)

    def get(self, case: Case, executor: Executor, settings: ExecSettings) -> Measurement:
        key = hashlib.sha256(json.dumps(
            [case.agent_id, case.id, case.reference_solution, case.performance, case.checker,
             case.language, settings.level]).encode()).hexdigest()
        path = self.root / f"{key}.json"
        try:
            data = json.loads(path.read_text())
            found = data["answers"]
            return Measurement(data["cpu_seconds"], data["problem"], data["startup_seconds"],
                               None if found is None else tuple(found))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        result = measure(case, case.reference_solution or "", executor, settings)
        fd, tmp = tempfile.mkstemp(dir=self.root)
        with os.fdopen(fd, "w") as handle:
            json.dump({"cpu_seconds": result.cpu_seconds, "problem": result.problem,
                       "startup_seconds": result.startup_seconds,
                       "answers": None if result.answers is None else list(result.answers)},
                      handle)
        os.replace(tmp, path)
        return result
