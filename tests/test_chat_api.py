"""``@openai-compatible``: the task POSTed to a local stand-in of an OpenAI-compatible server
(http.server on 127.0.0.1), its usage read and priced, and each way a server fails."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench.agents import AgentRequest
from pytest_mpm_bench.agents.chat_api import ChatBackend, Endpoint
from pytest_mpm_bench.agents.usage import Usage, parse_prices
from pytest_mpm_bench.languages import known_languages
from pytest_mpm_bench.suite import load_suite
from pytest_mpm_bench.task import render_task
from tests.agent_standins import ANSWER
from tests.helpers import make_case, make_suite

MODEL = "qwen2.5-coder:7b"


class Server:
    """What the stand-in server answers (``mode``) and every request it got."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        self.url = ""


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            server.requests.append({"path": self.path, "headers": dict(self.headers),
                                    "body": json.loads(self.rfile.read(length))})
            if server.mode == "ok":
                self._send(200, json.dumps({
                    "id": "c1", "object": "chat.completion", "model": f"{MODEL}-instruct",
                    "choices": [{"index": 0, "message": {"role": "assistant",
                                                         "content": ANSWER}}],
                    "usage": {"prompt_tokens": 120, "completion_tokens": 30,
                              "total_tokens": 150}}).encode())
            elif server.mode == "401":
                self._send(401, json.dumps({"error": {
                    "message": "Incorrect API key provided: sk-bad.",
                    "type": "invalid_request_error"}}).encode())
            elif server.mode == "malformed":
                self._send(200, b"<html>upstream gateway hiccup</html>")
            elif server.mode == "no-message":
                self._send(200, json.dumps({"choices": [], "error": "model not loaded"}).encode())
            elif server.mode == "slow":
                time.sleep(3)
                self._send(200, b"{}")

    return Handler


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def request_(write_suite) -> AgentRequest:  # type: ignore[no-untyped-def]
    case = load_suite(write_suite(make_suite()), known_languages()).cases[0]
    return AgentRequest(case, "py_agent", render_task(case), 0, case.id, timeout=0.5)


def test_the_task_is_posted_and_usage_read_and_priced(server: Server, request_: AgentRequest,
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", "sk-test")
    backend = ChatBackend(Endpoint(server.url + "/", MODEL, "MY_KEY"),
                          parse_prices(f"{MODEL}:1:4"))
    backend.check()
    reply = backend.ask(request_, tmp_path)
    assert (reply.status, reply.text, reply.fault) == ("ok", ANSWER, "")
    # The server names a variant of the model; the price of the model asked for applies.
    assert reply.usage == Usage(120, 30, (120 * 1 + 30 * 4) / 1e6)
    (sent,) = server.requests
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer sk-test"
    assert sent["body"] == {"model": MODEL,
                            "messages": [{"role": "user", "content": request_.task}]}


@pytest.mark.parametrize(("mode", "status", "message"), [
    ("401", "agent_error", "HTTP 401 from {url}/chat/completions (is $NO_SUCH_KEY set?): "
                           "Incorrect API key provided: sk-bad."),
    ("malformed", "agent_error", "{url}/chat/completions answered with no JSON: "
                                 "<html>upstream gateway hiccup</html>"),
    ("no-message", "agent_error", "{url}/chat/completions answered without a message: "
                                  "model not loaded"),
    ("slow", "agent_timeout", "the endpoint gave no answer within 0.5 s "
                              "({url}/chat/completions)"),
])
def test_server_failures_are_agent_faults(server: Server, request_: AgentRequest, tmp_path: Path,
                                          mode: str, status: str, message: str) -> None:
    server.mode = mode
    backend = ChatBackend(Endpoint(server.url, MODEL, "NO_SUCH_KEY"))
    started = time.monotonic()
    reply = backend.ask(request_, tmp_path)
    assert (reply.status, reply.message) == (status, message.format(url=server.url))
    assert time.monotonic() - started < 2.5
    assert "Authorization" not in server.requests[0]["headers"]  # no key, none sent


def test_nothing_listening_is_an_agent_error(request_: AgentRequest, tmp_path: Path) -> None:
    reply = ChatBackend(Endpoint("http://127.0.0.1:9/v1", MODEL)).ask(request_, tmp_path)
    assert reply.status == "agent_error"
    assert reply.message.startswith("cannot reach http://127.0.0.1:9/v1/chat/completions: ")


@pytest.mark.parametrize(("ini", "message"), [
    ([], "*@openai-compatible needs ini mpm_openai_base_url*"),
    (["-o", "mpm_openai_base_url=ftp://x"], "*mpm_openai_base_url 'ftp://x' is not an http(s)*"),
    (["-o", "mpm_openai_base_url=http://127.0.0.1:9/v1"], "*needs ini mpm_openai_model*"),
    (["-o", "mpm_openai_base_url=http://127.0.0.1:9/v1", "-o", "mpm_openai_model=m",
      "--mpm-agent-cmd=@openai-compatible --model x"], "*@openai-compatible takes no extra*"),
])
def test_bad_endpoint_settings_are_one_line(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                            ini: list[str], message: str) -> None:
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(write_suite(make_suite())),
        "--mpm-agent-cmd=@openai-compatible", *ini)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])
    assert "Traceback" not in result.stderr.str()


