"""Conformance: HumanEval-X's canonical Go, Java and JavaScript solutions pass on HumanEval's
inputs (tests/data/humaneval_x, converted by scripts/convert_humaneval_x.py).

A correct solution written by others must pass: what fails is either a documented exception
(the canonical solution itself is wrong, or the problem cannot be said in that language; see the
data's README) or a bug in how values cross the language boundary. By default a sample runs: the
cases that exercise the rules of docs/values.md; MPM_CONFORMANCE_FULL=1 runs all 135 cases of
each language, which is how the README's figures are measured.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench.languages import executor_for
from tests.helpers import DATA, REPO

CORPUS = DATA / "humaneval_x" / "suite"
FULL = os.environ.get("MPM_CONFORMANCE_FULL") == "1"
#: Problems whose canonical solution fails for a reason the data's README explains.
EXCEPTIONS = {"go": {95}, "java": set(), "javascript": {71, 87, 92}}
#: Each rule of docs/values.md that a HumanEval-X solution depends on, with one problem more.
SAMPLE = {
    "go": {0, 22, 47, 78, 92, 103, 111, 130, 137, 158},
    "java": {0, 22, 47, 71, 78, 92, 103, 130, 137, 160},
    "javascript": {0, 22, 65, 87, 103, 105, 111, 114, 137, 162},
}
MINIMUM_SHARE = 0.97


def number(test_id: str) -> int:
    return int(test_id.rsplit("_", 1)[1])


def suite_for(language: str, directory: Path) -> Path:
    """The language's suite (all of it, or the sample) as a file outside this repo's tree."""
    suite: dict[str, Any] = json.loads((CORPUS / f"humaneval_x_{language}.json").read_text())
    if not FULL:
        suite["tests"] = [c for c in suite["tests"] if number(c["id"]) in SAMPLE[language]]
    path = directory / f"humaneval_x_{language}.json"
    path.write_text(json.dumps(suite))
    return path


@pytest.mark.parametrize("language", ["go", "java", "javascript"])
def test_canonical_solutions_pass(language: str, pytester: pytest.Pytester,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    missing = executor_for(language).missing()
    if missing:
        pytest.skip(missing)
    monkeypatch.setenv("MPM_NODE_MODULES", os.environ.get("MPM_NODE_MODULES")
                       or str(REPO / "node_modules"))
    report = pytester.path / "report.json"
    result = pytester.runpytest_subprocess(
        "--mpm-agent", f"humaneval_x_{language}",
        "--mpm-suite", str(suite_for(language, pytester.path)), "--mpm-backend", "reference",
        "--mpm-scoring", "v1", "--mpm-report", str(report), "-p", "no:cacheprovider", "-q",
        *(["-n", "2"] if FULL else []))
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
    results = json.loads(report.read_text())["results"]
    failed = {number(r["test_id"]): r["status"] for r in results if not r["passed"]}
    assert set(failed) <= EXCEPTIONS[language], failed
    assert len(results) == (135 if FULL else len(SAMPLE[language]))
    if FULL:
        assert (len(results) - len(failed)) / len(results) >= MINIMUM_SHARE
