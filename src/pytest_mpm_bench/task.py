"""Render a case as the markdown task an agent sees, and the follow-up of a failed try.
Hidden tests never appear in either."""

from __future__ import annotations

import json
import re
from typing import Any

from pytest_mpm_bench import jsonsafe, statuses
from pytest_mpm_bench.observe.run import CaseOutcome, TestResult
from pytest_mpm_bench.suite import Case, TestCase


def _json(value: Any) -> str:
    # A lone surrogate in an answer would make the prompt unencodable for the agent's stdin.
    return jsonsafe.text(json.dumps(value, ensure_ascii=False))


def _example(case: Case, test: TestCase) -> str:
    if test.form == "args":
        args = ", ".join(_json(a) for a in test.inputs)
        return f"- `{case.entry_point}({args})` → `{_json(test.expected)}`"
    if test.form == "calls":
        steps = "; ".join(f"{name}({', '.join(_json(a) for a in args)})"
                          for name, args in test.inputs)
        return f"- calls `{steps}` → results `{_json(test.expected)}`"
    return (f"- this snippet (run with your solution in scope) returns "
            f"`{_json(test.expected)}`:\n\n  ```{case.language}\n"
            + "\n".join(f"  {line}" for line in test.inputs.splitlines()) + "\n  ```")


def _bullets(title: str, items: tuple[str, ...]) -> list[str]:
    return [f"## {title}", *(f"- {item}" for item in items), ""] if items else []


def render_task(case: Case) -> str:
    """The task text: description, signature, visible examples, constraints, hints, format."""
    what = "class" if case.kind == "class" else "function"
    lines = [
        f"# {case.name}", "",
        case.description.strip(), "",
        "## Signature", "", f"```{case.language}", case.signature.rstrip(), "```", "",
        "## Examples", "",
        *(_example(case, t) for t in case.visible_tests), "",
        "Values are shown as JSON. Your solution is also run against further tests that are "
        "not shown.", "",
        *_bullets("Constraints", case.constraints),
        *_bullets("Hints", case.hints),
        "## How to answer", "",
        f"Implement the {what} `{case.entry_point}` in {case.language}, exactly as the signature "
        "says, with any imports and helpers it needs. Answer with exactly one fenced code block "
        f"tagged `{case.language}` holding the complete solution; do not include tests, example "
        "calls or a main program.",
        "",
    ]
    return "\n".join(lines)


# --- the follow-up of a failed try (--mpm-tries) -------------------------------------------

SHOWN = 500  # longest value or error text shown per test
COMPILER_TAIL = 3000
MASK = "[text of a test that is not shown]"

_RUN_STOPPED = {
    statuses.TIMEOUT: "The run was stopped: it exceeded the time limit.",
    statuses.MEMORY_EXCEEDED: "The run was stopped: it exceeded the memory limit.",
    statuses.OUTPUT_EXCEEDED: "The run was stopped: it printed more output than allowed.",
}


def _fenced(text: str, tag: str = "") -> str:
    """``text`` in a fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{tag}\n{text.rstrip()}\n{fence}"


def _fragments(test: TestCase) -> set[str]:
    """Recognisable pieces of a test's inputs: snippet lines, argument values as JSON."""
    if test.form == "code":
        return {line.strip() for line in str(test.inputs).splitlines()
                if len(line.strip()) >= 4 and any(ch.isalnum() for ch in line)}
    if test.form == "args":
        values = [*test.inputs, list(test.inputs)]
    else:
        values = [a for _, args in test.inputs for a in (*args, list(args))]
    texts = {_json(v) for v in values} | {json.dumps(v, separators=(",", ":")) for v in values}
    return {t for t in texts if len(t) >= 8}


class _Masker:
    """Masks every line of solution- or compiler-made text that holds a piece of a hidden
    test's inputs (compiled languages build the snippets in, so a compiler may quote one; a
    solution may print what it was fed). Expected values never reach the solution at all."""

    def __init__(self, case: Case) -> None:
        hidden = set().union(*(_fragments(t) for t in case.test_cases if t.hidden))
        shown = set().union(*(_fragments(t) for t in case.visible_tests))
        self.pieces = frozenset(hidden - shown)

    def __call__(self, text: str) -> str:
        return "\n".join(MASK if any(p in line for p in self.pieces) else line
                         for line in text.splitlines())

    def short(self, value: Any) -> str:
        text = self(value if isinstance(value, str) else _json(value))
        return text if len(text) <= SHOWN else text[:SHOWN] + " …"


