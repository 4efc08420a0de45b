"""The one-screen view of a failed item: status, first failing test, stderr tail."""

from __future__ import annotations

import json
from typing import Any

STDERR_LINES = 15


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 300 else text[:300] + " …"


def first_failing_test(result: dict[str, Any]) -> dict[str, Any] | None:
    """The first test of a result that did not pass (visible or hidden), if any."""
    tests: list[dict[str, Any]] = result["execution_details"]["test_results"]
    return next((t for t in tests if not t["passed"]), None)


def shows_actual(test: dict[str, Any]) -> bool:
    """Whether a test's ``actual`` is a value the solution returned (not a stand-in)."""
    return test["status"] in ("passed", "wrong_answer") and test["error"] is None


def format_failure(result: dict[str, Any], reason: str) -> str:
    lines = [f"{result['agent']} / {result['test_id']}: {result['status']} — {result['message']}"]
    if reason != result["status"]:
        lines.append(reason)
    tests = result["execution_details"]["test_results"]
    failed = first_failing_test(result)
    if failed is not None:
        which = "hidden" if failed["hidden"] else "visible"
        lines += [f"first failing test: #{failed['index'] + 1} ({which}, {failed['status']})",
                  f"  input:    {_show(failed['input'])}",
                  f"  expected: {_show(failed['expected'])}"]
        if shows_actual(failed):
            lines.append(f"  actual:   {_show(failed['actual'])}")
        if failed["error"]:
            lines.append(f"  error:    {_show(failed['error'])}")
    passed = sum(t["passed"] for t in tests)
    if tests:
        lines.append(f"tests passed: {passed}/{len(tests)}")
    stderr = result["execution_details"]["stderr"].strip().splitlines()[-STDERR_LINES:]
    if stderr:
        lines += ["stderr (tail):", *(f"  {line}" for line in stderr)]
    dims = ", ".join(f"{k} {v:.1f}" for k, v in result["dimensions"].items())
    lines.append(f"scores: {dims}; weighted {result['weighted_score']:.2f}")
    return "\n".join(lines)
