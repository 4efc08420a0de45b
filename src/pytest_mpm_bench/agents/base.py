"""What every agent backend gets and gives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pytest_mpm_bench.suite import Case


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
    or "skipped" (nothing to ask, e.g. no recorded reply)."""

    status: str
    text: str = ""
    message: str = ""
    seconds: float = 0.0


class Backend(Protocol):
    """Where replies come from. ``check`` runs once at start-up and raises
    ``pytest.UsageError`` with a one-line fix when the backend cannot work."""

    name: str

    def check(self) -> None: ...

    def identity(self) -> str:
        """What makes two replies interchangeable (cache key part), e.g. the command."""
        ...

    def ask(self, request: AgentRequest, workdir: Path) -> AgentReply: ...
