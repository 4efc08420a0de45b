"""Python: ruff (a documented rule selection per dimension) and bandit for security."""

from __future__ import annotations

import json

from pytest_mpm_bench.scoring.analysers import Analyser, Finding

# Ruff rules behind each dimension (documented in docs/scoring.md).
RUFF_IDIOMS = "UP,SIM,C4,PERF,RET,PIE"
RUFF_PRACTICES = "E,F,B,N,ANN001,ANN201,ANN202,ANN204,D101,D102,D103"
RUFF_IGNORED = "E501"  # line length is taste, not practice
BANDIT_POINTS = {"HIGH": 3.0, "MEDIUM": 2.0, "LOW": 1.0}


def _ruff_points(code: str) -> float:
    return 3.0 if code.startswith("F") else 2.0 if code.startswith("B") else 1.0


def parse_ruff(out: str, err: str) -> list[Finding]:
    return [{"tool": "ruff", "rule": d["code"], "line": d["location"]["row"],
             "message": d["message"], "points": _ruff_points(d["code"] or "")}
            for d in json.loads(out or "[]")]


def parse_bandit(out: str, err: str) -> list[Finding]:
    return [{"tool": "bandit", "rule": r["test_id"], "line": r["line_number"],
             "message": f"{r['issue_severity']}: {r['issue_text']}",
             "points": BANDIT_POINTS.get(r["issue_severity"], 1.0)}
            for r in json.loads(out or "{}").get("results", [])]


def _ruff(select: str, *extra: str) -> list[str]:
    return ["ruff", "check", "--isolated", "--no-cache", "--output-format", "json",
            "--select", select, *extra, "--exit-zero"]


ANALYSERS = [
    Analyser("ruff", "idiomaticity", ("python",), "ruff",
             lambda f: [*_ruff(RUFF_IDIOMS), f], parse_ruff),
    Analyser("ruff", "best_practices", ("python",), "ruff",
             lambda f: [*_ruff(RUFF_PRACTICES, "--ignore", RUFF_IGNORED), f], parse_ruff),
    Analyser("bandit", "best_practices", ("python",), "bandit",
             lambda f: ["bandit", "-q", "-f", "json", f], parse_bandit),
]
