"""One item's work, start to end: task → agent → code → run → scores → result dict."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_mpm_bench import statuses
from pytest_mpm_bench.agents import AgentReply, AgentRequest, Backend
from pytest_mpm_bench.agents.usage import total
from pytest_mpm_bench.cache import ReplyCache, cache_key
from pytest_mpm_bench.extract import extract_code
from pytest_mpm_bench.languages import Executor
from pytest_mpm_bench.observe import observe_v2
from pytest_mpm_bench.observe.measure import ReferenceTimes
from pytest_mpm_bench.observe.run import CaseOutcome, ExecSettings, execute
from pytest_mpm_bench.options import Settings
from pytest_mpm_bench.results import build_result
from pytest_mpm_bench.scoring import DIMENSIONS, v1, v2, weighted
from pytest_mpm_bench.suite import Case
from pytest_mpm_bench.task import render_followup, render_task

RETRIED = (statuses.AGENT_ERROR, statuses.AGENT_TIMEOUT)


class Skip(Exception):
    """Nothing to judge (no recorded reply, no reference solution)."""


@dataclass(frozen=True)
class Run:
    settings: Settings
    backend: Backend
    session: str = "serial"  # shared by the xdist workers of one session
    extra_dimensions: Callable[..., list[list[dict[str, Any]]]] | None = None


def test_id(case: Case, sample: int) -> str:
    return case.id if sample == 0 else f"{case.id}_s{sample}"


def _ask_with_retries(run: Run, request: AgentRequest) -> tuple[AgentReply, int]:
    """Ask; retry agent faults with exponential backoff. Returns the reply and the attempts."""
    settings = run.settings
    for attempt in range(1, settings.agent_retries + 2):
        workdir = Path(tempfile.mkdtemp(prefix="mpm-agent-"))
        try:
            reply = run.backend.ask(request, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        if reply.status not in RETRIED or attempt > settings.agent_retries:
            return reply, attempt
        time.sleep(settings.retry_backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def ask(run: Run, request: AgentRequest) -> tuple[AgentReply, bool, int]:
    """The agent's reply, from the cache when allowed (only the command backend is cached:
    the others read local files already)."""
    settings = run.settings
    cache = (ReplyCache(settings.cache_dir)
             if settings.cache_dir is not None and settings.backend == "command" else None)
    key = cache_key(run.backend.identity(), request)
    if cache is not None and not settings.refresh:
        hit = cache.get(key)
        if hit is not None:
            return hit, True, 0
    reply, attempts = _ask_with_retries(run, request)
    if cache is not None:
        cache.put(key, reply)
    return reply, False, attempts


@dataclass(frozen=True)
class Try:
    """One try of an item: the reply, the code taken from it and how that code did."""

    number: int
    reply: AgentReply
    cached: bool
    attempts: int  # agent calls made (retries included); 0 when the reply came from the cache
    status: str
    message: str
    solution: str | None = None
    outcome: CaseOutcome | None = None

    def record(self) -> dict[str, Any]:
        """The try as the result's ``tries`` list holds it."""
        tests = self.outcome.tests if self.outcome else ()
        visible = [t for t in tests if not t.hidden]
        return {"try": self.number, "status": self.status, "message": self.message,
                "reply": "missing" if self.reply.status == "skipped" else self.reply.status,
                "visible_passed": sum(t.passed for t in visible), "visible_tests": len(visible),
                "tests_passed": sum(t.passed for t in tests), "tests": len(tests),
                "agent_seconds": round(self.reply.seconds, 4), "cached": self.cached,
                "usage": self.reply.usage.as_dict(),
                "attempts": self.attempts, "solution": self.solution or ""}


