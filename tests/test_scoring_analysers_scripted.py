"""The analysers of JavaScript, TypeScript, PHP and Ruby: eslint (+ tsc), phpcs, rubocop.

Real tools on real solutions: every reference solution of the suites gets evidence from each of
its language's analysers, a worse solution with the same correctness scores lower, and the
evidence reaches the ``--mpm-report`` JSON. A missing tool skips, naming the install command.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench import sandbox
from pytest_mpm_bench.languages import executor_for, known_languages
from pytest_mpm_bench.languages.node import node_binary, package_version
from pytest_mpm_bench.observe import analysers, observe_v2
from pytest_mpm_bench.observe.analysers import node, php, ruby
from pytest_mpm_bench.observe.measure import ReferenceTimes
from pytest_mpm_bench.observe.run import ExecSettings, execute
from pytest_mpm_bench.scoring import v2
from pytest_mpm_bench.suite import Case, load_suite
from tests.helpers import REPO, make_case, make_suite

SUITES = {"javascript": ["javascript_mini"], "typescript": ["typescript_mini", "nextjs_mini"],
          "php": ["php_mini"], "ruby": ["ruby_mini"]}
NODE_PACKAGES = ("eslint", "typescript-eslint", "typescript", "globals")


def missing_tool(language: str) -> str | None:
    """Why this language's analysers cannot run here, with the command that fixes it."""
    if language in ("javascript", "typescript"):
        absent = [p for p in NODE_PACKAGES if package_version(p) is None]
        if node_binary() is None or absent:
            return (f"node or the packages {absent} missing; install with: "
                    "scripts/install-toolchains node")
    elif language == "php" and shutil.which("phpcs") is None:
        return "phpcs missing; install with: scripts/install-toolchains php"
    elif language == "ruby" and shutil.which("rubocop") is None:
        return "rubocop missing; install with: scripts/install-toolchains ruby"
    return None


def need(language: str) -> None:
    reason = missing_tool(language)
    if reason:
        pytest.skip(reason)


def references(language: str) -> list[tuple[str, str]]:
    found = []
    for name in SUITES[language]:
        suite = json.loads((REPO / "benchmarks" / "lightweight" / f"{name}.json").read_text())
        assert suite["language"] == language
        found += [(case["id"], case["reference_solution"]) for case in suite["tests"]]
    return found


@pytest.fixture(scope="module", params=sorted(SUITES))
def analysed(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """Every reference solution of the language, analysed once (two at a time)."""
    language = str(request.param)
    need(language)
    file_name = executor_for(language).source_name
    refs = references(language)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda ref: analysers.analyse(ref[1], language, file_name),
                                refs))
    return language, {case_id: found for (case_id, _), found
                      in zip(refs, results, strict=True)}


# -- (a) every reference solution has evidence from every analyser of its language ----------

def test_every_reference_has_evidence_from_each_analyser(
        analysed: tuple[str, dict[str, Any]]) -> None:
    language, results = analysed
    mine = [a for a in analysers.for_language(language) if a.tool != "lizard"]
    assert mine, f"no analyser of {language} besides lizard"
    assert len(results) >= 12 * len(SUITES[language]), sorted(results)
    for case_id, found in results.items():
        for analyser in mine:
            for dimension in analyser.dimensions:
                tools = {f["tool"] for f in found[dimension]}
                assert analyser.tool in tools, (case_id, dimension, found[dimension])
                assert "analysers" not in tools, (case_id, found[dimension])
        if language == "typescript":
            assert "tsc" in {f["tool"] for f in found["best_practices"]}, case_id
        for finding in found["idiomaticity"] + found["best_practices"]:
            assert finding["message"] != "not installed", (case_id, finding)
            assert not finding["message"].startswith(("unreadable", "could not", "timed out",
                                                      "not installed")), (case_id, finding)
            if "rule" in finding:
                assert {"tool", "rule", "line", "message", "points"} <= finding.keys()
            # A reference solution has no likely bug; for TypeScript this also proves the
            # analyser type-checks with the build step's options (a type error costs 3).
            assert finding["points"] < 3, (case_id, finding)


# -- (b) a worse solution scores lower, with the same correctness ---------------------------

SUM_TESTS = [{"args": [[1, 2, 3, 4]], "expected": 6}, {"args": [[]], "expected": 0},
             {"args": [[2, 2, 5]], "expected": 4, "hidden": True}]

