"""v2: each dimension moves for its own reason, with the evidence that explains it."""

from __future__ import annotations

import pytest

from pytest_mpm_bench import sandbox
from pytest_mpm_bench.languages import executor_for, known_languages
from pytest_mpm_bench.observe import analysers, observe_v2
from pytest_mpm_bench.observe.measure import ReferenceTimes
from pytest_mpm_bench.observe.run import ExecSettings, execute
from pytest_mpm_bench.scoring import v2
from pytest_mpm_bench.scoring.performance import declared_exponent, ratio_score
from pytest_mpm_bench.scoring.style import style_score
from pytest_mpm_bench.suite import Case, load_suite
from tests.helpers import REPO, make_case, make_suite

PY = executor_for("python")

CLEAN = '''def dedupe(items: list[int]) -> list[int]:
    """The items without repeats, in first-seen order."""
    seen: set[int] = set()
    return [x for x in items if not (x in seen or seen.add(x))]
'''
LINTY = '''import subprocess
def dedupe(items):
    result = []
    for i in range(len(items)):
        if items[i] in result:
            continue
        else:
            result.append(items[i])
    if len(result) == 0:
        subprocess.call("true", shell=True)
    return result
'''
QUADRATIC = '''def dedupe(items: list[int]) -> list[int]:
    """The items without repeats, in first-seen order."""
    return [x for i, x in enumerate(items) if x not in items[:i]]
'''


@pytest.fixture
def case(write_suite) -> Case:  # type: ignore[no-untyped-def]
    spec = make_case(
        "dedupe", signature="def dedupe(items: list[int]) -> list[int]:", entry_point="dedupe",
        test_cases=[{"args": [[1, 2, 1]], "expected": [1, 2]}, {"args": [[]], "expected": []},
                    {"args": [[3, 3, 3, 2]], "expected": [3, 2], "hidden": True}],
        performance={"args": [{"$random_ints": {"n": 16000, "lo": 0, "hi": 10**9, "seed": 1}}]},
        time_complexity="O(n)",
        reference_solution="def dedupe(items):\n    return list(dict.fromkeys(items))\n")
    return load_suite(write_suite(make_suite(spec)), known_languages()).cases[0]


def scored(case: Case, source: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    settings = ExecSettings(sandbox.Limits(wall_seconds=20), sandbox.resolve_level("auto"))
    outcome = execute(case, source, PY, settings)
    assert outcome.passed, outcome
    session = tmp_path_factory.mktemp("session").name
    observed = observe_v2(case, source, outcome, PY, settings, ReferenceTimes(session))
    return v2.score(case, source, outcome, observed)


def test_lint_findings_lower_style_only(case: Case, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    clean, clean_evidence = scored(case, CLEAN, tmp_path_factory)
    linty, evidence = scored(case, LINTY, tmp_path_factory)
    assert clean["correctness"] == linty["correctness"] == 10.0
    assert linty["idiomaticity"] < clean["idiomaticity"]
    assert linty["best_practices"] < clean["best_practices"]
    rules = {(f["tool"], f.get("rule")) for f in evidence["idiomaticity"]
             + evidence["best_practices"]}
    assert ("ruff", "RET507") in rules  # `else` after `continue`
    assert ("bandit", "B602") in rules  # shell=True
    assert ("ruff", "ANN001") in rules  # no annotations
    for finding in evidence["best_practices"]:
        assert {"tool", "rule", "line", "message"} <= finding.keys()
    assert clean_evidence["performance"][0]["tool"] == "cpu-time"
    # A clean solution's evidence still names the tools that looked at it.
    assert {"tool": "bandit", "message": "no findings", "points": 0.0} in (
        clean_evidence["best_practices"])


def test_quadratic_time_lowers_performance_only(case: Case, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    clean, _ = scored(case, CLEAN, tmp_path_factory)
    slow, evidence = scored(case, QUADRATIC, tmp_path_factory)
    assert slow["performance"] < clean["performance"]
    assert evidence["performance"][0]["ratio"] > 5
    # The same input at a quarter of its size shows the quadratic growth, flagged against O(n).
    growth = evidence["performance"][1]
    assert growth["tool"] == "growth" and growth["declared"] == "O(n)"
    assert growth["exponent"] > 1.4 and growth["flag"] is True
    assert slow["correctness"] == clean["correctness"]
    assert slow["best_practices"] == clean["best_practices"]


def test_complexity_is_found_by_lizard() -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
    findings = analysers.analyse(f"def f(x):\n{branches}    return -1\n", "python", "s.py")
    assert any(f["tool"] == "lizard" and f["rule"] == "cyclomatic-complexity"
               for f in findings["idiomaticity"])


def test_missing_analyser_is_evidence(monkeypatch: pytest.MonkeyPatch) -> None:
    ghost = analysers.Analyser("ghostlint", "best_practices", ("python",), "no-such-linter",
                               lambda f: ["no-such-linter", f], lambda out, err: [])
    monkeypatch.setattr(analysers, "ANALYSERS", [ghost])
    findings = analysers.analyse("x = 1\n", "python", "s.py")
    assert findings["best_practices"] == [{"tool": "ghostlint", "message": "not installed",
                                           "points": 0.0}]


def test_the_documented_formula() -> None:
    forty_lines = "\n".join(f"x{i} = {i}" for i in range(40))
    assert style_score([{"points": 1.0}, {"points": 1.0}], forty_lines) == 8.0
    assert style_score([{"points": 3.0}], "x = 1\n") == 4.0
    assert style_score([{"points": 3.0}] * 5, "x = 1\n") == 0.0


def test_a_language_without_an_analyser_says_so() -> None:
    # A language no analyser knows (every real one has some by now).
    findings = analysers.analyse("IDENTIFICATION DIVISION.\n", "cobol", "solution.cob")
    assert any(f["tool"] == "analysers" and "no best_practices analyser for cobol" in f["message"]
               for f in findings["best_practices"])


@pytest.mark.parametrize(("declared", "degree"), [
    ("O(1)", 0), ("O(log n)", 0), ("O(n)", 1), ("O(n log n)", 1), ("O((n + m) log n)", 1),
    ("O(n^2)", 2), ("O(n*n)", 2), ("O(1) per operation", 0), ("O(k)", None), ("", None)])
def test_declared_complexity_degree(declared: str, degree: float | None) -> None:
    assert declared_exponent(declared) == degree


def test_every_python_reference_has_evidence_from_each_analyser() -> None:
    suite = load_suite(REPO / "benchmarks" / "lightweight" / "python_mini.json", known_languages())
    for case in suite.cases:
        findings = analysers.analyse(case.reference_solution or "", "python", PY.source_name)
        tools = {(dimension, f["tool"]) for dimension, items in findings.items() for f in items}
        assert {("idiomaticity", "ruff"), ("idiomaticity", "lizard"), ("best_practices", "ruff"),
                ("best_practices", "bandit")} <= tools, case.id
        assert not any(f.get("message") in ("not installed", None) and not f.get("rule")
                       for items in findings.values() for f in items), case.id


@pytest.mark.parametrize(("ratio", "score"), [
    (0.5, 9.5), (0.65, 9.5), (0.7, 8.5), (1.0, 8.5), (1.3, 8.5), (1.35, 6.5), (2.6, 6.5),
    (2.7, 4.0), (6.5, 4.0), (6.6, 2.0), (40.0, 2.0)])
def test_the_seed_bands_widened_by_the_measured_noise(ratio: float, score: float) -> None:
    assert ratio_score(ratio) == score
