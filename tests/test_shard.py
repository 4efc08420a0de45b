"""--mpm-shard K/N: the split (stable, balanced, samples together) and the shard's session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_mpm_bench import shard
from tests.helpers import bench, make_case, make_suite, replies

KEYS = [shard.case_key("agent", f"case_{i:03}") for i in range(100)]


def test_parse_accepts_k_of_n_and_refuses_the_rest() -> None:
    assert shard.parse("2/3") == shard.Shard(2, 3)
    assert shard.parse(" 1 / 1 ") == shard.Shard(1, 1)
    for bad in ("", "3", "0/3", "4/3", "1/0", "a/b", "-1/3", "1/3/4"):
        with pytest.raises(shard.ShardError, match=r"K/N|between 1 and N"):
            shard.parse(bad)


def test_every_case_is_in_exactly_one_shard_and_shards_differ_by_at_most_one() -> None:
    for total in (1, 2, 3, 7, 100, 150):
        plan = shard.plan(KEYS, total)
        held = [plan.cases(i) for i in range(1, total + 1)]
        assert sorted(k for cases in held for k in cases) == sorted(KEYS)
        assert max(map(len, held)) - min(map(len, held)) <= 1
        assert plan.sizes() == [len(c) for c in held]


def test_the_split_is_the_same_whatever_order_the_cases_come_in() -> None:
    forward, backward = shard.plan(KEYS, 3), shard.plan(reversed(KEYS), 3)
    assert forward.assignment == backward.assignment
    assert forward.digest() == backward.digest()
    assert forward.digest() != shard.plan(KEYS[:-1], 3).digest()
    # Not simply the order of the file: neighbours (a suite's easy cases) are spread out.
    assert len({forward.shard_of(k) for k in KEYS[:6]}) == 3


def _suite(tmp_path: Path, write_suite) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    ids = [f"c{i}" for i in range(1, 7)]
    suite = write_suite(make_suite(*(make_case(i) for i in ids)))
    code = "def add(a: int, b: int) -> int:\n    return a + b\n"
    root = replies(tmp_path, **dict.fromkeys(ids, code))
    for i in ids:  # the second sample's replies
        (root / "py_agent" / f"{i}.s1.md").write_text(f"```python\n{code}```\n")
    return suite, root


def test_a_shard_runs_its_cases_with_all_their_samples_and_deselects_the_rest(
        pytester: pytest.Pytester, tmp_path: Path, write_suite, workers: list[str]) -> None:  # type: ignore[no-untyped-def]
    suite, root = _suite(tmp_path, write_suite)
    reports = []
    for index in (1, 2, 3):
        report = tmp_path / f"shard{index}.json"
        result = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir",
                       str(root), "--mpm-samples", "2", "--mpm-scoring", "v1",
                       "--mpm-shard", f"{index}/3", "--mpm-report", str(report), *workers)
        assert result.ret == 0, result.stdout.str()
        result.assert_outcomes(passed=4, deselected=0 if workers else 8)
        result.stdout.fnmatch_lines([f"shard {index}/3: 2 of 6 cases *"])
        reports.append(json.loads(report.read_text()))
    seen = []
    for index, doc in enumerate(reports, 1):
        block = doc["shard"]
        assert (block["index"], block["total"], block["sizes"]) == (index, 3, [2, 2, 2])
        assert block["skipped"] == 0 and doc["complete"] and doc["summary"]["missing"] == 0
        held = {f"{r['agent']}/{r['test_id']}" for r in doc["results"]}
        assert held == set(block["cases"])
        assert sorted(r["sample"] for r in doc["results"]) == [0, 0, 1, 1]  # samples together
        seen += block["cases"]
    assert sorted(seen) == [f"py_agent/c{i}" for i in range(1, 7)]
    assert len({doc["shard"]["plan_sha256"] for doc in reports}) == 1


def test_the_ini_twin_and_a_bad_value(pytester: pytest.Pytester) -> None:
    suite = pytester.path / "mini.json"  # beside the ini, so that it is the session's
    suite.write_text(json.dumps(make_suite(make_case("c1"), make_case("c2"))))
    pytester.makeini("[pytest]\nmpm_shard = 2/2\n")
    result = bench(pytester, suite, "--mpm-backend", "reference", "--mpm-scoring", "v1")
    result.assert_outcomes(passed=1, deselected=1)
    result = bench(pytester, suite, "--mpm-shard", "3/2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --mpm-shard 3/2: K must be between 1 and N*"])
    assert "Traceback" not in result.stderr.str()
