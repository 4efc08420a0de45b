"""Conformance: our Python verdicts equal HumanEval's own on 365 recorded replies.

The corpus (openai/human-eval, MIT) holds each problem's canonical solution and mutants as
replies, with the verdict HumanEval's own check gives each. Run once, with -n 2, as users do.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.helpers import DATA

CORPUS = DATA / "humaneval"


def test_verdicts_match_humaneval(pytester: pytest.Pytester) -> None:
    corpus = pytester.path / "humaneval"  # a copy: the suite must sit outside this repo's conftest
    shutil.copytree(CORPUS, corpus)
    report = pytester.path / "report.json"
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "humaneval_python", "--mpm-suite", str(corpus / "suite"),
        "--mpm-backend", "replay", "--mpm-replay-dir", str(corpus / "replies"),
        "--mpm-samples", "3", "--mpm-report", str(report), "--mpm-scoring", "v1", "-n", "2",
        "-q", "-p",
        "no:cacheprovider")
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
    expected: dict[str, bool] = json.loads((CORPUS / "verdicts.json").read_text())
    results = json.loads(report.read_text())["results"]
    got = {f"{r['test_id']}[s{r['sample']}]": r["passed"] for r in results}
    assert got.keys() == expected.keys()  # samples without a recorded reply skip
    disagreements = {key: got[key] for key in expected if got[key] != expected[key]}
    assert disagreements == {}
    assert sum(expected.values()) > 100 and not all(expected.values())
