"""Real analysers of each language, run on the solution file alone, turned into findings.

Each analyser names the dimension its findings count against. An analyser that is not
installed is a finding too ("not installed"), so a missing tool is never a silent default.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_mpm_bench.capture import run_captured

TIMEOUT = 30.0
Finding = dict[str, Any]  # {"tool", "rule", "line", "message", "points"}

# Ruff rules behind each dimension (documented in docs/scoring.md).
RUFF_IDIOMS = "UP,SIM,C4,PERF,RET,PIE"
RUFF_PRACTICES = "E,F,B,N,ANN001,ANN201,ANN202,ANN204,D101,D102,D103"
RUFF_IGNORED = "E501"  # line length is taste, not practice
MAX_COMPLEXITY = 10
MAX_FUNCTION_LINES = 50


@dataclass(frozen=True)
class Analyser:
    tool: str
    dimension: str  # "idiomaticity" | "best_practices"
    languages: tuple[str, ...]
    executable: str
    argv: Callable[[str], list[str]]  # file name -> command
    parse: Callable[[str], list[Finding]]


def _ruff_points(code: str) -> float:
    return 3.0 if code.startswith("F") else 2.0 if code.startswith("B") else 1.0


def _ruff(out: str) -> list[Finding]:
    return [{"tool": "ruff", "rule": d["code"], "line": d["location"]["row"],
             "message": d["message"], "points": _ruff_points(d["code"] or "")}
            for d in json.loads(out or "[]")]


BANDIT_POINTS = {"HIGH": 3.0, "MEDIUM": 2.0, "LOW": 1.0}


def _bandit(out: str) -> list[Finding]:
    return [{"tool": "bandit", "rule": r["test_id"], "line": r["line_number"],
             "message": f"{r['issue_severity']}: {r['issue_text']}",
             "points": BANDIT_POINTS.get(r["issue_severity"], 1.0)}
            for r in json.loads(out or "{}").get("results", [])]


def _lizard(out: str) -> list[Finding]:
    findings: list[Finding] = []
    for row in csv.reader(io.StringIO(out)):
        if len(row) < 10:
            continue
        nloc, ccn, name, start = int(row[0]), int(row[1]), row[7], int(row[9])
        if ccn > MAX_COMPLEXITY:
            findings.append({"tool": "lizard", "rule": "cyclomatic-complexity", "line": start,
                             "message": f"{name} has cyclomatic complexity {ccn} "
                                        f"(> {MAX_COMPLEXITY})", "points": 2.0})
        if nloc > MAX_FUNCTION_LINES:
            findings.append({"tool": "lizard", "rule": "function-length", "line": start,
                             "message": f"{name} has {nloc} lines of code "
                                        f"(> {MAX_FUNCTION_LINES})", "points": 1.0})
    return findings


LIZARD_LANGUAGES = ("python", "javascript", "typescript", "go", "rust", "php", "ruby", "java")

ANALYSERS: list[Analyser] = [
    Analyser("ruff", "idiomaticity", ("python",), "ruff",
             lambda f: ["ruff", "check", "--isolated", "--no-cache", "--output-format", "json",
                        "--select", RUFF_IDIOMS, "--exit-zero", f], _ruff),
    Analyser("lizard", "idiomaticity", LIZARD_LANGUAGES, "lizard",
             lambda f: ["lizard", "--csv", f], _lizard),
    Analyser("ruff", "best_practices", ("python",), "ruff",
             lambda f: ["ruff", "check", "--isolated", "--no-cache", "--output-format", "json",
                        "--select", RUFF_PRACTICES, "--ignore", RUFF_IGNORED, "--exit-zero", f],
             _ruff),
    Analyser("bandit", "best_practices", ("python",), "bandit",
             lambda f: ["bandit", "-q", "-f", "json", f], _bandit),
]


def register(analyser: Analyser) -> None:
    """Add an analyser (a language executor module or a plugin calls this)."""
    ANALYSERS.append(analyser)


def _tool_path(executable: str) -> str | None:
    # Python tools installed beside this interpreter count even when its bin/ is not on PATH.
    import sys

    beside = Path(sys.executable).parent / executable
    return str(beside) if beside.exists() else shutil.which(executable)


def analyse(source: str, language: str, file_name: str) -> dict[str, list[Finding]]:
    """Findings per dimension for ``source``, from every analyser of ``language``."""
    found: dict[str, list[Finding]] = {"idiomaticity": [], "best_practices": []}
    with tempfile.TemporaryDirectory(prefix="mpm-analyse-") as tmp:
        Path(tmp, file_name).write_text(source, encoding="utf-8")
        for analyser in ANALYSERS:
            if language not in analyser.languages:
                continue
            found[analyser.dimension].extend(_run(analyser, file_name, Path(tmp)))
    for dimension in found:
        if not any(language in a.languages for a in ANALYSERS if a.dimension == dimension):
            found[dimension].append({"tool": "analysers", "points": 0.0,
                                     "message": f"no {dimension} analyser for {language} yet: "
                                                "the score reflects no findings, not a review"})
    return found


def _run(analyser: Analyser, file_name: str, workdir: Path) -> list[Finding]:
    path = _tool_path(analyser.executable)
    if path is None:
        return [{"tool": analyser.tool, "message": "not installed", "points": 0.0}]
    argv = [path, *analyser.argv(file_name)[1:]]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir),
           "LANG": "C.UTF-8"}
    try:
        run = run_captured(argv, stdin=b"", cwd=workdir, env=env, timeout=TIMEOUT, cap=4 << 20)
    except OSError as exc:
        return [{"tool": analyser.tool, "message": f"could not run: {exc}", "points": 0.0}]
    if run.timed_out:
        return [{"tool": analyser.tool, "message": f"timed out after {TIMEOUT:g} s",
                 "points": 0.0}]
    try:
        return analyser.parse(run.stdout.decode("utf-8", "replace"))
    except (ValueError, KeyError, TypeError, IndexError):
        tail = run.stderr.decode("utf-8", "replace")[-300:]
        return [{"tool": analyser.tool, "message": f"unreadable output: {tail}", "points": 0.0}]


def code_lines(source: str) -> int:
    return sum(1 for line in source.splitlines() if line.strip())


def score(findings: list[Finding], source: str) -> float:
    """10 - 2 * (penalty points per 20 lines of code), floored at 0 (docs/scoring.md)."""
    points = sum(float(f.get("points", 0.0)) for f in findings)
    units = max(1.0, code_lines(source) / 20)
    return max(0.0, round(10.0 - 2.0 * points / units, 2))
