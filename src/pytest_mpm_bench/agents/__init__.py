"""Agent backends: where replies come from (``command``, ``reference``, ``replay``).

The ``command`` backend runs an agent through an adapter (``agents/adapters``): a CLI, or for
``@openai-compatible`` an HTTP endpoint (``agents/chat_api.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mpm_bench.agents.adapters import UnknownAdapter, resolve
from pytest_mpm_bench.agents.base import AgentReply, AgentRequest, Backend
from pytest_mpm_bench.agents.chat_api import ChatBackend, Endpoint
from pytest_mpm_bench.agents.command import CommandBackend
from pytest_mpm_bench.agents.reference import ReferenceBackend
from pytest_mpm_bench.agents.replay import ReplayBackend
from pytest_mpm_bench.agents.usage import Prices

BACKENDS = ("command", "reference", "replay")


def make_backend(name: str, command: str | None, replay_dir: Path | None, *,
                 adapter: str | None = None, prices: Prices | None = None,
                 endpoint: Endpoint | None = None) -> Backend:
    """The backend ``--mpm-backend`` names; for ``command``, through the adapter that
    ``--mpm-agent-cmd`` (a template or ``@NAME``) or ini ``mpm_agent_adapter`` picks."""
    if name == "reference":
        return ReferenceBackend()
    if name == "replay":
        return ReplayBackend(replay_dir)
    try:
        found, template = resolve(command, adapter)
    except UnknownAdapter as exc:
        raise pytest.UsageError(str(exc)) from None
    if not found.command and found.name:
        return ChatBackend(endpoint or Endpoint(), prices or Prices())
    if command is None and adapter in (None, ""):
        return CommandBackend(None, prices=prices)
    return CommandBackend(template, found, prices)


__all__ = ["BACKENDS", "AgentReply", "AgentRequest", "Backend", "make_backend"]
