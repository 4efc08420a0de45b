"""Judge an observation against the expected value: plain JSON data, exact types.

Observations arrive as JSON text written by our driver in the child; they are parsed here, so
no object of the solution's ever takes part in a comparison.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pytest_mpm_bench.suite import Compare


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _sorted_nested(value: Any) -> Any:
    if isinstance(value, list):
        return sorted((_sorted_nested(v) for v in value), key=_key)
    if isinstance(value, dict):
        return {k: _sorted_nested(v) for k, v in value.items()}
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_double(expected: float, actual: float) -> bool:
    try:
        return float(expected) == float(actual)
    except OverflowError:  # an integer beyond any double
        return False


def _same(expected: Any, actual: Any, tolerance: float | None, loose_numbers: bool) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if _is_number(expected) and _is_number(actual):
        if tolerance is not None:
            if math.isnan(expected) or math.isnan(actual):
                return math.isnan(expected) and math.isnan(actual)
            return math.isclose(expected, actual, rel_tol=tolerance, abs_tol=tolerance)
        if loose_numbers:  # one number type, the double: compare what the language can hold
            return bool(expected == actual) or _same_double(expected, actual)
        return type(expected) is type(actual) and bool(expected == actual)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            _same(e, a, tolerance, loose_numbers) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            _same(expected[k], actual[k], tolerance, loose_numbers) for k in expected)
    return type(expected) is type(actual) and bool(expected == actual)


def matches(expected: Any, actual: Any, compare: Compare, *, loose_numbers: bool = False) -> bool:
    """True when ``actual`` equals ``expected`` under the case's compare mode.

    ``loose_numbers`` is for languages with a single number type, the double (JavaScript):
    ``2`` and ``2.0`` cannot be told apart, and an integer beyond 2**53 equals the double the
    language holds for it (the input it was given was already that double).
    """
    tolerance = compare.get("float_tolerance") if isinstance(compare, dict) else None
    if compare == "unordered" and isinstance(expected, list) and isinstance(actual, list):
        expected, actual = sorted(expected, key=_key), sorted(actual, key=_key)
    elif compare == "unordered_nested":
        expected, actual = _sorted_nested(expected), _sorted_nested(actual)
    return _same(expected, actual, tolerance, loose_numbers)


def run_checker(source: str, args: Any, actual: Any) -> tuple[bool, str | None]:
    """Run a suite's trusted ``check(args, actual)`` on untrusted JSON data."""
    namespace: dict[str, Any] = {}
    try:
        exec(compile(source, "<checker>", "exec"), namespace)
        return bool(namespace["check"](args, actual)), None
    except Exception as exc:  # the data can make any checker raise: that is a failed check
        return False, f"checker rejected the value ({type(exc).__name__}: {exc})"
