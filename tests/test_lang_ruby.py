"""The Ruby executor: each executor path through ``execution.execute``, hostile twins, e2e."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import executor_for
from tests.helpers import reference_run, run_solution, survives

EXECUTOR = executor_for("ruby")
pytestmark = pytest.mark.skipif(EXECUTOR.missing() is not None,
                                reason=str(EXECUTOR.missing()))


run = partial(run_solution, EXECUTOR, "ruby_engineer")


ADD = "def add(a, b)\n  a + b\nend\n"
ADD_TESTS: list[dict[str, Any]] = [{"args": [1, 2], "expected": 3},
                                   {"args": [-4, 4], "expected": 0}]


def test_pass() -> None:
    outcome = run(ADD, ADD_TESTS)
    assert outcome.status == statuses.PASSED, outcome
    assert outcome.completed


def test_magic_comment_bundled_gems_and_endless_methods() -> None:
    source = "# frozen_string_literal: true\n\nrequire 'prime'\n\ndef add(a, b) = a + b\n"
    tests: list[dict[str, Any]] = [*ADD_TESTS, {"code": "Prime.first(3)", "expected": [2, 3, 5]}]
    assert run(source, tests).status == statuses.PASSED


def test_wrong_answer() -> None:
    outcome = run("def add(a, b) = a - b\n", ADD_TESTS)
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == -1


def test_integral_float_stays_a_float() -> None:
    outcome = run("def add(a, b) = (a + b).to_f\n", [{"args": [1, 1], "expected": 2}])
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == 2.0 and isinstance(outcome.tests[0].actual, float)


def test_compile_error_carries_the_diagnostic() -> None:
    outcome = run("def add(a, b)\n  a +\nend\nend\n", ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "solution.rb:3: syntax error" in outcome.message


def test_runtime_error_is_per_test() -> None:
    source = "def add(a, b)\n  raise ArgumentError, 'negative' if a.negative?\n  a + b\nend\n"
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[0].passed
    assert outcome.tests[1].error == "ArgumentError: negative"


def test_load_error() -> None:
    outcome = run("raise 'broken at load'\n", ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert "broken at load" in outcome.message


def test_timeout() -> None:
    outcome = run("def add(a, b)\n  loop { a += 1 }\nend\n", ADD_TESTS, wall=1.5)
    assert outcome.status == statuses.TIMEOUT
    assert outcome.run_seconds < 4


def test_class_via_calls_and_method_missing() -> None:
    source = ("class Counter\n  def initialize(start) = @n = start\n"
              "  def inc(by) = @n += by\n  def snapshot = { n: @n, 'tags' => %i[a b] }\n"
              "  def method_missing(name, *args)\n"
              "    name.start_with?('get_') ? @n : super\n  end\n\n"
              "  def respond_to_missing?(name, all = false) = name.start_with?('get_') || super\n"
              "end\n")
    tests: list[dict[str, Any]] = [
        {"calls": [["__init__", [5]], ["inc", [1]], ["snapshot", []], ["get_n", []]],
         "expected": [None, 6, {"n": 6, "tags": ["a", "b"]}, 6]},
        {"calls": [["__init__", [0]], ["nope", []]], "expected": [None, None]}]
    outcome = run(source, tests, "Counter", "class")
    assert outcome.tests[0].passed
    assert "NoMethodError" in str(outcome.tests[1].error)


def test_code_form_with_blocks() -> None:
    source = "def twice(x)\n  yield(yield(x))\nend\n"
    tests: list[dict[str, Any]] = [
        {"code": "twice(3) { |v| v * 2 }", "expected": 12},
        {"code": "[1, 2, 3].each { |v| return v if v > 1 }\n:unreachable", "expected": 2}]
    assert run(source, tests, "twice").status == statuses.PASSED


def test_values_become_plain_json() -> None:
    source = ("Point = Struct.new(:x, :y)\n"
              "def add(a, b)\n"
              "  [{ 1 => :one, nil => true }, 10**20, 'é', -0.0, []]\n"
              "end\n")
    outcome = run(source, [{"args": [0, 0], "expected": [{"1": "one", "": True},
                                                         10**20, "é", 0.0, []]}])
    assert outcome.status == statuses.PASSED, outcome.tests


def test_not_data() -> None:
    source = "require 'set'\n\ndef add(a, b) = a.zero? ? Set[1] : Point.new(1, 2)\n" \
             "Point = Struct.new(:x, :y)\n"
    outcome = run(source, [{"args": [0, 0], "expected": [1]}, {"args": [1, 0], "expected": 0}])
    assert outcome.status == statuses.WRONG_ANSWER
    assert all("not JSON data" in str(t.error) for t in outcome.tests)


def test_entry_point_as_lambda_constant_or_solution_class() -> None:
    assert run("ADD = ->(a, b) { a + b }\n", ADD_TESTS, "ADD").status == statuses.PASSED
    assert run("class Solution\n  def add(a, b) = a + b\nend\n",
               ADD_TESTS).status == statuses.PASSED


def test_deep_recursion_is_a_runtime_error() -> None:
    outcome = run("def add(a, b) = add(a, b)\n", ADD_TESTS[:1])
    assert outcome.status == statuses.RUNTIME_ERROR
    assert "SystemStackError" in str(outcome.tests[0].error)


def test_version() -> None:
    assert str(EXECUTOR.version()).startswith("ruby 3.")


# -- hostile twins ------------------------------------------------------------------------

@pytest.mark.parametrize("stop", ["exit(0)", "exit!(0)", "Kernel.exit!(0)", "abort",
                                  "Process.kill(:KILL, Process.pid)"])
def test_exit_mid_run_is_not_a_pass(stop: str) -> None:
    source = f"def add(a, b)\n  {stop} if a.negative?\n  a + b\nend\n"
    outcome = run(source, ADD_TESTS)
    assert not outcome.passed
    assert outcome.status == statuses.RUNTIME_ERROR
    assert not outcome.tests[1].passed


@pytest.mark.parametrize("stop", ["exit(0)", "exit!(0)"])
def test_exit_while_loading_is_not_a_pass(stop: str) -> None:
    outcome = run(f"{stop}\n{ADD}", ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert not outcome.completed


def test_at_exit_forgery_after_the_end_is_not_a_pass() -> None:
    source = ("at_exit do\n  IO.new(3).write(%({\"type\":\"end\",\"count\":2}\\n))\nend\n"
              "def add(a, b) = 0\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.WRONG_ANSWER
    assert not outcome.tests[0].passed


@pytest.mark.parametrize("patch", [
    "class Object\n  def to_json(*) = '3'\nend\nmodule JSON\n  def self.generate(*) = '3'\nend\n",
    "class Integer\n  def to_s(*) = '3'\n  def ==(*) = true\nend\n"
    "class String\n  def gsub(*) = '3'\nend\n",
    "class Float\n  def to_s = '3'\nend\n",
    "$stdout.define_singleton_method(:write) { |*| 0 }\nSTDOUT.reopen(IO.new(3))\n",
    "class IO\n  def syswrite(*) = 0\n  def write(*) = 0\nend\n",
])
def test_patched_core_methods_do_not_change_the_records(patch: str) -> None:
    forged = '{"type":"result","index":1,"ok":true,"value":0}'
    source = patch + f"def add(a, b)\n  puts '{forged}'\n  a - b + 0.5\nend\n"
    outcome = run(source, ADD_TESTS)
    assert not outcome.passed
    assert outcome.tests[0].actual in (-0.5, None)


def test_rigged_equality_is_compared_as_data() -> None:
    source = ("class Liar\n  def ==(*) = true\n  def to_json(*) = '3'\n  def to_s = '3'\nend\n"
              "class Pretend < Hash\n  def each_pair = yield('x', 3)\nend\n"
              "def add(a, b) = a == 1 ? Liar.new : Pretend.new\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.WRONG_ANSWER
    assert "not JSON data" in str(outcome.tests[0].error)
    assert outcome.tests[1].actual == {}


def test_huge_output() -> None:
    outcome = run("def add(a, b)\n  loop { $stdout.write('x' * 65_536) }\nend\n", ADD_TESTS,
                  output=1 << 18)
    assert outcome.status == statuses.OUTPUT_EXCEEDED


@pytest.mark.parametrize("spawn", ["fork { sleep 30 }", "Process.fork", "spawn('sleep 30')",
                                   "system('sleep 30')", "`sleep 30`", "IO.popen(%w[sleep 30])"])
def test_process_creation_is_refused(spawn: str) -> None:
    outcome = run(f"def add(a, b)\n  {spawn}\n  a + b\nend\n", ADD_TESTS[:1])
    assert outcome.status == statuses.RUNTIME_ERROR
    assert "process creation is disabled" in str(outcome.tests[0].error)


def test_child_through_a_pipe_open_does_not_survive() -> None:
    # Kernel#open("|cmd") still starts a process: the sandbox must end it with the run.
    source = "def add(a, b)\n  io = open('|exec sleep 30')\n  io.pid\nend\n"
    outcome = run(source, ADD_TESTS[:1], level="none")
    pid = outcome.tests[0].actual
    assert not outcome.passed
    assert isinstance(pid, int) and pid > 0
    assert not survives(pid)


# -- end to end ---------------------------------------------------------------------------

def test_reference_solutions_pass(pytester: pytest.Pytester,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = reference_run(pytester, monkeypatch, "ruby_mini.json", "ruby_engineer")
    result.assert_outcomes(passed=12)
