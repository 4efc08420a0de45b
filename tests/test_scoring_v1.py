"""The v1 rubric: the seed's numbers, with patterns read from the syntax tree."""

from __future__ import annotations

import pytest

from pytest_mpm_bench.observe.run import CaseOutcome, TestResult
from pytest_mpm_bench.scoring import WeightsError, parse_weights, v1, weighted


def outcome(status: str, passes: list[bool], completed: bool = True,
            seconds: float = 0.01) -> CaseOutcome:
    tests = tuple(TestResult(i, False, p, "passed" if p else "wrong_answer", [], None)
                  for i, p in enumerate(passes))
    return CaseOutcome(status, tests=tests, completed=completed, run_seconds=seconds)


IDIOMATIC = '''
def evens(xs: list[int]) -> dict[int, int]:
    """Index of each even number."""
    # keep evens only
    found = [x for x in xs if x % 2 == 0]
    with open("/dev/null") as sink:
        sink.read()
    return {i: v for i, v in enumerate(found)}
'''
PLAIN = '''
def evens(a):
    r = {}
    n = 0
    for x in a:
        if x % 2 == 0 or x == 100:
            r[n] = x
            n = n + 1
    return r if a or n or r else r
'''
FAKE = '''
def evens(a):
    s = "[x for x in y] {k: v for k in d} with enumerate"
    return s
'''


def test_correctness() -> None:
    assert v1.correctness(outcome("passed", [True, True])) == 9.5
    assert v1.correctness(outcome("wrong_answer", [True, False, False, False])) == 2.5
    assert v1.correctness(outcome("wrong_answer", [True] * 9 + [False])) == 4.0
    assert v1.correctness(outcome("timeout", [True, False], completed=False)) == 0.0


def test_style_from_the_syntax_tree() -> None:
    assert v1.idiomaticity(IDIOMATIC, "python", True) == 10.0  # 7 + 1 + .5 + .5 + .5 + .5
    assert v1.idiomaticity(PLAIN, "python", True) == 7.0
    assert v1.idiomaticity(FAKE, "python", True) == 7.0  # patterns in a string earn nothing
    assert v1.idiomaticity(IDIOMATIC, "python", False) == 4.0
    assert v1.best_practices(IDIOMATIC, "python", True) == 9.0
    assert v1.best_practices(PLAIN, "python", True) == 5.5  # short names -1, magic == 100 -0.5
    assert v1.idiomaticity("const f = () => 1;", "javascript", True) == 7.0


@pytest.mark.parametrize(("seconds", "difficulty", "score"), [
    (0.04, "easy", 9.5), (0.1, "easy", 8.5), (0.2, "easy", 6.5), (0.5, "easy", 4.0),
    (0.51, "easy", 2.0), (0.9, "medium", 6.5), (4.0, "hard", 6.5)])
def test_performance_thresholds(seconds: float, difficulty: str, score: float) -> None:
    assert v1.performance(seconds, difficulty) == score


def test_agent_faults_score_zero_everywhere() -> None:
    scores = v1.score(CaseOutcome("no_code"), "", "python", "easy")
    assert set(scores.values()) == {0.0}


def test_weights() -> None:
    weights = parse_weights("correctness:0.40 idiomaticity:0.25, performance:0.20 "
                            "best_practices:0.15")
    assert weighted({"correctness": 9.5, "idiomaticity": 8.5, "performance": 8.5,
                     "best_practices": 7.5}, weights) == 8.75
    with pytest.raises(WeightsError):
        parse_weights("correctness=1")
