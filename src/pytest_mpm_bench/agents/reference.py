"""The ``reference`` backend: the case's own reference solution, as an agent would reply."""

from __future__ import annotations

from pathlib import Path

from pytest_mpm_bench.agents.base import AgentReply, AgentRequest


class ReferenceBackend:
    name = "reference"

    def check(self) -> None:
        return None

    def identity(self) -> str:
        return "reference"

    def ask(self, request: AgentRequest, workdir: Path) -> AgentReply:
        solution = request.case.reference_solution
        if not solution:
            return AgentReply("skipped", message="the case has no reference solution")
        return AgentReply("ok", f"```{request.case.language}\n{solution.rstrip()}\n```\n")
