"""Values across the boundary, dynamic languages and TypeScript (docs/values.md): each row of
the tables for Python, JavaScript, TypeScript, PHP and Ruby, run end to end with a solution
whose answer depends on the row's rule.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import executor_for
from tests.helpers import run_solution

PYTHON = '''
def describe(v):
    if isinstance(v, bool):
        return f"bool {v}"
    if isinstance(v, int):
        return f"int {v}"
    if isinstance(v, float):
        return f"float {v}"
    if isinstance(v, str):
        return f"str {v}"
    if v is None:
        return "None"
    if isinstance(v, list):
        return f"list of {len(v)}, first {describe(v[0])}"
    if isinstance(v, dict):
        return f"dict, k {describe(v['k'])}"
    return "other"


def back(kind):
    return {"tuple": (1, "a"), "int_keys": {1: "a", 2.5: "b", None: "c"}, "float": 2.0,
            "set": {1}}[kind]
'''

JAVASCRIPT = '''
function describe(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return `array of ${v.length}, first ${describe(v[0])}`;
  if (typeof v === "number") return `${Number.isInteger(v) ? "integer" : "number"} ${v}`;
  if (typeof v === "object") return `object, k ${describe(v.k)}`;
  return `${typeof v} ${v}`;
}

function back(kind) {
  return { numericKeys: { 1: "a", 2: "b" }, float: 2.0, undef: undefined,
           map: new Map([[1, 2]]), big: 2n ** 64n, nan: NaN }[kind];
}
'''

TYPESCRIPT = '''
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `array of ${v.length}, first ${describe(v[0])}`;
  if (typeof v === "number") return `${Number.isInteger(v) ? "integer" : "number"} ${v}`;
  if (typeof v === "object") return `object, k ${describe((v as Record<string, unknown>).k)}`;
  return `${typeof v} ${String(v)}`;
}

export function lookup(m: Record<number, string>, k: number): string {
  return m[k];
}
'''

PHP = '''<?php
function describe($v): string {
    return match (true) {
        is_int($v) => "int $v",
        is_float($v) => "float " . var_export($v, true),
        is_string($v) => "string $v",
        is_bool($v) => "bool " . var_export($v, true),
        $v === null => "null",
        array_is_list($v) => "list of " . count($v) . ", first " . describe($v[0]),
        default => "array, k " . describe($v["k"]),
    };
}

function half(int $n): int { return intdiv($n, 2); }

function keys(array $m): array { return array_map('get_debug_type', array_keys($m)); }

function back(string $kind): mixed {
    return ["int_keys" => [3 => "a", 7 => "b"], "list_keys" => [0 => "a", 1 => "b"],
            "float" => 2.0, "object" => (object) ["x" => 1]][$kind];
}
'''

RUBY = '''
def describe(v)
  case v
  when Integer then "Integer #{v}"
  when Float then "Float #{v}"
  when String then "String #{v}"
  when true, false then "Boolean #{v}"
  when nil then "nil"
  when Array then "Array of #{v.size}, first #{describe(v[0])}"
  when Hash then "Hash, k #{describe(v['k'])}"
  end
end

def back(kind)
  { "symbols" => { a: :b }, "int_keys" => { 1 => "a" }, "float" => 2.0,
    "big" => 2**70, "rational" => Rational(1, 3) }[kind]
end
'''

SOURCES = {"python": PYTHON, "javascript": JAVASCRIPT, "typescript": TYPESCRIPT, "php": PHP,
           "ruby": RUBY}


def run(language: str, entry: str, tests: list[dict[str, Any]]) -> Any:
    executor = executor_for(language)
    if executor.missing():
        pytest.skip(str(executor.missing()))
    return run_solution(executor, f"{language}_engineer", SOURCES[language], tests, entry,
                        level="none")


def passes(language: str, entry: str, *pairs: tuple[list[Any], Any]) -> None:
    outcome = run(language, entry, [{"args": a, "expected": e} for a, e in pairs])
    assert outcome.status == statuses.PASSED, [(t.actual, t.error) for t in outcome.tests]


def not_data(language: str, entry: str, args: list[Any], fragment: str) -> None:
    outcome = run(language, entry, [{"args": args, "expected": None}])
    assert outcome.status == statuses.WRONG_ANSWER, outcome
    assert fragment in str(outcome.tests[0].error), outcome.tests[0].error


ANY_ROWS: dict[str, list[tuple[Any, str]]] = {
    "python": [(1, "int 1"), (10**20, f"int {10**20}"), (2.5, "float 2.5"), (2.0, "float 2.0"),
               ("a", "str a"), (True, "bool True"), (None, "None"),
               ([7, "x"], "list of 2, first int 7"), ({"k": 3}, "dict, k int 3")],
    "javascript": [(1, "integer 1"), (2.5, "number 2.5"), (2.0, "integer 2"),
                   ("a", "string a"), (True, "boolean true"), (None, "null"),
                   ([7, "x"], "array of 2, first integer 7"), ({"k": 3}, "object, k integer 3")],
    "php": [(1, "int 1"), (2.5, "float 2.5"), (2.0, "float 2.0"), ("a", "string a"),
            (True, "bool true"), (None, "null"), ([7, "x"], "list of 2, first int 7"),
            ({"k": 3}, "array, k int 3")],
    "ruby": [(1, "Integer 1"), (10**20, f"Integer {10**20}"), (2.5, "Float 2.5"),
             (2.0, "Float 2.0"), ("a", "String a"), (True, "Boolean true"), (None, "nil"),
             ([7, "x"], "Array of 2, first Integer 7"), ({"k": 3}, "Hash, k Integer 3")],
}
ANY_ROWS["typescript"] = ANY_ROWS["javascript"]


@pytest.mark.parametrize("language", sorted(ANY_ROWS))
def test_untyped_parameters_get_natural_values(language: str) -> None:
    passes(language, "describe", *(([value], expected) for value, expected in ANY_ROWS[language]))


def test_python_results() -> None:
    passes("python", "back", (["tuple"], [1, "a"]), (["int_keys"], {"1": "a", "2.5": "b",
                                                                    "null": "c"}),
           (["float"], 2.0))
    not_data("python", "back", ["set"], "not JSON data")


def test_javascript_results() -> None:
    passes("javascript", "back", (["numericKeys"], {"1": "a", "2": "b"}), (["undef"], None),
           (["big"], 2**64), (["float"], 2))
    not_data("javascript", "back", ["map"], "not JSON data")


def test_javascript_integers_beyond_2_53_are_the_doubles_javascript_holds() -> None:
    passes("javascript", "describe", ([-9999999999999999], "integer -10000000000000000"))


def test_typescript_record_with_number_keys() -> None:
    passes("typescript", "lookup", ([{"1": "one", "2": "two"}, 2], "two"))


def test_php_integer_parameters_take_integral_numbers_only() -> None:
    passes("php", "half", ([4], 2), ([4.0], 2))
    outcome = run("php", "half", [{"args": [2.5], "expected": 1}])
    assert outcome.status == statuses.RUNTIME_ERROR
    assert "argument 1 of half: 2.5 is not an integer (type int)" in str(outcome.tests[0].error)


def test_php_numeric_keys_and_results() -> None:
    passes("php", "keys", ([{"1": "a", "b": 2}], ["int", "string"]))
    passes("php", "back", (["int_keys"], {"3": "a", "7": "b"}), (["list_keys"], ["a", "b"]),
           (["float"], 2.0), (["object"], {"x": 1}))


def test_ruby_results() -> None:
    passes("ruby", "back", (["symbols"], {"a": "b"}), (["int_keys"], {"1": "a"}),
           (["float"], 2.0), (["big"], 2**70))
    not_data("ruby", "back", ["rational"], "not JSON data")
