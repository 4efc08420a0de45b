"""Performance v2: the solution's CPU time on the case's performance input, measured by the
parent, relative to the reference solution measured the same way in the same session.

CPU time comes from the kernel's accounting of the child (rusage), never from clocks inside
the child, which the solution could patch. Each side is the minimum of ``REPEATS`` runs minus
the minimum of ``REPEATS`` runs that only load the solution (interpreter start-up and import
are not the algorithm).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass
from typing import Any

from pytest_mpm_bench import state
from pytest_mpm_bench.execution import ExecSettings, parse_records, run_in_workdir
from pytest_mpm_bench.generators import evaluate, has_sizes, scaled
from pytest_mpm_bench.languages import Executor
from pytest_mpm_bench.suite import Case

REPEATS = 3
# Seconds beyond start-up below which two solutions tie: start-ups of one program spread by
# 5-10 ms on a loaded 2-core machine (Python: 53-61 ms), so a 2 ms and a 6 ms run can swap.
FLOOR = 0.01
THRESHOLDS = ((0.5, 9.5), (1.0, 8.5), (2.0, 6.5), (5.0, 4.0))
# How far one solution's ratio to the reference moves between runs on a 2-core machine: up
# to ~1.3x for JIT runtimes (V8, the JVM); benchmarks/stability.py prints the spread.
NOISE = 1.3
# Hardware instruction counters (`perf stat -e instructions`) would be steadier than CPU time,
# but they are "not supported" on the virtual machines this runs on (checked with
# `perf stat -e instructions true`); the evidence names the counter used.
COUNTER = "rusage cpu time (user+sys), min of 3"
GROWTH_FACTOR = 4  # the growth run uses the performance input at a quarter of its size
GROWTH_FLOOR = 0.01  # seconds: a smaller run faster than this says nothing about growth
GROWTH_SLACK = 0.4  # measured exponent above the declared one before it is flagged


@dataclass(frozen=True)
class Measurement:
    cpu_seconds: float | None  # None: the performance run did not complete
    problem: str = ""
    startup_seconds: float = 0.0  # loading the solution without running it (subtracted)


def workload(case: Case, factor: float = 1.0) -> list[dict[str, Any]]:
    """The performance input (its sizes scaled by ``factor``), or, for a case without one, all
    of its tests' inputs."""
    if case.performance is None:
        return [t.payload() for t in case.test_cases]
    return [evaluate(scaled(case.performance, factor))]


def _spec(case: Case, payloads: list[dict[str, Any]]) -> dict[str, Any]:
    return {"entry_point": case.entry_point, "kind": case.kind,
            "tests": [json.dumps(p) for p in payloads]}


def _one(executor: Executor, source: str, spec: dict[str, Any],
         settings: ExecSettings) -> tuple[float | None, str]:
    _, raw = run_in_workdir(executor, source, spec, settings)
    if raw is None:
        return None, "did not build"
    if raw.timed_out:
        return None, f"timed out after {raw.wall_seconds:.1f} s on the performance input"
    records, broken = parse_records(raw.channel)
    done = [r for r in records if r.get("type") == "end"]
    failed = [r for r in records if r.get("type") == "result" and not r.get("ok")]
    if broken or not done or failed:
        return None, "the performance run did not complete"
    return raw.cpu_seconds, ""


def _interleaved(executor: Executor, source: str, specs: list[dict[str, Any]],
                 settings: ExecSettings) -> tuple[list[float] | None, str]:
    """The least CPU time of each spec over ``REPEATS`` rounds. The specs take turns within a
    round, so a change of load on the machine hits them alike (their difference is the
    figure that matters)."""
    best = [math.inf] * len(specs)
    for _ in range(REPEATS):
        for i, spec in enumerate(specs):
            seconds, problem = _one(executor, source, spec, settings)
            if seconds is None:
                return None, problem
            best[i] = min(best[i], seconds)
    return best, ""


