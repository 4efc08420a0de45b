# ruff: noqa: E501 - Rust sources are embedded one statement per line
"""The Rust executor: every executor path through ``execution.execute``, hostile twins, end to end.

Builds go through the shared build cache, so re-runs skip rustc.
"""

from __future__ import annotations

import json
from functools import partial

import pytest

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import executor_for
from pytest_mpm_bench.sandbox import Tools
from tests.helpers import reference_run, run_solution, sandbox_level, survives

EXECUTOR = executor_for("rust")
pytestmark = pytest.mark.skipif(EXECUTOR.missing() is not None,
                                reason=str(EXECUTOR.missing()))


run = partial(run_solution, EXECUTOR, "rust_engineer", level="none")


ADD = "pub fn add(a: i64, b: i64) -> i64 {\n    a + b\n}\n"
ADD_TESTS = [{"args": [1, 2], "expected": 3}, {"args": [-4, 4], "expected": 0}]


def test_pass_wrong_answer_code_form_and_runtime_error() -> None:
    source = ADD + "pub fn half(v: &[i64]) -> Result<f64, String> {\n    Ok(v[0] as f64 / 2.0)\n}\n"
    tests = [*ADD_TESTS, {"args": [2, 2], "expected": 5},
             {"code": "(half(&[4]), Some(vec![1u8]), None::<i32>)",
              "expected": [{"Ok": 2.0}, [1], None]},
             {"code": "half(&[])", "expected": 0}]
    outcome = run(source, tests)
    assert [t.status for t in outcome.tests] == [
        "passed", "passed", "wrong_answer", "passed", "runtime_error"], outcome.tests
    assert "index out of bounds" in str(outcome.tests[4].error)
    assert run(ADD, ADD_TESTS).status == statuses.PASSED


def test_compile_error_carries_the_diagnostic() -> None:
    outcome = run("pub fn add(a: i64, b: i64) -> i64 {\n    a + c\n}\n", ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "cannot find value `c`" in outcome.message and "main.rs:2" in outcome.message


def test_compile_time_file_reads_are_refused() -> None:
    source = 'pub fn add(a: i64, b: i64) -> i64 {\n    include_str!("/etc/shadow").len() as i64\n}\n'
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR and "include_str" in outcome.message


def test_timeout() -> None:
    source = "pub fn add(a: i64, b: i64) -> i64 {\n    let mut x = a;\n    loop {\n        x = std::hint::black_box(x + b);\n    }\n}\n"
    assert run(source, ADD_TESTS, wall=1.5).status == statuses.TIMEOUT


def test_class_via_calls() -> None:
    source = ("use std::collections::HashMap;\n\npub struct Counter {\n    n: i64,\n}\n\n"
              "impl Counter {\n    pub fn new(start: i64) -> Self {\n        Counter { n: start }\n    }\n"
              "    pub fn inc(&mut self, by: i64) -> i64 {\n        self.n += by;\n        self.n\n    }\n"
              "    pub fn tally(&self, words: &[String]) -> HashMap<String, usize> {\n"
              "        words.iter().map(|w| (w.clone(), w.len())).collect()\n    }\n}\n")
    tests = [{"calls": [["__init__", [5]], ["inc", [1]], ["inc", [2]], ["tally", [["ab"]]]],
              "expected": [None, 6, 8, {"ab": 2}]}]
    assert run(source, tests, "Counter", "class").status == statuses.PASSED


def test_build_is_cached() -> None:
    spec = {"entry_point": "add", "kind": "function", "tests": [json.dumps({"args": [1, 2]})]}
    first = EXECUTOR.build(ADD, spec, Tools(sandbox_level()))  # type: ignore[attr-defined]
    again = EXECUTOR.build(ADD, spec, Tools(sandbox_level()))  # type: ignore[attr-defined]
    assert again.cached and again.directory == first.directory


# -- hostile twins ------------------------------------------------------------------------

def test_exit_zero_and_huge_output_and_child_process() -> None:
    source = ("pub fn add(a: i64, b: i64) -> i64 {\n    if a < 0 {\n        std::process::exit(0);\n    }\n"
              "    a + b\n}\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR and outcome.tests[1].status == "not_run"
    flood = ("pub fn add(a: i64, b: i64) -> i64 {\n    let line = \"x\".repeat(65536);\n"
             "    loop {\n        print!(\"{line}\");\n    }\n}\n")
    assert run(flood, ADD_TESTS, output=1 << 18).status == statuses.OUTPUT_EXCEEDED
    spawn = ("pub fn add(a: i64, b: i64) -> i64 {\n"
             "    std::process::Command::new(\"sleep\").arg(\"30\").spawn().map(|c| c.id() as i64).unwrap_or(-1)\n}\n")
    outcome = run(spawn, ADD_TESTS[:1], wall=3)
    pid = outcome.tests[0].actual
    assert not outcome.passed
    if isinstance(pid, int) and pid > 0:
        assert not survives(pid)


def test_rigged_partial_eq_and_allocation_bomb() -> None:
    source = ("pub struct Liar;\nimpl PartialEq<i64> for Liar {\n    fn eq(&self, _: &i64) -> bool {\n        true\n    }\n}\n"
              "impl std::fmt::Display for Liar {\n    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {\n        write!(f, \"3\")\n    }\n}\n"
              "pub fn add(a: i64, b: i64) -> Result<i64, Liar> {\n    if a < 0 {\n        let v: Vec<u8> = Vec::with_capacity(1usize << 62);\n        return Ok(v.len() as i64);\n    }\n    Err(Liar)\n}\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.tests[0].status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == {"Err": "3"}
    assert not outcome.passed


# -- end to end ---------------------------------------------------------------------------

def test_reference_solutions_pass(pytester: pytest.Pytester,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = reference_run(pytester, monkeypatch, "rust_mini.json", "rust_engineer")
    result.assert_outcomes(passed=12)
