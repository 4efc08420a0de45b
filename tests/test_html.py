"""The HTML dashboard: built from the report dict, self-contained, every run-made text escaped."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench.report import html
from pytest_mpm_bench.report.compare import compare
from pytest_mpm_bench.report.summary import summarize
from tests.helpers import Node, bench, make_case, make_suite, parse_html, replies

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

HOSTILE = "</script><script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
SOLUTION = f'def add(a, b):\n    """{HOSTILE} {IMG}"""\n    return a + b\n'
URL_ATTRIBUTES = ("src", "href", "xlink:href", "action", "formaction", "poster", "data",
                  "srcset", "background")


def make_result(agent: str = "py_agent", case: str = "c1", passed: bool = True,
                weighted: float = 9.0, difficulty: str = "easy", sample: int = 0,
                sandbox: str = "bwrap") -> dict[str, Any]:
    second = {"index": 1, "hidden": True, "passed": passed,
              "status": "passed" if passed else "wrong_answer", "input": {"args": [HOSTILE, 1]},
              "expected": 1, "actual": 1 if passed else IMG, "error": None, "seconds": 0.001}
    tests = [{"index": 0, "hidden": False, "passed": True, "status": "passed",
              "input": {"args": [1, 2]}, "expected": 3, "actual": 3, "error": None,
              "seconds": 0.001}, second]
    return {
        "test_id": case, "test_name": f"Add {HOSTILE}", "difficulty": difficulty,
        "category": "algorithms", "passed": passed,
        "dimensions": {"correctness": 10.0 if passed else 5.0, "idiomaticity": 8.0,
                       "performance": 7.0, "best_practices": 6.0},
        "weighted_score": weighted, "execution_time": 0.1, "solution_length": len(SOLUTION),
        "solution": SOLUTION,
        "execution_details": {"test_results": tests, "stderr": f"warning: {HOSTILE}\n",
                              "stdout": ""},
        "agent": agent, "language": "python", "status": "passed" if passed else "wrong_answer",
        "message": "all 2 tests passed" if passed else "1 of 2 tests failed", "sample": sample,
        "timings": {"agent": 1.5, "build": 0.0, "run": 0.1}, "cached": False,
        "sandbox": {"level": sandbox, "limits": {}}, "scoring": "v2",
        "evidence": {"correctness": [{"tool": "tests", "passed": 2 if passed else 1, "total": 2,
                                      "status": "passed" if passed else "wrong_answer"}],
                     "idiomaticity": [{"tool": "ruff", "rule": "SIM103", "line": 2,
                                       "message": f"rewrite {HOSTILE}", "points": 1.0}],
                     "performance": [{"tool": "cpu-time", "cpu_seconds": 0.05,
                                      "reference_cpu_seconds": 0.04, "ratio": 1.25,
                                      "input": "performance"}],
                     "best_practices": [{"tool": "bandit", "message": "not installed",
                                         "points": 0.0}]},
    }


def make_report(results: list[dict[str, Any]], sandbox: str = "bwrap",
                complete: bool = True) -> dict[str, Any]:
    return {"schema": "pytest-mpm-bench/report/1", "created": "2026-01-01T00:00:00+00:00",
            "complete": complete,
            "environment": {"plugin_version": "0.1.0", "python": "3.11", "sandbox": sandbox,
                            "toolchains": {"python": "Python 3.11"}, "suites": {},
                            "git_commit": None},
            "config": {"backend": "replay", "samples": 1, "scoring": "v2", "sandbox": sandbox,
                       "sandbox_requested": sandbox, "weights": {"correctness": 0.4},
                       "warnings": []},
            "results": results, "summary": summarize(results)}


def assert_inert(page: Node, raw: str) -> None:
    """Only the page's own script; no event handler attributes; no remote resources."""
    scripts = page.find_all("script")
    assert len(scripts) == 1 and scripts[0].text() == html.SCRIPT
    assert not [n.tag for n in page.iter() if any(a.startswith("on") for a in n.attrs)]
    assert not page.find_all("img") and not page.find_all("link") and not page.find_all("iframe")
    for node in page.iter():
        for name in URL_ATTRIBUTES:
            value = (node.attrs.get(name) or "").strip().lower()
            assert not re.match(r"(https?:)?//", value), (node.tag, name, value)
    assert "url(" not in raw and "@import" not in raw
    csp = page.find("meta", http_equiv="Content-Security-Policy").attrs["content"] or ""
    assert "default-src 'none'" in csp