SOLUTIONS: dict[str, dict[str, Any]] = {
    "javascript": {
        "entry": "sumEvens",
        "clean": '/** The sum of the even numbers in `values`. */\n'
                 "function sumEvens(values) {\n"
                 "  return values.filter((value) => value % 2 === 0)\n"
                 "    .reduce((total, value) => total + value, 0);\n"
                 "}\n",
        "worse": "function sumEvens(values) {\n"
                 "  var total = 0;\n"
                 "  var unused = 'x';\n"
                 "  for (var i = 0; i < values.length; i++) {\n"
                 "    if (values[i] % 2 == 0) {\n"
                 "      total = total + values[i];\n"
                 "    }\n"
                 "  }\n"
                 "  return total;\n"
                 "}\n",
        "rules": {("eslint", "no-var"), ("eslint", "eqeqeq"), ("eslint", "no-unused-vars"),
                  ("eslint", "operator-assignment")},
    },
    "typescript": {
        "entry": "sumEvens",
        "clean": "/** The sum of the even numbers in `values`. */\n"
                 "export function sumEvens(values: number[]): number {\n"
                 "  return values.filter((value) => value % 2 === 0)\n"
                 "    .reduce((total, value) => total + value, 0);\n"
                 "}\n",
        "worse": "function sumEvens(values: any): number {\n"
                 "  var total: number = 0;\n"
                 "  let unused = 'x';\n"
                 "  for (var i = 0; i < values.length; i++) {\n"
                 "    if (values[i] % 2 == 0) {\n"
                 "      total = total + values[i];\n"
                 "    }\n"
                 "  }\n"
                 "  return total;\n"
                 "}\n",
        "rules": {("eslint", "no-var"), ("eslint", "eqeqeq"), ("tsc", "TS6133"),
                  ("eslint", "@typescript-eslint/no-explicit-any"),
                  ("eslint", "@typescript-eslint/no-inferrable-types")},
    },
    "php": {
        "entry": "sumEvens",
        "clean": "<?php\n\ndeclare(strict_types=1);\n\n"
                 "/**\n * The sum of the even numbers in $values.\n */\n"
                 "function sumEvens(array $values): int\n{\n"
                 "    return array_sum(array_filter($values, fn (int $value): bool => "
                 "$value % 2 === 0));\n}\n",
        "worse": "<?php\n"
                 "function sumEvens($values, $unused = null) {\n"
                 "\t$total = 0;\n"
                 "\tforeach ($values as $v) {\n"
                 "\t\tif ($v % 2 == 0) { $total += $v; }\n"
                 "\t}\n"
                 "\treturn $total;\n"
                 "}\n",
        "rules": {("phpcs", "Squiz.Operators.ComparisonOperatorUsage.NotAllowed"),
                  ("phpcs", "Generic.WhiteSpace.DisallowTabIndent.TabsUsed"),
                  ("phpcs", "Generic.PHP.RequireStrictTypes.MissingDeclaration"),
                  ("phpcs", "Generic.CodeAnalysis.UnusedFunctionParameter.FoundAfterLastUsed")},
    },
    "ruby": {
        "entry": "sum_evens",
        "clean": "# The sum of the even numbers in values.\n"
                 "def sum_evens(values)\n"
                 "  values.select(&:even?).sum\n"
                 "end\n",
        "worse": "def sum_evens(values)\n"
                 "  total = 0\n"
                 "  unused = 1\n"
                 "  for v in values\n"
                 "    if v % 2 == 0 then total = total + v end\n"
                 "  end\n"
                 "  return total\n"
                 "end\n",
        "rules": {("rubocop", "Style/For"), ("rubocop", "Style/RedundantReturn"),
                  ("rubocop", "Lint/UselessAssignment"), ("rubocop", "Style/EvenOdd")},
    },
}


def sum_case(language: str, write_suite: Any) -> Case:
    spec = make_case("sum_evens", signature=f"{SOLUTIONS[language]['entry']}(values)",
                     entry_point=SOLUTIONS[language]["entry"],
                     test_cases=SUM_TESTS,
                     reference_solution=SOLUTIONS[language]["clean"])
    path = write_suite(make_suite(spec, agent=f"{language}_agent", language=language))
    return load_suite(path, known_languages()).cases[0]


