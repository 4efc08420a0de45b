"""Hooks that conftests and plugins implement to extend pytest-mpm-bench."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.hookspec
def pytest_mpm_bench_dimensions(case: Any, solution: str, outcome: Any) -> list[dict[str, Any]]:
    """Add scoring dimensions to a judged solution (called once per item that ran).

    Return a list of ``{"name": str, "score": float (0-10), "weight": float,
    "evidence": [{"tool": ..., "message": ...}, ...]}``. The dimension joins the result's
    ``dimensions`` and ``evidence``, and its weight the weighted score (ini ``mpm_weights``
    wins when it names the dimension). ``case`` is the ``Case``; ``outcome`` the
    ``CaseOutcome`` (status, per-test results). Example ``conftest.py``::

        def pytest_mpm_bench_dimensions(case, solution, outcome):
            risky = [w for w in ("eval(", "exec(", "pickle.loads") if w in solution]
            return [{"name": "security", "score": 10.0 - 5 * len(risky), "weight": 0.1,
                     "evidence": [{"tool": "grep", "message": f"uses {w}"} for w in risky]}]
    """
    raise NotImplementedError
