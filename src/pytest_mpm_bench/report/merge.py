"""Join the reports of the shards of one run (``--mpm-shard K/N``) into the report of the whole.

The merged summary is computed by the same :func:`summarize` from the union of the shards'
results, so it, pass@k, a comparison and the gate are those of one unsharded run. Reports that
cannot be parts of one run are refused with the reason (a different split, configuration,
suite content or plugin version; the same shard twice; a result twice or outside its shard).
What is missing is never dropped in silence: an absent shard or a shard report that did not
finish makes the merged report incomplete (``complete`` false, ``summary.missing`` counting
the items without a result), and each is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_mpm_bench.report.json_report import SCHEMA
from pytest_mpm_bench.report.summary import case_label, sort_key, summarize
from pytest_mpm_bench.shard import case_key

#: Configuration that decides the results: shards that differ in it are not parts of one run.
SAME_CONFIG = ("agents", "backend", "agent_cmd", "samples", "tries", "scoring", "weights",
               "limits", "agent_timeout", "exec_timeout", "sandbox_requested")
#: Environment that may differ between machines; a difference is reported, not refused.
MAY_DIFFER = ("sandbox", "python", "os", "git_commit", "toolchains", "analysers")


class MergeError(ValueError):
    """The reports cannot be merged into one run; the message says why."""


@dataclass(frozen=True)
class Merged:
    document: dict[str, Any]
    problems: list[str]  # what makes the merged report incomplete, each shard named
    warnings: list[str]  # environment differences between the shards


def _shard(name: str, doc: dict[str, Any]) -> dict[str, Any]:
    block = doc.get("shard")
    if not (isinstance(block, dict) and isinstance(block.get("index"), int)
            and isinstance(block.get("total"), int) and isinstance(block.get("cases"), list)
            and isinstance(block.get("sizes"), list)):
        raise MergeError(f"{name} is not the report of a shard (run each shard with "
                         "--mpm-shard K/N --mpm-report FILE, then merge those files)")
    return block


def _one(values: dict[str, Any], what: str, hint: str) -> Any:
    """The single value every report has, else a refusal naming each report's."""
    distinct = {repr(v) for v in values.values()}
    if len(distinct) > 1:
        listed = ", ".join(f"{name}: {value!r}" for name, value in values.items())
        raise MergeError(f"the reports differ in {what} ({listed}); {hint}")
    return next(iter(values.values()))


def _suites(doc: dict[str, Any]) -> dict[str, str]:
    return {Path(k).name: v for k, v in ((doc.get("environment") or {}).get("suites")
                                         or {}).items()}


def _check_same_run(reports: Sequence[tuple[str, dict[str, Any]]]) -> None:
    hint = "only the shards of one run can be merged"
    for key in SAME_CONFIG:
        _one({n: (d.get("config") or {}).get(key) for n, d in reports}, f"config {key!r}", hint)
    _one({n: _suites(d) for n, d in reports}, "suite content (environment.suites)", hint)
    _one({n: (d.get("environment") or {}).get("plugin_version") for n, d in reports},
         "pytest-mpm-bench version", hint)


def _differences(reports: Sequence[tuple[str, dict[str, Any]]]) -> list[str]:
    out = []
    for key in MAY_DIFFER:
        values = {n: (d.get("environment") or {}).get(key) for n, d in reports}
        if len({repr(v) for v in values.values()}) > 1:
            out.append(f"the shards ran with different {key}: "
                       + "; ".join(f"{n}: {v}" for n, v in values.items()))
    return out


def _result_key(result: dict[str, Any]) -> tuple[str, str, int]:
    return result["agent"], result["test_id"], result["sample"]


def merge(reports: Sequence[tuple[str, dict[str, Any]]]) -> Merged:
    """Merge ``(name, report document)`` pairs, one per shard; raises :class:`MergeError`."""
    if not reports:
        raise MergeError("no reports to merge")
    shards = {name: _shard(name, doc) for name, doc in reports}
    total = _one({n: s["total"] for n, s in shards.items()}, "the number of shards",
                 "merge the reports of one --mpm-shard K/N run")
    sizes = _one({n: s["sizes"] for n, s in shards.items()}, "the split of the cases",
                 "their suites or agents differ")
    _one({n: s.get("plan_sha256") for n, s in shards.items()}, "the split of the cases",
         "their suites or agents differ")
    _check_same_run(reports)
    by_index: dict[int, tuple[str, dict[str, Any]]] = {}
    for name, doc in reports:
        index = shards[name]["index"]
        if index in by_index:
            raise MergeError(f"shard {index}/{total} is given twice: {by_index[index][0]} and "
                             f"{name} (give each shard's report once)")
        by_index[index] = (name, doc)

    samples = int((reports[0][1].get("config") or {}).get("samples") or 1)
    results: dict[tuple[str, str, int], tuple[str, dict[str, Any]]] = {}
    problems: list[str] = []
    missing = 0
    for index in range(1, total + 1):
        planned = sizes[index - 1] * samples
        if index not in by_index:
            missing += planned
            problems.append(f"shard {index}/{total} is missing: its {sizes[index - 1]} cases "
                            f"({planned} items) have no result")
            continue
        name, doc = by_index[index]
        block = shards[name]
        cases = set(block["cases"])
        for result in doc.get("results") or []:
            if not (isinstance(result, dict) and isinstance(result.get("agent"), str)
                    and isinstance(result.get("test_id"), str)
                    and isinstance(result.get("sample"), int)):
                raise MergeError(f"{name} holds a result without agent, test_id and sample: "
                                 "not a pytest-mpm-bench result")
            key = _result_key(result)
            if case_key(result["agent"], result["test_id"]) not in cases:
                raise MergeError(f"{name} holds a result of {result['agent']} / "
                                 f"{case_label(result)}, which is not a case of shard "
                                 f"{index}/{total}")
            if key in results:
                raise MergeError(f"{result['agent']} / {case_label(result)} has a result in "
                                 f"both {results[key][0]} and {name}")
            results[key] = (name, result)
        if not doc.get("complete"):
            count = len(doc.get("results") or [])
            without = max(int((doc.get("summary") or {}).get("missing") or 0),
                          len(cases) * samples - count - int(block.get("skipped") or 0))
            missing += without
            problems.append(f"shard {index}/{total} ({name}) did not finish: {without} of its "
                            "items have no result")

    first = reports[0][1]
    merged_results = sorted((r for _, r in results.values()), key=sort_key)
    warnings = _differences(reports)
    config = dict(first.get("config") or {})
    config["warnings"] = sorted({w for _, d in reports
                                 for w in (d.get("config") or {}).get("warnings") or []}
                                | set(warnings))
    environment = dict(first.get("environment") or {})
    environment["shards"] = {
        str(index): {"report": name, "created": doc.get("created"),
                     "complete": bool(doc.get("complete")),
                     "results": len(doc.get("results") or []),
                     **{k: (doc.get("environment") or {}).get(k) for k in MAY_DIFFER[:4]},
                     "workers": (doc.get("environment") or {}).get("workers")}
        for index, (name, doc) in sorted(by_index.items())}
    document = {
        "schema": SCHEMA,
        "created": min(str(d.get("created") or "") for _, d in reports),
        "complete": not problems,
        "merged": {"shards": total, "reports": [by_index[i][0] for i in sorted(by_index)],
                   "missing_shards": [i for i in range(1, total + 1) if i not in by_index]},
        "environment": environment,
        "config": config,
        "results": merged_results,
        "summary": {**summarize(merged_results), "missing": missing},
    }
    return Merged(document, problems, warnings)
