"""Python: ruff (a documented rule selection per dimension) and bandit for security.

Suppressions in the solution do not count: ruff runs with ``--ignore-noqa`` (``# noqa`` and a
file-wide ``# ruff: noqa`` alike), bandit with ``--ignore-nosec``. A file either tool cannot
parse is a failure of that tool (``tool_failure``). One ruff run checks both dimensions'
rules; each finding's dimension is read from its rule code (the two selections share no
linter).
"""

from __future__ import annotations

import json
import re

from pytest_mpm_bench.observe.analysers import Analyser, Finding, tool_failure

# Ruff rules behind each dimension (documented in docs/scoring.md).
RUFF_IDIOMS = "UP,SIM,C4,PERF,RET,PIE"
RUFF_PRACTICES = "E,F,B,N,ANN001,ANN201,ANN202,ANN204,D101,D102,D103"
RUFF_IGNORED = "E501"  # line length is taste, not practice
BANDIT_POINTS = {"HIGH": 3.0, "MEDIUM": 2.0, "LOW": 1.0}


def _ruff_points(code: str) -> float:
    return 3.0 if code.startswith("F") else 2.0 if code.startswith("B") else 1.0


def _linter(code: str) -> str:
    """A rule code's linter prefix: ``PERF401`` → ``PERF``, ``C401`` → ``C4``."""
    letters = re.match(r"[A-Z]*", code)
    prefix = letters.group() if letters else ""
    return "C4" if prefix == "C" and code.startswith("C4") else prefix


IDIOM_LINTERS = frozenset(_linter(code) for code in RUFF_IDIOMS.split(","))


def ruff_dimension(code: str) -> str:
    """The dimension a finding of ``code`` counts against (docs/scoring.md's table)."""
    return "idiomaticity" if _linter(code) in IDIOM_LINTERS else "best_practices"


def parse_ruff(out: str, err: str) -> list[Finding]:
    reports = json.loads(out or "[]")
    # A syntax error: ruff saw no code (no rule code; "invalid-syntax" in newer versions).
    broken = [d for d in reports if d["code"] in (None, "", "invalid-syntax")]
    if broken:
        return [tool_failure("ruff", f"line {d['location']['row']}: {d['message']}")
                for d in broken[:1]]
    return [{"tool": "ruff", "rule": d["code"], "line": d["location"]["row"],
             "message": d["message"], "points": _ruff_points(d["code"]),
             "dimension": ruff_dimension(d["code"])} for d in reports]


def parse_bandit(out: str, err: str) -> list[Finding]:
    report = json.loads(out or "{}")
    if report.get("errors"):  # bandit could not parse the file: it checked nothing
        return [tool_failure("bandit", str(report["errors"][0].get("reason", "")))]
    return [{"tool": "bandit", "rule": r["test_id"], "line": r["line_number"],
             "message": f"{r['issue_severity']}: {r['issue_text']}",
             "points": BANDIT_POINTS.get(r["issue_severity"], 1.0)}
            for r in report.get("results", [])]


def _ruff(select: str, *extra: str) -> list[str]:
    return ["ruff", "check", "--isolated", "--no-cache", "--ignore-noqa", "--output-format",
            "json", "--select", select, *extra, "--exit-zero"]


ANALYSERS = [
    Analyser("ruff", "idiomaticity", ("python",), "ruff",
             lambda f: [*_ruff(f"{RUFF_IDIOMS},{RUFF_PRACTICES}", "--ignore", RUFF_IGNORED), f],
             parse_ruff, also=("best_practices",)),
    Analyser("bandit", "best_practices", ("python",), "bandit",
             lambda f: ["bandit", "-q", "--ignore-nosec", "-f", "json", f], parse_bandit),
]
