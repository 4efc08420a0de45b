"""Idiomaticity and best practices, scored from the analysers' findings (``observe.analysers``)
by one formula (docs/scoring.md)."""

from __future__ import annotations

from pytest_mpm_bench.observe.analysers import Finding
from pytest_mpm_bench.observe.analysers.loc import code_lines

#: The points of a failed tool per unit of code: 10 - 2 * 5 = 0, the whole dimension (any
#: less, and a tool whose findings would cost more could be broken on purpose).
FULL_COST = 5.0


def units(lines: int) -> float:
    """Units of 20 lines of code (at least one): what the findings' points are divided by."""
    return max(1.0, lines / 20)


def priced(findings: list[Finding], source: str, language: str = "") -> list[Finding]:
    """The findings with a failed tool's priced at the whole dimension (with a word why)."""
    full = FULL_COST * units(code_lines(source, language))
    return [{**f, "points": full, "message": f"{f.get('message', '')} (a tool that cannot "
             "analyse the solution costs the dimension all its points)"} if f.get("failed")
            else f for f in findings]


def style_score(findings: list[Finding], source: str, language: str = "") -> float:
    """10 - 2 * (penalty points per 20 lines of code), floored at 0 (docs/scoring.md); 0 when
    a tool could not analyse the solution. Lines of code are counted by ``loc.code_lines``
    (comments and blank lines are not code)."""
    if any(f.get("failed") for f in findings):
        return 0.0
    points = sum(float(f.get("points", 0.0)) for f in findings)
    return max(0.0, round(10.0 - 2.0 * points / units(code_lines(source, language)), 2))


