"""The ``command`` backend: run the agent's CLI (claude-mpm by default) once per item and try.

A follow-up task (``--mpm-tries``) reaches the agent exactly as the first one does: in
``{task_file}`` and on stdin; ``{try}`` is the try's number (1, 2, …).
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest

from pytest_mpm_bench.agents.base import AgentReply, AgentRequest
from pytest_mpm_bench.capture import run_captured

DEFAULT_COMMAND = ("claude-mpm run --non-interactive --input {task_file} --no-hooks "
                   "--launch-method subprocess")
PLACEHOLDERS = ("task_file", "agent", "language", "test_id", "workdir", "try")
REPLY_CAP = 8 << 20  # an answer is a page of code; megabytes are a broken agent
TAIL = 2000


class CommandBackend:
    name = "command"

    def __init__(self, template: str | None) -> None:
        self.template = template or DEFAULT_COMMAND
        self.default = template is None

    def check(self) -> None:
        try:
            argv = shlex.split(self.template)
        except ValueError as exc:
            raise pytest.UsageError(f"--mpm-agent-cmd cannot be parsed ({exc})") from None
        if not argv:
            raise pytest.UsageError(
                "--mpm-agent-cmd is empty: give the command that runs your agent")
        try:
            argv[0].format(**dict.fromkeys(PLACEHOLDERS, "x"))
            [arg.format(**dict.fromkeys(PLACEHOLDERS, "x")) for arg in argv]
        except (KeyError, IndexError, ValueError) as exc:
            raise pytest.UsageError(
                f"--mpm-agent-cmd has an unknown placeholder {exc}; use "
                + ", ".join("{" + p + "}" for p in PLACEHOLDERS)) from None
        if shutil.which(argv[0]) is None:
            hint = ("install claude-mpm (pip install claude-mpm), or " if self.default else "")
            raise pytest.UsageError(
                f"agent command {argv[0]!r} is not on PATH: {hint}pass --mpm-agent-cmd "
                "'<your agent> {task_file}', or use --mpm-backend reference|replay")

    def identity(self) -> str:
        return self.template

    def ask(self, request: AgentRequest, workdir: Path) -> AgentReply:
        task_file = workdir / "task.md"
        task_file.write_text(request.task, encoding="utf-8")
        values = {"task_file": str(task_file), "agent": request.agent_id,
                  "language": request.case.language, "test_id": request.test_id,
                  "workdir": str(workdir), "try": str(request.try_number)}
        argv = [arg.format(**values) for arg in shlex.split(self.template)]
        env = {**os.environ, "MPM_AGENT": request.agent_id}
        try:
            run = run_captured(argv, stdin=request.task.encode(), cwd=workdir, env=env,
                               timeout=request.timeout, cap=REPLY_CAP)
        except OSError as exc:
            return AgentReply("agent_error", message=f"could not start the agent: {exc}")
        stderr = run.stderr[-TAIL:].decode("utf-8", "replace").strip()
        if run.timed_out:
            return AgentReply("agent_timeout", seconds=run.seconds,
                              message=f"the agent gave no answer within {request.timeout:g} s "
                                      "(its process tree was killed)")
        if run.overflowed:
            return AgentReply("agent_error", seconds=run.seconds,
                              message=f"the agent printed more than {REPLY_CAP >> 20} MiB on "
                                      f"{run.overflowed}; it was stopped")
        if run.exit_code != 0:
            return AgentReply("agent_error", seconds=run.seconds,
                              message=f"the agent exited with code {run.exit_code}"
                                      + (f"; stderr ends with:\n{stderr}" if stderr else ""))
        text = run.stdout.decode("utf-8", "replace")
        return AgentReply("ok", text, seconds=run.seconds,
                          message="" if text.strip() else "the agent printed nothing")
