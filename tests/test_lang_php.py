"""The PHP executor: each executor path through ``execution.execute``, hostile twins, e2e."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import executor_for
from pytest_mpm_bench.languages.php import normalise
from tests.helpers import reference_run, run_solution

EXECUTOR = executor_for("php")
pytestmark = pytest.mark.skipif(EXECUTOR.missing() is not None,
                                reason=str(EXECUTOR.missing()))


run = partial(run_solution, EXECUTOR, "php_engineer")


ADD = "<?php\n\nfunction add($a, $b)\n{\n    return $a + $b;\n}\n"
ADD_TESTS = [{"args": [1, 2], "expected": 3}, {"args": [-4, 4], "expected": 0}]


def test_pass() -> None:
    outcome = run(ADD, ADD_TESTS)
    assert outcome.status == statuses.PASSED, outcome
    assert outcome.completed


def test_open_tag_is_optional_and_strict_types_stays_first() -> None:
    strict = ("<?php\ndeclare(strict_types=1);\n\n"
              "function add(int $a, int $b): int\n{\n    return $a + $b;\n}\n")
    assert run(strict, ADD_TESTS).status == statuses.PASSED
    assert run("function add($a, $b) { return $a + $b; }", ADD_TESTS).status == statuses.PASSED
    assert run("\n\n" + strict, ADD_TESTS).status == statuses.PASSED


def test_normalise_keeps_line_numbers() -> None:
    assert normalise("function f() {}") == "<?php function f() {}"
    assert normalise("\n<?php\nx();") == "<?php\n\nx();"


def test_wrong_answer() -> None:
    outcome = run("<?php function add($a, $b) { return $a - $b; }", ADD_TESTS)
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == -1


def test_integral_float_stays_a_float() -> None:
    outcome = run("<?php function add(float $a, float $b): float { return $a + $b; }",
                  [{"args": [1, 1], "expected": 2}])
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == 2.0 and isinstance(outcome.tests[0].actual, float)


def test_compile_error_carries_the_diagnostic() -> None:
    outcome = run("<?php\nfunction add($a, $b) {\n    return $a + ;\n}\n", ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "syntax error" in outcome.message
    assert "solution.php on line 3" in outcome.message


def test_fatal_compile_error_is_a_compile_error() -> None:
    outcome = run("<?php function strlen($s) { return 0; }", ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "Cannot redeclare strlen()" in outcome.message


def test_runtime_error_is_per_test() -> None:
    source = ("<?php function add($a, $b) {\n    if ($a < 0) {\n"
              "        throw new DomainException('negative');\n    }\n    return $a + $b;\n}\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[0].passed
    assert "DomainException: negative" in str(outcome.tests[1].error)


def test_strict_types_type_error_is_a_runtime_error() -> None:
    source = ("<?php declare(strict_types=1);\n"
              "function add(int $a, int $b): int { return strlen($a); }\n")
    outcome = run(source, ADD_TESTS[:1])
    assert outcome.status == statuses.RUNTIME_ERROR
    assert "TypeError" in str(outcome.tests[0].error)


def test_timeout() -> None:
    outcome = run("<?php function add($a, $b) { while (true) { $a++; } }", ADD_TESTS, wall=1.5)
    assert outcome.status == statuses.TIMEOUT
    assert outcome.run_seconds < 4


def test_class_via_calls() -> None:
    source = ("<?php\nfinal class Counter\n{\n    private array $log = [];\n\n"
              "    public function __construct(private int $n) {}\n\n"
              "    public function inc(int $by): int\n"
              "    {\n        $this->log[] = $by;\n        return $this->n += $by;\n    }\n\n"
              "    public function state(): array\n"
              "    {\n        return ['n' => $this->n, 'log' => $this->log];\n    }\n}\n")
    tests = [{"calls": [["__init__", [5]], ["inc", [1]], ["state", []], ["inc", [2]]],
              "expected": [None, 6, {"n": 6, "log": [1]}, 8]}]
    assert run(source, tests, "Counter", "class").status == statuses.PASSED


def test_code_form_with_closures() -> None:
    source = "<?php function apply(array $xs, callable $f): array { return array_map($f, $xs); }"
    tests: list[dict[str, Any]] = [
        {"code": "return apply([1, 2], fn (int $x) => $x * 10);", "expected": [10, 20]},
        {"code": "return apply([], 'strtoupper');", "expected": []}]
    assert run(source, tests, "apply").status == statuses.PASSED


def test_values_become_plain_json() -> None:
    source = ("<?php\nclass Point implements JsonSerializable {\n"
              "    public function __construct(public int $x, private int $y) {}\n"
              "    public function jsonSerialize(): mixed { return [$this->x, $this->y]; }\n}\n"
              "class Plain { public $a = 1; protected $b = 2; }\n"
              "function add($a, $b) {\n"
              "    return [new Point(1, 2), new Plain(), new stdClass(), [],\n"
              "            [1 => 'x'], -0.0];\n}\n")
    outcome = run(source, [{"args": [0, 0], "expected": [[1, 2], {"a": 1}, {}, [], {"1": "x"},
                                                          0.0]}])
    assert outcome.status == statuses.PASSED, outcome.tests


def test_not_data() -> None:
    outcome = run("<?php function add($a, $b) { return $a ? INF : fn () => 1; }",
                  [{"args": [1, 0], "expected": 0}, {"args": [0, 0], "expected": 0}])
    assert outcome.status == statuses.WRONG_ANSWER
    assert all("not JSON data" in str(t.error) for t in outcome.tests)


def test_namespaced_function_and_solution_class() -> None:
    assert run("<?php namespace App;\nfunction add($a, $b) { return $a + $b; }",
               ADD_TESTS).status == statuses.PASSED
    assert run("<?php class Solution { public function add($a, $b) { return $a + $b; } }",
               ADD_TESTS).status == statuses.PASSED


def test_memory_exhaustion_is_memory_exceeded() -> None:
    source = ("<?php function add($a, $b) {\n    $chunks = [];\n"
              "    while (true) { $chunks[] = str_repeat('x', 1 << 20) . count($chunks); }\n}\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.MEMORY_EXCEEDED
    assert not outcome.tests[1].passed


def test_version() -> None:
    assert str(EXECUTOR.version()).startswith("PHP 8.")


# -- hostile twins ------------------------------------------------------------------------

def test_exit_zero_while_loading_is_not_a_pass() -> None:
    outcome = run("<?php exit(0);", ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert not outcome.completed


@pytest.mark.parametrize("stop", ["exit(0);", "die('done');", "exit;"])
def test_exit_mid_run_is_not_a_pass(stop: str) -> None:
    source = (f"<?php function add($a, $b) {{\n    if ($a < 0) {{ {stop} }}\n"
              "    return $a + $b;\n}\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert not outcome.completed
    assert not outcome.tests[1].passed


def test_shutdown_function_cannot_forge_the_missing_records() -> None:
    source = ("<?php function add($a, $b) {\n"
              "    register_shutdown_function(function () {\n"
              "        $f = fopen('php://fd/3', 'w');\n"
              "        fwrite($f, '{\"type\":\"result\",\"index\":1,\"ok\":true,'\n"
              "                    . '\"value\":0}' . \"\\n\");\n"
              "        fwrite($f, '{\"type\":\"end\",\"count\":2}' . \"\\n\");\n"
              "    });\n    exit(0);\n}\n")
    outcome = run(source, ADD_TESTS)
    assert not outcome.passed
    assert not outcome.tests[0].passed


def test_huge_output() -> None:
    source = "<?php function add($a, $b) { while (true) { echo str_repeat('x', 65536); } }"
    outcome = run(source, ADD_TESTS, output=1 << 18)
    assert outcome.status == statuses.OUTPUT_EXCEEDED


@pytest.mark.parametrize("spawn", [
    "$pid = pcntl_fork(); if ($pid === 0) { sleep(30); } return $a + $b;",
    "$p = proc_open(['sleep', '30'], [], $pipes); return proc_get_status($p)['pid'];",
    "return (int) shell_exec('sleep 30 & echo $!');",
])
def test_process_spawning_is_refused(spawn: str) -> None:
    outcome = run(f"<?php function add($a, $b) {{ {spawn} }}", ADD_TESTS[:1])
    assert outcome.status == statuses.RUNTIME_ERROR
    assert "undefined function" in str(outcome.tests[0].error)


def test_ffi_is_disabled() -> None:
    source = ("<?php function add($a, $b) {\n"
              "    $libc = FFI::cdef('int fork(void);', 'libc.so.6');\n"
              "    return $libc->fork();\n}\n")
    outcome = run(source, ADD_TESTS[:1])
    assert not outcome.passed


def test_loose_values_are_compared_as_data() -> None:
    # PHP's == says "3" == 3 and true == 1; the parent compares exact JSON types.
    outcome = run("<?php function add($a, $b) { return $a === 1 ? (string) ($a + $b) : true; }",
                  [{"args": [1, 2], "expected": 3}, {"args": [0, 1], "expected": 1}])
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == "3" and outcome.tests[1].actual is True


def test_rigged_json_serialize_cannot_see_expected_values() -> None:
    source = ("<?php class Liar implements JsonSerializable {\n"
              "    public function jsonSerialize(): mixed\n"
              "    {\n        return $GLOBALS['expected'] ?? 'x';\n    }\n}\n"
              "function add($a, $b) { return new Liar(); }\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == "x"


# -- end to end ---------------------------------------------------------------------------

def test_reference_solutions_pass(pytester: pytest.Pytester,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = reference_run(pytester, monkeypatch, "php_mini.json", "php_engineer")
    result.assert_outcomes(passed=12)
