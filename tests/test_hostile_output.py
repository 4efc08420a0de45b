"""THREATS.md rows 30-31: no solution output crashes the harness, loses a result or corrupts a
report; terminal control sequences are shown escaped; a harness fault is a harness_error.

Each hostile solution is a case's reference solution, run by the ``reference`` backend in a
real session (serially and with ``-n 2``); the report, the junit XML, the HTML page and the
terminal are then read as a strict reader would (node's ``JSON.parse`` too).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench import jsonsafe
from pytest_mpm_bench.observe import analysers
from pytest_mpm_bench.observe.run import MAX_DEPTH, MAX_VALUES, parse_records
from pytest_mpm_bench.safetext import printable
from tests.helpers import REPO, make_case, make_suite

RESULT = b'{"type":"result","index":0,"ok":true,"value":%s}\n'
CONTROL = "\x1b]0;pwned\x07\x1b[2K\r1 passed\x08\x9b\u202e"


def _raw(value: bytes) -> str:
    """A solution that writes ``value`` as test 1's record straight onto the channel (fd 3),
    then returns 3 (the driver's own records follow)."""
    return (f"import os\nos.write(3, {RESULT % value!r})\n"
            "def add(a, b):\n    return 3\n")


HOSTILE = {  # case id: (reference solution, status, a phrase of its message)
    "surrogate": ("def add(a, b):\n    return chr(0xD800) + 'x'\n", "wrong_answer", "failed"),
    "nan": ("def add(a, b):\n    return float('nan')\n", "wrong_answer", "failed"),
    "infinity": ("def add(a, b):\n    return [float('inf'), -float('inf')]\n", "wrong_answer",
                 "failed"),
    "bigint": ("import sys\nsys.set_int_max_str_digits(0)\n"
               "def add(a, b):\n    return 10 ** 5000\n", "runtime_error", "1000 digits"),
    "digits": (_raw(b"9" * 5000), "runtime_error", "more than 1000 digits"),
    "nested": (_raw(b"[" * 100_000 + b"]" * 100_000), "runtime_error",
               f"nested more than {MAX_DEPTH} levels"),
    "flood": ("import os\n"
              f"record = {RESULT % b'3'!r}\n"
              "block = record * ((1 << 20) // len(record))\nfor _ in range(60):\n"
              "    os.write(3, block)\n"
              "def add(a, b):\n    return a + b\n", "runtime_error", "too many records"),
    "control": ("import sys\n"
                f"sys.stderr.write({CONTROL!r} + '\\n')\n"
                f"def add(a, b):\n    return {CONTROL!r}\n", "wrong_answer", "failed"),
}
HONEST = "def add(a, b):\n    return a + b\n"
RAW_CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]


