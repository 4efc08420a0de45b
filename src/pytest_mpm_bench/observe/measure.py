"""Measuring performance: the solution's CPU time on the case's performance input, measured by
the parent, and the reference solution's measured the same way (scored by
``scoring.performance``).

CPU time comes from the kernel's accounting of the child (rusage), never from clocks inside
the child, which the solution could patch. Each side is the minimum of its full runs minus
the start-up: the minimum of ``STARTUP_REPEATS`` runs of the language's driver with a
stand-in solution that defines nothing (``Executor.stand_in``) and no test, measured once per
language and session (``Baselines``). The solution is not in the start-up run at all, so it
can neither tell that run apart nor slow it down, and what it does while loading counts as
its own time.

A solution runs at most ``REPEATS`` times, and stops as soon as more runs could not change its
score (``settled``): a minimum only falls, so once it sits well inside its band, or at the
floor, the score is known. Where the workload is the tests, the correctness run is the first
of them. The reference's measurement is kept across sessions by content and machine
(``ReferenceTimes``): a session measures only the solutions.

Every performance run is judged like a test: each answer must be there and equal the expected
one (the case's checker, the tests' expected values when the workload is the tests, else the
reference solution's answers on the same generated input, recorded when the reference is
measured). A run with a missing or wrong answer has no time.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import math
import os
import platform
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pytest_mpm_bench import __version__, sandbox, state
from pytest_mpm_bench.compare import matches, run_checker
from pytest_mpm_bench.generators import evaluate, has_sizes, scaled
from pytest_mpm_bench.languages import Executor, executor_for
from pytest_mpm_bench.observe.run import ExecSettings, parse_records, run_in_workdir
from pytest_mpm_bench.scoring.performance import ratio_score
from pytest_mpm_bench.suite import Case, Compare

REPEATS = 3  # full runs of a solution at most
STARTUP_REPEATS = 5  # start-up runs, once per language and session
# A minimum of fewer runs than REPEATS stands when even this much lower it would score the
# same: the minimum of three is rarely more than 10-15% under the first run's, on a loaded
# 2-core machine.
SETTLED_MARGIN = 1.2
# After two runs, a second within this share of the first says the minimum is stable.
STABLE = 0.05
# Seconds beyond start-up below which two solutions tie: start-ups of one program spread by
# 5-10 ms on a loaded 2-core machine (Python: 53-61 ms), so a 2 ms and a 6 ms run can swap.
FLOOR = 0.01
# Hardware instruction counters (`perf stat -e instructions`) would be steadier than CPU time,
# but they are "not supported" on the virtual machines this runs on (checked with
# `perf stat -e instructions true`); the evidence names the counter used.
COUNTER = "cpu time (user+sys), min of up to 3 runs"
GROWTH_FACTOR = 4  # the growth run uses the performance input at a quarter of its size
GROWTH_FLOOR = 0.01  # seconds: a smaller run faster than this says nothing about growth
SHOWN = 120  # characters of an answer quoted in the evidence
#: Changes when what a stored reference measurement means changes (not with every release).
MEASURE_FORMAT = 2

#: Judges a run's answers (in workload order): "" when right, else what differed.
Judge = Callable[[list[Any]], str]


@dataclass(frozen=True)
class Measurement:
    cpu_seconds: float | None  # None: the performance run did not complete or answered wrong
    problem: str = ""
    startup_seconds: float = 0.0  # the driver with a stand-in solution (subtracted)
    #: The answers of the full run, in workload order (the reference's are the expected ones).
    answers: tuple[Any, ...] | None = None
    runs: int = 0  # full runs measured
    #: The least CPU seconds (start-up included) of the run at 1/``GROWTH_FACTOR`` of the
    #: size, when growth was measured with it.
    small_seconds: float | None = None


def workload(case: Case, factor: float = 1.0) -> list[dict[str, Any]]:
    """The performance input (its sizes scaled by ``factor``), or, for a case without one, all
    of its tests' inputs."""
    if case.performance is None:
        return [t.payload() for t in case.test_cases]
    return [_generated(json.dumps(scaled(case.performance, factor), sort_keys=True))]


@lru_cache(maxsize=4)
def _generated(performance: str) -> Any:
    """A performance input, generated once per process for all the runs that use it (the
    reference's, each solution's, their judges': large random strings take ~0.4 s each).
    Shared: its users only read it."""
    return evaluate(json.loads(performance))