def test_run_made_text_is_shown_never_run() -> None:
    results = [make_result(), make_result(case="c2", passed=False, weighted=4.0)]
    raw = html.render(make_report(results))
    page = parse_html(raw)
    assert_inert(page, raw)
    case = page.find("details", data_test_id="c2")
    code = case.find("pre", class_="code")
    assert [s.text(skip_class="ln") for s in code.find("code").children
            if isinstance(s, Node)] == SOLUTION.removesuffix("\n").split("\n")
    assert f"Add {HOSTILE}" in case.find("summary").text()
    assert case.find("pre", data_field="actual").text() == IMG
    assert case.find("pre", data_field="input").text() == json.dumps({"args": [HOSTILE, 1]})
    assert HOSTILE in case.find("pre", class_="stderr").text()
    assert f"rewrite {HOSTILE}" in case.find("table", class_="evidence").text()
    flagged = code.find("span", class_="flag")
    assert flagged.attrs["title"] == f"idiomaticity: ruff SIM103: rewrite {HOSTILE}"


def test_the_script_is_allowed_by_its_hash() -> None:
    page = parse_html(html.render(make_report([make_result()])))
    script = page.find("script").text()
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = page.find("meta", http_equiv="Content-Security-Policy").attrs["content"] or ""
    assert f"script-src 'sha256-{digest}'" in csp


def test_leaderboard_chart_and_breakdowns_follow_the_summary() -> None:
    results = [make_result("alpha", "c1", True, 9.0), make_result("alpha", "c2", False, 3.0,
                                                                  difficulty="hard"),
               make_result("beta", "c1", True, 9.5), make_result("beta", "c2", True, 8.5,
                                                                 difficulty="hard")]
    report = make_report(results)
    page = parse_html(html.render(report))
    agents = [r.attrs["data-agent"] for r in page.find("table", id="leaderboard")
              .find_all("tr") if "data-agent" in r.attrs]
    assert agents == ["beta", "alpha"]  # ranked by weighted score
    for name, row in report["summary"]["agents"].items():
        tr = page.find("table", id="leaderboard").find("tr", data_agent=name)
        for key in ("tests", "passed", "pass_rate", "weighted_score"):
            assert json.loads(tr.find("td", data_key=key).attrs["data-value"] or "") == row[key]
        assert tr.find("td", data_key="pass@1").text() == f"{row['pass_at_k']['pass@1']:.1%}"
        assert tr.find("td", data_key="weighted_score").text().endswith(
            f"{row['weighted_score']:.2f}")
    bars = page.find("svg", id="dimension-chart").find_all("rect")
    assert len(bars) == 2 * 4
    alpha_perf = page.find("rect", data_agent="alpha", data_dimension="performance")
    assert alpha_perf.find("title").text() == "alpha — performance: 7.00"
    hard = page.find("section", id="by-difficulty").find("tr", data_agent="alpha",
                                                           data_group="hard")
    assert hard.find("td", data_key="passed").text() == "0"
    assert page.find("section", id="by-category").find_all("tr", data_group="algorithms")


def test_banners_for_an_unisolated_or_unfinished_run() -> None:
    isolated = parse_html(html.render(make_report([make_result()])))
    assert not isolated.find_all(id="sandbox-warning")
    page = parse_html(html.render(make_report([make_result(sandbox="none")], sandbox="none",
                                              complete=False)))
    assert "sandbox level none" in page.find(id="sandbox-warning").text()
    assert any("did not finish" in b.text() for b in page.find_all("div", class_="banner"))


def test_comparison_section_shows_what_compare_computed() -> None:
    baseline = [make_result(case="c1", weighted=9.0), make_result(case="c2", weighted=9.0)]
    current = [make_result(case="c1", weighted=9.5),
               make_result(case="c2", passed=False, weighted=4.0)]
    comparison = compare(current, baseline)
    row = comparison["agents"]["py_agent"]
    page = parse_html(html.render(make_report(current), comparison))
    card = page.find("section", id="comparison").find("div", data_agent="py_agent")
    delta = card.find("b", data_key="weighted_delta")
    assert json.loads(delta.attrs["data-value"] or "") == row["weighted_delta"]
    low, high = row["weighted_interval_95"]
    assert card.find("span", data_key="interval").text() == f"{low:+.2f} .. {high:+.2f}"
    assert "c2" in card.find("p", data_key="regressed").text()
    cases = {tr.attrs["data-case"]: json.loads(tr.find("td", class_="num").attrs["data-value"]
                                               or "")
             for tr in card.find_all("tr") if "data-case" in tr.attrs}
    assert cases == row["case_deltas"]
    assert page.find("svg", id="delta-chart").find_all("circle")
    assert not parse_html(html.render(make_report(current))).find_all(id="comparison")


def test_write_html_with_no_results_and_odd_text(tmp_path: Path) -> None:
    empty = tmp_path / "sub" / "empty.html"
    html.write_html(make_report([]), empty)
    assert "No benchmark results" in parse_html(empty.read_text()).find(
        "section", id="leaderboard-section").text()
    odd = make_result(passed=False)
    odd["execution_details"]["test_results"][1]["actual"] = "\ud800"  # a lone surrogate
    path = tmp_path / "odd.html"
    html.write_html(make_report([odd]), str(path))
    assert parse_html(path.read_text(encoding="utf-8")).find(
        "pre", data_field="actual").text() == "\\ud800"  # shown escaped (safetext)


