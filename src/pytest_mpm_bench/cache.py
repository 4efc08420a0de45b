"""The reply cache: agent replies stored by content address, safe under ``pytest -n``.

The key covers everything that could change the reply: backend, agent command, agent id, the
test id, the task text and the sample, and for a repair try (``--mpm-tries``) the try's number —
its task text is the follow-up, which holds the previous solution and its failing tests, so a
repair is cached as a reply of its own. Edit a case or the agent command and the agent is asked
again; nothing stale is served. Only replies are cached, never scores: a changed scorer or harness
re-judges stored replies without calling the agent.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pytest_mpm_bench.agents import AgentReply, AgentRequest
from pytest_mpm_bench.agents.base import first_line
from pytest_mpm_bench.agents.usage import Usage

FORMAT = 1


def cache_key(identity: str, request: AgentRequest) -> str:
    # test_id too: it can be part of the agent's command line ({test_id}).
    parts: list[object] = [FORMAT, identity, request.agent_id, request.test_id, request.task,
                           request.sample]
    if request.try_number > 1:  # ({try} may be in the command); first tries keep their keys
        parts.append(request.try_number)
    material = json.dumps(parts)
    return hashlib.sha256(material.encode()).hexdigest()


class ReplyCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / "replies" / key[:2] / f"{key}.json"

    def get(self, key: str) -> AgentReply | None:
        try:
            data: dict[str, Any] = json.loads(self._path(key).read_text(encoding="utf-8"))
            text = str(data["text"])
            return AgentReply("ok", text, str(data.get("message", "")),
                              float(data.get("seconds", 0.0)),
                              usage=Usage.from_dict(data.get("usage")),
                              said=str(data.get("said") or first_line(text)))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or damaged: ask again

    def put(self, key: str, reply: AgentReply) -> None:
        """Store an answer. Agent faults are not cached, nor answers the tool itself marked as
        failed (an empty one, an error line) that hold no fenced code: the next run asks again,
        so a fixed agent is not served its old failure."""
        if reply.status != "ok" or (reply.fault and "```" not in reply.text):
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"text": reply.text, "message": reply.message, "seconds": reply.seconds,
                       "usage": reply.usage.as_dict(), "said": reply.said}, handle)
        os.replace(tmp, path)  # atomic: a concurrent reader sees all or nothing
