"""The built-in adapters, by the name ``--mpm-agent-cmd @NAME`` (or ini ``mpm_agent_adapter``)
gives, and the reading of a plain command template."""

from __future__ import annotations

from pytest_mpm_bench.agents.adapters import (
    aider,
    claude_code,
    claude_mpm,
    codex,
    gemini,
    openai_compatible,
)
from pytest_mpm_bench.agents.adapters.base import Adapter, Parsed

ADAPTERS: dict[str, Adapter] = {a.name: a for a in (
    claude_mpm.ADAPTER, claude_code.ADAPTER, aider.ADAPTER, codex.ADAPTER, gemini.ADAPTER,
    openai_compatible.ADAPTER)}
DEFAULT = claude_mpm.ADAPTER
# A command of the user's own: its stdout is the answer; only unmistakable crashes are faults.
CUSTOM = Adapter(name="", tool="the agent command", install="",
                 failures=(r"command not found", r"^Traceback \(most recent call last\)"))


class UnknownAdapter(ValueError):
    pass


def names() -> str:
    return ", ".join("@" + name for name in ADAPTERS)


def resolve(command: str | None, adapter: str | None) -> tuple[Adapter, str]:
    """The adapter and the command template for ``--mpm-agent-cmd`` (a template, or ``@NAME``
    with extra arguments for the tool, e.g. ``@claude-code --model opus``) and ini
    ``mpm_agent_adapter`` (a name, with or without ``@``), in that order of precedence."""
    spec = (command or "").strip() or (adapter or "").strip()
    if not spec:
        return DEFAULT, DEFAULT.command
    if not command and not spec.startswith("@"):
        spec = "@" + spec  # ini mpm_agent_adapter = claude-code
    if not spec.startswith("@"):
        return CUSTOM, spec
    name, _, extra = spec[1:].partition(" ")
    if name not in ADAPTERS:
        raise UnknownAdapter(f"unknown agent adapter {'@' + name!r}: use one of {names()}, or "
                             "a command template such as 'my-agent {task_file}'")
    found = ADAPTERS[name]
    extra = extra.strip()
    if extra and not found.command:
        raise UnknownAdapter(f"@{name} takes no extra arguments ({extra!r}): set it up with "
                             "the ini options mpm_openai_base_url, mpm_openai_model, "
                             "mpm_openai_key_env")
    return found, " ".join(p for p in (found.command, extra) if p)


__all__ = ["ADAPTERS", "CUSTOM", "DEFAULT", "Adapter", "Parsed", "UnknownAdapter", "names",
           "resolve"]
