"""The built-in adapters, end to end against stand-ins of each tool (``tests/agent_standins``):
answers and usage read from each tool's own output, the tool's failures told apart from the
model's, the preflight, and an agent that sees nothing but its task."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench import preflight
from pytest_mpm_bench.agents.adapters import (
    CUSTOM,
    UnknownAdapter,
    aider,
    claude_code,
    codex,
    gemini,
    resolve,
)
from pytest_mpm_bench.agents.adapters.claude_mpm import ADAPTER as CLAUDE_MPM
from pytest_mpm_bench.agents.usage import PricesError, Usage, parse_prices
from tests import agent_standins
from tests.helpers import make_case, make_suite, parse_html

HIDDEN = ("1000000000000", "1000000000001")  # make_case's hidden test: add(10**12, 1)
# adapter → (--mpm-agent-cmd, usage of one answer, what the broken tool says)
ADAPTERS: dict[str, tuple[list[str], dict[str, Any], str]] = {
    "claude-mpm": ([], {"input_tokens": None, "output_tokens": None, "cost_usd": None},
                   "Claude CLI not found"),
    "claude": (["--mpm-agent-cmd=@claude-code"],
               {"input_tokens": 150, "output_tokens": 40, "cost_usd": 0.0123},
               "Invalid API key · Please run /login"),
    "aider": (["--mpm-agent-cmd=@aider --model gpt-4o"],
              {"input_tokens": 1200, "output_tokens": 345, "cost_usd": 0.005},
              "litellm.AuthenticationError: OpenAIException - Incorrect API key provided"),
    "codex": (["--mpm-agent-cmd=@codex", "-o", "mpm_prices=*:2:8"],
              {"input_tokens": 500, "output_tokens": 80, "cost_usd": 0.00164},
              "unexpected status 401 Unauthorized"),
    "gemini": (["--mpm-agent-cmd=@gemini", "-o",
                "mpm_prices=gpt-4o:9:9 gemini-2.5-pro:1.25:10"],
               {"input_tokens": 200, "output_tokens": 60, "cost_usd": 0.00085},
               "GEMINI_API_KEY"),
}


@pytest.fixture
def standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The stand-ins first on PATH; returns the log of their calls."""
    agent_standins.install(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("STANDIN_LOG", str(log))
    return log


def _bench(pytester: pytest.Pytester, suite: Path, *args: str) -> tuple[pytest.RunResult,
                                                                        dict[str, Any]]:
    report = pytester.path / "report.json"
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(suite), "--mpm-report", str(report),
        "--mpm-scoring", "v1", "--mpm-cache-dir", str(pytester.path / "cache"),
        "-p", "no:cacheprovider", *args)
    return result, (json.loads(report.read_text()) if report.exists() else {})


def _suite_beside_ini(pytester: pytest.Pytester, *cases: dict[str, Any]) -> Path:
    """A suite under pytester's dir, so that its ini file applies (the rootdir follows it)."""
    path = pytester.path / "suites" / "mini.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(make_suite(*cases)))
    return path


def _assert_only_the_task(call: dict[str, Any], suite: Path) -> None:
    """The agent ran in a dir holding only the task, and nothing it got names the suite or
    holds a hidden test."""
    assert list(call["files"]) == ["task.md"] and call["files"]["task.md"] == call["task"]
    assert Path(call["cwd"]).resolve() != Path.cwd().resolve()
    given = [*call["argv"], *call["env"].values(), call["task"], call["cwd"]]
    for secret in (str(suite), str(suite.parent), suite.name, *HIDDEN):
        assert not [g for g in given if secret in g], f"{secret!r} reached the agent"
    assert call["env"]["PWD"] == call["cwd"]


# --- each tool's output, read -------------------------------------------------------------

def test_claude_code_json_gives_answer_usage_cost_and_model() -> None:
    out = json.dumps({"type": "result", "subtype": "success", "is_error": False,
                      "result": "```python\nx = 1\n```", "total_cost_usd": 0.5,
                      "usage": {"input_tokens": 10, "cache_read_input_tokens": 5,
                                "output_tokens": 7}, "modelUsage": {"claude-opus-4": {}}})
    parsed = claude_code.read(out)
    assert (parsed.text, parsed.usage, parsed.model, parsed.fault) == (
        "```python\nx = 1\n```", Usage(15, 7, 0.5), "claude-opus-4", "")
    broken = claude_code.read("error: unknown option '--output-format'\n")
    assert broken.fault == ("claude printed no JSON although --output-format json asked for it: "
                            "error: unknown option '--output-format'")
    flagged = claude_code.read(json.dumps({"subtype": "error_max_turns", "is_error": True}))
    assert flagged.fault == "claude reported an error (error_max_turns)"


