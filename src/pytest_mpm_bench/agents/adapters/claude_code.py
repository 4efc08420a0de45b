"""Claude Code in print mode: ``claude -p --output-format json``, the task on stdin.

It prints one JSON object: the answer in ``result``, ``is_error`` and ``subtype`` for failures,
``total_cost_usd`` (``cost_usd`` before) and ``usage`` with the input tokens split into fresh,
cache-creation and cache-read ones, and ``modelUsage`` keyed by model.
"""

from __future__ import annotations

from pytest_mpm_bench.agents.adapters.base import (
    ERROR_LINE,
    Adapter,
    Parsed,
    add_counts,
    count,
    dig,
    load_json,
    money,
)
from pytest_mpm_bench.agents.base import first_line
from pytest_mpm_bench.agents.usage import Usage


def read(stdout: str) -> Parsed:
    data, fault = load_json(stdout, "claude", "--output-format json")
    if not isinstance(data, dict):
        return Parsed(stdout, fault=fault or "claude printed JSON but not a result object")
    answer = data.get("result")
    text = answer if isinstance(answer, str) else ""
    usage = data.get("usage")
    models = data.get("modelUsage")
    cost = money(data.get("total_cost_usd", data.get("cost_usd")))
    parsed_usage = Usage(
        add_counts(dig(usage, "input_tokens"), dig(usage, "cache_creation_input_tokens"),
                   dig(usage, "cache_read_input_tokens")),
        count(dig(usage, "output_tokens")), cost)
    if data.get("is_error") is True or str(data.get("subtype", "success")) != "success":
        fault = (f"claude reported an error ({data.get('subtype', 'error')})"
                 + (f": {first_line(text)}" if first_line(text) else ""))
    return Parsed(text, parsed_usage, next(iter(models), None) if isinstance(models, dict)
                  else None, fault)


ADAPTER = Adapter(
    name="claude-code",
    tool="Claude Code",
    install="npm install -g @anthropic-ai/claude-code  (then claude login, or ANTHROPIC_API_KEY)",
    command="claude -p --output-format json",
    read=read,
    failures=(r"Invalid API key", r"/login", r"credit balance", ERROR_LINE),
)
