"""The collector (one per suite file) and the item (one per case and sample).

The item does its work in ``setup`` so that a bug of ours or a broken toolchain is an *error*,
while the agent's outcome is decided in ``runtest``: a *failure* unless the solution passed.
An error still carries a result (status ``harness_error``) in its setup report, so the
controller counts the item wherever it ran.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from _pytest._code.code import ExceptionInfo, TerminalRepr

from pytest_mpm_bench import jsonsafe, statuses
from pytest_mpm_bench.languages import executor_for, known_languages
from pytest_mpm_bench.observe import analysers
from pytest_mpm_bench.options import Settings
from pytest_mpm_bench.pipeline import Run, Skip, run_case
from pytest_mpm_bench.report.failure import format_failure
from pytest_mpm_bench.results import harness_result, user_properties
from pytest_mpm_bench.safetext import printable
from pytest_mpm_bench.suite import Case, SuiteError, load_suite

RUN_KEY = pytest.StashKey[Run]()
RESULT_KEY = pytest.StashKey[dict[str, Any]]()


class BenchmarkFailure(Exception):
    """The agent's solution did not pass (or scored below --mpm-min-score)."""

    def __init__(self, result: dict[str, Any], reason: str) -> None:
        super().__init__(reason)
        self.result, self.reason = result, reason


class HarnessError(Exception):
    """The item's work raised (ours, not the agent's); ``result`` is its harness_error result."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result["message"])
        self.result = result


class SuiteFile(pytest.File):
    """A suite JSON file: yields one item per case and sample of the selected agents."""

    def collect(self) -> Iterator[BenchmarkItem]:
        run = self.config.stash[RUN_KEY]
        suite = load_suite(self.path, known_languages())
        if "all" not in run.settings.agents and suite.agent_id not in run.settings.agents:
            return
        for case in suite.cases:
            for sample in range(run.settings.samples):
                name = case.id if run.settings.samples == 1 else f"{case.id}[s{sample}]"
                item = BenchmarkItem.from_parent(self, name=name, case=case, sample=sample)
                # The signal method raises inside the item (and so records a result); the
                # thread method would end the whole process.
                item.add_marker(pytest.mark.timeout(
                    run.settings.item_timeout(_tool_seconds(case.language, run.settings)),
                    method="signal" if hasattr(signal, "SIGALRM") else "thread",
                    func_only=False))
                yield item

    def repr_failure(  # type: ignore[override]
        self, excinfo: ExceptionInfo[BaseException]
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, SuiteError):
            return f"malformed suite: {excinfo.value}"
        return super().repr_failure(excinfo)


class BenchmarkItem(pytest.Item):
    """One case (and sample) of one agent."""

    def __init__(self, *, case: Case, sample: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case, self.sample = case, sample

    def setup(self) -> None:
        if self.case.skip_reason:
            pytest.skip(printable(self.case.skip_reason))
        run = self.config.stash[RUN_KEY]
        try:
            executor = executor_for(self.case.language)
            missing = executor.missing()
            if missing:
                pytest.skip(printable(missing))
            result = jsonsafe.to_plain(run_case(run, self.case, executor, self.sample))
        except Skip as exc:
            pytest.skip(printable(str(exc)))
        except (Exception, pytest.fail.Exception) as exc:  # pytest-timeout's signal: Failed
            result = harness_result(case=self.case, sample=self.sample,
                                    scoring=run.settings.scoring,
                                    sandbox={"level": run.settings.level,
                                             "limits": run.settings.limits.as_dict()},
                                    exc=exc)
            self._keep(result)
            raise HarnessError(result) from exc
        self._keep(result)

    def _keep(self, result: dict[str, Any]) -> None:
        self.stash[RESULT_KEY] = result
        self.user_properties.extend(user_properties(result))

    def runtest(self) -> None:
        result = self.stash[RESULT_KEY]
        if result["status"] != statuses.PASSED:
            raise BenchmarkFailure(result, result["status"])
        min_score = self.config.stash[RUN_KEY].settings.min_score
        if min_score is not None and result["weighted_score"] < min_score:
            raise BenchmarkFailure(
                result, f"weighted score {result['weighted_score']} < --mpm-min-score {min_score}")

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, BenchmarkFailure):
            return format_failure(excinfo.value.result, excinfo.value.reason)
        if isinstance(excinfo.value, HarnessError):
            result = excinfo.value.result
            return (f"{result['agent']} / {result['test_id']}: harness_error (a fault of "
                    f"pytest-mpm-bench or a toolchain, not of the agent) — {result['message']}"
                    f"\n{result['traceback']}")
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"{self.case.agent_id}: {self.case.id} ({self.case.name})"


def _tool_seconds(language: str, settings: Settings) -> float:
    """What the tools of one item may take at most: a compiled language's builds (the solution,
    the performance start-up's stand-in, the reference), each analyser of the language."""
    try:
        builds = 3 if executor_for(language).builds else 0
    except KeyError:
        return 0.0
    return (builds * settings.tool_limits.wall_seconds
            + len(analysers.for_language(language)) * analysers.TIMEOUT)


def result_of(report: pytest.TestReport) -> dict[str, Any] | None:
    """The result dict a report carries (plain JSON text in user_properties), if any."""
    for name, value in report.user_properties:
        if name == "mpm_result":
            try:
                parsed = json.loads(str(value))
            except ValueError:
                return None
            return parsed if isinstance(parsed, dict) else None
    return None
