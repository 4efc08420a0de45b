"""Strict JSON out of any value: what reports, the history and ``user_properties`` are made of.

A solution's answer may hold what RFC 8259 has no room for: NaN and infinities (Python's
``json`` writes them as bare ``NaN``, which ``jq`` and ``JSON.parse`` reject) and lone UTF-16
surrogates (an honest JavaScript solution reversing an emoji makes one; they cannot be
encoded as UTF-8, so execnet and file writes fail on them). :func:`to_plain` rewrites those
into strings: ``"NaN"``, ``"Infinity"``, ``"-Infinity"``, and a lone surrogate becomes the
six characters ``\\udXXX`` (visible, unlike U+FFFD, and valid everywhere).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Python refuses to turn an int of more than 4300 digits into text (~14 000 bits).
MAX_INT_BITS = 13_000
# Deeper than any value the parser lets through (execution.MAX_DEPTH) plus a report's own
# nesting; a deeper value becomes a note instead of a RecursionError.
MAX_DEPTH = 400
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def text(value: str) -> str:
    """``value`` with every lone surrogate written as the text ``\\udXXX``."""
    return value if value.isascii() else _SURROGATE.sub(_escape_surrogate, value)


def _float(value: float) -> float | str:
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"


def _key(key: Any) -> str:
    if isinstance(key, str):
        return text(key)
    plain = to_plain(key)
    return plain if isinstance(plain, str) else json.dumps(plain)


def to_plain(value: Any, _depth: int = 0) -> Any:
    """``value`` as data that :func:`dumps` writes as strict JSON in valid UTF-8: non-finite
    floats and lone surrogates as above, tuples as lists, non-string keys as their JSON text,
    an int too long to print as a note, anything else as its ``repr``."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        bits = value.bit_length()
        return int(value) if bits <= MAX_INT_BITS else f"<an integer of {bits} bits>"
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return text(value)
    if _depth >= MAX_DEPTH:
        return "<nested too deeply>"
    if isinstance(value, dict):
        return {_key(k): to_plain(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v, _depth + 1) for v in value]
    try:
        return text(repr(value))
    except Exception:  # a repr that fails is no reason to lose a report
        return f"<a {type(value).__name__}>"


def dumps(value: Any, **kwargs: Any) -> str:
    """``value`` as strict JSON text (see :func:`to_plain`); ``kwargs`` go to ``json.dumps``."""
    return json.dumps(to_plain(value), allow_nan=False, **kwargs)