def test_aider_token_lines_are_summed_over_its_calls() -> None:
    out = ("Model: claude-3-5-sonnet with whole edit format\n```python\nx = 1\n```\n"
           "Tokens: 12k sent, 1.5k cache write, 133 received. Cost: $0.04 message, $0.10 "
           "session.\nTokens: 2.5k sent, 1k received.\n")
    parsed = aider.read(out)
    assert parsed.usage == Usage(14_500, 1_133, 0.04) and parsed.model == "claude-3-5-sonnet"
    assert aider.read("no usage line").usage == Usage()


def test_codex_events_give_the_last_message_and_summed_usage() -> None:
    events = [{"type": "item.completed", "item": {"type": "agent_message", "text": "draft"}},
              {"type": "turn.completed", "usage": {"input_tokens": 3, "output_tokens": 1}},
              {"type": "item.completed", "item": {"type": "agent_message", "text": "final"}},
              {"type": "turn.completed", "usage": {"input_tokens": 4, "output_tokens": 2}}]
    parsed = codex.read("progress line\n" + "\n".join(json.dumps(e) for e in events))
    assert (parsed.text, parsed.usage, parsed.fault) == ("final", Usage(7, 3), "")
    assert codex.read("Not logged in\n").fault.endswith("asked for them: Not logged in")
    failed = codex.read(json.dumps({"type": "turn.failed", "error": {"message": "quota\nmore"}}))
    assert failed.fault == "codex reported an error: quota"


def test_gemini_json_sums_the_models_and_reads_errors() -> None:
    tokens = {"prompt": 10, "candidates": 4, "thoughts": 1}
    parsed = gemini.read(json.dumps({"response": "hi", "stats": {"models": {
        "gemini-2.5-pro": {"tokens": tokens}, "gemini-2.5-flash": {"tokens": tokens}}}}))
    assert (parsed.text, parsed.usage, parsed.model) == ("hi", Usage(20, 10), "gemini-2.5-pro")
    assert gemini.read(json.dumps({"error": {"message": "quota exceeded"}})).fault == (
        "gemini reported an error: quota exceeded")
    assert "printed no JSON" in gemini.read("Loaded cached credentials.\n").fault
    assert gemini.read("[1, 2]").fault == "gemini printed JSON but not a result object"


def test_failure_lines_are_the_tools_not_prose() -> None:
    assert CLAUDE_MPM.failure_in("starting\n❌ Error: no session\n") == "❌ Error: no session"
    assert CLAUDE_MPM.failure_in("Claude CLI not found") == "Claude CLI not found"
    assert CLAUDE_MPM.failure_in("Error handling in Python uses try/except.") == ""
    assert CUSTOM.failure_in("Error: the model thinks this is impossible") == ""


def test_prices_parse_and_price() -> None:
    prices = parse_prices("gpt-4o:2.5:10, qwen2.5-coder:7b:0:0 *:1:2")
    assert prices.rates == {"gpt-4o": (2.5, 10.0), "qwen2.5-coder:7b": (0.0, 0.0),
                            "*": (1.0, 2.0)}
    assert prices.price(Usage(1_000_000, 100_000), "gpt-4o").cost_usd == 3.5
    assert prices.price(Usage(1_000_000, 0), "other").cost_usd == 1.0
    assert prices.price(Usage(1, 1, 0.25), "gpt-4o").cost_usd == 0.25  # the tool's own figure
    assert prices.price(Usage(None, 1), "gpt-4o").cost_usd is None
    for bad in ("gpt-4o:2.5", "gpt-4o:x:1", ":1:2", "m:-1:2"):
        with pytest.raises(PricesError, match="model:in_per_mtok:out_per_mtok"):
            parse_prices(bad)


def test_adapter_names_templates_and_precedence() -> None:
    adapter, template = resolve("@claude-code --model opus", "aider")
    assert adapter is claude_code.ADAPTER
    assert template == "claude -p --output-format json --model opus"
    assert resolve(None, "codex")[0] is codex.ADAPTER  # ini mpm_agent_adapter, without "@"
    assert resolve("my-agent {task_file}", "codex") == (CUSTOM, "my-agent {task_file}")
    assert resolve(None, None)[0] is CLAUDE_MPM
    with pytest.raises(UnknownAdapter, match=r"'@claud': use one of @claude-mpm, @claude-code, "
                                             r"@aider, @codex, @gemini, @openai-compatible"):
        resolve("@claud", None)


