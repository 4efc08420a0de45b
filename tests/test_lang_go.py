"""The Go executor: every executor path through ``execution.execute``, hostile twins, end to end.

Builds go through the shared build cache (and Go's own GOCACHE), so re-runs are fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import executor_for
from pytest_mpm_bench.languages.compiled import cache_root
from pytest_mpm_bench.observe.run import CaseOutcome
from pytest_mpm_bench.sandbox import Tools
from tests.helpers import reference_run, run_solution, sandbox_level, survives

EXECUTOR = executor_for("go")
pytestmark = pytest.mark.skipif(EXECUTOR.missing() is not None,
                                reason=str(EXECUTOR.missing()))


def run(solution: str, tests: list[dict[str, Any]], entry_point: str = "Add",
        kind: str = "function", **limits: Any) -> CaseOutcome:
    """A run with no sandbox, ``Add`` the default entry point (Go exports it: capitalised)."""
    return run_solution(EXECUTOR, "golang_engineer", solution, tests, entry_point, kind,
                        level="none", **limits)


ADD = "package main\n\nfunc Add(a, b int) int { return a + b }\n"
ADD_TESTS = [{"args": [1, 2], "expected": 3}, {"args": [-4, 4], "expected": 0}]


def test_pass() -> None:
    outcome = run(ADD, ADD_TESTS)
    assert outcome.status == statuses.PASSED, outcome
    assert outcome.completed


def test_wrong_answer() -> None:
    outcome = run("package main\n\nfunc Add(a, b int) int { return a - b }\n", ADD_TESTS)
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == -1


def test_compile_error_carries_the_diagnostic() -> None:
    outcome = run("package main\n\nfunc Add(a, b int) int { return a + c }\n", ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "undefined: c" in outcome.message
    assert "solution.go:3" in outcome.message


def test_missing_entry_point_is_a_compile_error() -> None:
    outcome = run("package main\n\nfunc Sum(a, b int) int { return a + b }\n", ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "undefined: Add" in outcome.message


def test_runtime_error_is_per_test() -> None:
    source = ("package main\n\nfunc Add(a, b int) int {\n\tif a < 0 {\n\t\tvar xs []int\n"
              "\t\treturn xs[5]\n\t}\n\treturn a + b\n}\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[0].passed
    assert "index out of range" in str(outcome.tests[1].error)


def test_timeout() -> None:
    source = "package main\n\nfunc Add(a, b int) int {\n\tfor {\n\t\ta++\n\t}\n}\n"
    outcome = run(source, ADD_TESTS, wall=1.5)
    assert outcome.status == statuses.TIMEOUT
    assert outcome.run_seconds < 4


def test_class_via_calls_with_value_constructor() -> None:
    source = ("package main\n\ntype Counter struct{ n int }\n\n"
              "func NewCounter(start int) Counter { return Counter{start} }\n\n"
              "func (c *Counter) Inc(by int) int { c.n += by; return c.n }\n")
    tests = [{"calls": [["__init__", [5]], ["Inc", [1]], ["inc", [2]]],
              "expected": [None, 6, 8]}]
    assert run(source, tests, "Counter", "class").status == statuses.PASSED


def test_code_form_and_generic_entry_point() -> None:
    source = ("package main\n\nfunc Map[T, U any](xs []T, f func(T) U) []U {\n"
              "\tout := make([]U, 0, len(xs))\n\tfor _, x := range xs {\n"
              "\t\tout = append(out, f(x))\n\t}\n\treturn out\n}\n")
    tests = [{"code": 'return Map([]int{1, 2}, func(x int) string { return fmt.Sprint(x) })',
              "expected": ["1", "2"]}]
    assert run(source, tests, "Map").status == statuses.PASSED


def test_values_become_plain_json() -> None:
    source = ('package main\n\nimport "errors"\n\ntype P struct {\n\tX int `json:"x"`\n'
              "\tY float64\n\thidden int\n}\n\n"
              "func Add(a, b int) (int, error) {\n\tif b == 0 {\n"
              '\t\treturn 0, errors.New("zero")\n\t}\n\treturn a + b, nil\n}\n')
    tests = [{"args": [1, 0], "expected": [0, "zero"]},
             {"args": [1, 2], "expected": [3, None]},
             {"code": "var xs []int\nvar m map[string]int\nreturn []any{xs, m, P{X: 1, Y: 2}}",
              "expected": [[], {}, {"x": 1, "Y": 2.0}]}]
    outcome = run(source, tests)
    assert outcome.status == statuses.PASSED, outcome.tests


def test_integral_float_stays_a_float() -> None:
    source = "package main\n\nfunc Add(a, b float64) float64 { return a + b }\n"
    outcome = run(source, [{"args": [1, 1], "expected": 2}])
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == 2.0 and isinstance(outcome.tests[0].actual, float)


def test_build_is_cached_and_prepare_builds_when_spec_is_known(tmp_path: Path) -> None:
    spec = {"entry_point": "Add", "kind": "function", "tests": [json.dumps({"args": [1, 2]})]}
    first = EXECUTOR.build(ADD, spec, Tools(sandbox_level()))  # type: ignore[attr-defined]
    again = EXECUTOR.build(ADD, spec, Tools(sandbox_level()))  # type: ignore[attr-defined]
    assert again.cached and again.directory == first.directory
    assert first.directory.parent == cache_root()
    (tmp_path / "input.json").write_text(json.dumps(spec))
    outcome = EXECUTOR.prepare(tmp_path, "package main\n\nfunc Add() {}\nfunc x( {\n",
                               Tools(sandbox_level()))
    assert outcome.compile_error and "solution.go" in outcome.compile_error


def test_a_compiler_killed_by_a_signal_is_not_a_cached_compile_error(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MPM_BUILD_CACHE", str(tmp_path / "cache"))
    spec = {"entry_point": "Add", "kind": "function", "tests": [json.dumps({"args": [1, 2]})]}
    real = Tools.run

    def killed(self: Tools, argv: list[str], **kwargs: Any) -> Any:
        result = real(self, ["/bin/sh", "-c", "kill -9 $$"], **kwargs)
        assert result.signal == 9
        return result

    monkeypatch.setattr(Tools, "run", killed)
    first = EXECUTOR.build(ADD, spec, Tools(sandbox_level()))  # type: ignore[attr-defined]
    assert first.directory is None and "killed by signal 9" in (first.error or "")
    monkeypatch.setattr(Tools, "run", real)
    again = EXECUTOR.build(ADD, spec, Tools(sandbox_level()))  # type: ignore[attr-defined]
    assert again.directory is not None and not again.cached


# -- hostile twins ------------------------------------------------------------------------

def test_exit_zero_in_init_is_not_a_pass() -> None:
    source = ('package main\n\nimport "os"\n\nfunc init() { os.Exit(0) }\n\n'
              "func Add(a, b int) int { return a + b }\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert not outcome.completed


def test_exit_zero_mid_run_is_not_a_pass() -> None:
    source = ('package main\n\nimport "os"\n\nfunc Add(a, b int) int {\n\tif a < 0 {\n'
              "\t\tos.Exit(0)\n\t}\n\treturn a + b\n}\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[1].status == "not_run"


def test_huge_output() -> None:
    source = ('package main\n\nimport (\n\t"os"\n\t"strings"\n)\n\n'
              "func Add(a, b int) int {\n\tline := strings.Repeat(\"x\", 1<<16)\n"
              "\tfor {\n\t\tos.Stdout.WriteString(line)\n\t}\n}\n")
    outcome = run(source, ADD_TESTS, output=1 << 18)
    assert outcome.status == statuses.OUTPUT_EXCEEDED


def test_spawned_child_does_not_survive() -> None:
    source = ('package main\n\nimport "os/exec"\n\nfunc Add(a, b int) int {\n'
              '\tcmd := exec.Command("sleep", "30")\n\tif err := cmd.Start(); err != nil {\n'
              "\t\treturn -1\n\t}\n\treturn cmd.Process.Pid\n}\n")
    outcome = run(source, ADD_TESTS[:1])
    pid = outcome.tests[0].actual
    assert not outcome.passed
    if isinstance(pid, int) and pid > 0:
        assert not survives(pid)


def test_thread_bomb_is_bounded() -> None:
    source = ('package main\n\nimport (\n\t"runtime"\n\t"time"\n)\n\n'
              "func Add(a, b int) int {\n\tfor i := 0; i < 10000; i++ {\n"
              "\t\tgo func() {\n\t\t\truntime.LockOSThread()\n"
              "\t\t\ttime.Sleep(time.Hour)\n\t\t}()\n\t}\n\ttime.Sleep(time.Second)\n"
              "\treturn a + b\n}\n")
    outcome = run(source, ADD_TESTS, wall=5)
    assert not outcome.passed


def test_allocation_bomb_is_not_a_pass() -> None:
    source = ("package main\n\nfunc Add(a, b int) int {\n\tn := 1 << 50\n"
              "\tbuf := make([]byte, n)\n\treturn len(buf) + a + b\n}\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status in (statuses.RUNTIME_ERROR, statuses.MEMORY_EXCEEDED)


def test_rigged_marshaller_is_compared_as_data() -> None:
    source = ('package main\n\ntype Fake struct{}\n\n'
              'func (Fake) MarshalJSON() ([]byte, error) { return []byte("3"), nil }\n\n'
              "func Add(a, b int) Fake { return Fake{} }\n")
    outcome = run(source, ADD_TESTS[:1])
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == {}


# -- end to end ---------------------------------------------------------------------------

def test_reference_solutions_pass(pytester: pytest.Pytester,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = reference_run(pytester, monkeypatch, "golang_mini.json", "golang_engineer")
    result.assert_outcomes(passed=12)
