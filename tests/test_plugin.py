"""End to end through pytester: collection, backends, failures, summary and reports."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench.observe import analysers
from tests.helpers import bench, make_case, make_suite, parse_html, replies

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

WRONG = "def add(a, b):\n    return a + b if a < 10**6 else 0\n"
TWO_CASES = make_suite(make_case("c1"), make_case("c2", name="Add again"))


def test_nothing_is_collected_without_mpm_agent(pytester: pytest.Pytester, write_suite) -> None:  # type: ignore[no-untyped-def]
    suite = write_suite(TWO_CASES)
    pytester.makepyfile(test_plain="def test_ok():\n    pass\n")
    result = pytester.runpytest_subprocess(str(suite.parent), "test_plain.py")
    result.assert_outcomes(passed=1)


def test_reference_backend_passes_and_reports(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                              workers: list[str]) -> None:
    suite = write_suite(TWO_CASES)
    report = pytester.path / "out" / "report.json"
    result = bench(pytester, suite, "--mpm-backend", "reference", "--mpm-report", str(report),
                   "--junitxml", "junit.xml", "--json-report",
                   "--json-report-file", "pjr.json", *workers)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*mpm-bench summary*", "py_agent * 2 * 2 * 100%*easy 2/2*"])
    data = json.loads(report.read_text())
    assert data["schema"] == "pytest-mpm-bench/report/1" and data["complete"] is True
    assert [r["test_id"] for r in data["results"]] == ["c1", "c2"]
    first = data["results"][0]
    assert first["status"] == "passed" and first["dimensions"]["correctness"] == 10.0
    assert first["scoring"] == "v2" and first["evidence"]["performance"][0]["tool"] == "cpu-time"
    assert first["sandbox"]["level"] == data["environment"]["sandbox"]
    assert data["summary"]["agents"]["py_agent"]["passed"] == 2
    env = data["environment"]
    assert env["toolchains"]["python"].startswith("Python 3")
    assert list(env["suites"]) == [str(suite.resolve())] and len(env["suites_sha256"]) == 64
    junit = (pytester.path / "junit.xml").read_text()
    assert '<property name="mpm_status" value="passed"' in junit
    assert '<property name="mpm_weighted_score"' in junit
    pjr = json.loads((pytester.path / "pjr.json").read_text())
    props = dict(next(t for t in pjr["tests"] if t["nodeid"].endswith("c1"))["user_properties"][i]
                 .popitem() for i in range(9))
    assert props["mpm_agent"] == "py_agent" and props["mpm_correctness"] == 10.0


def _stable(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(r["test_id"], r["status"], r["dimensions"]["correctness"], r["solution"],
             [t["passed"] for t in r["execution_details"]["test_results"]])
            for r in report["results"]]


def test_xdist_gives_the_same_results_as_a_serial_run(pytester: pytest.Pytester,  # type: ignore[no-untyped-def]
                                                      write_suite, tmp_path: Path) -> None:
    suite = write_suite(TWO_CASES)
    root = replies(tmp_path, c1=WRONG, c2="def add(a, b):\n    return a + b\n")
    reports = []
    for extra in ([], ["-n", "2"]):
        out = tmp_path / f"report{len(reports)}.json"
        bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(root),
              "--mpm-report", str(out), *extra).assert_outcomes(passed=1, failed=1)
        reports.append(json.loads(out.read_text()))
    assert _stable(reports[0]) == _stable(reports[1])
    for key in ("tests", "passed", "pass_rate"):
        assert (reports[0]["summary"]["agents"]["py_agent"][key]
                == reports[1]["summary"]["agents"]["py_agent"][key])


def test_failure_is_one_readable_screen(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                        tmp_path: Path) -> None:
    suite = write_suite(TWO_CASES)
    root = replies(tmp_path, c1=WRONG + "import sys\nsys.stderr.write('debug line')\n",
                   c2="def add(a, b):\n    return a + b\n")
    result = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(root))
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*py_agent / c1: wrong_answer — 1 of 3 tests failed*",
        "*first failing test: #3 (hidden, wrong_answer)*",
        "*input:    {\"args\": [[]1000000000000, 1[]]}*",
        "*expected: 1000000000001*",
        "*actual:   0*",
        "*debug line*",
    ])
    assert "Traceback" not in result.stdout.str()
    assert "pytest_mpm_bench" not in result.stdout.str()


def test_replay_without_recording_skips_and_no_code_fails(pytester: pytest.Pytester,  # type: ignore[no-untyped-def]
                                                          write_suite, tmp_path: Path) -> None:
    suite = write_suite(TWO_CASES)
    root = replies(tmp_path)
    (root / "py_agent" / "c1.md").write_text("Sorry, I can't do that.")
    result = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(root),
                   "-rs")
    result.assert_outcomes(failed=1, skipped=1)
    result.stdout.fnmatch_lines(["*c1: no_code*", "SKIPPED*no recorded reply at*c2.md*"])


def test_command_backend_end_to_end(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                    tmp_path: Path) -> None:
    suite = write_suite(TWO_CASES)
    agent = tmp_path / "agent.py"
    agent.write_text(
        "import sys, time\n"
        "task = sys.stdin.read()\n"
        "if sys.argv[1] == 'c2':\n    time.sleep(30)\n"
        "print('```python\\ndef add(a, b):\\n    return a + b\\n```')\n")
    result = bench(pytester, suite, "--mpm-agent-cmd", f"{sys.executable} {agent} {{test_id}}",
                   "--mpm-agent-timeout", "1")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*c2: agent_timeout — the agent gave no answer within 1 s*"])


@pytest.mark.parametrize(("args", "message"), [
    (["--mpm-agent", "nope", "--mpm-backend", "reference"], "*unknown agent 'nope'*py_agent*"),
    (["--mpm-agent", "py_agent"], "*agent command 'claude-mpm' is not on PATH*"),
    (["--mpm-agent", "py_agent", "--mpm-backend", "replay"], "*needs --mpm-replay-dir*"),
    (["--mpm-agent", "py_agent", "--mpm-samples", "zero"],
     "*--mpm-samples*must be a whole number*"),
    (["--mpm-agent", "py_agent", "--mpm-backend", "reference", "--mpm-tries", "0"],
     "ERROR: --mpm-tries (ini mpm_tries) must be at least 1, got '0'"),
    (["--mpm-agent", "py_agent", "--mpm-backend", "reference", "--mpm-tries", "1.5"],
     "ERROR: --mpm-tries (ini mpm_tries) must be a whole number, got '1.5'"),
    (["--mpm-agent", "py_agent", "--mpm-backend", "reference", "-o", "mpm_tries=two"],
     "ERROR: --mpm-tries (ini mpm_tries) must be a whole number, got 'two'"),
    (["--mpm-agent", "py_agent", "--mpm-sandbox", "docker"], "*--mpm-sandbox must be one of*"),
])
def test_bad_usage_is_one_line(pytester: pytest.Pytester, write_suite, args: list[str],  # type: ignore[no-untyped-def]
                               message: str) -> None:
    suite = write_suite(TWO_CASES)
    result = pytester.runpytest_subprocess("--mpm-suite", str(suite), *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_help_lists_every_option(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*--mpm-tries=MPM_TRIES*", "*95% bootstrap interval*",
                                 "*mpm_tries (string):*"])


def test_malformed_suite_is_a_collection_error_naming_the_fix(pytester: pytest.Pytester,  # type: ignore[no-untyped-def]
                                                              write_suite) -> None:
    bad = make_suite(make_case(test_cases=[{"args": [1, 2], "expected": 3}]))
    suite = write_suite(bad)
    result = bench(pytester, suite, "--mpm-backend", "reference")
    result.assert_outcomes(errors=1)
    assert (f"malformed suite: {suite}: at $.tests[0].test_cases: case 'c1' has no hidden test. "
            "Fix: mark at least one test case \"hidden\": true") in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_version_1_prose_case_skips_with_reason(pytester: pytest.Pytester,  # type: ignore[no-untyped-def]
                                                write_suite) -> None:
    v1 = {"agent_id": "py_agent", "language": "python", "version": "1.0.0", "tests": [
        {"id": "rl", "signature": "class RateLimiter:", "test_cases": [
            {"input": "RateLimiter(3, 60)", "expected": "True, True, True, False"}]}]}
    result = bench(pytester, write_suite(v1), "--mpm-backend", "reference", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*test case 1 is prose, not data*"])


def test_samples_and_min_score(pytester: pytest.Pytester, write_suite) -> None:  # type: ignore[no-untyped-def]
    suite = write_suite(make_suite(make_case("c1")))
    result = bench(pytester, suite, "--mpm-backend", "reference", "--mpm-samples", "3",
                   "--mpm-min-score", "9.9", "-v")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["*mini.json::c1[[]s0[]] FAILED*", "*mini.json::c1[[]s2[]] FAILED*",
                                 "*weighted score * < --mpm-min-score 9.9*",
                                 "py_agent: pass@1 1.00  pass@3 1.00  pass^1 1.00  pass^3 1.00; "
                                 "flaky cases: none"])


def test_items_get_a_pytest_timeout(pytester: pytest.Pytester, write_suite) -> None:  # type: ignore[no-untyped-def]
    suite = write_suite(TWO_CASES)
    items, _ = pytester.inline_genitems("--mpm-agent", "py_agent", "--mpm-suite", str(suite),
                                        "--mpm-backend", "reference", "--mpm-agent-timeout", "7",
                                        "--mpm-exec-timeout", "2")
    assert [i.name for i in items] == ["c1", "c2"]
    marker = items[0].get_closest_marker("timeout")
    tools = len(analysers.for_language("python")) * analysers.TIMEOUT  # sandboxed, each limited
    assert marker is not None and marker.args == ((7 + tools + 4 * 2) + tools + 60,)


def test_item_timeout_covers_every_try_and_agent_retry(pytester: pytest.Pytester,  # type: ignore[no-untyped-def]
                                                       write_suite) -> None:
    items, _ = pytester.inline_genitems(
        "--mpm-agent", "py_agent", "--mpm-suite", str(write_suite(TWO_CASES)), "--mpm-backend",
        "reference", "--mpm-agent-timeout", "7", "--mpm-exec-timeout", "2", "--mpm-tries", "3",
        "--mpm-agent-retries", "2", "-o", "mpm_retry_backoff=1")
    marker = items[0].get_closest_marker("timeout")
    tools = len(analysers.for_language("python")) * analysers.TIMEOUT
    per_try = 3 * 7 + (1 + 2) + tools + 4 * 2  # three agent calls, their backoff, the runs
    assert marker is not None and marker.args == (3 * per_try + tools + 60,)


def test_a_conftest_adds_a_dimension(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                     tmp_path: Path) -> None:
    suite = write_suite(TWO_CASES)
    root = replies(tmp_path, c1="def add(a, b):\n    return eval(f'{a} + {b}')\n",
                   c2="def add(a, b):\n    return a + b\n")
    pytester.makepyfile(security_dimension=(
        "def pytest_mpm_bench_dimensions(case, solution, outcome):\n"
        "    risky = [w for w in ('eval(', 'exec(') if w in solution]\n"
        "    return [{'name': 'security', 'score': 10.0 - 5 * len(risky), 'weight': 0.1,\n"
        "             'evidence': [{'tool': 'grep', 'message': f'uses {w}'} for w in risky]}]\n"))
    report = tmp_path / "report.json"
    bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(root),
          "--mpm-report", str(report), "-p", "security_dimension",
          "-o", "mpm_weights=correctness:0.9").assert_outcomes(passed=2)
    c1, c2 = json.loads(report.read_text())["results"]
    assert (c1["dimensions"]["security"], c2["dimensions"]["security"]) == (5.0, 10.0)
    assert c1["evidence"]["security"] == [{"tool": "grep", "message": "uses eval("}]
    assert c1["weighted_score"] == round(0.9 * 10.0 + 0.1 * 5.0, 2)
    assert c2["weighted_score"] == 10.0


IDIOMATIC_ADD = ('def add(a: int, b: int) -> int:\n    """Sum of a and b."""\n'
                 "    # plain addition\n    return a + b\n")


def test_regression_gate(pytester: pytest.Pytester, write_suite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    suite = write_suite(TWO_CASES)
    style_only = ["--mpm-scoring", "v1", "-o", "mpm_weights=idiomaticity:0.5 best_practices:0.5"]
    good = replies(tmp_path / "good", c1=IDIOMATIC_ADD, c2=IDIOMATIC_ADD)
    baseline = tmp_path / "baseline.json"
    bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(good),
          "--mpm-report", str(baseline), *style_only).assert_outcomes(passed=2)

    same = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(good),
                 "--mpm-compare", str(baseline), "--mpm-fail-regression", "0.5", *style_only)
    assert same.ret == 0
    same.stdout.fnmatch_lines(["*py_agent: weighted +0.00 (95% CI +0.00 .. +0.00) over 2 cases*"])

    plain = replies(tmp_path / "plain", c1="def add(a,b):\n    return a+b\n",
                    c2="def add(a,b):\n    return a+b\n")
    worse = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(plain),
                  "--mpm-compare", str(baseline), "--mpm-fail-regression", "0.5", *style_only)
    worse.assert_outcomes(passed=2)
    assert worse.ret == pytest.ExitCode.TESTS_FAILED
    worse.stdout.fnmatch_lines(["*REGRESSION: py_agent: weighted score dropped by 1.25 (> 0.5)*"])

    broken = replies(tmp_path / "broken", c1=WRONG, c2=IDIOMATIC_ADD)
    regressed = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(broken),
                      "--mpm-compare", str(baseline), "--mpm-fail-regression", "5", *style_only)
    regressed.stdout.fnmatch_lines(["*regressed (passed before): c1*",
                                    "*REGRESSION: py_agent: passed in the baseline, fail now: c1*"])


def test_a_case_without_a_result_is_not_a_pass_of_the_gate(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, write_suite, tmp_path: Path) -> None:
    suite = write_suite(TWO_CASES)
    v1 = ["--mpm-scoring", "v1"]
    good = replies(tmp_path / "good", c1=IDIOMATIC_ADD, c2=IDIOMATIC_ADD)
    baseline = tmp_path / "baseline.json"
    bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(good),
          "--mpm-report", str(baseline), *v1).assert_outcomes(passed=2)
    gate = ["--mpm-compare", str(baseline), "--mpm-fail-regression", "5", *v1]
    # A complete run of part of the suite (-k): the rest is named, and the gate holds.
    part = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(good),
                 "-k", "c1", *gate)
    assert part.ret == 0
    part.stdout.fnmatch_lines(["*not in this run: 1 of the baseline's cases (1 passed there): c2"])
    # A run that stopped early (-x after c1 failed): c2 has no result and may hide a regression.
    broken = replies(tmp_path / "broken", c1=WRONG, c2=IDIOMATIC_ADD)
    stopped = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir",
                    str(broken), "-x", *gate)
    assert stopped.ret == pytest.ExitCode.TESTS_FAILED
    stopped.stdout.fnmatch_lines([
        "*REGRESSION: py_agent: passed in the baseline, no result now (this run is "
        "incomplete): c2*",
        "*REGRESSION: py_agent: passed in the baseline, fail now: c1*"])


def test_comparison_names_what_changed_besides_the_agent(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, write_suite, tmp_path: Path) -> None:
    suite = write_suite(TWO_CASES)
    baseline = tmp_path / "baseline.json"
    bench(pytester, suite, "--mpm-backend", "reference",
          "--mpm-report", str(baseline)).assert_outcomes(passed=2)
    data = json.loads(baseline.read_text())
    assert set(data["environment"]["analysers"]) == {"ruff", "bandit", "lizard"}
    ruff = data["environment"]["analysers"]["ruff"]
    assert ruff.startswith("ruff ")
    same = bench(pytester, suite, "--mpm-backend", "reference", "--mpm-compare", str(baseline))
    assert "besides the agent" not in same.stdout.str()

    data["environment"]["analysers"]["ruff"] = "ruff 0.0.1"
    baseline.write_text(json.dumps(data))
    write_suite(make_suite(make_case("c1"), make_case("c2", name="Add, edited")))
    moved = bench(pytester, suite, "--mpm-backend", "reference", "--mpm-compare", str(baseline),
                  "--mpm-html", "page.html")
    changes = [f"ruff: ruff 0.0.1 -> {ruff}", "suite mini.json: edited"]
    moved.stdout.fnmatch_lines(["*py_agent: weighted * over 2 cases*",
                                "changed since the baseline besides the agent (scores may move "
                                f"with it): {'; '.join(changes)}"])
    page = parse_html((pytester.path / "page.html").read_text())
    found = page.find("div", class_="env-changes").find_all("li")
    assert [li.text() for li in found] == changes


def test_doctor_lists_languages_analysers_and_sandbox(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--mpm-doctor", "-p", "no:cacheprovider")
    out = result.stdout.str()
    for language in ("python", "go", "java", "rust", "javascript", "typescript", "php", "ruby"):
        assert any(line.startswith(language + " ") for line in out.splitlines()), language
    assert "  ruff (idiomaticity, best_practices)" in out and "  bandit (best_practices)" in out
    assert "sandbox auto" in out
    result.stdout.fnmatch_lines(["agent @claude-code * missing: claude (install: npm install -g "
                                 "@anthropic-ai/claude-code*",
                                 "agent @openai-compatible * an HTTP endpoint*"])
    assert "Traceback" not in out and "collected" not in out


def test_missing_toolchains_skip_in_setup_with_the_install_command(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, write_suite, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A PATH with everything this machine has except ruby; node packages pointed nowhere.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        for entry in Path(directory).glob("*") if Path(directory).is_dir() else []:
            target = bin_dir / entry.name
            if not entry.name.startswith("ruby") and not target.exists():
                target.symlink_to(entry)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("MPM_NODE_MODULES", str(tmp_path / "nowhere"))
    ruby = make_suite(make_case(signature="def add(a, b)",
                                reference_solution="def add(a, b) = a + b\n"),
                      agent="rb_agent", language="ruby")
    ts = make_suite(make_case(signature="function add(a: number, b: number): number",
                              reference_solution="const add = (a: number, b: number) => a + b;\n"),
                    agent="ts_agent", language="typescript")
    suites = [write_suite(ruby, "ruby"), write_suite(ts, "ts")]
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "all", *(f"--mpm-suite={s}" for s in suites), "--mpm-backend", "reference",
        "-p", "no:cacheprovider", "-rs", "-n", "2")
    result.assert_outcomes(skipped=2)
    for line in ("*ruby toolchain missing (ruby not on PATH*install it with: "
                 "scripts/install-toolchains ruby*",
                 "*typescript toolchain missing (node packages not installed*"
                 "install them with: scripts/install-toolchains node*"):
        result.stdout.fnmatch_lines([line])


def test_failure_view_shows_the_evidence_behind_lost_points(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, write_suite, tmp_path: Path) -> None:
    linty = ('import subprocess\n\n\ndef add(a: int, b: int) -> int:\n    """Add."""\n'
             '    subprocess.call("true", shell=True)\n    return a + b\n')
    suite = write_suite(make_suite(make_case("c1")))
    result = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir",
                   str(replies(tmp_path, c1=linty)), "--mpm-min-score", "9.5")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*weighted score * < --mpm-min-score 9.5*",
                                 "points lost (evidence):",
                                 "  best_practices: bandit B602 line 6: * (-*)",
                                 "  performance: cpu-time ratio * vs the reference *"],
                                consecutive=False)
