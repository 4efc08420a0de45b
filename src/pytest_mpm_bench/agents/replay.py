"""The ``replay`` backend: recorded replies, ``DIR/<agent_id>/<test_id>.md``.

Sample k > 0 reads ``<test_id>.s<k>.md``; try t > 1 (``--mpm-tries``) reads
``<test_id>.try<t>.md`` (``<test_id>.s<k>.try<t>.md``). A missing recording of the first try skips
the item: a replay can only judge what was recorded. A missing later try ends the tries, and the
item keeps the verdict of the last recorded one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mpm_bench.agents.base import AgentReply, AgentRequest


def reply_path(root: Path, agent_id: str, case_id: str, sample: int,
               try_number: int = 1) -> Path:
    name = case_id
    if sample:
        name += f".s{sample}"
    if try_number > 1:
        name += f".try{try_number}"
    return root / agent_id / f"{name}.md"


class ReplayBackend:
    name = "replay"

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def check(self) -> None:
        if self.root is None:
            raise pytest.UsageError("--mpm-backend replay needs --mpm-replay-dir DIR "
                                    "(replies in DIR/<agent_id>/<test_id>.md)")
        if not self.root.is_dir():
            raise pytest.UsageError(f"--mpm-replay-dir {self.root} is not a directory")

    def identity(self) -> str:
        return f"replay:{self.root}"

    def ask(self, request: AgentRequest, workdir: Path) -> AgentReply:
        assert self.root is not None
        path = reply_path(self.root, request.agent_id, request.case.id, request.sample,
                          request.try_number)
        try:
            return AgentReply("ok", path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if request.try_number > 1:
                return AgentReply("skipped", message=f"no reply for try {request.try_number}: "
                                                     f"no recorded reply at {path}")
            return AgentReply("skipped", message=f"no recorded reply at {path}")
        except (OSError, UnicodeDecodeError) as exc:
            return AgentReply("agent_error", message=f"cannot read {path}: {exc}")
