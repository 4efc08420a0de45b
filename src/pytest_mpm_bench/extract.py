"""Pull the solution out of an agent's reply (markdown with fenced code blocks)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$", re.M)


@dataclass(frozen=True)
class Block:
    tag: str  # first word of the info string, lower case ("" when untagged)
    code: str
    terminated: bool


def code_blocks(reply: str) -> list[Block]:
    """Every fenced block in order; an unterminated last fence runs to the end of the reply."""
    blocks: list[Block] = []
    pos = 0
    while (opening := _FENCE.search(reply, pos)) is not None:
        fence = opening.group("fence")
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        start = opening.end() + 1
        end_match = closing.search(reply, start)
        body_end = end_match.start() if end_match else len(reply)
        info = opening.group("info").strip().split()
        blocks.append(Block(info[0].lower() if info else "", reply[start:body_end].rstrip() + "\n",
                            end_match is not None))
        if end_match is None:
            break
        pos = end_match.end()
    return [b for b in blocks if b.code.strip()]


def extract_code(
    reply: str,
    tags: Sequence[str],
    defines_entry_point: Callable[[str], bool],
) -> str | None:
    """The block most likely to be the solution, or None when the reply holds no code.

    Blocks tagged with one of ``tags`` win over untagged ones, and untagged over other
    languages; within the best group, the last block that defines the entry point wins
    (agents often show a draft first), else the longest.
    """
    blocks = code_blocks(reply)
    if not blocks:
        # Some agents answer with bare code; accept it only if it is the solution.
        return reply if reply.strip() and defines_entry_point(reply) else None
    wanted = {t.lower() for t in tags}
    groups = [
        [b for b in blocks if b.tag in wanted],
        [b for b in blocks if not b.tag],
    ]
    for group in groups:
        if group:
            defining = [b for b in group if defines_entry_point(b.code)]
            if defining:
                return defining[-1].code
            return max(group, key=lambda b: len(b.code)).code
    # Only blocks tagged with other languages: take one that defines the entry point, if any.
    defining = [b for b in blocks if defines_entry_point(b.code)]
    return defining[-1].code if defining else None
