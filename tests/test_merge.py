"""mpm-bench merge: the shards' reports of one run joined into the report of the whole."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench import cli, shard
from pytest_mpm_bench.report import history
from pytest_mpm_bench.report.json_report import SCHEMA
from pytest_mpm_bench.report.merge import MergeError, merge
from pytest_mpm_bench.report.summary import summarize
from tests.helpers import history_result

CASES = [f"case{i}" for i in range(7)]
FAILING = {"case2", "case5"}


def shard_reports(total: int = 3, samples: int = 2) -> list[tuple[str, dict[str, Any]]]:
    """The reports a run split into ``total`` shards would write (every item finished)."""
    plan = shard.plan((shard.case_key("a", c) for c in CASES), total)
    docs = []
    for index in range(1, total + 1):
        mine = [k.split("/")[1] for k in plan.cases(index)]
        results = [history_result(c, passed=c not in FAILING or s == 1, sample=s)
                   for c in mine for s in range(samples)]
        docs.append((f"shard{index}.json", {
            "schema": SCHEMA, "created": f"2026-12-0{index}T10:00:00+00:00", "complete": True,
            "shard": {"index": index, "total": total, "plan_sha256": plan.digest(),
                      "sizes": plan.sizes(), "cases": plan.cases(index), "skipped": 0},
            "environment": {"plugin_version": "0.1.0", "sandbox": "bwrap",
                            "suites": {f"/ci/job{index}/suites/mini.json": "d1"}},
            "config": {"agents": ["a"], "scoring": "v1", "samples": samples,
                       "weights": {"correctness": 1.0}, "warnings": []},
            "results": results,
            "summary": {**summarize(results), "missing": 0}}))
    return docs


def every_result() -> list[dict[str, Any]]:
    return [r for _, doc in shard_reports() for r in doc["results"]]


def test_the_merged_summary_is_that_of_the_whole_run() -> None:
    merged = merge(shard_reports())
    doc = merged.document
    assert merged.problems == [] and merged.warnings == []
    assert doc["complete"] is True and doc["summary"]["missing"] == 0
    assert doc["summary"] == {**summarize(every_result()), "missing": 0}
    agent = doc["summary"]["agents"]["a"]
    assert agent["tests"] == 14 and agent["passed"] == 12
    assert agent["pass_at_k"] == {"pass@1": round((5 + 0.5 + 0.5) / 7, 4)}
    assert doc["merged"] == {"shards": 3, "reports": ["shard1.json", "shard2.json",
                                                      "shard3.json"], "missing_shards": []}
    assert doc["created"] == "2026-12-01T10:00:00+00:00"
    assert set(doc["environment"]["shards"]) == {"1", "2", "3"}


def test_the_order_of_the_reports_does_not_matter() -> None:
    forward, backward = merge(shard_reports()), merge(shard_reports()[::-1])
    assert forward.document["results"] == backward.document["results"]
    assert forward.document["summary"] == backward.document["summary"]


def test_a_missing_shard_is_named_and_counted_never_dropped() -> None:
    reports = shard_reports()
    merged = merge([reports[0], reports[2]])
    size = reports[1][1]["shard"]["sizes"][1]
    assert merged.problems == [f"shard 2/3 is missing: its {size} cases ({2 * size} items) "
                               "have no result"]
    assert merged.document["complete"] is False
    assert merged.document["summary"]["missing"] == 2 * size
    assert merged.document["merged"]["missing_shards"] == [2]


def test_a_shard_that_did_not_finish_is_named_and_its_missing_items_counted() -> None:
    reports = shard_reports()
    name, doc = reports[1]
    doc["complete"] = False
    doc["results"] = doc["results"][:1]  # interrupted after one item
    del doc["shard"]["skipped"]  # written before the end
    merged = merge(reports)
    missing = 2 * len(doc["shard"]["cases"]) - 1
    assert merged.problems == [f"shard 2/3 ({name}) did not finish: {missing} of its items "
                               "have no result"]
    assert merged.document["summary"]["missing"] == missing
    assert merged.document["complete"] is False


def test_skipped_items_of_a_finished_shard_are_not_missing() -> None:
    reports = shard_reports()
    doc = reports[0][1]
    doc["results"] = doc["results"][1:]
    doc["shard"]["skipped"] = 1
    assert merge(reports).document["complete"] is True


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["config"].update(scoring="v2"), "config 'scoring'"),
    (lambda d: d["config"].update(weights={"correctness": 0.5}), "config 'weights'"),
    (lambda d: d["config"].update(samples=3), "config 'samples'"),
    (lambda d: d["environment"].update(suites={"/x/mini.json": "other"}), "suite content"),
    (lambda d: d["environment"].update(plugin_version="0.2.0"), "pytest-mpm-bench version"),
    (lambda d: d["shard"].update(plan_sha256="0" * 64), "the split of the cases"),
    (lambda d: d["shard"].update(total=4), "the number of shards"),
    (lambda d: d.pop("shard"), "shard2.json is not the report of a shard"),
    (lambda d: d["shard"].update(index=1), "shard 1/3 is given twice: shard1.json and "
                                           "shard2.json"),
    (lambda d: d["results"].append(history_result("case_elsewhere")),
     "shard2.json holds a result of a / case_elsewhere, which is not a case of shard 2/3"),
    (lambda d: d["results"].append({"agent": "a"}), "without agent, test_id and sample"),
])
def test_reports_that_are_not_shards_of_one_run_are_refused(change: Any, message: str) -> None:
    reports = shard_reports()
    change(reports[1][1])
    with pytest.raises(MergeError, match=re.escape(message)):
        merge(reports)


def test_the_same_result_in_two_reports_is_refused() -> None:
    reports = shard_reports()
    stray = copy.deepcopy(reports[0][1]["results"][0])
    reports[1][1]["results"].append(stray)
    reports[1][1]["shard"]["cases"].append(f"a/{stray['test_id']}")
    with pytest.raises(MergeError, match=r"has a result in both shard1\.json and shard2\.json"):
        merge(reports)


def test_machines_that_differ_are_reported_not_refused() -> None:
    reports = shard_reports()
    reports[2][1]["environment"]["sandbox"] = "unshare"
    merged = merge(reports)
    assert merged.warnings == ["the shards ran with different sandbox: shard1.json: bwrap; "
                               "shard2.json: bwrap; shard3.json: unshare"]
    assert merged.warnings[0] in merged.document["config"]["warnings"]
    assert merged.document["complete"] is True


# the command -------------------------------------------------------------------------------------

def write_reports(tmp_path: Path, reports: list[tuple[str, dict[str, Any]]]) -> list[str]:
    paths = []
    for name, doc in reports:
        (tmp_path / name).write_text(json.dumps(doc))
        paths.append(str(tmp_path / name))
    return paths


def test_merge_writes_the_report_prints_the_summary_and_records_the_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = write_reports(tmp_path, shard_reports())
    out, db, page = tmp_path / "merged.json", tmp_path / "h.sqlite", tmp_path / "m.html"
    assert cli.main(["merge", *paths, "-o", str(out), "--history", str(db),
                     "--html", str(page)]) == 0
    printed = capsys.readouterr().out
    assert "merged 3 of 3 shards: 14 results" in printed
    assert f"history: run 1 recorded in {db}" in printed
    doc = json.loads(out.read_text())
    assert doc["summary"] == {**summarize(every_result()), "missing": 0}
    run = history.load_run(db, 1)
    assert run.status == "complete" and len(run.results) == 14
    assert run.summary == doc["summary"]
    assert all(f">{case}<" in page.read_text() for case in CASES)  # one row per case


def test_merge_of_an_incomplete_run_exits_1_and_records_it_as_incomplete(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = write_reports(tmp_path, shard_reports())
    db = tmp_path / "h.sqlite"
    code = cli.main(["merge", paths[0], paths[2], "-o", str(tmp_path / "m.json"),
                     "--history", str(db)])
    assert code == 1
    assert "INCOMPLETE: shard 2/3 is missing" in capsys.readouterr().out
    assert history.load_run(db, 1).status == "incomplete"


def test_merge_applies_the_regression_gate(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    paths = write_reports(tmp_path, shard_reports())
    baseline = merge(shard_reports()).document
    (tmp_path / "same.json").write_text(json.dumps(baseline))
    out = str(tmp_path / "m.json")
    args = ["merge", *paths, "-o", out, "--fail-regression", "0.1", "--compare"]
    assert cli.main([*args, str(tmp_path / "same.json")]) == 0
    assert "REGRESSION" not in capsys.readouterr().out
    better = copy.deepcopy(baseline)
    for result in better["results"]:
        if result["test_id"] == "case2":
            result.update(passed=True, status="passed", weighted_score=9.0)
    (tmp_path / "better.json").write_text(json.dumps(better))
    assert cli.main([*args, str(tmp_path / "better.json")]) == 1
    assert "REGRESSION: a: passed in the baseline, fail now: case2" in capsys.readouterr().out


def test_merge_refusals_are_one_line_with_status_2(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    paths = write_reports(tmp_path, shard_reports())
    (tmp_path / "junk.json").write_text("{}")
    out = tmp_path / "m.json"
    assert cli.main(["merge", paths[0], paths[0], "-o", str(out)]) == 2
    assert cli.main(["merge", paths[0], str(tmp_path / "junk.json"), "-o", str(out)]) == 2
    assert cli.main(["merge", *paths, "-o", str(out), "--fail-regression", "1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"mpm-bench: shard 1/3 is given twice: {paths[0]} and {paths[0]} (give each shard's "
        "report once)",
        f"mpm-bench: {tmp_path / 'junk.json'} is not a pytest-mpm-bench report "
        f"({SCHEMA})",
        "mpm-bench: --fail-regression needs --compare BASELINE"]
    assert not out.exists()