def _spec(case: Case, payloads: list[dict[str, Any]],
          options: dict[str, Any]) -> dict[str, Any]:
    return {"entry_point": case.entry_point, "kind": case.kind,
            "tests": [json.dumps(p) for p in payloads], **options}



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


#: The start-up run's input: no test, so no entry point is looked up.
STARTUP_SPEC: dict[str, Any] = {"entry_point": "solution", "kind": "function", "tests": []}


def startup_run(executor: Executor, options: dict[str, Any]) -> _Run:
    """The driver with the stand-in solution and no test: what is subtracted as start-up.
    The same for every solution of the language with the same driver ``options``, and the
    solution is not in it."""
    return _Run(executor.stand_in, {**STARTUP_SPEC, **options}, judge=lambda found: "")


def startup(executor: Executor, settings: ExecSettings, options: dict[str, Any],
            repeats: int = STARTUP_REPEATS) -> Measurement:
    """The least CPU seconds of ``repeats`` start-up runs (``problem`` when one failed)."""
    best = math.inf
    for _ in range(repeats):
        seconds, problem, _ = _one(executor, startup_run(executor, options), settings)
        if seconds is None:
            return Measurement(None, f"the start-up run failed: {problem}")
        best = min(best, seconds)
    return Measurement(best, runs=repeats)


def settled(net: float, reference: float) -> bool:
    """Whether further runs could not change the score: a minimum only falls, so once even a
    ``SETTLED_MARGIN`` lower one (or the floor) scores the same, the score is known."""
    lowest = max(FLOOR, net / SETTLED_MARGIN)
    return net <= FLOOR or ratio_score(lowest / reference) == ratio_score(net / reference)


def wants_growth(case: Case) -> bool:
    """Growth is measured where the case declares a complexity to hold it against and its
    performance input has generated sizes to scale."""
    return (bool(case.time_complexity) and case.performance is not None
            and has_sizes(case.performance))


def measure(case: Case, source: str, executor: Executor, settings: ExecSettings,
            base: float, reference: Measurement | None = None, first: float | None = None,
            growth: bool = False) -> Measurement:
    """CPU seconds ``source`` spends on the performance input, ``base`` (the start-up)
    subtracted, its answers judged by ``expectation`` (``reference``: the reference's
    measurement; None while the reference itself is measured: its answers are recorded, and
    only a stable minimum or the floor ends its runs early). ``first``: the CPU seconds of a
    judged run on the same workload already made (the correctness run, when the workload is
    the tests). With ``growth``, each
    round also runs the input at 1/``GROWTH_FACTOR`` of its size (``small_seconds``).
    Every run is judged; the first failure ends the measurement with no time."""
    options = executor.driver_options(source, case)  # as ``base`` was measured with
    full = _Run(source, _spec(case, workload(case), options),
                expectation(case, executor, reference))
    small = _Run(source, _spec(case, workload(case, 1 / GROWTH_FACTOR), options)) \
        if growth else None
    best, tiny, recorded, runs, stable = math.inf, math.inf, None, 0, False
    for round_number in range(REPEATS):
        if round_number == 0 and first is not None:
            best = first
        else:
            seconds, problem, found = _one(executor, full, settings)
            if seconds is None:
                return Measurement(None, problem, base)
            stable = abs(seconds - best) <= STABLE * min(seconds, best)
            best = min(best, seconds)
            recorded = found if recorded is None else recorded
        runs += 1
        if small is not None:
            # The smaller input has no expected answers (the reference never ran it): its
            # run must complete, and a failure there only leaves growth unmeasured.
            smaller, _, _ = _one(executor, small, settings)
            if smaller is None:
                small, tiny = None, math.nan
            else:
                tiny = min(tiny, smaller)
        net = max(FLOOR, best - base)
        if reference is None:
            done = stable or net <= FLOOR  # the floor cannot fall: more runs change nothing
        else:
            done = stable or (reference.cpu_seconds is not None
                              and settled(net, max(FLOOR, reference.cpu_seconds)))
        if done:
            break
    return Measurement(max(FLOOR, best - base), startup_seconds=base,
                       answers=None if recorded is None else tuple(recorded), runs=runs,
                       small_seconds=None if math.isnan(tiny) or math.isinf(tiny) else tiny)