@pytest.mark.parametrize("language", sorted(SOLUTIONS))
def test_a_worse_solution_scores_lower(language: str, write_suite: Any,
                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    need(language)
    executor = executor_for(language)
    if executor.missing():
        pytest.skip(str(executor.missing()))
    case = sum_case(language, write_suite)
    settings = ExecSettings(sandbox.Limits(wall_seconds=60, cpu_seconds=60),
                            sandbox.resolve_level("auto"))
    references = ReferenceTimes(tmp_path_factory.mktemp("session").name)
    scores, evidence = {}, {}
    for kind in ("clean", "worse"):
        source = SOLUTIONS[language][kind]
        outcome = execute(case, source, executor, settings)
        assert outcome.passed, (kind, outcome)
        observed = observe_v2(case, source, outcome, executor, settings, references)
        scores[kind], evidence[kind] = v2.score(case, source, outcome, observed)
    clean, worse = scores["clean"], scores["worse"]
    assert clean["correctness"] == worse["correctness"] == 10.0
    assert worse["idiomaticity"] < clean["idiomaticity"], evidence["worse"]
    assert worse["best_practices"] < clean["best_practices"], evidence["worse"]
    found = {(f["tool"], f.get("rule")) for dimension in ("idiomaticity", "best_practices")
             for f in evidence["worse"][dimension]}
    assert SOLUTIONS[language]["rules"] <= found, found
    assert clean["idiomaticity"] == clean["best_practices"] == 10.0, evidence["clean"]


# -- what the solution cannot switch off, and what it is not blamed for ---------------------

def findings_of(source: str, language: str) -> list[dict[str, Any]]:
    found = analysers.analyse(source, language, executor_for(language).source_name)
    return found["idiomaticity"] + found["best_practices"]


def rules_of(findings: list[dict[str, Any]]) -> set[str]:
    return {str(f.get("rule")) for f in findings if f.get("points")}


@pytest.mark.parametrize(("language", "source", "rule"), [
    ("javascript", "/* eslint-disable */\nvar x = 1;\nexport { x };\n", "no-var"),
    # @ts-nocheck is neutralised, so tsc reports the unused local it would hide.
    ("typescript", "// @ts-nocheck\n/* eslint-disable */\nexport function f(): number {\n"
                   "  const unused = 1;\n  return 2;\n}\n", "TS6133"),
    ("php", "<?php\n\ndeclare(strict_types=1);\n\n// phpcs:disable\nfunction f($a)\n{\n"
            "    if ($a == 1) {\n        return 1;\n    }\n    return 0;\n}\n",
     "Squiz.Operators.ComparisonOperatorUsage.NotAllowed"),
    ("ruby", "# rubocop:disable all\ndef f(a)\n  return a\nend\n", "Style/RedundantReturn"),
])
def test_inline_disable_comments_do_not_count(language: str, source: str, rule: str) -> None:
    need(language)
    assert rule in rules_of(findings_of(source, language))


def test_typescript_unused_is_tsc_and_top_level_declarations_are_the_api() -> None:
    need("typescript")
    source = ("import { readFileSync } from 'node:fs';\n"
              "function helper(a: number, b: number): number {\n  const spare = 3;\n"
              "  return a;\n}\n"
              "export function solve(x: number): number {\n  return helper(x, x);\n}\n"
              "function entryPoint(): number {\n  return 1;\n}\n")
    findings = [f for f in findings_of(source, "typescript") if f.get("points")]
    unused = sorted((f["line"], f["rule"]) for f in findings if f["tool"] == "tsc")
    # the import, `b` and `spare`; never `entryPoint` (the harness calls it by name)
    assert unused == [(1, "TS6133"), (2, "TS6133"), (3, "TS6133")], findings
    assert not any(f["rule"] == "@typescript-eslint/no-unused-vars" for f in findings)


def test_javascript_top_level_declarations_are_the_api() -> None:
    need("javascript")
    source = ("const LIMIT = 3;\nfunction twoSum(nums) {\n  const spare = 1;\n"
              "  return nums.slice(0, LIMIT);\n}\nclass Cache {}\n")
    findings = [f for f in findings_of(source, "javascript") if f.get("points")]
    assert [(f["rule"], f["line"]) for f in findings] == [("no-unused-vars", 3)], findings


def test_typescript_with_jsx_is_checked_as_tsx() -> None:
    need("typescript")
    source = ("export function Greeting({ name }: { name: string }) {\n"
              "  return <p>Hello, {name}</p>;\n}\n")
    found = analysers.analyse(source, "typescript", "solution.ts")
    assert [f["message"] for f in found["best_practices"]] == ["no findings", "no findings"]


def test_typescript_with_a_local_import_is_not_type_checked() -> None:
    need("typescript")
    found = analysers.analyse('import x from "./eslint_rules.mjs";\nexport const y = x;\n',
                              "typescript", "solution.ts")
    assert {"tool": "tsc", "message": "not checked: the solution imports a local file",
            "points": 0.0} in found["best_practices"]


def test_missing_node_packages_are_evidence(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if node_binary() is None:
        pytest.skip("node missing; install with: scripts/install-toolchains node")
    monkeypatch.setenv("MPM_NODE_MODULES", str(tmp_path))  # an empty node_modules
    found = analysers.analyse("const x = 1;\n", "javascript", "solution.js")
    for dimension in ("idiomaticity", "best_practices"):
        [eslint] = [f for f in found[dimension] if f["tool"] == "eslint"]
        assert eslint["message"].startswith("not installed") and eslint["points"] == 0.0
        assert "scripts/install-toolchains node" in eslint["message"]


@pytest.mark.parametrize("module", [node, php, ruby])
def test_a_missing_tool_is_evidence_in_each_dimension(module: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    [real] = module.ANALYSERS
    ghost = dataclasses.replace(real, executable="no-such-tool-here")
    monkeypatch.setattr(analysers, "ANALYSERS", [ghost])
    language = real.languages[0]
    found = analysers.analyse("x\n", language, executor_for(language).source_name)
    for dimension in ("idiomaticity", "best_practices"):
        assert found[dimension] == [{"tool": real.tool, "message": "not installed",
                                     "points": 0.0}]


# -- the rule tables ------------------------------------------------------------------------

def test_every_eslint_rule_is_documented_and_known(tmp_path: Path) -> None:
    need("javascript")
    node.prepare(tmp_path, "solution.js")
    out = subprocess.run([str(node_binary()), node.RUNNER, "--rules"], cwd=tmp_path,
                         capture_output=True, text=True, check=True, timeout=60)
    rules = json.loads(out.stdout)
    docs = (REPO / "docs" / "scoring.md").read_text()
    for name, rule in rules.items():
        assert f"`{name}`" in docs, f"{name} is not in docs/scoring.md"
        assert rule["dimension"] in ("idiomaticity", "best_practices")
        assert rule["points"] in (1, 2, 3)
    # ESLint rejects a config that names a rule it does not know: each file kind loads.
    for language, source in (("javascript", "export const x = 1;\n"),
                             ("typescript", "export const x: number = 1;\n")):
        found = analysers.analyse(source, language, executor_for(language).source_name)
        assert [f["message"] for f in found["best_practices"] if f["tool"] == "eslint"] == [
            "no findings"], found


def test_php_ruleset_names_installed_sniffs(tmp_path: Path) -> None:
    need("php")
    root = ET.fromstring(php.ruleset())
    refs = [rule.get("ref") for rule in root.iter("rule")]
    assert refs[0] == "PSR12" and set(php.PRACTICES) <= set(refs)
    docs = (REPO / "docs" / "scoring.md").read_text()
    for sniff in php.PRACTICES:
        assert f"`{sniff}`" in docs, f"{sniff} is not in docs/scoring.md"
    (tmp_path / "solution.php").write_text("<?php\n")
    php.prepare(tmp_path, "solution.php")
    out = subprocess.run(["phpcs", "-e", f"--standard={php.RULESET}"], cwd=tmp_path,
                         capture_output=True, text=True, check=False, timeout=60).stdout
    for sniff in php.PRACTICES:
        assert sniff in out, f"phpcs does not know {sniff}"


# -- parsers on canned output (no tools needed) ----------------------------------------------

def test_cap_repeats_counts_a_style_habit_once_up_to_the_cap() -> None:
    tabs = [{"tool": "phpcs", "rule": "Tabs", "line": n, "message": "tab", "points": 1.0,
             "dimension": "idiomaticity"} for n in range(5)]
    bug = {"tool": "phpcs", "rule": "Eval", "line": 9, "message": "eval", "points": 3.0}
    capped = analysers.cap_repeats([*tabs, bug, bug])
    assert [f["points"] for f in capped] == [1.0, 1.0, 1.0, 0.0, 0.0, 3.0, 3.0]
    assert "a repeat" in capped[3]["message"] and len(capped) == 7


def test_rubocop_departments_and_severities() -> None:
    offence = {"cop_name": "", "severity": "", "message": "m", "location": {"start_line": 2}}
    out = json.dumps({"files": [{"offenses": [
        {**offence, "cop_name": "Security/Eval", "severity": "convention"},
        {**offence, "cop_name": "Lint/UselessAssignment", "severity": "warning"},
        {**offence, "cop_name": "Layout/EndAlignment", "severity": "warning"},
        {**offence, "cop_name": "Style/For", "severity": "convention"}]}]})
    assert [(f["dimension"], f["points"]) for f in ruby.parse(out, "")] == [
        ("best_practices", 3.0), ("best_practices", 2.0),
        ("idiomaticity", 2.0), ("idiomaticity", 1.0)]
    # A file rubocop cannot parse: no other cop ran, so it is a failure of rubocop.
    syntax = json.dumps({"files": [{"offenses": [
        {**offence, "cop_name": "Style/For", "severity": "convention"},
        {**offence, "cop_name": "Lint/Syntax", "severity": "fatal",
         "message": "unexpected end"}]}]})
    assert ruby.parse(syntax, "") == [{"tool": "rubocop", "message": "could not analyse: line 2: "
                                       "unexpected end", "points": 0.0, "failed": True}]


def test_phpcs_points_and_the_not_operator() -> None:
    message = {"line": 3, "column": 1, "fixable": False, "severity": 5}
    out = json.dumps({"files": {"solution.php": {"messages": [
        {**message, "source": "PSR12.Files.OpenTag.NotAlone", "type": "ERROR", "message": "a"},
        {**message, "source": "Generic.Files.LineLength.TooLong", "type": "WARNING",
         "message": "b"},
        {**message, "source": "Squiz.PHP.Eval.Discouraged", "type": "WARNING", "message": "c"},
        {**message, "source": "Squiz.Operators.ComparisonOperatorUsage.NotAllowed",
         "type": "ERROR", "message": "Operator ! prohibited; use === FALSE instead"},
        {**message, "source": "Squiz.Operators.ComparisonOperatorUsage.NotAllowed",
         "type": "ERROR", "message": "Operator == prohibited; use === instead"}]}}})
    assert [(f["rule"].split(".")[-1], f["dimension"], f["points"])
            for f in php.parse(out, "")] == [
        ("NotAlone", "idiomaticity", 1.0), ("TooLong", "idiomaticity", 0.5),
        ("Discouraged", "best_practices", 3.0), ("NotAllowed", "best_practices", 2.0)]


def test_node_parse_says_which_tools_looked() -> None:
    out = json.dumps({"tools": {"eslint": "9", "tsc": "5"}, "findings": [
        {"tool": "eslint", "rule": "no-var", "line": 1, "message": "var", "points": 2,
         "dimension": "idiomaticity"}]})
    assert [(f["tool"], f["dimension"], f["message"]) for f in node.parse(out, "")] == [
        ("eslint", "idiomaticity", "var"), ("eslint", "best_practices", "no findings"),
        ("tsc", "best_practices", "no findings")]


# -- end to end: the evidence reaches the report ----------------------------------------------

@pytest.mark.parametrize(("agent", "language", "case_id", "tool"), [
    ("ruby_engineer", "ruby", "ruby_medium_03", "rubocop"),
    ("javascript_engineer", "javascript", "javascript_easy_01", "eslint"),
])
def test_evidence_in_the_report(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                agent: str, language: str, case_id: str, tool: str) -> None:
    need(language)
    if executor_for(language).missing():
        pytest.skip(str(executor_for(language).missing()))
    monkeypatch.setenv("PYTHONPATH", str(REPO / "src") + os.pathsep
                       + os.environ.get("PYTHONPATH", ""))
    name = f"{language}_mini.json"
    suite = pytester.path / name  # a copy: the repo's conftest stays out of it
    suite.write_text((REPO / "benchmarks" / "lightweight" / name).read_text())
    result = pytester.runpytest_subprocess(
        "--mpm-agent", agent, "--mpm-suite", str(suite), "--mpm-backend", "reference",
        "-k", case_id, "--mpm-report", "report.json", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    [entry] = json.loads((pytester.path / "report.json").read_text())["results"]
    assert entry["test_id"] == case_id
    for dimension in ("idiomaticity", "best_practices"):
        tools = {f["tool"] for f in entry["evidence"][dimension]}
        assert tool in tools, entry["evidence"][dimension]
    if case_id == "ruby_medium_03":  # its constant is not frozen: the finding, with its line
        assert {"tool": "rubocop", "rule": "Style/MutableConstant", "line": 5,
                "message": "Freeze mutable objects assigned to constants.", "points": 1.0} in (
            entry["evidence"]["idiomaticity"])

