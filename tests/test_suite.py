"""Suite loading: version 2 with its schema, version 1 compatibility, readable errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_mpm_bench.languages import known_languages
from pytest_mpm_bench.suite import SuiteError, iter_suite_files, load_suite
from tests.helpers import DATA, REPO, make_case, make_suite


def load(path: Path):  # type: ignore[no-untyped-def]
    return load_suite(path, known_languages())


def test_loads_version_2_with_hidden_tests(write_suite) -> None:  # type: ignore[no-untyped-def]
    suite = load(write_suite(make_suite()))
    (case,) = suite.cases
    assert (suite.agent_id, case.language, case.entry_point) == ("py_agent", "python", "add")
    assert [t.hidden for t in case.test_cases] == [False, False, True]
    assert case.hidden_tests[0].payload() == {"args": [10**12, 1]}  # inputs only


@pytest.mark.parametrize(
    ("content", "json_path", "words"),
    [
        ("{\"agent_id\": ", "line 1 column", "invalid JSON"),
        (json.dumps({"agent_id": "a", "language": "python"}), "$", "'tests' is a required"),
        (json.dumps(make_suite(make_case("x"), make_case("x"))), "$.tests[1].id", "duplicate"),
        (json.dumps(make_suite(language="cobol")), "$.language", "unknown language 'cobol'"),
        (json.dumps(make_suite(make_case(test_cases=[{"args": [1, 2], "expected": 3}]))),
         "$.tests[0].test_cases", "no hidden test"),
        (json.dumps(make_suite(make_case(difficulty="trivial"))), "$.tests[0].difficulty",
         "is not one of"),
        (json.dumps(make_suite(make_case(checker="def check(:"))), "$.tests[0].checker",
         "does not compile"),
        (json.dumps(make_suite(make_case(performance={"args": [{"$bogus": 1}]}))),
         "$.tests[0].performance", "unknown generator"),
    ],
    ids=["invalid-json", "missing-tests", "duplicate-ids", "unknown-language", "no-hidden",
         "bad-enum", "checker-syntax", "bad-generator"],
)
def test_malformed_suites_name_file_path_and_fix(write_suite, content, json_path, words) -> None:  # type: ignore[no-untyped-def]
    path = write_suite(content)
    with pytest.raises(SuiteError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message
    assert json_path in message
    assert words in message
    assert "Fix:" in message


def test_version_1_literals_are_parsed_safely_and_prose_skips(write_suite) -> None:  # type: ignore[no-untyped-def]
    v1 = {
        "agent_id": "python_engineer", "language": "python", "version": "1.0.0",
        "tests": [
            {"id": "two_sum", "name": "Two Sum", "difficulty": "easy", "category": "algorithms",
             "signature": "def two_sum(nums: List[int], target: int) -> List[int]:",
             "test_cases": [{"input": "([2,7,11,15], 9)", "expected": "[0,1]"}]},
            {"id": "valid", "signature": "def is_valid(s: str) -> bool:",
             "test_cases": [{"input": "()", "expected": "True"},
                            {"input": "([)]", "expected": "False"}]},
            {"id": "pool", "signature": "async def process(tasks: List[Callable], n: int):",
             "test_cases": [{"input": "([task1, task2], 2)", "expected": "[r1, r2]"}]},
            {"id": "evil", "signature": "def f(x: int) -> int:",
             "test_cases": [{"input": "__import__('os').system('touch /tmp/pwned')",
                             "expected": "1"}]},
        ],
    }
    cases = {c.id: c for c in load(write_suite(v1)).cases}
    assert cases["two_sum"].test_cases[0].inputs == [[2, 7, 11, 15], 9]
    assert cases["two_sum"].test_cases[0].expected == [0, 1]
    assert [t.inputs for t in cases["valid"].test_cases] == [["()"], ["([)]"]]
    assert cases["valid"].test_cases[0].expected is True
    assert cases["pool"].skip_reason == "test case 1 is prose, not data"
    assert cases["evil"].skip_reason == "test case 1 is prose, not data"
    assert cases["two_sum"].skip_reason is None


def shipped_suites() -> list[Path]:
    return [*iter_suite_files([REPO / "benchmarks" / "lightweight"]),
            DATA / "humaneval" / "suite" / "humaneval_python.json"]


@pytest.mark.parametrize("path", shipped_suites(), ids=lambda p: p.name)
def test_every_shipped_suite_is_valid(path: Path) -> None:
    suite = load(path)
    assert suite.cases
    for case in suite.cases:
        assert case.reference_solution, f"{case.id} has no reference solution"
        assert case.hidden_tests and case.visible_tests


@pytest.mark.parametrize("path", [p for p in shipped_suites() if "lightweight" in str(p)],
                         ids=lambda p: p.name)
def test_lightweight_suites_have_the_promised_shape(path: Path) -> None:
    suite = load(path)
    difficulties = [c.difficulty for c in suite.cases]
    assert (difficulties.count("easy"), difficulties.count("medium"),
            difficulties.count("hard")) == (4, 5, 3)
    for case in suite.cases:
        assert len(case.visible_tests) >= 3 and len(case.hidden_tests) >= 3, case.id
        assert case.performance is not None, case.id