def measure(case: Case, source: str, executor: Executor, settings: ExecSettings) -> Measurement:
    """CPU seconds the solution spends on the performance input (start-up subtracted)."""
    times, problem = _interleaved(
        executor, source, [_spec(case, []), _spec(case, workload(case))], settings)
    if times is None:
        return Measurement(None, problem)
    base, full = times
    return Measurement(max(FLOOR, full - base), startup_seconds=base)


def growth(case: Case, source: str, executor: Executor, settings: ExecSettings,
           full: Measurement) -> dict[str, Any] | None:
    """Evidence of how CPU time grows with the input: the same performance input at
    1/``GROWTH_FACTOR`` of its size, and the exponent k of time ~ size^k between the two.
    None when the input has no generated size to scale."""
    if case.performance is None or not has_sizes(case.performance) or full.cpu_seconds is None:
        return None
    evidence: dict[str, Any] = {"tool": "growth", "size_ratio": GROWTH_FACTOR,
                                "declared": case.time_complexity or None}
    times, problem = _interleaved(
        executor, source,
        [_spec(case, workload(case, 1 / GROWTH_FACTOR)), _spec(case, workload(case))], settings)
    if times is None:
        return {**evidence, "message": f"not measured: {problem}"}
    small = times[0] - full.startup_seconds
    if small < GROWTH_FLOOR:
        return {**evidence, "message": f"not measured: the smaller input takes under "
                                       f"{GROWTH_FLOOR * 1000:g} ms of CPU time"}
    large = max(FLOOR, min(times[1], full.cpu_seconds + full.startup_seconds)
                - full.startup_seconds)
    exponent = round(math.log(large / small) / math.log(GROWTH_FACTOR), 2)
    evidence["exponent"] = exponent
    declared = declared_exponent(case.time_complexity)
    if declared is not None and exponent > declared + GROWTH_SLACK:
        evidence["flag"] = True
        evidence["message"] = (f"time grows as size^{exponent:g}, faster than the declared "
                               f"{case.time_complexity}")
    return evidence


def declared_exponent(complexity: str) -> float | None:
    """The polynomial degree in n of a declared ``O(...)``: ``O(1)``, ``O(log n)`` → 0,
    ``O(n)``, ``O(n log n)``, ``O((n + m) log n)`` → 1, ``O(n^2)``, ``O(n*n)`` → 2; None when
    the text is not a big-O of n."""
    match = re.search(r"O\((.*)\)", complexity)
    if match is None:
        return None
    body = re.sub(r"log\s*\(?\s*\w+\s*\)?", "", match.group(1))  # logarithms add no degree
    if body.strip() in ("", "1"):
        return 0.0
    degree = 0.0
    for power in re.findall(r"\bn\b\s*(?:\^|\*\*)?\s*(\d*)", body.replace("²", "^2")):
        degree += float(power or 1)
    return degree or None


def ratio_score(ratio: float) -> float:
    """The seed's bands, each widened by the measurement noise: a solution exactly as fast as
    the reference must not flip between 8.5 and 6.5 from one run to the next."""
    for bound, score in THRESHOLDS:
        if ratio <= bound * NOISE:
            return score
    return 2.0


class ReferenceTimes:
    """The reference's CPU time per case, computed once per session and shared by xdist
    workers through files (atomic writes; at worst two workers both measure once), in a private
    directory of the user's cache (``state.perf_dir``)."""

    def __init__(self, session: str) -> None:
        self.root = state.perf_dir(session)

    def get(self, case: Case, executor: Executor, settings: ExecSettings) -> Measurement:
        key = hashlib.sha256(json.dumps(
            [case.agent_id, case.id, case.reference_solution, case.performance,
             case.language, settings.level]).encode()).hexdigest()
        path = self.root / f"{key}.json"
        try:
            data = json.loads(path.read_text())
            return Measurement(data["cpu_seconds"], data["problem"])
        except (OSError, ValueError, KeyError):
            pass
        result = measure(case, case.reference_solution or "", executor, settings)
        fd, tmp = tempfile.mkstemp(dir=self.root)
        with os.fdopen(fd, "w") as handle:
            json.dump({"cpu_seconds": result.cpu_seconds, "problem": result.problem}, handle)
        os.replace(tmp, path)
        return result
