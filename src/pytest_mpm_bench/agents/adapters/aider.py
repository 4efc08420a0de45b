"""aider: ``--message-file``, answers without a git repository and without touching files.

``--dry-run`` keeps aider from writing the solution into the (throw-away) work dir, so the answer
is what it prints: with ``--edit-format whole`` a complete file in a fenced block. Each model call
adds a line "Tokens: 1.2k sent, 345 received. Cost: $0.0012 message, $0.0034 session." and the
banner names the model ("Model: NAME with whole edit format").
"""

from __future__ import annotations

import re

from pytest_mpm_bench.agents.adapters.base import ERROR_LINE, Adapter, Parsed
from pytest_mpm_bench.agents.usage import Usage

_NUMBER = r"(\d+(?:\.\d+)?)([kKmM]?)"
_TOKENS = re.compile(rf"Tokens:\s*{_NUMBER}\s+sent\b.*?{_NUMBER}\s+received\b(?P<rest>.*)$",
                     re.M)
_COST = re.compile(r"Cost:\s*\$(\d+(?:\.\d+)?)\s+message")
_MODEL = re.compile(r"^(?:Main model|Model):\s*(\S+)", re.M)


def _amount(number: str, suffix: str) -> int:
    return round(float(number) * {"": 1, "k": 1_000, "m": 1_000_000}[suffix.lower()])


def read(stdout: str) -> Parsed:
    sent = received = 0
    cost: float | None = None
    calls = 0
    for match in _TOKENS.finditer(stdout):
        calls += 1
        sent += _amount(match.group(1), match.group(2))
        received += _amount(match.group(3), match.group(4))
        priced = _COST.search(match.group("rest"))
        if priced:
            cost = (cost or 0.0) + float(priced.group(1))
    model = _MODEL.search(stdout)
    usage = Usage(sent, received, cost) if calls else Usage()
    return Parsed(stdout, usage, model.group(1) if model else None)


ADAPTER = Adapter(
    name="aider",
    tool="aider",
    install="pip install aider-install && aider-install  (or pipx install aider-chat); set "
            "the model's key, e.g. ANTHROPIC_API_KEY, and pick it with @aider --model NAME",
    command=("aider --message-file {task_file} --yes-always --no-git --dry-run --no-pretty "
             "--no-stream --edit-format whole --no-check-update"),
    read=read,
    failures=(r"litellm\.\w*(?:Error|Exception)", r"Missing these environment variables",
              r"No LLM model", r"API key\b.*\b(?:invalid|missing|not set|incorrect)",
              ERROR_LINE),
)
