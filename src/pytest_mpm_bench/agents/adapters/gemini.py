"""Gemini CLI in headless mode with ``--output-format json``; the task on stdin (a piped
prompt runs it non-interactively, as ``-p`` does).

It prints one JSON object: the answer in ``response``, an ``error`` object (``message``) when
the request failed, and ``stats.models.<model>.tokens`` (``prompt``, ``candidates``,
``thoughts``) per model used.
"""

from __future__ import annotations

from pytest_mpm_bench.agents.adapters.base import (
    ERROR_LINE,
    Adapter,
    Parsed,
    add_counts,
    dig,
    load_json,
)
from pytest_mpm_bench.agents.base import first_line
from pytest_mpm_bench.agents.usage import Usage, total


def read(stdout: str) -> Parsed:
    data, fault = load_json(stdout, "gemini", "--output-format json")
    if not isinstance(data, dict):
        return Parsed(stdout, fault=fault or "gemini printed JSON but not a result object")
    answer = data.get("response")
    text = answer if isinstance(answer, str) else ""
    error = data.get("error")
    if error:
        message = dig(error, "message") if isinstance(error, dict) else error
        fault = f"gemini reported an error: {first_line(str(message or error))}"
    models = dig(data, "stats", "models")
    usage, model = Usage(), None
    if isinstance(models, dict) and models:
        model = next(iter(models))
        usage = total(Usage(add_counts(dig(m, "tokens", "prompt")),
                            add_counts(dig(m, "tokens", "candidates"),
                                       dig(m, "tokens", "thoughts")))
                      for m in models.values())
    return Parsed(text, usage, model, fault)


ADAPTER = Adapter(
    name="gemini",
    tool="Gemini CLI",
    install="npm install -g @google/gemini-cli  (then sign in once, or GEMINI_API_KEY)",
    command="gemini --output-format json",
    read=read,
    failures=(r"GEMINI_API_KEY", r"authenticat", ERROR_LINE),
)
