"""The task an agent sees, and the follow-up of a failed try: hidden tests never appear."""

from __future__ import annotations

from typing import Any

from pytest_mpm_bench.languages import known_languages
from pytest_mpm_bench.observe.run import CaseOutcome, TestResult
from pytest_mpm_bench.suite import Case, load_suite
from pytest_mpm_bench.task import render_followup, render_task
from tests.helpers import make_case, make_suite


def test_task_shows_visible_tests_only(write_suite) -> None:  # type: ignore[no-untyped-def]
    case_dict = make_case(constraints=["a, b fit in 64 bits"], hints=["use +"])
    case_dict["test_cases"].append({"args": [31337, 4242], "expected": 35579, "hidden": True})
    (case,) = load_suite(write_suite(make_suite(case_dict)), known_languages()).cases
    task = render_task(case)
    assert "```python\ndef add(a: int, b: int) -> int:\n```" in task
    assert "add(1, 2)` → `3`" in task
    assert "a, b fit in 64 bits" in task and "use +" in task
    assert "exactly one fenced code block" in task
    assert str(10**12) not in task  # the first hidden test
    assert "31337" not in task and "35579" not in task


# --- the follow-up of a failed try ---------------------------------------------------------

HIDDEN_EXPECTED = 35579
NOT_RUN = object()


def _case(write_suite, **overrides: Any) -> Case:  # type: ignore[no-untyped-def]
    case_dict = make_case(**overrides)
    case_dict["test_cases"].append({"args": [31337, 4242], "expected": HIDDEN_EXPECTED,
                                    "hidden": True})
    (case,) = load_suite(write_suite(make_suite(case_dict)), known_languages()).cases
    return case


def _outcome(case: Case, status: str, actual: list[Any], error: dict[int, str] | None = None,
             message: str = "") -> CaseOutcome:
    """An outcome whose test i gave ``actual[i]`` (``NOT_RUN``: no record)."""
    error = error or {}
    tests = []
    for test, value in zip(case.test_cases, actual, strict=True):
        if value is NOT_RUN:
            tests.append(TestResult(test.index, test.hidden, False, "not_run", test.payload(),
                                    test.expected))
            continue
        passed = value == test.expected and test.index not in error
        kind = ("runtime_error" if test.index in error and value is None
                else "passed" if passed else "wrong_answer")
        tests.append(TestResult(test.index, test.hidden, passed, kind, test.payload(),
                                test.expected, value, error.get(test.index)))
    return CaseOutcome(status, message, tuple(tests), stdout="HIDDEN STDOUT",
                       stderr="HIDDEN STDERR")


def _assert_no_hidden_test(text: str) -> None:
    for hidden in (str(10**12), str(10**12 + 1), "31337", "4242", str(HIDDEN_EXPECTED)):
        assert hidden not in text, hidden
    assert "HIDDEN STD" not in text  # the run's output spans hidden tests too


def test_followup_shows_task_previous_solution_and_failing_visible_tests(write_suite) -> None:  # type: ignore[no-untyped-def]
    case = _case(write_suite)
    solution = "def add(a, b):\n    return a - b if a < 0 else a + b\n"
    outcome = _outcome(case, "wrong_answer", [3, -2, 10**12 + 1, 27095])
    text = render_followup(case, render_task(case), 1, "wrong_answer", solution, outcome)
    assert text.startswith(render_task(case).rstrip())
    assert f"## Your previous answer (try 1)\n\n```python\n{solution}```" in text
    assert "It fails 1 of the 2 examples shown:" in text
    assert "- `add(-1, 1)` should give `0`; it gave `-2`" in text
    assert "add(1, 2)` should give" not in text  # a passing example is not feedback
    assert "exactly one fenced code block tagged `python`" in text.split("## Try again")[1]
    _assert_no_hidden_test(text)


def test_followup_when_only_hidden_tests_fail(write_suite) -> None:  # type: ignore[no-untyped-def]
    case = _case(write_suite)
    outcome = _outcome(case, "wrong_answer", [3, 0, 0, 0])
    text = render_followup(case, render_task(case), 2, "wrong_answer", "def add(a, b): ...",
                           outcome)
    assert "It passes the 2 examples shown but fails further tests that are not shown" in text
    _assert_no_hidden_test(text)