# --- end to end ---------------------------------------------------------------------------

@pytest.mark.parametrize("tool", list(ADAPTERS))
def test_adapter_answers_are_judged_with_usage_and_only_the_task_reaches_the_agent(
        pytester: pytest.Pytester, write_suite, standins: Path, tool: str) -> None:  # type: ignore[no-untyped-def]
    args, usage, _ = ADAPTERS[tool]
    suite = write_suite(make_suite(make_case("c1"), make_case("c2")))
    result, report = _bench(pytester, suite, *args)
    result.assert_outcomes(passed=2)
    for r in report["results"]:
        assert r["usage"] == usage and r["tries"][0]["usage"] == usage
    agent = report["summary"]["agents"]["py_agent"]
    cost = None if usage["cost_usd"] is None else round(2 * usage["cost_usd"], 6)
    assert (agent["input_tokens"], agent["cost_usd"]) == (
        None if usage["input_tokens"] is None else 2 * usage["input_tokens"], cost)
    assert agent["cost_per_solved"] == (None if cost is None else round(cost / 2, 6))
    assert agent["agent_seconds"] > 0 and agent["not_working"] is None
    calls = agent_standins.calls(standins)
    assert [c["tool"] for c in calls] == [tool] * 3  # the preflight, then the two cases
    assert calls[0]["task"] == preflight.TASK
    for call in calls:
        _assert_only_the_task(call, suite)


@pytest.mark.parametrize("tool", list(ADAPTERS))
def test_a_tool_that_cannot_work_stops_the_session_at_the_preflight(
        pytester: pytest.Pytester, write_suite, standins: Path, tool: str,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    args, _, says = ADAPTERS[tool]
    monkeypatch.setenv("STANDIN_MODE", "broken")
    suite = write_suite(make_suite(make_case("c1"), make_case("c2")))
    result, _ = _bench(pytester, suite, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    (line,) = [ln for ln in result.stderr.lines if ln.strip()]
    assert line.startswith("ERROR: agent preflight failed: ") and says in line
    assert line.endswith("skip this check with --no-mpm-preflight")
    assert len(agent_standins.calls(standins)) == 1  # one call, not one per case


def test_without_preflight_a_broken_tool_is_agent_error_and_the_summary_says_so(
        pytester: pytest.Pytester, write_suite, standins: Path,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch, workers: list[str]) -> None:
    monkeypatch.setenv("STANDIN_MODE", "broken")
    suite = write_suite(make_suite(make_case("c1"), make_case("c2"), make_case("c3")))
    result, report = _bench(pytester, suite, "--no-mpm-preflight", *workers)
    result.assert_outcomes(failed=3)
    assert {(r["status"], r["message"], r["agent_said"]) for r in report["results"]} == {
        ("agent_error", "the agent failed: Claude CLI not found", "Claude CLI not found")}
    assert report["summary"]["agents"]["py_agent"]["not_working"] == "Claude CLI not found"
    result.stdout.fnmatch_lines([
        "WARNING: py_agent: the agent is probably not working: all 3 replies were the same "
        "text without code: 'Claude CLI not found'"])
    assert not (pytester.path / "cache").exists()  # a failed answer is never cached


def test_prose_without_code_stays_the_models_no_code(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                                     tmp_path: Path) -> None:
    agent = tmp_path / "prose.py"
    agent.write_text("import sys\nprint(f'I would rather not write {sys.argv[1]}.')\n")
    suite = write_suite(make_suite(make_case("c1"), make_case("c2")))
    result, report = _bench(pytester, suite, "--no-mpm-preflight", "--mpm-agent-cmd",
                            f"{sys.executable} {agent} {{test_id}}")
    result.assert_outcomes(failed=2)
    assert [(r["status"], r["agent_said"]) for r in report["results"]] == [
        ("no_code", "I would rather not write c1."), ("no_code", "I would rather not write c2.")]
    assert report["summary"]["agents"]["py_agent"]["not_working"] is None
    assert "probably not working" not in result.stdout.str()


def test_an_empty_answer_is_the_agents_error(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                             tmp_path: Path) -> None:
    agent = tmp_path / "mute.py"
    agent.write_text("import sys\nsys.stderr.write('warming up\\n')\n")
    suite = write_suite(make_suite(make_case("c1")))
    result, report = _bench(pytester, suite, "--no-mpm-preflight", "--mpm-agent-cmd",
                            f"{sys.executable} {agent}")
    result.assert_outcomes(failed=1)
    (only,) = report["results"]
    assert (only["status"], only["message"], only["agent_said"]) == (
        "agent_error", "the agent failed: the agent printed nothing on stdout; stderr: warming up",
        "warming up")


def test_preflight_is_skipped_cached_and_run_once_under_xdist(
        pytester: pytest.Pytester, standins: Path) -> None:
    suite = _suite_beside_ini(pytester, make_case("c1"), make_case("c2"))
    pytester.makeini("[pytest]\nmpm_preflight = false\n")
    _bench(pytester, suite, "--mpm-no-cache")[0].assert_outcomes(passed=2)
    assert [c["task"] == preflight.TASK for c in agent_standins.calls(standins)] == [False] * 2
    standins.unlink()
    # --mpm-preflight beats the ini; under -n 2 only the controller asks, once.
    _bench(pytester, suite, "--mpm-preflight", "-n", "2")[0].assert_outcomes(passed=2)
    assert sorted(c["task"] == preflight.TASK for c in agent_standins.calls(standins)) == [
        False, False, True]
    standins.unlink()
    _bench(pytester, suite, "--mpm-preflight")[0].assert_outcomes(passed=2)
    assert not standins.exists()  # preflight and cases came from the cache: no call at all
    _bench(pytester, suite, "--collect-only", "--mpm-refresh", "--mpm-preflight")
    assert not standins.exists()  # collecting asks the agent nothing


def test_ini_adapter_picks_the_tool_and_unknown_names_are_one_line(
        pytester: pytest.Pytester, standins: Path) -> None:
    suite = _suite_beside_ini(pytester, make_case("c1"))
    pytester.makeini("[pytest]\nmpm_agent_adapter = gemini\n")
    _bench(pytester, suite)[0].assert_outcomes(passed=1)
    assert {c["tool"] for c in agent_standins.calls(standins)} == {"gemini"}
    result, _ = _bench(pytester, suite, "--mpm-agent-cmd=@gpt")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown agent adapter '@gpt': use one of @claude-mpm, "
                                 "@claude-code, @aider, @codex, @gemini, @openai-compatible, "
                                 "or a command template such as 'my-agent {task_file}'"])
    result, _ = _bench(pytester, suite, "-o", "mpm_prices=gpt-4o:cheap:1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: ini mpm_prices: 'gpt-4o:cheap:1' is not *"])


