"""The one-screen view of a failed item: status, first failing test, stderr tail.

It is printed on the terminal and written to junit XML, and most of it comes from the solution
and the agent: the whole text goes through :func:`~pytest_mpm_bench.safetext.printable`.
"""

from __future__ import annotations

from typing import Any

from pytest_mpm_bench import jsonsafe
from pytest_mpm_bench.safetext import printable

STDERR_LINES = 15
FINDINGS = 6  # the costliest analyser findings shown under the scores


def _findings(result: dict[str, Any]) -> list[str]:
    """The findings that cost points, costliest first, and any flagged evidence."""
    costly, flagged = [], []
    for dimension, items in (result.get("evidence") or {}).items():
        for item in items:
            if item.get("points"):
                costly.append((float(item["points"]), dimension, item))
            elif item.get("tool") == "cpu-time" and "ratio" in item:
                flagged.append(f"  {dimension}: cpu-time ratio {item['ratio']:g} vs the reference "
                               f"({item['cpu_seconds']:g} s / {item['reference_cpu_seconds']:g} s)")
            elif item.get("flag"):
                flagged.append(f"  {dimension}: {item['tool']}: {item.get('message', '')}")
    costly.sort(key=lambda entry: -entry[0])
    lines = [f"  {dimension}: {item['tool']} {item.get('rule') or ''} line {item.get('line', '?')}"
             f": {_show(item.get('message', ''))} (-{points:g})".replace("  line", " line")
             for points, dimension, item in costly[:FINDINGS]]
    if len(costly) > FINDINGS:
        lines.append(f"  … {len(costly) - FINDINGS} more in the report's evidence")
    return lines + flagged


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else jsonsafe.dumps(value, ensure_ascii=False)
    return text if len(text) <= 300 else text[:300] + " …"


def _try(record: dict[str, Any]) -> str:
    if record["reply"] == "missing":
        return f"{record['try']} no reply"
    examples = (f" ({record['visible_passed']}/{record['visible_tests']} examples)"
                if record["tests"] else "")
    return f"{record['try']} {record['status']}{examples}"


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
    tries = result.get("tries", [])
    if len(tries) > 1:
        lines.append("tries: " + ", ".join(_try(t) for t in tries))
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
    evidence = _findings(result)
    if evidence:
        lines += ["points lost (evidence):", *evidence]
    return printable("\n".join(lines))
