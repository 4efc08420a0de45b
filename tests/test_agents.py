"""Agent backends, the command backend above all: faults become statuses, never hangs."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from pathlib import Path

import pytest

from pytest_mpm_bench.agents import AgentRequest
from pytest_mpm_bench.agents.command import CommandBackend
from pytest_mpm_bench.agents.reference import ReferenceBackend
from pytest_mpm_bench.agents.replay import ReplayBackend
from pytest_mpm_bench.languages import known_languages
from pytest_mpm_bench.suite import Case, load_suite
from pytest_mpm_bench.task import render_task
from tests.helpers import make_suite


@pytest.fixture
def request_(write_suite) -> AgentRequest:  # type: ignore[no-untyped-def]
    case: Case = load_suite(write_suite(make_suite()), known_languages()).cases[0]
    return AgentRequest(case, "py_agent", render_task(case), 0, case.id, timeout=5)


def agent_script(tmp_path: Path, body: str) -> str:
    script = tmp_path / "agent.py"
    script.write_text("import sys, os, time\n" + body)
    return f"{sys.executable} {script}"


def test_command_gets_task_on_stdin_and_in_file(tmp_path: Path, request_: AgentRequest) -> None:
    template = agent_script(tmp_path, (
        "task = sys.stdin.read()\n"
        "same = open(sys.argv[1]).read() == task\n"
        "print(f'{sys.argv[2]} {sys.argv[3]} {sys.argv[4]} {same} {os.environ[\"MPM_AGENT\"]}')\n"
    )) + " {task_file} {agent} {language} {test_id}"
    reply = CommandBackend(template).ask(request_, tmp_path)
    assert reply.status == "ok", reply
    assert reply.text.strip() == "py_agent python c1 True py_agent"


def test_command_gets_the_try_number(tmp_path: Path, request_: AgentRequest) -> None:
    template = agent_script(tmp_path, "print(sys.argv[1], sys.stdin.read())\n") + " {try}"
    backend = CommandBackend(template)
    backend.check()
    follow_up = dataclasses.replace(request_, task="the follow-up", try_number=2)
    assert backend.ask(request_, tmp_path).text.startswith("1 # Add")
    assert backend.ask(follow_up, tmp_path).text.strip() == "2 the follow-up"


def test_hanging_agent_times_out_and_its_tree_is_killed(tmp_path: Path,
                                                        request_: AgentRequest) -> None:
    marker = tmp_path / "child-alive"
    child = f"import time; time.sleep(2); open({str(marker)!r}, 'w').close()"
    template = agent_script(tmp_path, (
        "import subprocess\n"
        f"subprocess.Popen([sys.executable, '-c', {child!r}])\n"
        "time.sleep(60)\n"))
    request = AgentRequest(request_.case, "py_agent", "task", 0, "c1", timeout=0.5)
    started = time.monotonic()
    reply = CommandBackend(template).ask(request, tmp_path)
    assert reply.status == "agent_timeout", reply
    assert "0.5 s" in reply.message
    assert time.monotonic() - started < 3
    time.sleep(2.5)
    assert not marker.exists(), "the agent's child survived the timeout"


def test_non_zero_exit_is_agent_error_with_stderr_tail(tmp_path: Path,
                                                       request_: AgentRequest) -> None:
    template = agent_script(tmp_path, "sys.stderr.write('x' * 5000 + 'API key invalid')\n"
                                      "sys.exit(3)\n")
    reply = CommandBackend(template).ask(request_, tmp_path)
    assert reply.status == "agent_error"
    assert "code 3" in reply.message and reply.message.endswith("API key invalid")
    assert len(reply.message) < 2500


def test_megabytes_of_output_are_cut_off(tmp_path: Path, request_: AgentRequest) -> None:
    template = agent_script(tmp_path, "sys.stdout.write('y' * (50 << 20))\n")
    reply = CommandBackend(template).ask(request_, tmp_path)
    assert reply.status == "agent_error"
    assert "more than 8 MiB" in reply.message


def test_silent_agent_gives_empty_reply(tmp_path: Path, request_: AgentRequest) -> None:
    reply = CommandBackend(agent_script(tmp_path, "")).ask(request_, tmp_path)
    assert (reply.status, reply.text, reply.message) == ("ok", "", "the agent printed nothing")
    assert reply.fault == "the agent printed nothing"  # judged as the agent's error


def test_missing_executable_is_a_usage_error() -> None:
    with pytest.raises(pytest.UsageError, match=r"not on PATH.*--mpm-agent-cmd"):
        CommandBackend("no-such-agent-cli {task_file}").check()
    with pytest.raises(pytest.UsageError, match="unknown placeholder"):
        CommandBackend(f"{sys.executable} {{nope}}").check()


def test_reference_and_replay(tmp_path: Path, request_: AgentRequest) -> None:
    reply = ReferenceBackend().ask(request_, tmp_path)
    assert reply.status == "ok" and "return a + b" in reply.text
    replay = ReplayBackend(tmp_path)
    assert replay.ask(request_, tmp_path).status == "skipped"
    (tmp_path / "py_agent").mkdir()
    (tmp_path / "py_agent" / "c1.md").write_text("recorded")
    (tmp_path / "py_agent" / "c1.s2.md").write_text("second")
    assert replay.ask(request_, tmp_path).text == "recorded"
    sample2 = AgentRequest(request_.case, "py_agent", "", 2, "c1_s2", 5)
    assert replay.ask(sample2, tmp_path).text == "second"
    os.chmod(tmp_path, 0o755)


def test_replay_reads_later_tries_from_their_own_files(tmp_path: Path,
                                                       request_: AgentRequest) -> None:
    replay = ReplayBackend(tmp_path)
    (tmp_path / "py_agent").mkdir()
    for name in ("c1.md", "c1.try2.md", "c1.s1.try2.md"):
        (tmp_path / "py_agent" / name).write_text(name)
    second = dataclasses.replace(request_, try_number=2)
    assert replay.ask(second, tmp_path).text == "c1.try2.md"
    sample1 = dataclasses.replace(request_, sample=1, test_id="c1_s1", try_number=2)
    assert replay.ask(sample1, tmp_path).text == "c1.s1.try2.md"
    third = replay.ask(dataclasses.replace(request_, try_number=3), tmp_path)
    assert third.status == "skipped"
    missing = tmp_path / "py_agent" / "c1.try3.md"
    assert third.message == f"no reply for try 3: no recorded reply at {missing}"


def test_retries_agent_faults_with_backoff(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                           tmp_path: Path) -> None:
    counter = tmp_path / "attempts"
    script = tmp_path / "flaky.py"
    script.write_text(
        "import sys, pathlib\n"
        f"p = pathlib.Path({str(counter)!r})\n"
        "n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        "if n < 3:\n    sys.exit('rate limited')\n"
        "print('```python\\ndef add(a, b):\\n    return a + b\\n```')\n")
    report = tmp_path / "report.json"
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(write_suite(make_suite())),
        "--mpm-agent-cmd", f"{sys.executable} {script}", "--mpm-agent-retries", "2",
        "-o", "mpm_retry_backoff=0.1", "--mpm-no-cache", "--mpm-scoring", "v1",
        "--no-mpm-preflight",  # the attempts are counted
        "--mpm-report", str(report), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    (only,) = json.loads(report.read_text())["results"]
    assert only["attempts"] == 3 and counter.read_text() == "3"