def _strict(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"not RFC 8259 JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _node_parses(path: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "node is installed beside the JavaScript toolchain"
    subprocess.run([node, "-e", "JSON.parse(require('fs').readFileSync(process.argv[1], "
                    "'utf8'))", str(path)], check=True, timeout=60)


def _session(pytester: pytest.Pytester, suite: Path, tmp_path: Path, agent: str,
             *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    report = tmp_path / "report.json"
    result = pytester.runpytest_subprocess(
        "--mpm-agent", agent, "--mpm-suite", str(suite), "--mpm-backend", "reference",
        "--mpm-scoring", "v1", "--mpm-report", str(report), "--mpm-html",
        str(tmp_path / "page.html"), "--mpm-history", str(tmp_path / "history.sqlite"),
        "--junitxml", str(tmp_path / "junit.xml"), "-p", "no:cacheprovider", *args)
    text = report.read_bytes().decode("utf-8")  # valid UTF-8, or this raises
    _node_parses(report)
    return result, _strict(text)


def _no_raw_controls(text: str, where: str) -> None:
    raw = sorted({repr(c) for c in text if c in RAW_CONTROL or "\ud800" <= c <= "\udfff"})
    assert not raw, f"{where} holds raw control characters {raw}"


def test_hostile_output_keeps_every_result_and_strict_reports(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, write_suite, tmp_path: Path, workers: list[str]) -> None:
    cases = [make_case(name, reference_solution=code) for name, (code, _, _) in HOSTILE.items()]
    cases.append(make_case("honest", reference_solution=HONEST))
    nan_close = make_case("nan_close", reference_solution=HOSTILE["nan"][0])
    for test in nan_close["test_cases"]:
        test["compare"] = {"float_tolerance": 1e-9}
    suite = write_suite(make_suite(*cases, nan_close))
    result, report = _session(pytester, suite, tmp_path, "py_agent", *workers)

    result.assert_outcomes(passed=1, failed=len(HOSTILE) + 1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    results = {r["test_id"]: r for r in report["results"]}
    assert {name: results[name]["status"] for name in HOSTILE} == {
        name: status for name, (_, status, _) in HOSTILE.items()}
    for name, (_, _, phrase) in HOSTILE.items():
        assert phrase in results[name]["message"], (name, results[name]["message"])
    assert results["honest"]["status"] == "passed"
    assert results["nan_close"]["status"] == "wrong_answer"
    assert report["complete"] is True and report["summary"]["missing"] == 0
    assert report["summary"]["overall"]["harness_errors"] == 0

    # The values a strict reader could not take are written as strings.
    first = {name: results[name]["execution_details"]["test_results"][0]["actual"]
             for name in ("surrogate", "nan", "infinity", "control")}
    assert first == {"surrogate": "\\ud800x", "nan": "NaN", "infinity": ["Infinity", "-Infinity"],
                     "control": CONTROL}
    assert CONTROL in results["control"]["execution_details"]["stderr"]  # the data is kept

    # Where people read it, control characters are escaped.
    out = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in out and "Traceback" not in out
    _no_raw_controls(out, "the terminal")
    assert "\\x1b]0;pwned\\x07\\x1b[2K\\x0d1 passed\\x08\\x9b\\u202e" in out
    assert "\\ud800x" in out
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    _no_raw_controls(junit, "the junit XML")
    tree = ET.fromstring(junit)
    props = {p.get("value") for p in tree.iter("property") if p.get("name") == "mpm_result"}
    assert len(props) == len(HOSTILE) + 2
    assert all(_strict(p)["test_id"] for p in props if p is not None)
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    _no_raw_controls(page, "the HTML page")
    assert "\\x1b]0;pwned" in page

    # The history holds every result as strict JSON too.
    with sqlite3.connect(tmp_path / "history.sqlite") as db:
        stored = [_strict(text) for (text,) in db.execute("SELECT result FROM results")]
    assert len(stored) == len(HOSTILE) + 2


JS_REVERSE = "function reverse(s) {\n  return s.split('').reverse().join('');\n}\n"


def test_javascript_lone_surrogate_answer(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                          tmp_path: Path, workers: list[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPM_NODE_MODULES",
                       os.environ.get("MPM_NODE_MODULES", str(REPO / "node_modules")))
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    case = make_case("js_reverse", name="Reverse", signature="function reverse(s)",
                     entry_point="reverse", reference_solution=JS_REVERSE,
                     test_cases=[{"args": ["ab\U0001F600"], "expected": "\U0001F600ba"},
                                 {"args": ["abc"], "expected": "cba", "hidden": True}])
    honest = make_case("js_ok", name="Reverse", signature="function reverse(s)",
                       entry_point="reverse", reference_solution=JS_REVERSE,
                       test_cases=[{"args": ["ab"], "expected": "ba"},
                                   {"args": ["abc"], "expected": "cba", "hidden": True}])
    suite = write_suite(make_suite(case, honest, agent="js_agent", language="javascript"))
    result, report = _session(pytester, suite, tmp_path, "js_agent", *workers)
    result.assert_outcomes(passed=1, failed=1)
    results = {r["test_id"]: r for r in report["results"]}
    actual = results["js_reverse"]["execution_details"]["test_results"][0]["actual"]
    assert (results["js_reverse"]["status"], actual) == ("wrong_answer", "\\ude00\\ud83dba")
    assert report["complete"] is True
    assert "\\ude00\\ud83dba" in result.stdout.str()


HARNESS_BUG = """
from pytest_mpm_bench.scoring import v1

real = v1.score


def broken(outcome, solution, language, difficulty):
    if "BUG" in solution:
        raise RuntimeError("scoring fell over \\x1b[2J" + chr(0xD800))
    return real(outcome, solution, language, difficulty)


def pytest_configure(config):
    v1.score = broken
"""


def test_an_exception_of_ours_is_a_harness_error_with_a_result(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, write_suite, tmp_path: Path, workers: list[str]) -> None:
    pytester.makepyfile(harness_bug=HARNESS_BUG)
    suite = write_suite(make_suite(make_case("c1", reference_solution=HONEST),
                                   make_case("c2", reference_solution="# BUG\n" + HONEST),
                                   make_case("c3", reference_solution=HONEST)))
    result, report = _session(pytester, suite, tmp_path, "py_agent", "-p", "harness_bug",
                              *workers)
    result.assert_outcomes(passed=2, errors=1)
    statuses = {r["test_id"]: r["status"] for r in report["results"]}
    assert statuses == {"c1": "passed", "c2": "harness_error", "c3": "passed"}
    broken = next(r for r in report["results"] if r["test_id"] == "c2")
    assert broken["message"] == "RuntimeError: scoring fell over \\x1b[2J\\ud800"
    assert "broken" in broken["traceback"] and broken["weighted_score"] == 0.0
    summary = report["summary"]
    assert summary["agents"]["py_agent"]["harness_errors"] == 1
    assert summary["overall"]["harness_errors"] == 1
    assert (summary["overall"]["tests"], summary["overall"]["passed"]) == (3, 2)
    assert report["complete"] is True and summary["missing"] == 0
    out = result.stdout.str()
    _no_raw_controls(out, "the terminal")
    result.stdout.fnmatch_lines([
        "*ERROR at setup of *c2*",
        "*py_agent / c2: harness_error (a fault of pytest-mpm-bench or a toolchain*",
        "py_agent: 1 harness error(s): a fault of pytest-mpm-bench*"])
    with sqlite3.connect(tmp_path / "history.sqlite") as db:
        assert sorted(db.execute("SELECT test_id, status FROM results")) == [
            ("c1", "passed"), ("c2", "harness_error"), ("c3", "passed")]


SHORT_BUDGET = """
import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if item.name == "slow":  # far below the budget the plugin sets
            item.add_marker(pytest.mark.timeout(2, method="signal"), append=False)
"""


def test_pytest_timeout_inside_an_item_records_a_result(  # type: ignore[no-untyped-def]
        pytester: pytest.Pytester, write_suite, tmp_path: Path, workers: list[str]) -> None:
    pytester.makepyfile(short_budget=SHORT_BUDGET)
    slow = "import time\ndef add(a, b):\n    time.sleep(20)\n    return a + b\n"
    suite = write_suite(make_suite(make_case("slow", reference_solution=slow),
                                   make_case("fast", reference_solution=HONEST)))
    result, report = _session(pytester, suite, tmp_path, "py_agent", "-p", "short_budget",
                              *workers)
    result.assert_outcomes(passed=1, errors=1)
    results = {r["test_id"]: r for r in report["results"]}
    assert results["slow"]["status"] == "harness_error"
    assert results["slow"]["message"].startswith("pytest-timeout stopped the item: Timeout")
    assert results["fast"]["status"] == "passed"
    assert report["complete"] is True and report["summary"]["overall"]["harness_errors"] == 1


def test_item_budget_covers_the_build_limit(pytester: pytest.Pytester, write_suite) -> None:  # type: ignore[no-untyped-def]
    markers = {}
    for language, agent in (("python", "py_agent"), ("go", "go_agent")):
        suite = write_suite(make_suite(make_case(), agent=agent, language=language), language)
        items, _ = pytester.inline_genitems("--mpm-agent", agent, "--mpm-suite", str(suite),
                                            "--mpm-backend", "reference")
        markers[language] = items[0].get_closest_marker("timeout")
    assert markers["python"] is not None and markers["go"] is not None
    # The solution's build per try, and the stand-in's and the reference's for performance
    # (120 s each, mpm_build_timeout), and each analyser's limit once per try and once more.
    extra = 3 * 120 + (len(analysers.for_language("go"))
                       - len(analysers.for_language("python"))) * analysers.TIMEOUT
    assert markers["go"].args[0] - markers["python"].args[0] == 2 * extra
    assert markers["go"].kwargs == {"method": "signal", "func_only": False}


def test_an_unfinished_session_is_incomplete(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                             tmp_path: Path) -> None:
    wrong = "def add(a, b):\n    return 0\n"
    suite = write_suite(make_suite(make_case("c1", reference_solution=wrong),
                                   make_case("c2"), make_case("c3")))
    result, report = _session(pytester, suite, tmp_path, "py_agent", "--maxfail", "1")
    assert [r["test_id"] for r in report["results"]] == ["c1"]
    assert report["complete"] is False and report["summary"]["missing"] == 2
    result.stdout.fnmatch_lines(["INCOMPLETE: 2 of 3 benchmark items have no result*",
                                 "history: run 1 (incomplete) recorded in *"])


# ------------------------------------------------------------------------- the parser itself


@pytest.mark.parametrize(("line", "reason"), [
    (RESULT % (b"1" * 1001), "a number of more than 1000 digits"),
    (RESULT % (b"[" * 100_000 + b"]" * 100_000), f"nested more than {MAX_DEPTH} levels"),
    (RESULT % (b"[" + b"[]," * MAX_VALUES + b"[]]"), f"more than {MAX_VALUES} values"),
    (RESULT % (b'"' + b"x" * (17 << 20) + b'"'), "a record of more than 16 MiB"),
    (RESULT % b"1" * 3, "too many records (more than the 2 a run of 1 tests writes)"),
    (b"[1]\n", "not a record"),
])
def test_the_channel_refuses_what_it_cannot_parse_safely(line: bytes, reason: str) -> None:
    _, broken = parse_records(line, 1)
    assert broken is not None and reason in broken


@pytest.mark.parametrize("value", [
    b'"' + b"9" * 5000 + b'"',  # a long number as a string is text
    b'"' + b"[" * 1000 + b'"',  # brackets in a string are not nesting
    # escapes in strings; the record and this list are 2 of the levels
    b'["\\\\", "\\"[[[", ' + b"[" * (MAX_DEPTH - 2) + b"]" * (MAX_DEPTH - 2) + b"]",
    b'"' + b"," * (MAX_VALUES + 10) + b'"',  # nor are commas values
    b"[" + b",".join(b"%d" % i for i in range(1_000_000)) + b"]",  # a million-element answer
])
def test_the_channel_takes_legitimate_values(value: bytes) -> None:
    records, broken = parse_records(RESULT % value, 1)
    assert broken is None and records[0]["value"] == json.loads(value)


FLOOD = """
import resource, sys
from pytest_mpm_bench.observe.run import parse_records
record = b'{"type":"result","index":0,"ok":true,"value":1}\\n'
channel = record * (60 * (1 << 20) // len(record))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
records, broken = parse_records(channel, 3)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(len(records), broken, grown)
"""


def test_a_flood_of_records_costs_no_memory() -> None:
    # A child process, so that the peak resident size is this parse's alone.
    out = subprocess.run([sys.executable, "-c", FLOOD], capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    assert out[0] == "4" and "too many records" in " ".join(out[1:-1])
    assert int(out[-1]) < 64 << 10, f"peak RSS grew by {int(out[-1]) >> 10} MiB"  # KiB


# ------------------------------------------------------------------------------ the helpers


def test_jsonsafe_writes_strict_json() -> None:
    value = {"nan": float("nan"), "inf": [float("inf"), -float("inf")], 1: "\ud800",
             "big": 10 ** 5000, "tuple": (1, 2.5)}
    text = jsonsafe.dumps(value)
    assert text.isascii()
    assert _strict(text) == {"nan": "NaN", "inf": ["Infinity", "-Infinity"], "1": "\\ud800",
                             "big": "<an integer of 16610 bits>", "tuple": [1, 2.5]}


def test_printable_escapes_controls_and_keeps_text() -> None:
    assert printable("a\tb\nc é 😀") == "a\tb\nc é 😀"
    assert printable(CONTROL + "\ud800") == (
        "\\x1b]0;pwned\\x07\\x1b[2K\\x0d1 passed\\x08\\x9b\\u202e\\ud800")

