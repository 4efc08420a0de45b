"""Scores that cannot be gamed (issue 14, docs/scoring.md "Gaming"): each trick a
reward-hacking agent would try, as a gamed twin of an honest solution; the twin never scores
better than the honest one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import bench, make_case, make_suite, replies

# -- performance: end to end through the pipeline ----------------------------------------------

DEDUPE = {
    "signature": "def dedupe(items: list[int]) -> list[int]:", "entry_point": "dedupe",
    "test_cases": [{"args": [[1, 2, 1]], "expected": [1, 2]}, {"args": [[]], "expected": []},
                   {"args": [[3, 3, 3, 2]], "expected": [3, 2], "hidden": True}],
    "performance": {"args": [{"$random_ints": {"n": 100000, "lo": 0, "hi": 10**9, "seed": 1}}]},
    "time_complexity": "O(n)",
    "reference_solution": "def dedupe(items):\n    return list(dict.fromkeys(items))\n",
}
HONEST = "def dedupe(items):\n    return list(dict.fromkeys(items))\n"
# Right on the small tests, nothing on the big input.
EMPTY_ON_BIG = ("def dedupe(items):\n"
                "    return [] if len(items) > 1000 else list(dict.fromkeys(items))\n")
# On the big input it writes only an end record on the results channel and leaves.
END_ONLY = ("import os\n\n\ndef dedupe(items):\n"
            "    if len(items) > 1000:\n"
            "        os.write(3, b'{\"type\": \"end\", \"count\": 1}\\n')\n"
            "        os._exit(0)\n"
            "    return list(dict.fromkeys(items))\n")
# A hundred times the work of the reference: an honest slow solution.
SLOW = ("def dedupe(items):\n"
        "    for _ in range(100):\n"
        "        out = list(dict.fromkeys(items))\n"
        "    return out\n")
# The same, plus a second of CPU whenever its input has no test (the start-up run it used to
# be subtracted from), to hide its slowness.
SLOW_BURNING_AT_STARTUP = ("import json\n\n"
                           "with open('input.json') as f:\n"
                           "    if not json.load(f)['tests']:\n"
                           "        n = 0\n"
                           "        while n < 30_000_000:\n"
                           "            n += 1\n\n\n" + SLOW)


def _performance(pytester: pytest.Pytester, write_suite: Any, tmp_path: Path,
                 solutions: dict[str, str], workers: list[str]) -> dict[str, dict[str, Any]]:
    suite = write_suite(make_suite(*(make_case(name, **DEDUPE) for name in solutions)))
    report = tmp_path / "report.json"
    result = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir",
                   str(replies(tmp_path, **solutions)), "--mpm-report", str(report), *workers)
    result.assert_outcomes(passed=len(solutions))  # every twin passes its tests
    return {r["test_id"]: r for r in json.loads(report.read_text())["results"]}


def test_performance_answers_are_judged(pytester: pytest.Pytester, write_suite: Any,
                                        tmp_path: Path, workers: list[str]) -> None:
    results = _performance(pytester, write_suite, tmp_path,
                           {"honest": HONEST, "empty": EMPTY_ON_BIG, "end_only": END_ONLY},
                           workers)
    honest = results["honest"]["dimensions"]["performance"]
    assert honest >= 6.5  # the reference itself: about 8.5
    for gamed, says in (("empty", "wrong answer on input 1 of the performance run: 0 items "
                                  "where 99993 were expected"),
                        ("end_only", "the performance run reported 0 of 1 answer(s)")):
        result = results[gamed]
        assert result["dimensions"]["performance"] == 0.0 < honest
        [evidence] = result["evidence"]["performance"]
        assert evidence["message"].startswith(says), evidence
        assert evidence["reference_cpu_seconds"] > 0


def test_work_done_in_the_startup_run_is_not_subtracted(
        pytester: pytest.Pytester, write_suite: Any, tmp_path: Path) -> None:
    results = _performance(pytester, write_suite, tmp_path,
                           {"slow": SLOW, "slow_burning": SLOW_BURNING_AT_STARTUP}, [])
    slow, gamed = (results[k]["evidence"]["performance"][0] for k in ("slow", "slow_burning"))
    # A hundred times the work scores the lowest band, burning or not.
    assert results["slow_burning"]["dimensions"]["performance"] <= (
        results["slow"]["dimensions"]["performance"]) == 2.0
    assert gamed["ratio"] > 10 and slow["ratio"] > 10
    # The start-up run never loaded the solution: its second of CPU was never spent there.
    assert gamed["startup_cpu_seconds"] < 0.5 and slow["startup_cpu_seconds"] < 0.5
