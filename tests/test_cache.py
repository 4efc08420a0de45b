"""The reply cache: a re-run asks nothing it already has; an edit asks again."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import pytest

from pytest_mpm_bench.agents import AgentReply, AgentRequest
from pytest_mpm_bench.agents.usage import Usage
from pytest_mpm_bench.cache import FORMAT, ReplyCache, cache_key
from pytest_mpm_bench.languages import known_languages
from pytest_mpm_bench.suite import load_suite
from tests.helpers import make_case, make_suite


def _agent(tmp_path: Path) -> tuple[str, Path]:
    calls = tmp_path / "calls.log"
    script = tmp_path / "agent.py"
    script.write_text(
        "import sys, time\n"
        f"open({str(calls)!r}, 'a').write(sys.argv[1] + '\\n')\n"
        "time.sleep(0.3)\n"
        "print('```python\\ndef add(a, b):\\n    return a + b\\n```')\n")
    return f"{sys.executable} {script} {{test_id}}", calls


def _run(pytester: pytest.Pytester, suite: Path, cmd: str, *args: str) -> dict:  # type: ignore[type-arg]
    report = pytester.path / "report.json"
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(suite), "--mpm-agent-cmd", cmd,
        "--mpm-report", str(report), "--mpm-cache-dir", str(pytester.path / "cache"),
        "--mpm-scoring", "v1", "-p", "no:cacheprovider", "--no-mpm-preflight", *args)
    result.assert_outcomes(passed=2)
    return json.loads(report.read_text())  # type: ignore[no-any-return]


def test_rerun_uses_cache_and_edits_ask_again(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                              tmp_path: Path, workers: list[str]) -> None:
    cmd, calls = _agent(tmp_path)
    suite = write_suite(make_suite(make_case("c1"), make_case("c2")))
    first = _run(pytester, suite, cmd, *workers)
    assert sorted(calls.read_text().split()) == ["c1", "c2"]
    assert [r["cached"] for r in first["results"]] == [False, False]

    pytester.makeini("[pytest]\nmpm_weights = correctness:1.0\n")  # a changed scorer...
    second = _run(pytester, suite, cmd, *workers)
    assert sorted(calls.read_text().split()) == ["c1", "c2"]  # ...asks no agent
    assert [r["cached"] for r in second["results"]] == [True, True]
    assert second["results"][0]["timings"]["agent"] >= 0.3  # the original latency is kept
    assert second["results"][0]["weighted_score"] == 9.5  # but the reply is re-scored

    suite = write_suite(make_suite(make_case("c1", description="Add them."), make_case("c2")))
    _run(pytester, suite, cmd, *workers)
    assert sorted(calls.read_text().split()) == ["c1", "c1", "c2"]  # only the edited case

    _run(pytester, suite, cmd, "--mpm-refresh", *workers)
    assert len(calls.read_text().split()) == 5
    _run(pytester, suite, cmd + " --changed", *workers)  # another agent command
    assert len(calls.read_text().split()) == 7


def test_a_repair_try_has_a_key_of_its_own(write_suite) -> None:  # type: ignore[no-untyped-def]
    (case,) = load_suite(write_suite(make_suite()), known_languages()).cases
    first = AgentRequest(case, "py_agent", "task", 0, "c1", 5)
    old = hashlib.sha256(json.dumps([FORMAT, "cmd", "py_agent", "c1", "task", 0]).encode())
    assert cache_key("cmd", first) == old.hexdigest()  # first tries keep the keys they had
    follow_up = dataclasses.replace(first, task="task + feedback", try_number=2)
    keys = {cache_key("cmd", r) for r in
            (first, follow_up, dataclasses.replace(follow_up, try_number=3),
             dataclasses.replace(follow_up, task="task + other feedback"))}
    assert len(keys) == 4


def test_no_cache_neither_reads_nor_writes(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                           tmp_path: Path) -> None:
    cmd, calls = _agent(tmp_path)
    suite = write_suite(make_suite(make_case("c1"), make_case("c2")))
    _run(pytester, suite, cmd, "--mpm-no-cache")
    _run(pytester, suite, cmd, "--mpm-no-cache")
    assert len(calls.read_text().split()) == 4
    assert not (pytester.path / "cache").exists()


def test_a_tool_failure_without_code_is_not_cached(tmp_path: Path) -> None:
    cache = ReplyCache(tmp_path)
    cache.put("a" * 64, AgentReply("ok", "Claude CLI not found", fault="Claude CLI not found"))
    assert cache.get("a" * 64) is None
    answer = "```python\ndef add(a, b):\n    return a + b\n```\nError: telemetry off\n"
    cache.put("b" * 64, AgentReply("ok", answer, fault="Error: telemetry off",
                                   usage=Usage(10, 2, 0.001), said="x"))
    hit = cache.get("b" * 64)
    assert hit is not None and (hit.text, hit.usage, hit.said) == (answer, Usage(10, 2, 0.001),
                                                                   "x")