def test_cost_reaches_the_comparison_and_the_dashboard(
        pytester: pytest.Pytester, write_suite, standins: Path, workers: list[str]) -> None:  # type: ignore[no-untyped-def]
    suite = write_suite(make_suite(make_case("c1"), make_case("c2")))
    base = pytester.path / "base.json"
    first = pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(suite), "--mpm-report", str(base),
        "--mpm-scoring", "v1", "--mpm-no-cache", "--mpm-agent-cmd=@claude-code", *workers)
    first.assert_outcomes(passed=2)
    page = pytester.path / "page.html"
    result, report = _bench(pytester, suite, "--mpm-agent-cmd=@gemini", "-o",
                            "mpm_prices=gemini-2.5-pro:1.25:10", "--mpm-compare", str(base),
                            "--mpm-html", str(page), *workers)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "py_agent: weighted *",
        "  cost $0.0246 -> $0.0017 (-$0.0229); tokens in 300 -> 400 (+100); tokens out 80 -> "
        "120 (+40); agent time * s -> * s (* s)"])
    dashboard = parse_html(page.read_text())
    row = dashboard.find("table", id="leaderboard").find("tr", data_agent="py_agent")
    cells = {td.attrs["data-key"]: td for td in row.find_all("td") if td.attrs.get("data-key")}
    assert cells["cost_per_solved"].text() == "$0.00085"
    assert json.loads(cells["cost_per_solved"].attrs["data-value"] or "") == 0.00085
    assert (cells["cost_usd"].text(), cells["input_tokens"].text(),
            cells["output_tokens"].text()) == ("$0.0017", "400", "120")
    spent = dashboard.find("section", id="comparison").find("p", class_="spending").text()
    assert spent.startswith("cost $0.0246 -> $0.0017 (-$0.0229)")
    assert report["summary"]["agents"]["py_agent"]["cost_per_solved"] == 0.00085
