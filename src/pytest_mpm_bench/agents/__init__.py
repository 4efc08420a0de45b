"""Agent backends: where replies come from (``command``, ``reference``, ``replay``)."""

from __future__ import annotations

from pathlib import Path

from pytest_mpm_bench.agents.base import AgentReply, AgentRequest, Backend
from pytest_mpm_bench.agents.command import CommandBackend
from pytest_mpm_bench.agents.reference import ReferenceBackend
from pytest_mpm_bench.agents.replay import ReplayBackend

BACKENDS = ("command", "reference", "replay")


def make_backend(name: str, command: str | None, replay_dir: Path | None) -> Backend:
    if name == "reference":
        return ReferenceBackend()
    if name == "replay":
        return ReplayBackend(replay_dir)
    return CommandBackend(command)


__all__ = ["BACKENDS", "AgentReply", "AgentRequest", "Backend", "make_backend"]