def _bench(pytester: pytest.Pytester, suite: Path, server: Server,
           *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    report = pytester.path / "report.json"
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(suite), "--mpm-report", str(report),
        "--mpm-scoring", "v1", "--mpm-cache-dir", str(pytester.path / "cache"),
        "--mpm-agent-cmd=@openai-compatible", "-o", f"mpm_openai_base_url={server.url}",
        "-o", f"mpm_openai_model={MODEL}", "-p", "no:cacheprovider", *args)
    return result, (json.loads(report.read_text()) if report.exists() else {})


def test_an_endpoint_benchmarks_end_to_end_with_cost_per_solved_case(
        pytester: pytest.Pytester, write_suite, server: Server, workers: list[str]) -> None:  # type: ignore[no-untyped-def]
    suite = write_suite(make_suite(make_case("c1"), make_case("c2")))
    result, report = _bench(pytester, suite, server, "-o", "mpm_prices=*:10:20", *workers)
    result.assert_outcomes(passed=2)
    cost = (120 * 10 + 30 * 20) / 1e6
    assert [r["usage"] for r in report["results"]] == [
        {"input_tokens": 120, "output_tokens": 30, "cost_usd": cost}] * 2
    agent = report["summary"]["agents"]["py_agent"]
    assert (agent["input_tokens"], agent["output_tokens"]) == (240, 60)
    assert agent["cost_usd"] == round(2 * cost, 6) and agent["cost_per_solved"] == cost
    result.stdout.fnmatch_lines(["py_agent * 2 * 2 * 100% * 240 * 60 * $0.0036 * $0.0018 *"])
    assert len(server.requests) == 3  # the preflight, then the two cases, once each
    again, _ = _bench(pytester, suite, server, *workers)
    again.assert_outcomes(passed=2)
    assert len(server.requests) == 3  # the cache answered everything


def test_a_rejected_key_stops_the_session_at_the_preflight(
        pytester: pytest.Pytester, write_suite, server: Server) -> None:  # type: ignore[no-untyped-def]
    server.mode = "401"
    result, _ = _bench(pytester, write_suite(make_suite()), server)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "ERROR: agent preflight failed: 'openai-compatible * qwen2.5-coder:7b' gave no code for "
        "a one-line task (add(a, b) in Python): HTTP 401 from *: Incorrect API key provided: "
        "sk-bad. — fix the agent, or skip this check with --no-mpm-preflight"])
    assert len(server.requests) == 1
