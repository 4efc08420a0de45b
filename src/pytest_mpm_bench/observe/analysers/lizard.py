"""lizard: cyclomatic complexity and function length, for every language we run.

lizard reads the solution without its own suppressions (``#lizard forgives``, a comment
holding ``GENERATED CODE``) and, for Java, with the unicode escapes decoded as javac does
(``views.lizard_view``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pytest_mpm_bench.observe.analysers import Analyser, Finding
from pytest_mpm_bench.observe.analysers.views import lizard_view

MAX_COMPLEXITY = 10
MAX_FUNCTION_LINES = 50
LANGUAGES = ("python", "javascript", "typescript", "go", "rust", "php", "ruby", "java")


def parse(out: str, err: str) -> list[Finding]:
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


def prepare(workdir: Path, file_name: str) -> None:
    path = workdir / file_name
    path.write_text(lizard_view(path.read_text(encoding="utf-8"), file_name), encoding="utf-8")


ANALYSERS = [
    Analyser("lizard", "idiomaticity", LANGUAGES, "lizard", lambda f: ["lizard", "--csv", f],
             parse, prepare=prepare),
]
