"""Tokens and cost of an agent's answer, and the ini price table that prices them.

A tool that reports its own cost in USD is taken at its word; otherwise ``mpm_prices`` prices the
tokens by model. Any figure the tool did not give stays ``None`` ("unknown"), never 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

MTOK = 1_000_000


@dataclass(frozen=True)
class Usage:
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "cost_usd": None if self.cost_usd is None else round(self.cost_usd, 6)}

    @classmethod
    def from_dict(cls, data: Any) -> Usage:
        """The inverse of :meth:`as_dict`; anything malformed is unknown."""
        if not isinstance(data, dict):
            return cls()
        tokens = [v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None
                  for v in (data.get("input_tokens"), data.get("output_tokens"))]
        cost = data.get("cost_usd")
        return cls(tokens[0], tokens[1], float(cost) if isinstance(cost, (int, float))
                   and not isinstance(cost, bool) and cost >= 0 else None)


def _add(values: Iterable[Any]) -> Any:
    """The sum of the known values; None when none is known."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def total(usages: Iterable[Usage]) -> Usage:
    """Usage summed over several calls (tries of an item); a figure no call knew stays None."""
    items = list(usages)
    return Usage(_add(u.input_tokens for u in items), _add(u.output_tokens for u in items),
                 _add(u.cost_usd for u in items))


class PricesError(ValueError):
    pass


@dataclass(frozen=True)
class Prices:
    """USD per million input and output tokens by model; ``*`` prices any other model."""

    rates: dict[str, tuple[float, float]] = field(default_factory=dict)

    def rate(self, *models: str | None) -> tuple[float, float] | None:
        """The rate of the first of ``models`` the table names, else its ``*`` rate."""
        for model in models:
            if model and model in self.rates:
                return self.rates[model]
        return self.rates.get("*")

    def price(self, usage: Usage, *models: str | None) -> Usage:
        """``usage`` with its cost: the tool's own figure, else tokens times the rate of the first
        of ``models`` (the one that answered, the one asked for) the table knows."""
        if usage.cost_usd is not None or usage.input_tokens is None or usage.output_tokens is None:
            return usage
        rate = self.rate(*models)
        if rate is None:
            return usage
        cost = (usage.input_tokens * rate[0] + usage.output_tokens * rate[1]) / MTOK
        return Usage(usage.input_tokens, usage.output_tokens, cost)


def parse_prices(text: str) -> Prices:
    """``model:in_per_mtok:out_per_mtok ...`` (whitespace or commas between entries). A model
    name may hold colons itself (``ollama`` tags): the last two fields are the prices."""
    rates: dict[str, tuple[float, float]] = {}
    for entry in re.split(r"[\s,]+", text.strip()):
        if not entry:
            continue
        model, _, rest = entry.rpartition(":")
        model, _, first = model.rpartition(":")
        try:
            pair = (float(first), float(rest))
        except ValueError:
            raise PricesError(f"{entry!r} is not model:in_per_mtok:out_per_mtok "
                              "(USD per million tokens)") from None
        if not model or min(pair) < 0:
            raise PricesError(f"{entry!r} is not model:in_per_mtok:out_per_mtok "
                              "(USD per million tokens)")
        rates[model] = pair
    return Prices(rates)


def model_in_argv(argv: Sequence[str]) -> str | None:
    """The model a command line asks for (``--model X``, ``--model=X``, ``-m X``), if any:
    what a price applies to when the tool does not say which model answered."""
    for i, arg in enumerate(argv):
        if arg.startswith("--model="):
            return arg.partition("=")[2] or None
        if arg in ("--model", "-m") and i + 1 < len(argv):
            return argv[i + 1]
    return None