def growth(case: Case, mine: Measurement) -> dict[str, Any] | None:
    """Evidence of how CPU time grows with the input: the exponent k of time ~ size^k between
    the performance input and the same at 1/``GROWTH_FACTOR`` of its size, both measured by
    ``measure``. None when growth is not measured for the case."""
    if not wants_growth(case) or mine.cpu_seconds is None:
        return None
    evidence: dict[str, Any] = {"tool": "growth", "size_ratio": GROWTH_FACTOR,
                                "declared": case.time_complexity or None}
    if mine.small_seconds is None:
        return {**evidence, "message": "not measured: the run at a quarter of the size did "
                                       "not complete"}
    small = mine.small_seconds - mine.startup_seconds
    if small < GROWTH_FLOOR:
        return {**evidence, "message": f"not measured: the smaller input takes under "
                                       f"{GROWTH_FLOOR * 1000:g} ms of CPU time"}
    large = max(FLOOR, mine.cpu_seconds)
    evidence["exponent"] = round(math.log(large / small) / math.log(GROWTH_FACTOR), 2)
    return evidence


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


@cache
def machine() -> tuple[str, ...]:
    """What makes CPU times comparable: the processor, how many, the kernel."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    return (model or platform.processor(), str(os.cpu_count()), platform.release(),
            platform.machine())


@cache
def _toolchain(language: str) -> tuple[str | None, str, list[str], dict[str, str]]:
    """The toolchain's version, our driver, and how a run is started (a runtime's flags, such
    as the JVM's, change its CPU time as a new version would)."""
    executor = executor_for(language)
    return (executor.version(), _digest(executor.driver_source()),
            executor.command(Path("/mpm-work")), dict(executor.run_env))


class Baselines:
    """The start-up of each language, measured once per session (at worst once per xdist
    worker: they share it through files in the session's private directory)."""

    def __init__(self, session: str) -> None:
        self.root = state.perf_dir(session)

    def get(self, executor: Executor, settings: ExecSettings,
            options: dict[str, Any] | None = None) -> Measurement:
        """The start-up with the driver ``options`` of the solution it is subtracted from
        (``Executor.driver_options``)."""
        options = options or {}
        key = _digest([executor.language, settings.level, options])
        return _once(self.root / f"startup-{key}.json",
                     lambda: startup(executor, settings, options))


class ReferenceTimes:
    """The reference's CPU time (start-up subtracted) and answers per case, measured once and
    kept across sessions, keyed by everything the figure depends on: the reference, the
    workload and how it is judged, the toolchain and our driver, the harness's version, the
    sandbox level and the machine (processor, count, kernel). The answers are kept in full: a
    solution's are compared with them under the case's compare mode (order, float tolerance),
    which a hash could not do. They live in a private directory of the user's cache
    (``state.reference_dir``; entries unused for ``state.REFERENCE_MAX_AGE`` are removed)."""

    def __init__(self, session: str) -> None:
        self.baselines = Baselines(session)
        self.root = state.reference_dir()

    def key(self, case: Case, settings: ExecSettings) -> str:
        return _digest([
            MEASURE_FORMAT, __version__, machine(), _toolchain(case.language), settings.level,
            case.language, case.reference_solution, case.entry_point, case.kind,
            case.performance, case.checker, str(case.compare),
            None if case.performance is not None else
            [[t.payload(), t.expected, str(t.compare)] for t in case.test_cases]])

    def get(self, case: Case, executor: Executor, settings: ExecSettings) -> Measurement:
        path = self.root / f"{self.key(case, settings)}.json"
        found = _load(path)
        if found is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # in use: kept
            return found

        def measured() -> Measurement:
            source = case.reference_solution or ""
            base = self.baselines.get(executor, settings, executor.driver_options(source, case))
            if base.cpu_seconds is None:
                return Measurement(None, base.problem)
            return measure(case, source, executor, settings, base.cpu_seconds)

        return _once(path, measured)


def _once(path: Path, make: Callable[[], Measurement]) -> Measurement:
    """What ``path`` holds, else ``make()`` stored there: one process makes it while the
    others (xdist workers starting together) wait for it rather than measure it too."""
    found = _load(path)
    if found is not None:
        return found
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = _load(path)
        if found is None:
            found = make()
            _store(path, found)
    return found


def _load(path: Path) -> Measurement | None:
    try:
        data = json.loads(path.read_text())
        found = data["answers"]
        return Measurement(data["cpu_seconds"], data["problem"], data["startup_seconds"],
                           None if found is None else tuple(found), data["runs"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(path: Path, result: Measurement) -> None:
    """Atomically: another worker reads either nothing or the whole file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "w") as handle:
        json.dump({"cpu_seconds": result.cpu_seconds, "problem": result.problem,
                   "startup_seconds": result.startup_seconds, "runs": result.runs,
                   "answers": None if result.answers is None else list(result.answers)},
                  handle)
    os.replace(tmp, path)
