"""What a comparison says changed besides the agent (``compare.environment_changes``)."""

from __future__ import annotations

from typing import Any

from pytest_mpm_bench.report.compare import environment_changes


def document(scoring: str = "v2", **environment: Any) -> dict[str, Any]:
    env = {"plugin_version": "0.1.0", "sandbox": "bwrap",
           "toolchains": {"python": "Python 3.11.7", "go": "go1.26"},
           "analysers": {"ruff": "ruff 0.17.6", "gofmt": ""},
           "suites": {"/ci/a/benchmarks/python_mini.json": "aa"}, **environment}
    return {"environment": env, "config": {"scoring": scoring, "weights": {"correctness": 0.4}}}


def test_the_same_setup_elsewhere_is_no_change() -> None:
    moved = document(suites={"/home/me/clone/benchmarks/python_mini.json": "aa"})
    assert environment_changes(document(), moved) == []


def test_each_change_is_named_old_to_new() -> None:
    after = document("v1", sandbox="unshare", toolchains={"python": "Python 3.12.1", "go": None},
                     analysers={"ruff": "ruff 0.18.0", "gofmt": None},
                     suites={"/x/python_mini.json": "bb"})
    assert environment_changes(document(), after) == [
        "scoring: v2 -> v1", "sandbox: bwrap -> unshare", "go: go1.26 -> missing",
        "python: Python 3.11.7 -> Python 3.12.1", "gofmt: found -> missing",
        "ruff: ruff 0.17.6 -> ruff 0.18.0", "suite python_mini.json: edited"]


def test_what_only_one_side_records_is_not_a_change() -> None:
    older = {"environment": {"toolchains": {"python": "Python 3.11.7"}}, "config": {}}
    newer = document(toolchains={"python": "Python 3.11.7", "go": "go1.26"})
    assert environment_changes(older, newer) == []
    assert environment_changes({}, newer) == []
