"""Values across the boundary, typed languages (docs/values.md): each row of the tables for Go,
Java and Rust, run end to end with a solution whose answer depends on the row's rule.

One solution per language holds every function; a row picks its entry point (builds are cached
by source and entry point, so rows that share one build once).
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import executor_for
from tests.helpers import run_solution

GO = '''package main

import (
	"errors"
	"fmt"
	"sort"
)

// Describe answers with the dynamic type a JSON value arrives as in an interface{}.
func Describe(v interface{}) string {
	switch x := v.(type) {
	case int:
		return fmt.Sprintf("int %d", x)
	case float64:
		return fmt.Sprintf("float64 %v", x)
	case string:
		return "string " + x
	case bool:
		return fmt.Sprintf("bool %v", x)
	case nil:
		return "nil"
	case []interface{}:
		return fmt.Sprintf("list of %d, first %s", len(x), Describe(x[0]))
	case map[string]interface{}:
		return "map, k " + Describe(x["k"])
	}
	return fmt.Sprintf("other %T", v)
}

func CompareOne(a, b interface{}) interface{} {
	number := func(v interface{}) float64 {
		switch x := v.(type) {
		case int:
			return float64(x)
		case float64:
			return x
		}
		return 0
	}
	if number(a) >= number(b) {
		return a
	}
	return b
}

func Half(n int) int { return n / 2 }

func Small(n int8) int8 { return n }

func Mean(xs []float64) float64 {
	total := 0.0
	for _, x := range xs {
		total += x
	}
	return total / float64(len(xs))
}

func Next(r rune) rune { return r + 1 }

func Chars(s string) []rune { return []rune(s) }

func Reverse(rs []rune) string {
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs)
}

func Count(s string) map[rune]int {
	out := map[rune]int{}
	for _, r := range s {
		out[r]++
	}
	return out
}

func Lookup(m map[int]string, k int) string { return m[k] }

func Invert(m map[string]int) map[int]string {
	out := map[int]string{}
	for k, v := range m {
		out[v] = k
	}
	return out
}

func KeyKinds(m map[interface{}]interface{}) []string {
	out := []string{}
	for k, v := range m {
		out = append(out, Describe(k)+"="+Describe(v))
	}
	sort.Strings(out)
	return out
}

func Mixed(n int) map[interface{}]interface{} {
	return map[interface{}]interface{}{n: "int key", "s": 2.5, 'r': true}
}

type Point struct {
	X int `json:"x"`
	Y int `json:"y"`
}

func Swap(p Point) Point { return Point{p.Y, p.X} }

func Nothing(n int) ([]int, map[string]int) { return nil, nil }

func DivMod(a, b int) (int, error) {
	if b == 0 {
		return 0, errors.New("division by zero")
	}
	return a / b, nil
}

func Ratio(a, b float64) float64 { return a / b }
'''

JAVA = '''import java.util.*;

class Solution {
    public String describe(Object v) {
        if (v instanceof Integer) return "Integer " + v;
        if (v instanceof Long) return "Long " + v;
        if (v instanceof java.math.BigInteger) return "BigInteger " + v;
        if (v instanceof Double) return "Double " + v;
        if (v instanceof String) return "String " + v;
        if (v instanceof Boolean) return "Boolean " + v;
        if (v == null) return "null";
        if (v instanceof List) {
            List<?> l = (List<?>) v;
            return "List of " + l.size() + ", first " + describe(l.get(0));
        }
        if (v instanceof Map) return "Map, k " + describe(((Map<?, ?>) v).get("k"));
        return "other " + v.getClass().getName();
    }

    public int countIntegers(List<Object> values) {
        int n = 0;
        for (Object v : values) if (v instanceof Integer) n++;
        return n;
    }

    public Optional<Object> compareOne(Object a, Object b) {
        double x = ((Number) a).doubleValue(), y = ((Number) b).doubleValue();
        if (x == y) return Optional.empty();
        return Optional.of(x > y ? a : b);
    }

    public int half(int n) { return n / 2; }

    public long twice(long n) { return n * 2; }

    public short small(short n) { return n; }

    public double mean(List<Double> xs) {
        double total = 0;
        for (double x : xs) total += x;
        return total / xs.size();
    }

    public char next(char c) { return (char) (c + 1); }

    public char[] chars(String s) { return s.toCharArray(); }

    public String reverse(char[] cs) {
        StringBuilder b = new StringBuilder();
        for (int k = cs.length - 1; k >= 0; k--) b.append(cs[k]);
        return b.toString();
    }

    public Map<Character, Integer> count(String s) {
        Map<Character, Integer> out = new TreeMap<>();
        for (char c : s.toCharArray()) out.merge(c, 1, Integer::sum);
        return out;
    }

    public String lookup(Map<Integer, String> m, int k) { return m.get(k); }

    public Map<Integer, String> invert(Map<String, Integer> m) {
        Map<Integer, String> out = new TreeMap<>();
        for (Map.Entry<String, Integer> e : m.entrySet()) out.put(e.getValue(), e.getKey());
        return out;
    }

    public int firstOfRow(List<List<Integer>> rows) { return rows.get(0).get(0); }

    public Integer orNull(Integer n) { return n; }

    public double ratio(double a, double b) { return a / b; }
}
'''

RUST = '''use std::any::Any;
use std::collections::HashMap;

fn describe(v: &dyn Any) -> String {
    if let Some(x) = v.downcast_ref::<i32>() { return format!("i32 {}", x); }
    if let Some(x) = v.downcast_ref::<i64>() { return format!("i64 {}", x); }
    if let Some(x) = v.downcast_ref::<i128>() { return format!("i128 {}", x); }
    if let Some(x) = v.downcast_ref::<f64>() { return format!("f64 {:?}", x); }
    if let Some(x) = v.downcast_ref::<String>() { return format!("String {}", x); }
    if let Some(x) = v.downcast_ref::<bool>() { return format!("bool {}", x); }
    if v.is::<()>() { return "unit".to_string(); }
    if let Some(x) = v.downcast_ref::<Vec<Box<dyn Any>>>() {
        return format!("Vec of {}, first {}", x.len(), describe(x[0].as_ref()));
    }
    if let Some(x) = v.downcast_ref::<HashMap<String, Box<dyn Any>>>() {
        return format!("HashMap, k {}", describe(x["k"].as_ref()));
    }
    "other".to_string()
}

fn filter_integers(values: Vec<Box<dyn Any>>) -> Vec<i32> {
    values.iter().filter_map(|v| v.downcast_ref::<i32>().copied()).collect()
}

fn compare_one(a: Box<dyn Any>, b: Box<dyn Any>) -> Box<dyn Any> {
    let number = |v: &Box<dyn Any>| v.downcast_ref::<i32>().map(|x| *x as f64)
        .or_else(|| v.downcast_ref::<f64>().copied()).unwrap_or(0.0);
    if number(&a) >= number(&b) { a } else { b }
}

fn half(n: i32) -> i32 { n / 2 }

fn small(n: u8) -> u8 { n }

fn mean(xs: &[f64]) -> f64 { xs.iter().sum::<f64>() / xs.len() as f64 }

fn next(c: char) -> char { std::char::from_u32(c as u32 + 1).unwrap() }

fn chars(s: &str) -> Vec<char> { s.chars().collect() }

fn count(s: &str) -> HashMap<char, i32> {
    let mut out = HashMap::new();
    for c in s.chars() { *out.entry(c).or_insert(0) += 1; }
    out
}

fn lookup(m: HashMap<i64, String>, k: i64) -> String { m.get(&k).cloned().unwrap_or_default() }

fn invert(m: HashMap<String, i64>) -> HashMap<i64, String> {
    m.into_iter().map(|(k, v)| (v, k)).collect()
}

fn pair(n: i64) -> (i64, String, Option<f64>) { (n, n.to_string(), None) }

fn checked(a: i64, b: i64) -> Result<i64, String> {
    if b == 0 { Err("division by zero".to_string()) } else { Ok(a / b) }
}

fn ratio(a: f64, b: f64) -> f64 { a / b }
'''


def run(language: str, entry: str, tests: list[dict[str, Any]]) -> Any:
    executor = executor_for(language)
    if executor.missing():
        pytest.skip(str(executor.missing()))
    source = {"go": GO, "java": JAVA, "rust": RUST}[language]
    return run_solution(executor, f"{language}_engineer", source, tests, entry, level="none")


def passes(language: str, entry: str, *pairs: tuple[list[Any], Any]) -> None:
    outcome = run(language, entry, [{"args": a, "expected": e} for a, e in pairs])
    assert outcome.status == statuses.PASSED, [(t.actual, t.error) for t in outcome.tests]


def refused(language: str, entry: str, args: list[Any], *fragments: str) -> None:
    outcome = run(language, entry, [{"args": args, "expected": None}])
    assert outcome.status == statuses.RUNTIME_ERROR, outcome
    assert all(f in str(outcome.tests[0].error) for f in fragments), outcome.tests[0].error


# ---- Go ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "expected"), [
    ([1], "int 1"), ([10**12], "int 1000000000000"), ([2.5], "float64 2.5"),
    ([2.0], "float64 2"), ([10**20], "float64 1e+20"), (["a"], "string a"),
    ([True], "bool true"), ([None], "nil"), ([[7, "x"]], "list of 2, first int 7"),
    ([{"k": 3}], "map, k int 3")])
def test_go_interface_gets_natural_values(args: list[Any], expected: str) -> None:
    passes("go", "Describe", (args, expected))


def test_go_integer_in_interface_comes_back_an_integer() -> None:
    passes("go", "CompareOne", ([1, 2], 2), ([1, 2.5], 2.5), ([3, 2], 3))


def test_go_integer_parameters_take_integral_numbers_only() -> None:
    passes("go", "Half", ([4], 2), ([4.0], 2), ([-7], -3))
    refused("go", "Half", [2.5], "argument 1 of Half", "2.5 is not an integer (type int)")
    refused("go", "Small", [300], "argument 1 of Small", "300 does not fit in type int8")
    refused("go", "Half", ["4"], "argument 1 of Half", 'expected type int, got "4"')


def test_go_floats_stay_floats() -> None:
    passes("go", "Mean", ([[1, 2]], 1.5), ([[2, 2]], 2.0))
    passes("go", "Ratio", ([1, 4], 0.25))


def test_go_runes_are_one_character_strings() -> None:
    passes("go", "Next", (["a"], "b"), ([97], "b"))
    passes("go", "Chars", (["hé"], ["h", "é"]))
    passes("go", "Reverse", (["abc"], "cba"), ([["x", "y"]], "yx"))
    passes("go", "Count", (["abca"], {"a": 2, "b": 1, "c": 1}))


def test_go_maps_with_non_string_keys_round_trip() -> None:
    passes("go", "Lookup", ([{"1": "one", "2": "two"}, 2], "two"))
    passes("go", "Invert", ([{"a": 1, "b": 2}], {"1": "a", "2": "b"}))
    passes("go", "KeyKinds", ([{"a": 1, "b": [True]}],
                              ["string a=int 1", "string b=list of 1, first bool true"]))
    passes("go", "Mixed", ([7], {"7": "int key", "s": 2.5, "r": True}))
    refused("go", "Lookup", [{"x": "one"}, 1], 'key "x"', "expected type int")


def test_go_structs_nil_and_several_results() -> None:
    passes("go", "Swap", ([{"x": 1, "y": 2}], {"x": 2, "y": 1}))
    passes("go", "Nothing", ([0], [[], {}]))
    passes("go", "DivMod", ([7, 2], [3, None]), ([1, 0], [0, "division by zero"]))


def test_go_int32_is_a_number_when_the_solution_never_says_rune() -> None:
    source = "package main\n\nfunc Sum(xs []int32) int32 {\n\tvar t int32\n" \
             "\tfor _, x := range xs {\n\t\tt += x\n\t}\n\treturn t\n}\n"
    outcome = run_solution(executor_for("go"), "golang_engineer", source,
                           [{"args": [[1, 2]], "expected": 3}], "Sum", level="none")
    assert outcome.status == statuses.PASSED, outcome.tests


def test_go_nan_is_not_data() -> None:
    outcome = run("go", "Ratio", [{"args": [0, 0], "expected": 0.0}])
    assert outcome.status == statuses.WRONG_ANSWER
    assert "not JSON data" in str(outcome.tests[0].error)


# ---- Java ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "expected"), [
    ([1], "Integer 1"), ([-2**31], "Integer -2147483648"), ([2**31], "Long 2147483648"),
    ([10**20], "BigInteger 100000000000000000000"), ([2.5], "Double 2.5"),
    ([2.0], "Double 2.0"), (["a"], "String a"), ([False], "Boolean false"), ([None], "null"),
    ([[7, "x"]], "List of 2, first Integer 7"), ([{"k": 3}], "Map, k Integer 3")])
def test_java_object_gets_natural_values(args: list[Any], expected: str) -> None:
    passes("java", "describe", (args, expected))


def test_java_integers_in_object_lists_are_integers() -> None:
    passes("java", "countIntegers", ([[4, {}, [], 23.2, 9, "x", 2**40]], 2))
    passes("java", "compareOne", ([1, 2], 2), ([1, 2.5], 2.5), ([2, 2], None))


def test_java_integer_parameters_take_integral_numbers_only() -> None:
    passes("java", "half", ([4], 2), ([4.0], 2))
    passes("java", "twice", ([2**40], 2**41))
    refused("java", "half", [2.5], "argument 1 of half", "2.5 is not an integer (type int)")
    refused("java", "half", [2**31], "argument 1 of half", "does not fit in type int")
    refused("java", "small", [40000], "argument 1 of small", "does not fit in type short")
    refused("java", "firstOfRow", [[[1, 2.5]]], "argument 1 of firstOfRow: [0][1]: 2.5")
    refused("java", "half", [None], "argument 1 of half", "expected type int, got null")


def test_java_floats_stay_floats_and_null_passes_to_boxed_types() -> None:
    passes("java", "mean", ([[1, 2]], 1.5), ([[2, 2]], 2.0))
    passes("java", "orNull", ([None], None), ([5], 5))


def test_java_chars_are_one_character_strings() -> None:
    passes("java", "next", (["a"], "b"))
    passes("java", "chars", (["hé"], ["h", "é"]))
    passes("java", "reverse", (["abc"], "cba"), ([["x", "y"]], "yx"))
    passes("java", "count", (["abca"], {"a": 2, "b": 1, "c": 1}))
    refused("java", "next", ["ab"], "argument 1 of next", 'expected type char, got "ab"')


def test_java_maps_with_non_string_keys_round_trip() -> None:
    passes("java", "lookup", ([{"1": "one", "2": "two"}, 2], "two"))
    passes("java", "invert", ([{"a": 1, "b": 2}], {"1": "a", "2": "b"}))
    refused("java", "lookup", [{"x": "one"}, 1], 'key "x"', "expected type Integer")


def test_java_nan_is_not_data() -> None:
    outcome = run("java", "ratio", [{"args": [0, 0], "expected": 0.0}])
    assert outcome.status == statuses.WRONG_ANSWER
    assert "not JSON data" in str(outcome.tests[0].error)


# ---- Rust ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "expected"), [
    ([1], "i32 1"), ([2**31], "i64 2147483648"), ([2**70], f"i128 {2**70}"),
    ([2.5], "f64 2.5"), ([2.0], "f64 2.0"), (["a"], "String a"), ([True], "bool true"),
    ([None], "unit"), ([[7, "x"]], "Vec of 2, first i32 7"), ([{"k": 3}], "HashMap, k i32 3")])
def test_rust_dyn_any_gets_natural_values(args: list[Any], expected: str) -> None:
    passes("rust", "describe", (args, expected))


def test_rust_boxed_any_values_round_trip() -> None:
    passes("rust", "filter_integers", ([[4, {}, [], 23.2, 9, "x"]], [4, 9]))
    passes("rust", "compare_one", ([1, 2], 2), ([1, 2.5], 2.5), ([[1], None], [1]))


def test_rust_integer_parameters_take_integral_numbers_only() -> None:
    passes("rust", "half", ([4], 2), ([4.0], 2), ([-7], -3))
    refused("rust", "half", [2.5], "argument 1 of half", "2.5 is not an integer (type i32)")
    refused("rust", "small", [300], "argument 1 of small", "300 does not fit in type u8")
    refused("rust", "half", ["4"], "argument 1 of half", 'expected type i32, got "4"')


def test_rust_floats_stay_floats() -> None:
    passes("rust", "mean", ([[1, 2]], 1.5), ([[2, 2]], 2.0))


def test_rust_chars_are_one_character_strings() -> None:
    passes("rust", "next", (["a"], "b"))
    passes("rust", "chars", (["hé"], ["h", "é"]))
    passes("rust", "count", (["abca"], {"a": 2, "b": 1, "c": 1}))


def test_rust_maps_with_non_string_keys_round_trip() -> None:
    passes("rust", "lookup", ([{"1": "one", "2": "two"}, 2], "two"))
    passes("rust", "invert", ([{"a": 1, "b": 2}], {"1": "a", "2": "b"}))


def test_rust_tuples_options_and_results() -> None:
    passes("rust", "pair", ([3], [3, "3", None]))
    passes("rust", "checked", ([7, 2], {"Ok": 3}), ([1, 0], {"Err": "division by zero"}))


def test_rust_nan_is_not_data() -> None:
    outcome = run("rust", "ratio", [{"args": [0, 0], "expected": 0.0}])
    assert outcome.status != statuses.PASSED
    assert "not JSON data" in str(outcome.tests[0].error)
