"""Performance-input generators, evaluated in the parent so every language sees one input.

A generator is a one-key object whose key starts with ``$``, anywhere in a value tree:
``{"$range": {"start": 0, "stop": 10}}``. Seeds make random inputs reproducible.

``scaled`` shrinks every generated size (``n``, a range's length) by one factor: the same
input at a smaller size, from which the performance scorer measures growth.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from typing import Any

Params = dict[str, Any]


def _range(p: Params) -> list[int]:
    return list(range(int(p.get("start", 0)), int(p["stop"]), int(p.get("step", 1))))


def _repeat(p: Params) -> list[Any]:
    value = evaluate(p["value"])
    return [value for _ in range(int(p["n"]))]


def _random_ints(p: Params) -> list[int]:
    rng = random.Random(p.get("seed", 0))
    lo, hi = int(p["lo"]), int(p["hi"])
    return [rng.randint(lo, hi) for _ in range(int(p["n"]))]


def _random_string(p: Params) -> str:
    rng = random.Random(p.get("seed", 0))
    alphabet = str(p.get("alphabet", string.ascii_lowercase))
    return "".join(rng.choice(alphabet) for _ in range(int(p["n"])))


def _concat(p: Any) -> list[Any]:
    out: list[Any] = []
    for part in p:
        out.extend(evaluate(part))
    return out


def _join(p: Params) -> str:
    return str(p.get("sep", "")).join(str(part) for part in evaluate(p["parts"]))


GENERATORS: dict[str, Callable[[Any], Any]] = {
    "$range": _range,
    "$repeat": _repeat,
    "$random_ints": _random_ints,
    "$random_string": _random_string,
    "$concat": _concat,
    "$join": _join,
}


class GeneratorError(ValueError):
    """A generator is unknown or has bad parameters."""


def _generator_key(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        if isinstance(key, str) and key.startswith("$"):
            return key
    return None


def evaluate(value: Any) -> Any:
    """Return ``value`` with every generator replaced by what it produces."""
    key = _generator_key(value)
    if key is not None:
        if key not in GENERATORS:
            raise GeneratorError(f"unknown generator {key!r}; known: {', '.join(GENERATORS)}")
        try:
            return GENERATORS[key](value[key])
        except (KeyError, TypeError, ValueError) as exc:
            raise GeneratorError(f"bad parameters for {key}: {exc!r}") from exc
    if isinstance(value, list):
        return [evaluate(item) for item in value]
    if isinstance(value, dict):
        return {k: evaluate(v) for k, v in value.items()}
    return value


SIZES = {"$range": "stop", "$repeat": "n", "$random_ints": "n", "$random_string": "n"}


def scaled(value: Any, factor: float) -> Any:
    """``value`` with every generator's size multiplied by ``factor`` (at least 1)."""
    key = _generator_key(value)
    if key is not None:
        params = value[key]
        if key in SIZES and isinstance(params, dict) and SIZES[key] in params:
            params = dict(params)
            size = SIZES[key]
            start = int(params.get("start", 0)) if key == "$range" else 0
            params[size] = start + max(1, round((int(params[size]) - start) * factor))
        return {key: scaled(params, factor)}
    if isinstance(value, list):
        return [scaled(item, factor) for item in value]
    if isinstance(value, dict):
        return {k: scaled(v, factor) for k, v in value.items()}
    return value


def has_sizes(value: Any) -> bool:
    """Whether ``value`` holds a generator whose size ``scaled`` can change."""
    return bool(scaled(value, 0.5) != value)


def unknown_generators(value: Any) -> list[str]:
    """Names of ``$``-keys in ``value`` that are not generators (checked at load time)."""
    key = _generator_key(value)
    found: list[str] = []
    if key is not None:
        if key not in GENERATORS:
            found.append(key)
        return found + unknown_generators(value[key])
    if isinstance(value, list):
        for item in value:
            found += unknown_generators(item)
    elif isinstance(value, dict):
        for item in value.values():
            found += unknown_generators(item)
    return found
