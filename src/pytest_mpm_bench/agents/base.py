"""What every agent backend gets and gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pytest_mpm_bench.agents.usage import Usage
from pytest_mpm_bench.suite import Case

SAID = 200  # characters of an agent's own line kept to quote it


@dataclass(frozen=True)
class AgentRequest:
    case: Case
    agent_id: str
    task: str
    sample: int
    test_id: str  # file-system safe id of the item, e.g. "python_easy_01" or "…_s1"
    timeout: float
    try_number: int = 1  # --mpm-tries: 1 is the task, k > 1 a follow-up after a failed try


@dataclass(frozen=True)
class AgentReply:
    """A reply, or why there is none: ``status`` is "ok", "agent_error", "agent_timeout",
    or "skipped" (nothing to ask, e.g. no recorded reply).

    ``fault`` is set when the tool itself reported a failure in an "ok" reply (an empty answer,
    a line its adapter knows as the tool's error, an error flag in its JSON): without code in
    it, such a reply is the agent's fault (``agent_error``), not the model's (``no_code``).
    ``said`` is the agent's own first line (of its answer, else of its stderr), to quote it."""

    status: str
    text: str = ""
    message: str = ""
    seconds: float = 0.0
    fault: str = ""
    usage: Usage = field(default_factory=Usage)
    said: str = ""


def first_line(text: str) -> str:
    """The first line of ``text`` that holds anything, trimmed to quote it on one line."""
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= SAID else line[:SAID - 1] + "…"
    return ""


class Backend(Protocol):
    """Where replies come from. ``check`` runs once at start-up and raises
    ``pytest.UsageError`` with a one-line fix when the backend cannot work."""

    name: str

    def check(self) -> None: ...

    def identity(self) -> str:
        """What makes two replies interchangeable (cache key part), e.g. the command."""
        ...

    def ask(self, request: AgentRequest, workdir: Path) -> AgentReply: ...
