"""The Go, Rust and Java analysers: real tools on the suites' reference solutions, a worse twin
of a reference that scores lower with the same correctness, and the evidence in a report.

Analyser runs take about a second each (a JVM or cargo start), so each language's references
are analysed once per module, two at a time.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from pytest_mpm_bench import sandbox
from pytest_mpm_bench.languages import executor_for, known_languages
from pytest_mpm_bench.observe import analysers, observe_v2
from pytest_mpm_bench.observe.analysers import golang, java, rust
from pytest_mpm_bench.observe.measure import ReferenceTimes
from pytest_mpm_bench.observe.run import ExecSettings, execute
from pytest_mpm_bench.sandbox import Tools
from pytest_mpm_bench.scoring import v2
from pytest_mpm_bench.suite import Case, load_suite
from tests.helpers import REPO

SUITES = {"go": "golang_mini.json", "rust": "rust_mini.json", "java": "java_mini.json"}
FAILED = ("not installed", "could not", "timed out", "unreadable output")


def compiled(language: str) -> list[analysers.Analyser]:
    return [a for a in analysers.for_language(language) if a.tool != "lizard"]


def require(language: str) -> None:
    """Skip (never at collection) when the toolchain or one of its analysers is absent."""
    executor = executor_for(language)
    hint = f"scripts/install-toolchains {language}"
    if executor.missing():
        pytest.skip(str(executor.missing()))
    absent = sorted({a.tool for a in compiled(language) if analysers.executable_path(a) is None})
    if absent:
        pytest.skip(f"{', '.join(absent)} not installed; install with: {hint}")


def suite_cases(language: str) -> list[Case]:
    return list(load_suite(REPO / "benchmarks" / "lightweight" / SUITES[language],
                           known_languages()).cases)


def _references(language: str) -> dict[str, str]:
    data = json.loads((REPO / "benchmarks" / "lightweight" / SUITES[language]).read_text())
    return {t["id"]: t["reference_solution"] for t in data["tests"]}


Findings = dict[str, list[analysers.Finding]]


@pytest.fixture(scope="module")
def reference_findings() -> Callable[[str], dict[str, Findings]]:
    """Per language (analysed on first use), per reference: the findings of every analyser."""
    done: dict[str, dict[str, Findings]] = {}

    def findings(language: str) -> dict[str, Findings]:
        if language not in done:
            executor = executor_for(language)
            sources = _references(language)
            with ThreadPoolExecutor(max_workers=2) as pool:
                found = pool.map(lambda src: analysers.analyse(
                    src, language, executor.file_name(src)), sources.values())
                done[language] = dict(zip(sources, found, strict=True))
        return done[language]

    return findings


@pytest.mark.parametrize("language", ["go", "rust", "java"])
def test_every_reference_gets_evidence_from_every_analyser(
        language: str, reference_findings: Callable[[str], dict[str, Findings]]) -> None:
    require(language)
    results = reference_findings(language)
    assert results
    for case_id, found in results.items():
        for analyser in compiled(language):
            evidence = [f for f in found[analyser.dimension] if f["tool"] == analyser.tool]
            assert evidence, (case_id, analyser.tool, analyser.dimension, found)
            for finding in evidence:
                assert not finding["message"].startswith(FAILED), (case_id, finding)
                if finding["message"] != "no findings":
                    assert {"rule", "line", "points"} <= finding.keys(), finding
                    assert finding["points"] in (1.0, 2.0, 3.0), finding
        # The references are written to be clean: formatted, and nothing that looks like a bug.
        assert not [f for f in found["idiomaticity"] if f.get("rule") in ("gofmt", "rustfmt")]
        assert not [f for f in found["best_practices"] if f.get("points", 0) >= 3], found


# -- a worse twin of a reference: same answers, lint findings ---------------------------------

WORSE = {
    "go": ("golang_easy_01", """package main

import (
	"fmt"
	"strings"
)

func unusedHelper() int { return 1 }

// ReverseWords returns the words of s in reverse order.
func ReverseWords(s string) string {
    words := strings.Fields(s)
	out := []string{}
	for i := len(words) - 1; i >= 0; i-- {
		out = append(out, words[i])
	}
	if strings.Index(s, "\\x00") != -1 {
		fmt.Printf("%d\\n", s)
	}
	return strings.Join(out, " ")
}
""", {("gofmt", "gofmt"), ("staticcheck", "S1003")},
        {("go vet", "printf"), ("staticcheck", "U1000")}),
    "rust": ("rust_easy_01", """/// Sum of the squares of the even numbers.