def _judge(run: Run, case: Case, executor: Executor, number: int, reply: AgentReply,
           cached: bool, attempts: int) -> Try:
    """Take the code out of a reply and run it against every test of the case."""
    if reply.status != "ok":
        return Try(number, reply, cached, attempts, reply.status, reply.message)
    solution = extract_code(reply.text, executor.fence_tags,
                            lambda src: executor.defines_entry_point(src, case.entry_point))
    if solution is None:
        # No code: the model's failure, unless the tool itself said it failed.
        if reply.fault:
            return Try(number, reply, cached, attempts, statuses.AGENT_ERROR,
                       f"the agent failed: {reply.fault}")
        return Try(number, reply, cached, attempts, statuses.NO_CODE,
                   reply.message or "the reply holds no code block")
    limits = run.settings.limits
    if case.timeout:
        limits = dataclasses.replace(limits, wall_seconds=case.timeout)
    outcome = execute(case, solution, executor,
                      ExecSettings(limits, run.settings.level, run.settings.tool_limits))
    return Try(number, reply, cached, attempts, outcome.status, outcome.message, solution, outcome)


def _tries(run: Run, case: Case, executor: Executor, sample: int) -> tuple[Try, list[Try], str]:
    """Ask, judge, and while the code fails and tries are left, ask again with a follow-up
    (``--mpm-tries``). Returns the try that decides the verdict, every try, and a note when a
    try had no reply (replay) and the verdict stays with the one before."""
    task = prompt = render_task(case)
    done: list[Try] = []
    for number in range(1, run.settings.tries + 1):
        request = AgentRequest(case, case.agent_id, prompt, sample, test_id(case, sample),
                               run.settings.agent_timeout, number)
        reply, cached, attempts = ask(run, request)
        if reply.status == "skipped":
            if not done:
                raise Skip(reply.message)
            last = done[-1]
            done.append(dataclasses.replace(last, number=number, reply=reply, cached=False,
                                            attempts=0, message=reply.message, solution=None))
            return last, done, f"{reply.message}; the verdict of try {last.number} stands"
        current = _judge(run, case, executor, number, reply, cached, attempts)
        done.append(current)
        if current.status == statuses.PASSED or number == run.settings.tries:
            break
        prompt = render_followup(case, task, number, current.status, current.solution,
                                 current.outcome)
    return done[-1], done, ""


def run_case(run: Run, case: Case, executor: Executor, sample: int) -> dict[str, Any]:
    """Ask the agent, judge its code, score it; agent faults become statuses, not exceptions."""
    settings = run.settings
    final, tries, note = _tries(run, case, executor, sample)
    solution, outcome = final.solution, final.outcome
    message = f"{final.message} ({note})" if note else final.message
    evidence: dict[str, list[dict[str, Any]]] = {}
    if outcome is None:
        dimensions = dict.fromkeys(DIMENSIONS, 0.0)
    elif settings.scoring == "v1":
        dimensions = v1.score(outcome, solution or "", case.language, case.difficulty)
    else:
        observed = observe_v2(case, solution or "", outcome, executor,
                              ExecSettings(settings.limits, settings.level, settings.tool_limits),
                              ReferenceTimes(run.session))
        dimensions, evidence = v2.score(case, solution or "", outcome, observed)
    weights = settings.weights
    if outcome is not None and run.extra_dimensions is not None:
        weights = dict(weights)
        for answer in run.extra_dimensions(case=case, solution=solution or "", outcome=outcome):
            for extra in answer or []:
                name = str(extra["name"])
                dimensions[name] = round(float(extra["score"]), 2)
                evidence[name] = list(extra.get("evidence", []))
                weights.setdefault(name, float(extra.get("weight", 0.0)))
    sandbox = outcome.sandbox if outcome else {"level": settings.level,
                                               "limits": settings.limits.as_dict()}
    result = build_result(
        case=case, agent=case.agent_id, sample=sample, status=final.status, message=message,
        solution=solution, outcome=outcome, dimensions=dimensions,
        weighted_score=weighted(dimensions, weights), scoring=settings.scoring,
        agent_seconds=sum(t.reply.seconds for t in tries),
        cached=all(t.cached for t in tries if t.reply.status != "skipped"),
        sandbox=sandbox, evidence=evidence,
        usage=total(t.reply.usage for t in tries if t.reply.status != "skipped").as_dict(),
        agent_said=final.reply.said if solution is None else "",
    )
    result["attempts"] = sum(t.attempts for t in tries)
    result["tries"] = [t.record() for t in tries]
    result["max_tries"] = settings.tries
    result["passed_at_try"] = final.number if final.status == statuses.PASSED else None
    return result
