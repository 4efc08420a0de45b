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
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_mpm_bench.execution import ExecSettings, parse_records, run_in_workdir
from pytest_mpm_bench.generators import evaluate
from pytest_mpm_bench.languages import Executor
from pytest_mpm_bench.suite import Case

REPEATS = 3
FLOOR = 0.002  # seconds: below this, CPU accounting is noise
THRESHOLDS = ((0.5, 9.5), (1.0, 8.5), (2.0, 6.5), (5.0, 4.0))
NOISE = 1.2  # run-to-run spread of min-of-3 CPU times seen on a busy 2-core machine


@dataclass(frozen=True)
class Measurement:
    cpu_seconds: float | None  # None: the performance run did not complete
    problem: str = ""


def workload(case: Case) -> list[dict[str, Any]]:
    """The performance input, or, for a case without one, all of its tests' inputs."""
    if case.performance is None:
        return [t.payload() for t in case.test_cases]
    return [evaluate(case.performance)]


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


def measure(case: Case, source: str, executor: Executor, settings: ExecSettings) -> Measurement:
    """CPU seconds the solution spends on the performance input (start-up subtracted)."""
    payloads = workload(case)
    loaded, work = [], []
    for _ in range(REPEATS):
        base, problem = _one(executor, source, _spec(case, []), settings)
        full, problem2 = _one(executor, source, _spec(case, payloads), settings)
        if base is None or full is None:
            return Measurement(None, problem or problem2)
        loaded.append(base)
        work.append(full)
    return Measurement(max(FLOOR, min(work) - min(loaded)))


def ratio_score(ratio: float) -> float:
    """The seed's bands, each widened by the measurement noise: a solution exactly as fast as
    the reference must not flip between 8.5 and 6.5 from one run to the next."""
    for bound, score in THRESHOLDS:
        if ratio <= bound * NOISE:
            return score
    return 2.0


class ReferenceTimes:
    """The reference's CPU time per case, computed once per session and shared by xdist
    workers through files (atomic writes; at worst two workers both measure once)."""

    def __init__(self, session: str) -> None:
        self.root = Path(tempfile.gettempdir()) / "mpm-bench-perf" / session

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
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root)
        with os.fdopen(fd, "w") as handle:
            json.dump({"cpu_seconds": result.cpu_seconds, "problem": result.problem}, handle)
        os.replace(tmp, path)
        return result
