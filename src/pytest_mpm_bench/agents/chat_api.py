"""The ``@openai-compatible`` backend: POST the task to ``{base_url}/chat/completions``.

Standard library only (urllib). The whole exchange has one deadline (the agent timeout) and the
reply a size cap, as a command agent's has; every failure (refused connection, HTTP status,
malformed body) is an ``agent_error`` naming what the server said, never an exception.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from pytest_mpm_bench.agents.adapters.base import add_counts, dig
from pytest_mpm_bench.agents.base import AgentReply, AgentRequest, first_line
from pytest_mpm_bench.agents.usage import Prices, Usage

REPLY_CAP = 8 << 20
CHUNK = 1 << 16


@dataclass(frozen=True)
class Endpoint:
    """Where the chat API is: from ini mpm_openai_base_url, mpm_openai_model, mpm_openai_key_env."""

    base_url: str = ""
    model: str = ""
    key_env: str = "OPENAI_API_KEY"


class _Late(Exception):
    pass


def _read(response: Any, deadline: float) -> bytes:
    """The body, in chunks, never past ``deadline`` nor ``REPLY_CAP`` bytes."""
    parts: list[bytes] = []
    size = 0
    while chunk := response.read(CHUNK):
        parts.append(chunk)
        size += len(chunk)
        if size > REPLY_CAP:
            raise ValueError(f"the server sent more than {REPLY_CAP >> 20} MiB")
        if time.monotonic() > deadline:
            raise _Late
    return b"".join(parts)


def _server_message(body: bytes) -> str:
    """What an error body says: OpenAI's ``{"error": {"message": …}}``, else its first line."""
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        return first_line(text)
    message = dig(data, "error", "message") or dig(data, "error") or dig(data, "message")
    return first_line(str(message)) if message else first_line(text)


@dataclass
class ChatBackend:
    endpoint: Endpoint
    prices: Prices = field(default_factory=Prices)
    name: str = "openai-compatible"

    @property
    def url(self) -> str:
        return self.endpoint.base_url.rstrip("/") + "/chat/completions"

    def check(self) -> None:
        if not self.endpoint.base_url:
            raise pytest.UsageError(
                "@openai-compatible needs ini mpm_openai_base_url, e.g. "
                "http://127.0.0.1:11434/v1 (ollama), http://127.0.0.1:8000/v1 (vLLM) or "
                "https://api.openai.com/v1")
        if urlsplit(self.endpoint.base_url).scheme not in ("http", "https") or not urlsplit(
                self.endpoint.base_url).netloc:
            raise pytest.UsageError(f"ini mpm_openai_base_url {self.endpoint.base_url!r} is "
                                    "not an http(s) URL")
        if not self.endpoint.model:
            raise pytest.UsageError("@openai-compatible needs ini mpm_openai_model (the model "
                                    "name the server knows, e.g. qwen2.5-coder:7b)")

    def identity(self) -> str:
        return f"openai-compatible {self.url} {self.endpoint.model}"

    def ask(self, request: AgentRequest, workdir: Path) -> AgentReply:
        body = json.dumps({"model": self.endpoint.model,
                           "messages": [{"role": "user", "content": request.task}]}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = os.environ.get(self.endpoint.key_env, "") if self.endpoint.key_env else ""
        if key:
            headers["Authorization"] = f"Bearer {key}"
        start = time.monotonic()
        deadline = start + request.timeout
        late = AgentReply("agent_timeout", message=f"the endpoint gave no answer within "
                                                   f"{request.timeout:g} s ({self.url})")
        try:
            with urllib.request.urlopen(urllib.request.Request(self.url, body, headers),
                                        timeout=request.timeout) as response:
                raw = _read(response, deadline)
        except urllib.error.HTTPError as exc:
            said = _server_message(exc.read(CHUNK))
            hint = (f" (is ${self.endpoint.key_env} set?)" if exc.code in (401, 403) else "")
            return AgentReply("agent_error", seconds=time.monotonic() - start, said=said,
                              message=f"HTTP {exc.code} from {self.url}{hint}: {said}")
        except (_Late, TimeoutError):
            return late
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                return late
            return AgentReply("agent_error", seconds=time.monotonic() - start,
                              message=f"cannot reach {self.url}: {reason}", said=str(reason))
        seconds = time.monotonic() - start
        return self._reply(raw, seconds)

    def _reply(self, raw: bytes, seconds: float) -> AgentReply:
        try:
            data = json.loads(raw.decode("utf-8"))
        except ValueError:
            said = first_line(raw.decode("utf-8", "replace"))
            return AgentReply("agent_error", seconds=seconds, said=said,
                              message=f"{self.url} answered with no JSON: {said}")
        choices = dig(data, "choices")
        content = (dig(choices[0], "message", "content")
                   if isinstance(choices, list) and choices else None)
        if not isinstance(content, str):
            said = _server_message(raw)
            return AgentReply("agent_error", seconds=seconds, said=said,
                              message=f"{self.url} answered without a message: {said}")
        usage = dig(data, "usage")
        model = dig(data, "model")
        priced = self.prices.price(
            Usage(add_counts(dig(usage, "prompt_tokens")),
                  add_counts(dig(usage, "completion_tokens"))),
            model if isinstance(model, str) else None, self.endpoint.model)
        return AgentReply("ok", content, seconds=seconds, usage=priced,
                          said=first_line(content),
                          fault="" if content.strip() else "the endpoint answered with an "
                                                           "empty message")
