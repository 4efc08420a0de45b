"""The Java executor: every executor path through ``execution.execute``, hostile twins, end to end.

Builds go through the shared build cache, so re-runs skip javac.
"""

from __future__ import annotations

import json
from functools import partial

import pytest

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import executor_for
from pytest_mpm_bench.sandbox import Tools
from tests.helpers import reference_run, run_solution, sandbox_level, survives

EXECUTOR = executor_for("java")
pytestmark = pytest.mark.skipif(EXECUTOR.missing() is not None,
                                reason=str(EXECUTOR.missing()))


run = partial(run_solution, EXECUTOR, "java_engineer", level="none")


def solution(body: str) -> str:
    return f"import java.util.*;\n\nclass Solution {{\n{body}\n}}\n"


ADD = solution("    static long add(long a, long b) { return a + b; }")
ADD_TESTS = [{"args": [1, 2], "expected": 3}, {"args": [-4, 4], "expected": 0}]


def test_pass_and_wrong_answer_and_code_form() -> None:
    tests = [*ADD_TESTS, {"args": [2, 2], "expected": 5},
             {"code": "return Solution.add(1, 1) + 0.0;", "expected": 2.0}]
    outcome = run(ADD, tests)
    assert [t.status for t in outcome.tests] == ["passed", "passed", "wrong_answer", "passed"]
    assert outcome.status == statuses.WRONG_ANSWER
    assert run(ADD, ADD_TESTS).status == statuses.PASSED


def test_compile_error_carries_the_diagnostic() -> None:
    outcome = run(solution("    static long add(long a, long b) { return a + c; }"), ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "cannot find symbol" in outcome.message and "Solution.java:4" in outcome.message


def test_runtime_error_and_typed_arguments() -> None:
    source = solution("    int add(int[] xs, Map<String, List<Integer>> m) {\n"
                      "        return xs[0] + m.get(\"k\").get(1);\n    }")
    tests = [{"args": [[1], {"k": [5, 6]}], "expected": 7},
             {"args": [[], {"k": [5, 6]}], "expected": 0}]
    outcome = run(source, tests)
    assert outcome.tests[0].passed, outcome.tests[0]
    assert outcome.status == statuses.RUNTIME_ERROR
    assert "ArrayIndexOutOfBounds" in str(outcome.tests[1].error)


def test_timeout() -> None:
    outcome = run(solution("    static long add(long a, long b) { while (true) { a++; } }"),
                  ADD_TESTS, wall=2)
    assert outcome.status == statuses.TIMEOUT


def test_class_via_calls_and_plain_values() -> None:
    source = ("import java.util.*;\n\npublic class Counter {\n    private int n;\n"
              "    public Counter(int start) { n = start; }\n"
              "    public int inc(int by) { n += by; return n; }\n"
              "    public Optional<String> name() { return Optional.empty(); }\n"
              "    record P(int x, double y) {}\n"
              "    public List<Object> all() { return List.of(new P(1, 2), Map.of(1, 'c')); }\n}\n")
    tests = [{"calls": [["__init__", [5]], ["inc", [1]], ["inc", [2]], ["name", []],
                        ["all", []]],
              "expected": [None, 6, 8, None, [{"x": 1, "y": 2.0}, {"1": "c"}]]}]
    outcome = run(source, tests, "Counter", "class")
    assert outcome.status == statuses.PASSED, outcome.tests


def test_build_is_cached() -> None:
    spec = {"entry_point": "add", "kind": "function", "tests": [json.dumps({"args": [1, 2]})]}
    first = EXECUTOR.build(ADD, spec, Tools(sandbox_level()))  # type: ignore[attr-defined]
    again = EXECUTOR.build(ADD, spec, Tools(sandbox_level()))  # type: ignore[attr-defined]
    assert again.cached and again.directory == first.directory


# -- hostile twins ------------------------------------------------------------------------

def test_exit_zero_in_static_init_is_not_a_pass() -> None:
    source = solution("    static { System.exit(0); }\n"
                      "    static long add(long a, long b) { return a + b; }")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR and not outcome.completed


def test_huge_output() -> None:
    source = solution("    static long add(long a, long b) {\n"
                      '        String s = "x".repeat(65536);\n'
                      "        while (true) { System.out.print(s); }\n    }")
    assert run(source, ADD_TESTS, output=1 << 18).status == statuses.OUTPUT_EXCEEDED


def test_rigged_equals_and_allocation_bomb() -> None:
    source = solution(
        "    static Object add(long a, long b) {\n"
        "        if (a < 0) { long[][] keep = new long[1 << 20][]; "
        "for (int i = 0; ; i++) keep[i] = new long[1 << 20]; }\n"
        "        return new Object() {\n"
        "            public boolean equals(Object o) { return true; }\n"
        '            public String toString() { return "3"; }\n        };\n    }')
    outcome = run(source, ADD_TESTS)
    assert outcome.tests[0].status == statuses.WRONG_ANSWER
    assert outcome.tests[1].status == statuses.MEMORY_EXCEEDED
    assert not outcome.passed


def test_memory_outside_the_heap_is_bounded() -> None:
    """Direct buffers and ``Unsafe`` memory are not heap: the run is stopped anyway, as root by
    its memory cgroup, as an ordinary user by the address-space limit (raised by the JVM's
    reservations alone) and the JVM's own bound on direct buffers."""
    unsafe = solution(
        "    static long add(long a, long b) throws Exception {\n"
        '        var field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");\n'
        "        field.setAccessible(true);\n"
        "        Object u = field.get(null);\n"
        '        var alloc = u.getClass().getMethod("allocateMemory", long.class);\n'
        '        var fill = u.getClass().getMethod("setMemory", long.class, long.class, '
        "byte.class);\n"
        "        for (int i = 0; i < 64; i++) {\n"
        "            long at = (long) alloc.invoke(u, 64L << 20);\n"
        "            fill.invoke(u, at, 64L << 20, (byte) 1);\n        }\n"
        "        return a + b;\n    }")
    direct = solution(
        "    static long add(long a, long b) {\n"
        "        List<java.nio.ByteBuffer> keep = new ArrayList<>();\n"
        "        for (int i = 0; i < 64; i++)\n"
        "            keep.add(java.nio.ByteBuffer.allocateDirect(64 << 20));\n"
        "        return a + b + keep.size();\n    }")
    for source in (unsafe, direct):
        outcome = run_solution(EXECUTOR, "java_engineer", source, ADD_TESTS[:1], wall=30)
        assert outcome.status in (statuses.MEMORY_EXCEEDED, statuses.RUNTIME_ERROR), outcome


def test_spawned_child_does_not_survive() -> None:
    source = solution("    static long add(long a, long b) throws Exception {\n"
                      '        return new ProcessBuilder("sleep", "30").start().pid();\n    }')
    outcome = run(source, ADD_TESTS[:1])
    pid = outcome.tests[0].actual
    assert not outcome.passed
    if isinstance(pid, int) and pid > 0:
        assert not survives(pid)


# -- end to end ---------------------------------------------------------------------------

def test_reference_solutions_pass(pytester: pytest.Pytester,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = reference_run(pytester, monkeypatch, "java_mini.json", "java_engineer")
    result.assert_outcomes(passed=12)
