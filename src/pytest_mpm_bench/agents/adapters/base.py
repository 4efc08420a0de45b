"""What an adapter declares about one agent tool, and the helpers its reader uses.

An adapter is data: the command that runs the tool (the task reaches it on stdin and in
``{task_file}``), how it is installed, how to read the answer and its usage out of what the tool
prints, and the lines by which the tool reports its own failures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_mpm_bench.agents.base import first_line
from pytest_mpm_bench.agents.usage import Usage

# A line that starts "Error:", "ERROR -", "[error]", "❌ Error:", "fatal:" — how CLIs report their
# own failure (not "Error handling in Python…", which is prose).
ERROR_LINE = r"^\W*(?:error|fatal)\]?\s*[:\-]"


@dataclass(frozen=True)
class Parsed:
    """What a reader took out of the tool's stdout."""

    text: str  # the answer, as markdown with fenced code
    usage: Usage = field(default_factory=Usage)
    model: str | None = None  # the model that answered, when the tool says (for mpm_prices)
    fault: str = ""  # the tool reported a failure (an error flag, no JSON where JSON was asked)


def read_plain(stdout: str) -> Parsed:
    """The whole of stdout is the answer."""
    return Parsed(stdout)


@dataclass(frozen=True)
class Adapter:
    name: str  # as in --mpm-agent-cmd @NAME
    tool: str  # the tool's own name, for messages
    install: str  # the command that installs it
    command: str = ""  # the template; "" for an adapter that is not a command (HTTP)
    read: Callable[[str], Parsed] = read_plain
    # Regular expressions (multi-line, case-insensitive) over the answer and stderr of a reply
    # without code: a match makes it the tool's failure (agent_error), not the model's.
    failures: tuple[str, ...] = ()

    def failure_in(self, text: str) -> str:
        """The first line of ``text`` a failure pattern matches, or ""."""
        for pattern in self.failures:
            match = re.search(pattern, text, re.I | re.M)
            if match:
                start = text.rfind("\n", 0, match.start()) + 1
                end = text.find("\n", match.end())
                return first_line(text[start:end if end >= 0 else len(text)]) or match.group()
        return ""


def load_json(stdout: str, tool: str, flag: str) -> tuple[Any, str]:
    """The JSON document ``tool`` printed, or None and why not (the fault)."""
    try:
        return json.loads(stdout), ""
    except ValueError:
        said = first_line(stdout)
        return None, (f"{tool} printed no JSON although {flag} asked for it"
                      + (f": {said}" if said else ""))


def dig(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]…``, or None where a step is missing or not a mapping."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def count(value: Any) -> int | None:
    """A token count as the tool gave it: a non-negative whole number, else unknown."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return int(value)


def add_counts(*values: Any) -> int | None:
    """The sum of the counts given; unknown when none is a count."""
    counts = [c for c in map(count, values) if c is not None]
    return sum(counts) if counts else None


def money(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return float(value)