pub fn sum_even_squares(nums: &[i64]) -> i64 {
    let mut total: i64 = 0;
    let unused = 0;
    for i in 0..nums.len() {
        if nums[i] % 2 == 0 { total = total + nums[i] * nums[i]; }
    }
    return total;
}
""", {("rustfmt", "rustfmt"), ("clippy", "clippy::needless_range_loop"),
      ("clippy", "clippy::needless_return")},
        {("clippy", "unused_variables")}),
    "java": ("java_easy_02", """import java.util.*;

class Solution {
    static Integer secondLargest(int[] nums) {
        TreeSet distinct = new TreeSet();
        for (int n : nums) distinct.add(n);
        String empty = "";
        if (empty == "none") { return null; }
        return distinct.isEmpty() ? null : (Integer) distinct.lower(distinct.last());
    }
}
""", {("checkstyle", "AvoidStarImport"), ("checkstyle", "NeedBraces")},
        {("javac", "rawtypes"), ("javac", "unchecked"), ("checkstyle", "StringLiteralEquality")}),
}


def scored(case: Case, source: str, session: str) -> tuple[dict[str, float], v2.Evidence]:
    """v2's scores; performance (measured by test_scoring_v2) is not this module's business."""
    executor = executor_for(case.language)
    settings = ExecSettings(sandbox.Limits(wall_seconds=30), sandbox.resolve_level("auto"))
    outcome = execute(case, source, executor, settings)
    assert outcome.passed, outcome
    observed = observe_v2(case, source, outcome, executor, settings, ReferenceTimes(session))
    return v2.score(case, source, outcome, observed)


@pytest.mark.parametrize("language", ["go", "rust", "java"])
def test_a_worse_twin_scores_lower_with_the_same_correctness(
        language: str, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    require(language)
    monkeypatch.setattr(v2, "_performance", lambda *args: (0.0, []))
    case_id, worse, idioms, practices = WORSE[language]
    case = next(c for c in suite_cases(language) if c.id == case_id)
    session = tmp_path_factory.mktemp("session").name
    clean, _ = scored(case, _references(language)[case_id], session)
    bad, evidence = scored(case, worse, session)
    assert clean["correctness"] == bad["correctness"] == 10.0
    assert bad["idiomaticity"] < clean["idiomaticity"]
    assert bad["best_practices"] < clean["best_practices"]
    for dimension, expected in (("idiomaticity", idioms), ("best_practices", practices)):
        rules = {(f["tool"], f.get("rule")) for f in evidence[dimension]}
        assert expected <= rules, (dimension, evidence[dimension])


def test_the_shipped_checkstyle_config_names_a_dimension_per_check() -> None:
    config = ElementTree.parse(Path(java.__file__).with_name("checkstyle.xml"))
    checks = [m for m in config.iter("module") if m.get("name") not in ("Checker", "TreeWalker")]
    assert len(checks) > 20
    for check in checks:
        props = {p.get("name"): p.get("value") for p in check.findall("property")}
        dimension, _, name = str(props.get("id")).partition(".")
        assert (dimension, name) in {("idiomaticity", check.get("name")),
                                     ("best_practices", check.get("name"))}, props
        assert props.get("severity") in java.SEVERITY_POINTS, props


def test_both_checkstyle_analysers_read_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    require("java")
    commands: list[str] = []
    execute_tool = analysers._execute

    def counted(analyser: analysers.Analyser, *args: Any) -> tuple[str, str] | str:
        commands.append(analyser.tool)
        return execute_tool(analyser, *args)

    monkeypatch.setattr(analysers, "_execute", counted)
    found = analysers.analyse(WORSE["java"][1], "java", "Solution.java")
    assert sorted(commands) == ["checkstyle", "javac", "lizard"]
    assert {f["rule"] for f in found["idiomaticity"] if f["tool"] == "checkstyle"} == {
        "AvoidStarImport", "NeedBraces"}
    assert {f["rule"] for f in found["best_practices"] if f["tool"] == "checkstyle"} == {
        "StringLiteralEquality"}


def test_clippy_correctness_is_a_likely_bug() -> None:
    require("rust")
    source = "pub fn g() -> Vec<i32> {\n    (0..10).step_by(0).collect()\n}\n"
    found = analysers.analyse(source, "rust", "solution.rs")["best_practices"]
    assert [(f["tool"], f["rule"], f["line"], f["points"]) for f in found] == [
        ("clippy", "clippy::iterator_step_by_zero", 2, 3.0)]


# -- parsers on what the tools print when they cannot analyse ----------------------------------

def test_a_staticcheck_too_old_for_the_toolchain_is_evidence() -> None:
    findings = golang.parse_staticcheck("", "panic: unsupported version: 2\n\ngoroutine 1\n")
    assert findings == [{"tool": "staticcheck", "points": 0.0, "failed": True,
                         "message": "could not analyse: panic: unsupported version: 2 | "
                                    "goroutine 1"}]


def test_go_vet_type_errors_and_reports() -> None:
    # The build passed, so a type error means vet saw other code: a failure of vet.
    err = ("# mpmsolution\n# [mpmsolution]\nvet: ./solution.go:20:1: missing return\n")
    assert golang.parse_vet("", err) == [{"tool": "go vet", "points": 0.0, "failed": True,
                                          "message": "could not analyse: line 20: missing "
                                                     "return"}]
    report = {"mpmsolution": {"composites": [{"posn": "/t/solution.go:7:9", "message": "m"}]}}
    assert golang.parse_vet("", "# mpmsolution\n" + json.dumps(report)) == [
        {"tool": "go vet", "rule": "composites", "line": 7, "message": "m", "points": 1.0}]


def test_checkstyle_that_cannot_parse_names_the_place() -> None:
    err = ("com.puppycrawl.tools.checkstyle.api.CheckstyleException: Exception was thrown\n"
           "Caused by: /tmp/mpm-analyse-x/y/Solution.java:1:1: unexpected token: sealed\n")
    assert java.parse_checkstyle_idioms("", err) == [
        {"tool": "checkstyle", "points": 0.0, "failed": True,
         "message": "could not analyse: Solution.java:1:1: unexpected token: sealed"}]


def test_javac_warnings_and_a_refused_command_line() -> None:
    err = ("Solution.java:3: warning: [cast] redundant cast to int\n        x = (int) y;\n"
           "                ^\n1 warning\n")
    assert java.parse_javac("", err) == [{"tool": "javac", "rule": "cast", "line": 3,
                                          "message": "redundant cast to int", "points": 1.0}]
    assert java.parse_javac("", "error: invalid flag: -Xfoo\nUsage: javac\n") == [
        {"tool": "javac", "points": 0.0, "failed": True,
         "message": "could not analyse: error: invalid flag: -Xfoo"}]


def test_rustfmt_reports_the_first_changed_line() -> None:
    out = ("Diff in /tmp/x/solution.rs:3:\n     let a = 1;\n     let b = 2;\n-    if a {}\n"
           "+    if a {\n+    }\nDiff in /tmp/x/solution.rs:20:\n-x\n+y\n")
    [finding] = rust.parse_rustfmt(out, "")
    assert (finding["line"], finding["points"]) == (5, 1.0)
    assert "2 hunk(s)" in finding["message"]


@pytest.mark.parametrize("language", ["go", "rust", "java"])
def test_an_analyser_that_cannot_be_found_is_evidence(language: str) -> None:
    for analyser in compiled(language):
        ghost = dataclasses.replace(analyser, locate=lambda: None)
        assert analysers._run(ghost, "x", Path(os.devnull), Tools("none")) == [
            {"tool": analyser.tool, "message": "not installed", "points": 0.0}]


# -- end to end: the evidence reaches the JSON report ----------------------------------------

def test_the_report_carries_each_tools_evidence(pytester: pytest.Pytester,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for language in SUITES:
        require(language)
    monkeypatch.setenv("PYTHONPATH", str(REPO / "src") + os.pathsep
                       + os.environ.get("PYTHONPATH", ""))
    agents = []
    for name in SUITES.values():  # one case of each suite, copied out of the repo
        data = json.loads((REPO / "benchmarks" / "lightweight" / name).read_text())
        data["tests"] = data["tests"][:1]
        data["tests"][0].pop("performance", None)  # timed on the tests' small inputs instead
        (pytester.path / name).write_text(json.dumps(data))
        agents += ["--mpm-agent", data["agent_id"], "--mpm-suite", str(pytester.path / name)]
    report = pytester.path / "report.json"
    result = pytester.runpytest_subprocess(*agents, "--mpm-backend", "reference",
                                           "--mpm-report", str(report), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    results = {r["language"]: r for r in json.loads(report.read_text())["results"]}
    assert set(results) == set(SUITES)
    for language, result_dict in results.items():
        evidence = result_dict["evidence"]
        for analyser in compiled(language):
            assert any(f["tool"] == analyser.tool for f in evidence[analyser.dimension]), (
                language, analyser.tool, evidence)