# ----------------------------------------------------------------------------- end to end

GOOD = "def add(a, b):\n    return a + b\n"
WRONG_HOSTILE = ("def add(a, b):\n"
                 f"    # {HOSTILE}\n"
                 "    if a > 10**6:\n"
                 f"        return {HOSTILE!r}\n"
                 "    return a + b\n")


def test_dashboard_end_to_end(pytester: pytest.Pytester, write_suite, tmp_path: Path,  # type: ignore[no-untyped-def]
                              workers: list[str]) -> None:
    suite = write_suite(make_suite(make_case("c1", name=f"Add {HOSTILE}"), make_case("c2")))
    root = replies(tmp_path, c1=GOOD, c2=WRONG_HOSTILE)
    report_path, html_path = pytester.path / "out" / "report.json", pytester.path / "dash.html"
    result = bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(root),
                   "--mpm-report", str(report_path), "--mpm-html", str(html_path), *workers)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([f"html: {html_path}"])
    report = json.loads(report_path.read_text())
    raw = html_path.read_text()
    page = parse_html(raw)
    assert_inert(page, raw)

    summary = report["summary"]["agents"]["py_agent"]
    row = page.find("table", id="leaderboard").find("tr", data_agent="py_agent")
    for key, shown in (("tests", "2"), ("passed", "1"), ("pass_rate", "50.0%"),
                       ("weighted_score", f"{summary['weighted_score']:.2f}")):
        cell = row.find("td", data_key=key)
        assert json.loads(cell.attrs["data-value"] or "") == summary[key]
        assert cell.text().endswith(shown)
    assert json.loads(row.find("td", data_key="pass@1").attrs["data-value"] or "") == 0.5
    assert json.loads(row.find("td", data_key="pass^1").attrs["data-value"] or "") == 0.5

    failing = page.find("details", data_test_id="c2")
    assert failing.attrs["data-status"] == "wrong_answer"
    assert "First failing test: #3 (hidden, wrong_answer)" in failing.find(
        "div", class_="failing").text()
    assert failing.find("pre", data_field="input").text() == '{"args": [1000000000000, 1]}'
    assert failing.find("pre", data_field="expected").text() == "1000000000001"
    assert failing.find("pre", data_field="actual").text() == HOSTILE
    c2 = next(r for r in report["results"] if r["test_id"] == "c2")
    lines = [s.text(skip_class="ln") for s in failing.find("pre", class_="code").find(
        "code").children if isinstance(s, Node)]
    assert lines == c2["solution"].removesuffix("\n").split("\n")
    summary_row = failing.find("summary")
    for dim in ("correctness", "idiomaticity", "performance", "best_practices"):
        assert summary_row.find("span", data_key=dim).text() == f"{c2['dimensions'][dim]:.2f}"
    assert summary_row.find("span", data_key="weighted_score").text() == (
        f"{c2['weighted_score']:.2f}")
    evidence = failing.find("table", class_="evidence")
    assert {tr.attrs["data-dimension"] for tr in evidence.find_all("tr")
            if "data-dimension" in tr.attrs} >= set(c2["evidence"])
    assert f"Add {HOSTILE}" in page.find("details", data_test_id="c1").find("summary").text()
    assert not page.find_all(id="sandbox-warning")


def test_dashboard_compares_with_a_baseline(pytester: pytest.Pytester, write_suite,  # type: ignore[no-untyped-def]
                                           tmp_path: Path) -> None:
    suite = write_suite(make_suite(make_case("c1"), make_case("c2")))
    baseline = pytester.path / "baseline.json"
    fast = ["--mpm-scoring", "v1"]  # no analysers: the comparison is what is tested here
    bench(pytester, suite, "--mpm-backend", "reference", "--mpm-report", str(baseline),
          *fast).assert_outcomes(passed=2)
    root = replies(tmp_path, c1=GOOD, c2=WRONG_HOSTILE)
    report_path, html_path = pytester.path / "now.json", pytester.path / "dash.html"
    bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(root),
          "--mpm-report", str(report_path), "--mpm-html", str(html_path),
          "--mpm-compare", str(baseline), "-n", "2", *fast).assert_outcomes(passed=1, failed=1)
    expected = compare(json.loads(report_path.read_text())["results"],
                       json.loads(baseline.read_text())["results"])["agents"]["py_agent"]
    card = parse_html(html_path.read_text()).find("section", id="comparison").find(
        "div", data_agent="py_agent")
    delta = card.find("b", data_key="weighted_delta")
    assert json.loads(delta.attrs["data-value"] or "") == expected["weighted_delta"]
    low, high = expected["weighted_interval_95"]
    assert card.find("span", data_key="interval").text() == f"{low:+.2f} .. {high:+.2f}"
    assert card.find("p", data_key="regressed").text().endswith("c2")
