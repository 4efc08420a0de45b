"""Render a case as the markdown task an agent sees. Hidden tests never appear here."""

from __future__ import annotations

import json
from typing import Any

from pytest_mpm_bench.suite import Case, TestCase


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


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
