"""Scores that cannot be gamed (issue 14, docs/scoring.md "Gaming"): each trick a
reward-hacking agent would try, as a gamed twin of an honest solution; the twin never scores
better than the honest one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench import sandbox, statuses
from pytest_mpm_bench.languages import executor_for
from pytest_mpm_bench.observe import analysers
from pytest_mpm_bench.observe.analysers.loc import code_lines
from pytest_mpm_bench.observe.run import ExecSettings, execute
from pytest_mpm_bench.report.summary import summarize
from pytest_mpm_bench.report.terminal import table
from pytest_mpm_bench.scoring.style import priced, style_score
from pytest_mpm_bench.suite import Case, TestCase
from tests.helpers import bench, history_result, make_case, make_suite, replies

# -- performance: end to end through the pipeline ----------------------------------------------

DEDUPE = {
    "signature": "def dedupe(items: list[int]) -> list[int]:", "entry_point": "dedupe",
    "test_cases": [{"args": [[1, 2, 1]], "expected": [1, 2]}, {"args": [[]], "expected": []},
                   {"args": [[3, 3, 3, 2]], "expected": [3, 2], "hidden": True}],
    "performance": {"args": [{"$random_ints": {"n": 100000, "lo": 0, "hi": 10**9, "seed": 1}}]},
    "time_complexity": "O(n)",
    "reference_solution": "def dedupe(items):\n    return list(dict.fromkeys(items))\n",
}
HONEST = "def dedupe(items):\n    return list(dict.fromkeys(items))\n"
# Right on the small tests, nothing on the big input.
EMPTY_ON_BIG = ("def dedupe(items):\n"
                "    return [] if len(items) > 1000 else list(dict.fromkeys(items))\n")
# On the big input it writes only an end record on the results channel and leaves.
END_ONLY = ("import os\n\n\ndef dedupe(items):\n"
            "    if len(items) > 1000:\n"
            "        os.write(3, b'{\"type\": \"end\", \"count\": 1}\\n')\n"
            "        os._exit(0)\n"
            "    return list(dict.fromkeys(items))\n")
# A hundred times the work of the reference: an honest slow solution.
SLOW = ("def dedupe(items):\n"
        "    for _ in range(100):\n"
        "        out = list(dict.fromkeys(items))\n"
        "    return out\n")
# The same, plus a second of CPU whenever its input has no test (the start-up run it used to
# be subtracted from), to hide its slowness.
SLOW_BURNING_AT_STARTUP = ("import json\n\n"
                           "with open('input.json') as f:\n"
                           "    if not json.load(f)['tests']:\n"
                           "        n = 0\n"
                           "        while n < 30_000_000:\n"
                           "            n += 1\n\n\n" + SLOW)


def _performance(pytester: pytest.Pytester, write_suite: Any, tmp_path: Path,
                 solutions: dict[str, str], workers: list[str]) -> dict[str, dict[str, Any]]:
    suite = write_suite(make_suite(*(make_case(name, **DEDUPE) for name in solutions)))
    report = tmp_path / "report.json"
    result = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir",
                   str(replies(tmp_path, **solutions)), "--mpm-report", str(report), *workers)
    result.assert_outcomes(passed=len(solutions))  # every twin passes its tests
    return {r["test_id"]: r for r in json.loads(report.read_text())["results"]}


def test_performance_answers_are_judged(pytester: pytest.Pytester, write_suite: Any,
                                        tmp_path: Path, workers: list[str]) -> None:
    results = _performance(pytester, write_suite, tmp_path,
                           {"honest": HONEST, "empty": EMPTY_ON_BIG, "end_only": END_ONLY},
                           workers)
    honest = results["honest"]["dimensions"]["performance"]
    assert honest >= 6.5  # the reference itself: about 8.5
    for gamed, says in (("empty", "wrong answer on input 1 of the performance run: 0 items "
                                  "where 99993 were expected"),
                        ("end_only", "the performance run reported 0 of 1 answer(s)")):
        result = results[gamed]
        assert result["dimensions"]["performance"] == 0.0 < honest
        [evidence] = result["evidence"]["performance"]
        assert evidence["message"].startswith(says), evidence
        assert evidence["reference_cpu_seconds"] > 0


def test_work_done_in_the_startup_run_is_not_subtracted(
        pytester: pytest.Pytester, write_suite: Any, tmp_path: Path) -> None:
    results = _performance(pytester, write_suite, tmp_path,
                           {"slow": SLOW, "slow_burning": SLOW_BURNING_AT_STARTUP}, [])
    slow, gamed = (results[k]["evidence"]["performance"][0] for k in ("slow", "slow_burning"))
    # A hundred times the work scores the lowest band, burning or not.
    assert results["slow_burning"]["dimensions"]["performance"] <= (
        results["slow"]["dimensions"]["performance"]) == 2.0
    assert gamed["ratio"] > 10 and slow["ratio"] > 10
    # The start-up run never loaded the solution: its second of CPU was never spent there.
    assert gamed["startup_cpu_seconds"] < 0.5 and slow["startup_cpu_seconds"] < 0.5


# -- style: the analysers on honest and gamed twins -----------------------------------------

def need(language: str) -> None:
    """Skip (never at collection) when the language or one of its analysers is absent."""
    missing = executor_for(language).missing()
    if missing:
        pytest.skip(missing)
    absent = sorted({a.tool for a in analysers.for_language(language)
                     if analysers.executable_path(a) is None})
    if absent:
        pytest.skip(f"{', '.join(absent)} not installed; install with: scripts/install-toolchains")


def style(source: str, language: str) -> tuple[dict[str, float], dict[str, list[Any]]]:
    found = analysers.analyse(source, language, executor_for(language).file_name(source))
    return ({d: style_score(priced(found[d], source, language), source, language)
             for d in analysers.DIMENSIONS},
            found)


def assert_no_better(language: str, honest: str, gamed: str, dimension: str | None) -> None:
    """``gamed`` scores no better than ``honest`` in any dimension; ``honest`` has findings (in
    ``dimension``, or in some dimension) for the trick to hide or dilute."""
    need(language)
    (fair, fair_evidence), (tricked, evidence) = style(honest, language), style(gamed, language)
    assert min(fair.values()) < 10.0 if dimension is None else fair[dimension] < 10.0, (
        fair_evidence)
    for name in analysers.DIMENSIONS:
        assert tricked[name] <= fair[name], (name, evidence[name], fair_evidence[name])


PY_HONEST = '''import subprocess


def run(cmd, flag):
    if flag == True:
        subprocess.call(cmd, shell=True)
        return True
    else:
        return False
'''
PY_GAMED = '''# ruff: noqa
import subprocess  # nosec


def run(cmd, flag):  # noqa: ANN001, ANN201, D103
    if flag == True:  # noqa
        subprocess.call(cmd, shell=True)  # nosec B602
        return True
    else:  # noqa: RET505
        return False
'''
COMPLEX = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
PY_COMPLEX = f"def pick(x: int) -> int:\n    \"\"\"Pick.\"\"\"\n{COMPLEX}    return -1\n"
PY_FORGIVEN = ("# GENERATED CODE\ndef pick(x: int) -> int:\n    \"\"\"Pick.\"\"\"\n"
               f"    # #lizard forgives\n{COMPLEX}    return -1\n")
JS_HONEST = ("var x = 1;\nexport function f(a) {\n  if (a == 2) {\n    return x;\n  }\n"
             "  return 0;\n}\n")
JS_GAMED = ("/* eslint-disable */\n/* eslint no-var: off, eqeqeq: off */\nvar x = 1; "
            "// eslint-disable-line\nexport function f(a) {\n  // eslint-disable-next-line\n"
            "  if (a == 2) {\n    return x;\n  }\n  return 0;\n}\n")
JS_COMPLEX = ("export function pick(x) {\n"
              + "".join(f"  if (x === {i}) {{\n    return {i};\n  }}\n" for i in range(12))
              + "  return -1;\n}\n")
JS_FORGIVEN = "// GENERATED CODE\n" + JS_COMPLEX.replace("{\n", "{\n  // #lizard forgives\n", 1)
TS_HONEST = ("export function f(a: number): number {\n  const unused = 3;\n  if (a > 1) {\n"
             "    return a;\n  }\n}\n")
RB_HONEST = "def f(a)\n  x = 1\n  if a == 2 then return eval(\"1\") end\n  return 0\nend\n"
RB_GAMED = ("# rubocop:disable all\n# rubocop:todo Lint, Style\ndef f(a)\n"
            "  x = 1 # rubocop:disable Lint/UselessAssignment\n"
            "  if a == 2 then return eval(\"1\") end # rubocop:disable Security/Eval\n"
            "  return 0\nend\n")
PHP_HONEST = ("<?php\nfunction f($a) {\n  if ($a == 2) { return eval(\"1;\"); }\n"
              "  return 0;\n}\n")
PHP_GAMED = ("<?php\n// phpcs:ignoreFile\n// @codingStandardsIgnoreFile\n// phpcs:disable\n"
             "// @codingStandardsIgnoreStart\n"
             "// phpcs:set Generic.WhiteSpace.ScopeIndent indent 2\n"
             "function f($a) {\n  // phpcs:ignore\n  if ($a == 2) { return eval(\"1;\"); }\n"
             "  return 0; // @codingStandardsIgnoreLine\n}\n")
GO_HONEST = ("package main\n\nfunc pick(b bool) int {\n\tif b == true {\n\t\treturn 1\n\t}\n"
             "\treturn 0\n}\n\nfunc unused() {}\n")
GO_GAMED = ("package main\n\n//lint:file-ignore S1002 reason\n//lint:file-ignore U1000 reason\n\n"
            "func pick(b bool) int {\n\tif b == true { //nolint\n\t\treturn 1\n\t}\n"
            "\treturn 0\n}\n\n//lint:ignore U1000 reason\nfunc unused() {} //nolint:unused\n")
RS_HONEST = ("pub fn count(v: &Vec<i32>) -> i32 {\n    let unused = 1;\n"
             "    return v.len() as i32;\n}\n\npub fn Other(x:i32)->i32{x}\n")
RS_GAMED = ("#![allow(clippy::all, unused)]\n#![cfg_attr(all(), allow(nonstandard_style))]\n"
            "#![deny(clippy::correctness)]\n"
            "#[allow(clippy::ptr_arg, clippy::needless_return)]\n#[expect(unused_variables)]\n"
            "pub fn count(v: &Vec<i32>) -> i32 {\n    let unused = 1;\n"
            "    return v.len() as i32;\n}\n\n#[rustfmt::skip]\n#[allow(non_snake_case)]\n"
            "pub fn Other(x:i32)->i32{x}\n")
JAVA_HONEST = ("import java.util.ArrayList;\nimport java.util.List;\n\npublic class Solution {\n"
               "    public static int f(int a) {\n        List l = new ArrayList();\n"
               "        //\n        if (a == 2) return l.size();\n        return 0;\n    }\n}\n")
JAVA_GAMED = ("import java.util.ArrayList;\nimport java.util.List;\n\n// CHECKSTYLE:OFF\n"
              "public class Solution {\n"
              "    @SuppressWarnings({\"rawtypes\", \"unchecked\", \"checkstyle:NeedBraces\"})\n"
              "    public static int f(int a) {\n        List l = new ArrayList();\n"
              "        // \\u000a if (a == 2) return l.size();\n        return 0;\n    }\n}\n")


@pytest.mark.parametrize(("language", "honest", "gamed", "dimension"), [
    pytest.param("python", PY_HONEST, PY_GAMED, "best_practices", id="python-noqa-nosec"),
    pytest.param("python", PY_HONEST, PY_GAMED, "idiomaticity", id="python-noqa-idioms"),
    pytest.param("python", PY_COMPLEX, PY_FORGIVEN, "idiomaticity", id="python-lizard-forgives"),
    pytest.param("javascript", JS_HONEST, JS_GAMED, "idiomaticity", id="javascript-eslint-disable"),
    pytest.param("javascript", JS_COMPLEX, JS_FORGIVEN, "idiomaticity",
                 id="javascript-lizard-forgives"),
    pytest.param("typescript", TS_HONEST, "// @ts-nocheck\n" + TS_HONEST, "best_practices",
                 id="typescript-ts-nocheck"),
    pytest.param("typescript", TS_HONEST, TS_HONEST.replace(
        "  const", "  // @ts-ignore\n  const").replace("export", "// @ts-expect-error\nexport"),
        "best_practices", id="typescript-ts-ignore-expect-error"),
    pytest.param("ruby", RB_HONEST, RB_GAMED, "best_practices", id="ruby-rubocop-disable"),
    pytest.param("php", PHP_HONEST, PHP_GAMED, "best_practices", id="php-phpcs-ignore"),
    pytest.param("php", PHP_HONEST, PHP_GAMED, "idiomaticity", id="php-phpcs-ignore-idioms"),
    pytest.param("go", GO_HONEST, GO_GAMED, "idiomaticity", id="go-lint-ignore-nolint"),
    pytest.param("go", GO_HONEST, GO_GAMED, "best_practices", id="go-lint-ignore-unused"),
    pytest.param("rust", RS_HONEST, RS_GAMED, "idiomaticity", id="rust-allow-rustfmt-skip"),
    pytest.param("rust", RS_HONEST, RS_GAMED, "best_practices", id="rust-allow-unused"),
    pytest.param("java", JAVA_HONEST, JAVA_GAMED, "best_practices", id="java-suppresswarnings"),
    pytest.param("java", JAVA_HONEST, JAVA_GAMED, "idiomaticity", id="java-unicode-newline"),
])
def test_suppressions_hide_nothing(language: str, honest: str, gamed: str,
                                   dimension: str) -> None:
    assert_no_better(language, honest, gamed, dimension)


COMMENT = {"python": "#", "ruby": "#"}
PADDED = {"python": PY_HONEST, "javascript": JS_HONEST, "typescript": TS_HONEST,
          "ruby": RB_HONEST, "php": PHP_HONEST, "go": GO_HONEST, "rust": RS_HONEST,
          "java": JAVA_HONEST}


@pytest.mark.parametrize("language", sorted(PADDED))
def test_comment_lines_neither_dilute_nor_add(language: str) -> None:
    honest = PADDED[language]
    marker = COMMENT.get(language, "//")
    padding = "".join(f"{marker} note {k}: the algorithm is explained here.\n"
                      for k in range(3000))
    assert_no_better(language, honest, honest + "\n" + padding, None)


@pytest.mark.parametrize(("language", "padding"), [
    pytest.param("python", '\n\n_NOTES = """\n' + "the notes\n" * 3000 + '"""\n',
                 id="python-string"),
    pytest.param("python", '\n\n"""\n' + "the notes\n" * 3000 + '"""\n', id="python-docstring"),
    pytest.param("ruby", "\n=begin\n" + "the notes\n" * 3000 + "=end\n", id="ruby-begin-end"),
    pytest.param("javascript", "\n/*\n" + "the notes\n" * 3000 + "*/\n", id="javascript-block"),
])
def test_long_strings_and_block_comments_do_not_dilute(language: str, padding: str) -> None:
    assert_no_better(language, PADDED[language], PADDED[language] + padding, None)


def test_code_lines_count_where_code_starts() -> None:
    assert code_lines('def f():\n    """Doc.\n\n    More.\n    """\n    # note\n\n'
                      '    return """a\nb\nc"""\n', "python") == 2
    assert code_lines("// a\n/* b\n c */\nfunc f() {\n}\n", "go") == 2
    assert code_lines("=begin\nx\n=end\ndef f\n  1\nend\n", "ruby") == 3
    assert code_lines("class A {\n  // \\u000a int x;\n}\n", "java") == 3  # javac's view
    assert code_lines("x\n\ny\n", "cobol") == 2  # no lexer: non-blank lines


# -- a tool that cannot analyse costs its dimension; only a missing tool is not scored -------

def _fake(executable: str, parse: Any) -> analysers.Analyser:
    return analysers.Analyser("fakelint", "best_practices", ("python",), executable,
                              lambda f: [executable, f], parse)


def test_a_broken_tool_costs_the_whole_dimension(monkeypatch: pytest.MonkeyPatch) -> None:
    source = "def f(x: int) -> int:\n    \"\"\"F.\"\"\"\n    return x\n"
    finding = {"tool": "fakelint", "rule": "X1", "line": 1, "message": "m", "points": 3.0}
    # An analyser that runs and finds one likely bug: 10 - 2 * 3 = 4.
    monkeypatch.setattr(analysers, "ANALYSERS", [_fake("true", lambda out, err: [finding])])
    working = analysers.analyse(source, "python", "solution.py")["best_practices"]
    assert style_score(working, source, "python") == 4.0
    # The same tool made to crash (unreadable output): the dimension scores 0, with evidence.
    monkeypatch.setattr(analysers, "ANALYSERS", [_fake("true", lambda out, err: json.loads(out))])
    [broken] = priced(analysers.analyse(source, "python", "solution.py")["best_practices"],
                      source, "python")
    assert style_score([broken], source, "python") == 0.0
    assert broken["failed"] is True and broken["points"] == 5.0  # 10 - 2 * 5 / 1 unit = 0
    assert broken["message"].startswith("unreadable output")
    # A tool missing from the machine is not scored: named, and no points.
    monkeypatch.setattr(analysers, "ANALYSERS", [_fake("no-such-lint", lambda out, err: [])])
    [missing] = analysers.analyse(source, "python", "solution.py")["best_practices"]
    assert missing == {"tool": "fakelint", "message": "not installed", "points": 0.0}
    assert style_score([missing], source, "python") == 10.0


def test_a_crate_that_breaks_clippy_loses_what_clippy_would_find() -> None:
    broken = "#[cfg(clippy)]\ncompile_error!(\"no clippy here\");\n\n" + RS_HONEST
    assert_no_better("rust", RS_HONEST, broken, "best_practices")
    found = analysers.analyse(broken, "rust", "solution.rs")["best_practices"]
    assert any(f.get("failed") and f["tool"] == "clippy" for f in found), found
    assert style_score(found, broken, "rust") == 0.0


def test_java_code_hidden_after_an_escaped_newline_is_seen() -> None:
    need("java")
    found = analysers.analyse(JAVA_GAMED, "java", "Solution.java")["idiomaticity"]
    assert any(f.get("rule") == "NeedBraces" for f in found), found


# -- what the compiler refuses stays refused, whatever the comments say ---------------------

def _outcome(language: str, source: str, signature: str, reference: str) -> str:
    need(language)
    case = Case(id="c", name="Add", agent_id="a", language=language, difficulty="easy",
                category="x", description="Add.", signature=signature, entry_point="add",
                kind="function", source="inline", reference_solution=reference,
                test_cases=(TestCase(0, "args", [1, 2], 3, False, "exact"),))
    settings = ExecSettings(sandbox.Limits(wall_seconds=60), sandbox.resolve_level("auto"))
    return execute(case, source, executor_for(language), settings).status


def test_a_typescript_type_error_is_a_compile_error_under_any_pragma() -> None:
    honest = "export function add(a: number, b: number): number {\n  const s: string = a;\n" \
             "  return a + b + s.length;\n}\n"
    reference = "export function add(a: number, b: number): number {\n  return a + b;\n}\n"
    for pragma in ("", "// @ts-nocheck\n"):
        gamed = pragma + honest.replace("  const", "  // @ts-ignore\n  const")
        for source in (honest, gamed, pragma + honest.replace(
                "  const", "  // @ts-expect-error\n  const")):
            assert _outcome("typescript", source, "function add(a: number, b: number): number",
                            reference) == statuses.COMPILE_ERROR, source
    assert _outcome("typescript", reference, "", reference) == statuses.PASSED


def test_rust_code_for_clippy_only_is_the_code_that_runs() -> None:
    reference = "pub fn add(a: i64, b: i64) -> i64 {\n    a + b\n}\n"
    # Right only where clippy looks: built with --cfg clippy, the program is the same.
    split = ("#[cfg(clippy)]\npub fn add(a: i64, b: i64) -> i64 {\n    a + b\n}\n"
             "#[cfg(not(clippy))]\npub fn add(a: i64, b: i64) -> i64 {\n    a - b\n}\n")
    assert _outcome("rust", split, "fn add(a: i64, b: i64) -> i64", reference) == (
        statuses.PASSED)


def test_a_missing_analyser_is_named_in_the_summary() -> None:
    result = {**history_result("c1"), "evidence": {
        "best_practices": [{"tool": "bandit", "message": "not installed", "points": 0.0},
                           {"tool": "ruff", "message": "no findings", "points": 0.0}],
        "idiomaticity": [{"tool": "ruff", "message": "no findings", "points": 0.0}]}}
    summary = summarize([result, {**history_result("c2"), "evidence": {}}])
    assert summary["agents"]["a"]["not_scored"] == ["bandit (best_practices)"]
    assert "a: not scored (analyser not installed): bandit (best_practices)" in table(summary)
