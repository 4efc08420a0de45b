"""OpenAI Codex CLI: ``codex exec --json``, the task on stdin.

``--json`` prints one event a line: the answer is the text of the last completed
``agent_message`` item, ``turn.completed`` carries the usage, ``turn.failed`` and ``error`` the
tool's own failures. ``--skip-git-repo-check``: the work dir holds only the task, no repository.
"""

from __future__ import annotations

import json
from typing import Any

from pytest_mpm_bench.agents.adapters.base import ERROR_LINE, Adapter, Parsed, add_counts, dig
from pytest_mpm_bench.agents.base import first_line
from pytest_mpm_bench.agents.usage import Usage, total


def _events(stdout: str) -> list[dict[str, Any]]:
    events = []
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a progress line among the events
        if isinstance(event, dict):
            events.append(event)
    return events


def read(stdout: str) -> Parsed:
    events = _events(stdout)
    if not events:
        said = first_line(stdout)
        return Parsed(stdout, fault="codex printed no JSON events although --json asked for "
                                    "them" + (f": {said}" if said else ""))
    text, fault, usages = "", "", []
    for event in events:
        kind = event.get("type")
        item = event.get("item")
        if kind == "item.completed" and dig(item, "type") in ("agent_message",
                                                              "assistant_message"):
            text = str(dig(item, "text") or "")
        elif kind == "turn.completed":
            usage = event.get("usage")
            usages.append(Usage(add_counts(dig(usage, "input_tokens")),
                                add_counts(dig(usage, "output_tokens"))))
        elif kind in ("turn.failed", "error") and not fault:
            message = dig(event, "error", "message") or event.get("message") or kind
            fault = f"codex reported an error: {first_line(str(message))}"
    return Parsed(text, total(usages), None, fault)


ADAPTER = Adapter(
    name="codex",
    tool="OpenAI Codex CLI",
    install="npm install -g @openai/codex  (then codex login, or OPENAI_API_KEY)",
    command="codex exec --json --skip-git-repo-check --color never",
    read=read,
    failures=(r"Not logged in", r"401 Unauthorized", ERROR_LINE),
)
