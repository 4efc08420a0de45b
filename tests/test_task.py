from __future__ import annotations

from pytest_mpm_bench.languages import known_languages
from pytest_mpm_bench.suite import load_suite
from pytest_mpm_bench.task import render_task
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
