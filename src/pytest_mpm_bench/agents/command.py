"""The ``command`` backend: run the agent's CLI once per item and try, through its adapter
(claude-mpm by default; ``@NAME`` picks another, a plain template is read as plain text).

A follow-up task (``--mpm-tries``) reaches the agent exactly as the first one does: in
``{task_file}`` and on stdin; ``{try}`` is the try's number (1, 2, …).

The agent sees only the task: it runs in a fresh, empty work dir holding ``task.md``, and its
environment loses what would point back at the project (pytest's own variables, ``PWD``).
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest

from pytest_mpm_bench.agents.adapters import CUSTOM, DEFAULT, Adapter
from pytest_mpm_bench.agents.base import AgentReply, AgentRequest, first_line
from pytest_mpm_bench.agents.usage import Prices, model_in_argv
from pytest_mpm_bench.capture import run_captured

DEFAULT_COMMAND = DEFAULT.command
PLACEHOLDERS = ("task_file", "agent", "language", "test_id", "workdir", "try")
REPLY_CAP = 8 << 20  # an answer is a page of code; megabytes are a broken agent
TAIL = 2000


def agent_environment(workdir: Path, agent_id: str) -> dict[str, str]:
    """The user's environment (the agent needs its keys and config) without what names the
    project or the suite: pytest's variables (``PYTEST_CURRENT_TEST`` holds the item's path)
    and the shell's working directories."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTEST_") and k not in ("PWD", "OLDPWD")}
    env.update(MPM_AGENT=agent_id, PWD=str(workdir))
    return env


class CommandBackend:
    name = "command"

    def __init__(self, template: str | None, adapter: Adapter | None = None,
                 prices: Prices | None = None) -> None:
        self.adapter = adapter or (CUSTOM if template else DEFAULT)
        self.template = template or self.adapter.command
        self.default = template is None and adapter is None
        self.prices = prices or Prices()

    def check(self) -> None:
        try:
            argv = shlex.split(self.template)
        except ValueError as exc:
            raise pytest.UsageError(f"--mpm-agent-cmd cannot be parsed ({exc})") from None
        if not argv:
            raise pytest.UsageError(
                "--mpm-agent-cmd is empty: give the command that runs your agent")
        try:
            [arg.format(**dict.fromkeys(PLACEHOLDERS, "x")) for arg in argv]
        except (KeyError, IndexError, ValueError) as exc:
            raise pytest.UsageError(
                f"--mpm-agent-cmd has an unknown placeholder {exc}; use "
                + ", ".join("{" + p + "}" for p in PLACEHOLDERS)) from None
        if shutil.which(argv[0]) is None:
            hint = (f"install {self.adapter.tool} ({self.adapter.install}), or "
                    if self.adapter.install else "")
            raise pytest.UsageError(
                f"agent command {argv[0]!r} is not on PATH: {hint}pass --mpm-agent-cmd "
                "'<your agent> {task_file}' or @NAME, or use --mpm-backend reference|replay")

    def identity(self) -> str:
        return self.template

    def ask(self, request: AgentRequest, workdir: Path) -> AgentReply:
        task_file = workdir / "task.md"
        task_file.write_text(request.task, encoding="utf-8")
        values = {"task_file": str(task_file), "agent": request.agent_id,
                  "language": request.case.language, "test_id": request.test_id,
                  "workdir": str(workdir), "try": str(request.try_number)}
        argv = [arg.format(**values) for arg in shlex.split(self.template)]
        try:
            run = run_captured(argv, stdin=request.task.encode(), cwd=workdir,
                               env=agent_environment(workdir, request.agent_id),
                               timeout=request.timeout, cap=REPLY_CAP)
        except OSError as exc:
            return AgentReply("agent_error", message=f"could not start the agent: {exc}",
                              said=str(exc))
        stderr = run.stderr[-TAIL:].decode("utf-8", "replace").strip()
        if run.timed_out:
            return AgentReply("agent_timeout", seconds=run.seconds,
                              message=f"the agent gave no answer within {request.timeout:g} s "
                                      "(its process tree was killed)")
        if run.overflowed:
            return AgentReply("agent_error", seconds=run.seconds,
                              message=f"the agent printed more than {REPLY_CAP >> 20} MiB on "
                                      f"{run.overflowed}; it was stopped")
        parsed = self.adapter.read(run.stdout.decode("utf-8", "replace"))
        usage = self.prices.price(parsed.usage, parsed.model, model_in_argv(argv))
        if run.exit_code != 0:
            said = first_line(parsed.fault) or first_line(stderr) or first_line(parsed.text)
            return AgentReply("agent_error", seconds=run.seconds, usage=usage, said=said,
                              message=f"the agent exited with code {run.exit_code}"
                                      + (f": {parsed.fault}" if parsed.fault else "")
                                      + (f"; stderr ends with:\n{stderr}" if stderr else ""))
        text = parsed.text
        fault = parsed.fault or self.adapter.failure_in(f"{text}\n{stderr}")
        if not text.strip():
            fault = fault or "the agent printed nothing" + (
                f" on stdout; stderr: {first_line(stderr)}" if stderr else "")
        return AgentReply("ok", text, seconds=run.seconds, fault=fault, usage=usage,
                          said=first_line(text) or first_line(stderr),
                          message="" if text.strip() else fault)
