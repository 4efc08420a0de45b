"""``--mpm-shard K/N``: which cases a shard runs, the same on every machine.

A case goes whole to one shard (all its samples together, so pass@k is computed on one machine
from all of them). The split deals the cases out in the order of a hash of their key
(``agent/case_id``): every machine that reads the same suites makes the same split, the shards
differ in size by at most one case, and the easy, medium and hard cases of a suite (which sit
together in the file) are spread over all shards rather than lumped into one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass


class ShardError(ValueError):
    """A ``--mpm-shard`` value that is not ``K/N`` with 1 <= K <= N."""


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as CI matrices count
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


def parse(text: str) -> Shard:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ShardError(f"--mpm-shard must be K/N (this shard's number and the number of "
                         f"shards, e.g. 2/3), got {text!r}")
    index, total = int(match.group(1)), int(match.group(2))
    if total < 1 or not 1 <= index <= total:
        raise ShardError(f"--mpm-shard {text}: K must be between 1 and N (N >= 1), "
                         f"e.g. 1/{max(total, 1)} … {max(total, 1)}/{max(total, 1)}")
    return Shard(index, total)


def case_key(agent_id: str, case_id: str) -> str:
    return f"{agent_id}/{case_id}"


def _order(key: str) -> tuple[str, str]:
    return hashlib.sha256(key.encode()).hexdigest(), key


@dataclass(frozen=True)
class Plan:
    """The split of every case key into ``total`` shards."""

    total: int
    assignment: dict[str, int]  # case key -> shard index (1-based)

    def shard_of(self, key: str) -> int:
        found = self.assignment.get(key)
        if found is not None:
            return found
        # A case the plan did not see (cannot happen when collection reads the same suites):
        # still the same answer on every machine.
        return int(_order(key)[0], 16) % self.total + 1

    def cases(self, index: int) -> list[str]:
        return sorted(k for k, v in self.assignment.items() if v == index)

    def sizes(self) -> list[int]:
        counts = [0] * self.total
        for index in self.assignment.values():
            counts[index - 1] += 1
        return counts

    def digest(self) -> str:
        """Equal for two shards exactly when they split the same cases the same way."""
        return hashlib.sha256(json.dumps(sorted(self.assignment.items())).encode()).hexdigest()


def plan(keys: Iterable[str], total: int) -> Plan:
    ordered = sorted(set(keys), key=_order)
    return Plan(total, {key: i % total + 1 for i, key in enumerate(ordered)})
