"""Performance v2, scored: the ratio of the solution's CPU time to the reference's (both
measured by ``observe.measure``) in the seed's bands, and the growth exponent held against the
case's declared complexity."""

from __future__ import annotations

import re
from typing import Any

THRESHOLDS = ((0.5, 9.5), (1.0, 8.5), (2.0, 6.5), (5.0, 4.0))
# How far one solution's ratio to the reference moves between runs on a 2-core machine: up
# to ~1.3x for JIT runtimes (V8, the JVM); benchmarks/stability.py prints the spread.
NOISE = 1.3
GROWTH_SLACK = 0.4  # measured exponent above the declared one before it is flagged


def judge_growth(evidence: dict[str, Any], complexity: str) -> dict[str, Any]:
    """The growth evidence, flagged when time grows faster than the declared complexity."""
    exponent = evidence.get("exponent")
    declared = declared_exponent(complexity)
    if exponent is None or declared is None or exponent <= declared + GROWTH_SLACK:
        return evidence
    return {**evidence, "flag": True,
            "message": f"time grows as size^{exponent:g}, faster than the declared {complexity}"}


def declared_exponent(complexity: str) -> float | None:
    """The polynomial degree in n of a declared ``O(...)``: ``O(1)``, ``O(log n)`` → 0,
    ``O(n)``, ``O(n log n)``, ``O((n + m) log n)`` → 1, ``O(n^2)``, ``O(n*n)`` → 2; None when
    the text is not a big-O of n."""
    match = re.search(r"O\((.*)\)", complexity)
    if match is None:
        return None
    body = re.sub(r"log\s*\(?\s*\w+\s*\)?", "", match.group(1))  # logarithms add no degree
    if body.strip() in ("", "1"):
        return 0.0
    degree = 0.0
    for power in re.findall(r"\bn\b\s*(?:\^|\*\*)?\s*(\d*)", body.replace("²", "^2")):
        degree += float(power or 1)
    return degree or None


def ratio_score(ratio: float) -> float:
    """The seed's bands, each widened by the measurement noise: a solution exactly as fast as
    the reference must not flip between 8.5 and 6.5 from one run to the next."""
    for bound, score in THRESHOLDS:
        if ratio <= bound * NOISE:
            return score
    return 2.0