def _failing_test(case: Case, result: TestResult, mask: _Masker) -> str:
    test = case.test_cases[result.index]
    if test.form == "args":
        subject, block = f"`{case.entry_point}({', '.join(_json(a) for a in test.inputs)})`", ""
    elif test.form == "calls":
        subject = "calls `" + "; ".join(f"{name}({', '.join(_json(a) for a in args)})"
                                        for name, args in test.inputs) + "`"
        block = ""
    else:
        subject = "the snippet below"
        block = "\n\n" + "\n".join(f"  {line}" for line in
                                    _fenced(str(test.inputs), case.language).splitlines())
    line = f"- {subject} should give `{_json(result.expected)}`"
    if result.status == "not_run":
        line += "; it did not finish (the run ended before this test reported)"
    elif result.status == statuses.RUNTIME_ERROR:
        line += f"; it raised: {mask.short(result.error or '')}"
    elif result.error is not None and result.actual is None:
        line += f"; it failed: {mask.short(result.error)}"
    else:
        line += f"; it gave `{mask.short(result.actual)}`"
        line += f" ({mask.short(result.error)})" if result.error else ""
    return line + block


def _what_went_wrong(case: Case, status: str, outcome: CaseOutcome | None) -> list[str]:
    """Feedback from the visible tests only: no hidden test's input, expected or actual value,
    and no stdout or stderr of the run (it spans the hidden tests too)."""
    what = "class" if case.kind == "class" else "function"
    if status == statuses.NO_CODE:
        return [f"Your reply held no fenced `{case.language}` code block defining the {what} "
                f"`{case.entry_point}`."]
    if outcome is None:  # agent_error, agent_timeout
        return ["Your previous attempt gave no answer"
                + (" in time." if status == statuses.AGENT_TIMEOUT else ".")]
    mask = _Masker(case)
    if status == statuses.COMPILE_ERROR:
        message = mask(outcome.message).strip()
        if len(message) > COMPILER_TAIL:
            message = "…\n" + message[-COMPILER_TAIL:]
        return ["It does not compile. The compiler said:", "", _fenced(message)]
    lines = [_RUN_STOPPED[status]] if status in _RUN_STOPPED else []
    if status == statuses.RUNTIME_ERROR and all(t.status == "not_run" for t in outcome.tests):
        return [*lines, f"It failed before any test reported: {mask.short(outcome.message)}"]
    visible = [t for t in outcome.tests if not t.hidden]
    failing = [t for t in visible if not t.passed]
    if failing:
        lines += [f"It fails {len(failing)} of the {len(visible)} examples shown:", "",
                  *(_failing_test(case, t, mask) for t in failing)]
    elif status in _RUN_STOPPED:
        lines.append("The examples shown pass; the limit was reached on further tests that are "
                     "not shown.")
    else:
        lines.append(f"It passes the {len(visible)} examples shown but fails further tests "
                     "that are not shown: make it correct for every input the description "
                     "allows, edge cases included.")
    return lines


def render_followup(case: Case, task: str, previous_try: int, status: str,
                    solution: str | None, outcome: CaseOutcome | None) -> str:
    """The task of a repair try: the original task, the previous solution, and what went wrong
    on the *visible* tests (hidden tests never appear, see ``_what_went_wrong``)."""
    lines = [task.rstrip(), "", f"## Your previous answer (try {previous_try})", ""]
    if solution is not None:
        lines += [_fenced(solution, case.language), ""]
    lines += ["## What went wrong", "", *_what_went_wrong(case, status, outcome), "",
              "## Try again", "",
              "Fix the solution. Answer as the task says: exactly one fenced code block tagged "
              f"`{case.language}` holding the complete, corrected solution.", ""]
    return "\n".join(lines)
