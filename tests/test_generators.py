from __future__ import annotations

import pytest

from pytest_mpm_bench.generators import GeneratorError, evaluate, unknown_generators


def test_generators_expand_anywhere_and_are_seeded() -> None:
    spec = {"args": [{"$range": {"stop": 4}}, {"$random_ints": {"n": 5, "lo": 0, "hi": 9,
                                                                 "seed": 3}}]}
    first, second = evaluate(spec), evaluate(spec)
    assert first == second
    assert first["args"][0] == [0, 1, 2, 3]
    assert len(first["args"][1]) == 5 and all(0 <= x <= 9 for x in first["args"][1])


def test_concat_repeat_and_string() -> None:
    calls = evaluate({"$concat": [[["__init__", [2]]],
                                  {"$repeat": {"value": ["allow", [1]], "n": 3}}]})
    assert calls == [["__init__", [2]], ["allow", [1]], ["allow", [1]], ["allow", [1]]]
    assert evaluate({"$join": {"parts": {"$repeat": {"value": "()", "n": 3}}}}) == "()()()"
    text = evaluate({"$random_string": {"n": 50, "alphabet": "ab", "seed": 1}})
    assert len(text) == 50 and set(text) <= {"a", "b"}


def test_unknown_and_bad_generators_are_reported() -> None:
    assert unknown_generators([{"$nope": {}}, {"x": {"$range": {"stop": 1}}}]) == ["$nope"]
    with pytest.raises(GeneratorError, match="bad parameters"):
        evaluate({"$range": {"start": 1}})