def test_followup_masks_hidden_inputs_a_solution_smuggles_into_its_errors(write_suite) -> None:  # type: ignore[no-untyped-def]
    case = _case(write_suite)
    smuggled = "ValueError: saw [1000000000000, 1] and [31337, 4242] in input.json"
    outcome = _outcome(case, "runtime_error", [None, 0, None, None],
                       error={0: smuggled, 2: "hidden error", 3: "hidden error"})
    text = render_followup(case, render_task(case), 1, "runtime_error", "x = 1", outcome)
    assert "- `add(1, 2)` should give `3`; it raised: [text of a test that is not shown]" in text
    assert "hidden error" not in text
    _assert_no_hidden_test(text)


def test_followup_of_a_stopped_run_and_of_a_crash_before_any_test(write_suite) -> None:  # type: ignore[no-untyped-def]
    case = _case(write_suite)
    outcome = _outcome(case, "timeout", [3, NOT_RUN, NOT_RUN, NOT_RUN])
    text = render_followup(case, render_task(case), 1, "timeout", "x = 1", outcome)
    assert "The run was stopped: it exceeded the time limit." in text
    assert "- `add(-1, 1)` should give `0`; it did not finish" in text
    outcome = _outcome(case, "timeout", [3, 0, 10**12 + 1, NOT_RUN])
    text = render_followup(case, render_task(case), 1, "timeout", "x = 1", outcome)
    assert "The examples shown pass; the limit was reached on further tests" in text
    _assert_no_hidden_test(text)
    outcome = _outcome(case, "runtime_error", [NOT_RUN] * 4,
                       message="loading the solution failed: NameError: name 'x' is not defined")
    text = render_followup(case, render_task(case), 1, "runtime_error", "x", outcome)
    assert ("It failed before any test reported: loading the solution failed: NameError: "
            "name 'x' is not defined") in text


def test_followup_of_a_compile_error_masks_hidden_snippet_lines(write_suite) -> None:  # type: ignore[no-untyped-def]
    tests = [{"code": "return add(1, 2)", "expected": 3},
             {"code": "secret := add(31337, 4242)\nreturn secret", "expected": HIDDEN_EXPECTED,
              "hidden": True}]
    (case,) = load_suite(write_suite(make_suite(make_case(test_cases=tests))),
                         known_languages()).cases
    message = ("glue.go:3: return add(1, 2): too many arguments\n"
               "glue.go:7: secret := add(31337, 4242): undefined: add\n" + "x" * 5000)
    outcome = CaseOutcome("compile_error", message)
    text = render_followup(case, render_task(case), 1, "compile_error", "func f() {}", outcome)
    assert "It does not compile. The compiler said:\n\n```\n…\n" in text  # the tail, capped
    assert len(text) < len(render_task(case)) + 3500
    message = message[:120]
    text = render_followup(case, render_task(case), 1, "compile_error", "func f() {}",
                           CaseOutcome("compile_error", message))
    assert "glue.go:3: return add(1, 2): too many arguments" in text  # a visible snippet
    assert "[text of a test that is not shown]" in text
    _assert_no_hidden_test(text)


def test_followup_without_code(write_suite) -> None:  # type: ignore[no-untyped-def]
    case = _case(write_suite)
    text = render_followup(case, "TASK", 1, "no_code", None, None)
    assert text.startswith("TASK\n\n## Your previous answer (try 1)\n\n## What went wrong")
    assert "Your reply held no fenced `python` code block defining the function `add`." in text
    text = render_followup(case, "TASK", 2, "agent_timeout", None, None)
    assert "Your previous attempt gave no answer in time." in text


def test_followup_fences_a_solution_that_holds_backticks(write_suite) -> None:  # type: ignore[no-untyped-def]
    case = _case(write_suite)
    solution = 'DOC = """\n```python\nadd(1, 2)\n```\n"""\ndef add(a, b):\n    return a + b\n'
    text = render_followup(case, "TASK", 1, "wrong_answer", solution,
                           _outcome(case, "wrong_answer", [3, 0, 0, 0]))
    assert f"````python\n{solution}````" in text
