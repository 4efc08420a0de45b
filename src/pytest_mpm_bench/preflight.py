"""``--mpm-preflight``: one tiny task before the session, so that an agent that cannot run (not
installed, not logged in, out of credit) stops the session with its own words in one line,
instead of hundreds of calls each scored as the model's failure.

The preflight reply goes through the reply cache like any other: a re-run costs nothing. A reply
without code, or one the tool marked as failed, is never cached, so a fixed agent is asked again.
"""

from __future__ import annotations

from pytest_mpm_bench.agents import AgentRequest
from pytest_mpm_bench.agents.base import first_line
from pytest_mpm_bench.extract import extract_code
from pytest_mpm_bench.languages import executor_for
from pytest_mpm_bench.pipeline import Run, ask
from pytest_mpm_bench.suite import Case

TASK = """# Add

Write a Python function `add(a, b)` that returns the sum of `a` and `b`.

## How to answer

Answer with exactly one fenced code block tagged `python` holding the function.
"""


def _case(agent_id: str) -> Case:
    return Case(id="preflight", name="Add", agent_id=agent_id, language="python",
                difficulty="easy", category="preflight", description="Add two numbers.",
                signature="def add(a, b):", entry_point="add", kind="function", test_cases=(),
                source="preflight")


def check(run: Run, agent_id: str) -> str | None:
    """None when the agent answers the tiny task with code; else why not, in one line."""
    case = _case(agent_id)
    request = AgentRequest(case, agent_id, TASK, 0, "preflight", run.settings.agent_timeout)
    reply, _, _ = ask(run, request)  # with --mpm-agent-retries, as an item's call
    python = executor_for("python")
    if reply.status == "ok" and extract_code(
            reply.text, python.fence_tags,
            lambda src: python.defines_entry_point(src, "add")) is not None:
        return None
    if reply.status != "ok":
        why = first_line(reply.message).removesuffix("; stderr ends with:")
        if reply.said and reply.said not in why:
            why += f": {reply.said}"
    else:
        why = reply.fault or f"it answered without code: {reply.said or '(nothing)'}"
    return " ".join(why.split())
