"""Scoring: the dimensions, their weights and the weighted score."""

from __future__ import annotations

from collections.abc import Mapping

DIMENSIONS = ("correctness", "idiomaticity", "performance", "best_practices")
DEFAULT_WEIGHTS = "correctness:0.40 idiomaticity:0.25 performance:0.20 best_practices:0.15"
SCORINGS = ("v2", "v1")


class WeightsError(ValueError):
    pass


def parse_weights(text: str) -> dict[str, float]:
    """``"correctness:0.4 idiomaticity:0.25 ..."`` (spaces or commas) → ``{name: weight}``."""
    weights: dict[str, float] = {}
    for part in text.replace(",", " ").split():
        name, sep, value = part.partition(":")
        try:
            weight = float(value)
        except ValueError:
            weight = -1.0
        if not sep or not name or weight < 0:
            raise WeightsError(f"bad weight {part!r}: write name:number, e.g. correctness:0.4")
        weights[name] = weight
    if not weights:
        raise WeightsError("no weights given")
    return weights


def weighted(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    return round(sum(w * scores.get(name, 0.0) for name, w in weights.items()), 2)
