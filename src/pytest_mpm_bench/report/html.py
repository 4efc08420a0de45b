"""The ``--mpm-html`` dashboard: one self-contained HTML file built from the report dict.

The page is made only from the document ``--mpm-report`` writes (and, optionally, what
:func:`pytest_mpm_bench.report.compare.compare` computed), so it can be rebuilt offline from a
saved report. Nothing is fetched: inline CSS, inline SVG charts drawn here, and one small inline
script that only filters and expands the cases list; once it ran, it marks the page
``<html data-mpm-ready="ok">`` (or ``data-mpm-error``) so a browser test can tell. A
Content-Security-Policy allows no network and no script but that one (by hash).

Everything that came from a run — solutions, agent and case names, test values, analyser
messages, stderr — is untrusted text and goes through :func:`_e` (HTML-escaped, quotes too;
control characters shown as ``\x1b``).
Whatever is not built from ``_e`` here is markup written in this module.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from pytest_mpm_bench import jsonsafe
from pytest_mpm_bench.report import compare
from pytest_mpm_bench.report.failure import STDERR_LINES, first_failing_test, shows_actual
from pytest_mpm_bench.report.json_report import version_label, write_atomically
from pytest_mpm_bench.report.terminal import dimension_order, dollars, tokens
from pytest_mpm_bench.safetext import printable
from pytest_mpm_bench.scoring import DIMENSIONS

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D1F",
           "#666666")
LABELS = {"correctness": "correctness", "idiomaticity": "idiomaticity",
          "performance": "performance", "best_practices": "best practices"}
SHORT = {"correctness": "corr", "idiomaticity": "idiom", "performance": "perf",
         "best_practices": "best"}
UNISOLATED = ("Solutions ran with --mpm-sandbox none: no isolation. Code under test could read "
              "the expected values, reach the network or alter these verdicts; do not trust "
              "them for anything that matters.")


def _e(value: Any) -> str:
    """Untrusted text as HTML text or attribute value, control characters shown escaped."""
    return escape(printable(value if isinstance(value, str) else str(value)), quote=True)


def _num(value: Any, spec: str = ".2f") -> str:
    return format(value, spec) if isinstance(value, int | float) else "—"


def _pct(value: Any) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else "—"


def _signed(value: float) -> str:
    return f"{value:+.2f}"


def _value(value: Any) -> str:
    """A test's input / expected / actual as text (long values are already cut in results)."""
    return value if isinstance(value, str) else jsonsafe.dumps(value, ensure_ascii=False)


def _color(index: int) -> str:
    if index < len(PALETTE):
        return PALETTE[index]
    return f"hsl({(index * 137) % 360}, 55%, 45%)"


def _cell(text: str, value: Any = None, key: str | None = None, cls: str = "num") -> str:
    attrs = f' class="{cls}"' if cls else ""
    if key is not None:
        attrs += f' data-key="{_e(key)}"'
    if value is not None:
        attrs += f' data-value="{_e(jsonsafe.dumps(value))}"'
    return f"<td{attrs}>{text}</td>"


def _bar(fraction: float, text: str) -> str:
    width = max(0.0, min(1.0, fraction)) * 100
    return (f'<span class="bar"><span class="fill" style="width:{width:.1f}%"></span></span>'
            f"<span>{text}</span>")


# ---------------------------------------------------------------------------- page sections


def _header(report: dict[str, Any]) -> str:
    config = report.get("config", {})
    env = report.get("environment", {})
    overall = report.get("summary", {}).get("overall", {})
    facts = [("created", report.get("created")), ("backend", config.get("backend")),
             ("scoring", config.get("scoring")), ("samples", config.get("samples")),
             ("sandbox", env.get("sandbox", config.get("sandbox"))),
             ("plugin", env.get("plugin_version"))]
    meta = " · ".join(f"{k} <b>{_e(v)}</b>" for k, v in facts if v not in (None, ""))
    cards = [("results", _e(overall.get("tests", 0))),
             ("passed", _e(overall.get("passed", 0))),
             ("pass rate", _pct(overall.get("pass_rate"))),
             ("weighted score", _num(overall.get("weighted_score")))]
    card_html = "".join(f'<div class="card"><div class="big">{v}</div><div>{k}</div></div>'
                        for k, v in cards)
    return (f'<header><h1>pytest-mpm-bench</h1><p class="meta">{meta}</p>'
            f'<div class="cards">{card_html}</div></header>')


def _banners(report: dict[str, Any]) -> str:
    config = report.get("config", {})
    env = report.get("environment", {})
    levels = {config.get("sandbox"), env.get("sandbox")}
    levels |= {r.get("sandbox", {}).get("level") for r in report.get("results", [])}
    out = []
    if "none" in levels:
        out.append(f'<div class="banner danger" role="alert" id="sandbox-warning">'
                   f"<b>Warning: sandbox level none.</b> {_e(UNISOLATED)}</div>")
    for warning in config.get("warnings", []):
        if "sandbox none" not in warning:
            out.append(f'<div class="banner warn" role="alert">{_e(warning)}</div>')
    if report.get("complete") is False:
        missing = report.get("summary", {}).get("missing")
        lost = f" {_e(missing)} collected items have no result." if missing else ""
        out.append('<div class="banner warn" role="status">This run did not finish: the '
                   f"page shows the results that were complete when it stopped.{lost}</div>")
    return "".join(out)


def _ranked(agents: dict[str, Any]) -> list[str]:
    return sorted(agents, key=lambda a: (-agents[a]["weighted_score"], -agents[a]["pass_rate"],
                                         a))


def _keys(agents: dict[str, Any], field: str) -> list[str]:
    seen = {k for row in agents.values() for k in row.get(field, {})}
    return sorted(seen, key=lambda k: int(k.split("@")[-1].split("^")[-1]))


def _leaderboard(agents: dict[str, Any]) -> str:
    at_keys, hat_keys = _keys(agents, "pass_at_k"), _keys(agents, "pass_hat_k")
    head = "".join(f"<th>{_e(h)}</th>" for h in
                   ("#", "agent", "tests", "passed", "pass rate", "weighted score",
                    *at_keys, *hat_keys, "flaky cases", "cost per solved case", "cost",
                    "tokens in", "tokens out", "agent time"))
    rows = []
    ranked = _ranked(agents)
    for name in ranked:
        row = agents[name]
        rank = 1 + sum((agents[o]["weighted_score"], agents[o]["pass_rate"])
                       > (row["weighted_score"], row["pass_rate"]) for o in ranked)  # ties share
        cells = [f'<td class="num">{rank}</td>', f'<th scope="row">{_e(name)}</th>',
                 _cell(_e(row["tests"]), row["tests"], "tests"),
                 _cell(_e(row["passed"]), row["passed"], "passed"),
                 _cell(_bar(row["pass_rate"], _pct(row["pass_rate"])), row["pass_rate"],
                       "pass_rate"),
                 _cell(_bar(row["weighted_score"] / 10, _num(row["weighted_score"])),
                       row["weighted_score"], "weighted_score")]
        for field, keys in (("pass_at_k", at_keys), ("pass_hat_k", hat_keys)):
            for k in keys:
                v = row.get(field, {}).get(k)
                cells.append(_cell(_pct(v), v, k))
        flaky = row.get("flaky", [])
        cells.append(f'<td class="text">{_e(", ".join(flaky)) if flaky else "none"}</td>')
        for key, shown in (("cost_per_solved", dollars), ("cost_usd", dollars),
                           ("input_tokens", tokens), ("output_tokens", tokens)):
            value = row.get(key)
            cells.append(_cell("—" if value is None else _e(shown(value)), value, key))
        seconds = row.get("agent_seconds")
        cells.append(_cell(f"{_num(seconds, '.1f')} s" if seconds is not None else "—",
                           seconds, "agent_seconds"))
        rows.append(f'<tr data-agent="{_e(name)}">{"".join(cells)}</tr>')
    note = ("pass@k: chance that at least one of k samples passes (unbiased estimate); "
            "pass^k: that all k pass. Ranked by weighted score. Cost: as the agent's tool "
            "reported it, else priced from ini mpm_prices; — where unknown.")
    return (f'<section id="leaderboard-section"><h2>Leaderboard</h2>'
            f'<table id="leaderboard"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table><p class="note">{note}</p></section>')


def _dimension_chart(agents: dict[str, Any], order: Sequence[str], dims: Sequence[str]) -> str:
    """Grouped bars: one group per dimension, one bar per agent, scale 0-10."""
    n = max(1, len(order))
    bar = max(8, min(32, 168 // n))
    group = max(n * bar + 28, 100)  # wide enough for the dimension's label
    left, top, plot_h, bottom = 34, 14, 200, 36
    width = left + len(dims) * group + 8
    height = top + plot_h + bottom
    parts = [f'<svg class="chart" id="dimension-chart" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-labelledby="dimension-chart-title">'
             f'<title id="dimension-chart-title">Mean score per dimension and agent, '
             f"0 to 10</title>"]
    for tick in range(0, 11, 2):
        y = top + plot_h - tick * plot_h / 10
        parts.append(f'<line class="grid" x1="{left}" x2="{width - 4}" y1="{y:.1f}" '
                     f'y2="{y:.1f}"></line>'
                     f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}">{tick}</text>')
    for d_index, dim in enumerate(dims):
        x0 = left + d_index * group + (group - n * bar) / 2
        for a_index, name in enumerate(order):
            value = agents[name]["dimensions"].get(dim)
            h = min(max(value or 0.0, 0.0), 10.0) / 10 * plot_h  # a plugin's score may stray
            x = round(x0 + a_index * bar, 1)
            y = top + plot_h - h
            label = f"{name} — {LABELS.get(dim, dim)}: {_num(value)}"
            parts.append(f'<rect x="{x + 1}" y="{y:.1f}" width="{bar - 2}" height="{h:.1f}" '
                         f'fill="{_color(a_index)}" data-agent="{_e(name)}" '
                         f'data-dimension="{_e(dim)}"><title>{_e(label)}</title></rect>')
            if bar >= 24 and value is not None:
                parts.append(f'<text class="value" x="{x + bar / 2:.1f}" y="{y - 3:.1f}">'
                             f"{value:.1f}</text>")
        parts.append(f'<text class="label" x="{x0 + n * bar / 2:.1f}" '
                     f'y="{top + plot_h + 18}">{_e(LABELS.get(dim, dim))}</text>')
    parts.append("</svg>")
    legend = "".join(f'<li><span class="swatch" style="background:{_color(i)}"></span>'
                     f"{_e(name)}</li>" for i, name in enumerate(order))
    head = "".join(f"<th>{_e(LABELS.get(d, d))}</th>" for d in dims)
    rows = "".join(
        f'<tr><th scope="row">{_e(name)}</th>'
        + "".join(_cell(_num(agents[name]["dimensions"].get(d)),
                        agents[name]["dimensions"].get(d), d) for d in dims)
        + "</tr>" for name in order)
    return (f'<section id="dimensions"><h2>Scores per dimension</h2>'
            f'<div class="chartbox">{"".join(parts)}<ul class="legend">{legend}</ul></div>'
            f'<table class="compact"><thead><tr><th>agent</th>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></section>")


def _breakdown(agents: dict[str, Any], order: Sequence[str], dims: Sequence[str], field: str,
               title: str, column: str) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in
                   ("agent", column, "tests", "passed", "pass rate", "weighted score",
                    *(SHORT.get(d, d) for d in dims)))
    rows = []
    for name in order:
        groups = agents[name].get(field, {})
        for i, (key, row) in enumerate(groups.items()):
            agent_cell = (f'<th scope="rowgroup" rowspan="{len(groups)}">{_e(name)}</th>'
                          if i == 0 else "")
            cells = [f'<td class="text">{_e(key)}</td>',
                     _cell(_e(row["tests"]), row["tests"], "tests"),
                     _cell(_e(row["passed"]), row["passed"], "passed"),
                     _cell(_bar(row["pass_rate"], _pct(row["pass_rate"])), row["pass_rate"],
                           "pass_rate"),
                     _cell(_bar(row["weighted_score"] / 10, _num(row["weighted_score"])),
                           row["weighted_score"], "weighted_score"),
                     *(_cell(_num(row["dimensions"].get(d)), row["dimensions"].get(d), d)
                       for d in dims)]
            rows.append(f'<tr data-agent="{_e(name)}" data-group="{_e(key)}">{agent_cell}'
                        f'{"".join(cells)}</tr>')
    section_id = field.replace("_", "-")
    return (f'<section id="{section_id}"><h2>{_e(title)}</h2><table class="breakdown">'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _interval_plot(rows: dict[str, Any]) -> str:
    """Each agent's mean weighted-score change and its 95% bootstrap interval around zero."""
    largest = max([0.5, *(abs(float(v)) for r in rows.values()
                          for v in (r["weighted_delta"], *r["weighted_interval_95"]))])
    extent: float = math.ceil(largest * 2) / 2
    left, right, row_h, top = 160, 24, 26, 8
    plot_w = 420
    width, height = left + plot_w + right, top + row_h * len(rows) + 22

    def x(v: float) -> float:
        return left + (v + extent) / (2 * extent) * plot_w

    parts = [f'<svg class="chart" id="delta-chart" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}"><title>Weighted-score change per agent with its '
             f"95% bootstrap interval</title>"]
    for tick in (-extent, -extent / 2, 0.0, extent / 2, extent):
        parts.append(f'<line class="{"zero" if tick == 0 else "grid"}" x1="{x(tick):.1f}" '
                     f'x2="{x(tick):.1f}" y1="{top}" y2="{height - 18}"></line>'
                     f'<text class="tick mid" x="{x(tick):.1f}" y="{height - 4}">'
                     f"{_signed(tick)}</text>")
    for i, (agent, row) in enumerate(rows.items()):
        y = top + row_h * i + row_h / 2
        low, high = row["weighted_interval_95"]
        tone = "good" if low > 0 else "bad" if high < 0 else "flat"
        parts.append(f'<text class="label end" x="{left - 8}" y="{y + 4:.1f}">{_e(agent)}</text>'
                     f'<line class="ci {tone}" x1="{x(low):.1f}" x2="{x(high):.1f}" '
                     f'y1="{y:.1f}" y2="{y:.1f}"></line>'
                     f'<circle class="{tone}" cx="{x(row["weighted_delta"]):.1f}" cy="{y:.1f}" '
                     f'r="5"><title>{_e(agent)}: {_signed(row["weighted_delta"])} (95% CI '
                     f"{_signed(low)} .. {_signed(high)})</title></circle>")
    parts.append("</svg>")
    return "".join(parts)


def _environment_changes(comparison: dict[str, Any]) -> str:
    changes = comparison.get("environment_changes") or []
    if not changes:
        return ""
    items = "".join(f"<li>{_e(change)}</li>" for change in changes)
    return ('<div class="env-changes"><p class="bad">Changed since the baseline besides the '
            f'agent (scores may move with it):</p><ul>{items}</ul></div>')


def _comparison(comparison: dict[str, Any]) -> str:
    rows = comparison.get("agents", {})
    if not rows:
        return ('<section id="comparison"><h2>Comparison with the baseline</h2>'
                f"<p>No case in common with the baseline.</p>{_environment_changes(comparison)}"
                "</section>")
    out = ['<section id="comparison"><h2>Comparison with the baseline</h2>',
           _environment_changes(comparison),
           '<p class="note">Mean change of the weighted score over the cases both runs share, '
           "with a 95% percentile-bootstrap interval (paired by case and sample).</p>",
           _interval_plot(rows)]
    cards = []
    for agent, row in rows.items():
        low, high = row["weighted_interval_95"]
        deltas = row["dimension_deltas"]
        order = [d for d in DIMENSIONS if d in deltas] + sorted(set(deltas) - set(DIMENSIONS))
        dims = "".join(f'<li data-dimension="{_e(d)}">{_e(LABELS.get(d, d))} '
                       f"<b>{_signed(deltas[d])}</b></li>" for d in order)
        lists = ""
        for key, label, tone in (("regressed", "regressed (passed before, fail now)", "bad"),
                                 ("fixed", "fixed (failed before, pass now)", "good")):
            if row[key]:
                lists += (f'<p class="{tone}" data-key="{key}">{label}: '
                          f'{_e(", ".join(row[key]))}</p>')
        changed = sorted(((c, d) for c, d in row["case_deltas"].items() if d),
                         key=lambda kv: (kv[1], kv[0]))
        same = sorted(c for c, d in row["case_deltas"].items() if not d)
        table = ""
        if changed:
            case_rows = "".join(
                f'<tr data-case="{_e(case)}"><td class="text">{_e(case)}</td>'
                f'<td class="num {"good" if d > 0 else "bad"}" '
                f'data-value="{_e(jsonsafe.dumps(d))}">'
                f"{_signed(d)}</td><td>{_diverging(d)}</td></tr>" for case, d in changed)
            table = ('<table class="compact case-deltas"><thead><tr><th>changed case</th>'
                     f"<th>Δ weighted</th><th></th></tr></thead><tbody>{case_rows}</tbody>"
                     "</table>")
        if same:
            table += (f'<details class="unchanged"><summary>{len(same)} unchanged '
                      f'case{"s" if len(same) != 1 else ""}</summary><p class="muted">'
                      f'{_e(", ".join(same))}</p></details>')
        spent = compare.spending_line(row.get("spending") or {})
        if spent:
            lists = f'<p class="spending" data-key="spending">{_e(spent)}</p>' + lists
        cards.append(
            f'<div class="compare-agent" data-agent="{_e(agent)}"><h3>{_e(agent)}</h3>'
            f'<p class="delta">weighted <b data-key="weighted_delta" '
            f'data-value="{_e(jsonsafe.dumps(row["weighted_delta"]))}">'
            f'{_signed(row["weighted_delta"])}</b> (95% CI <span data-key="interval">'
            f"{_signed(low)} .. {_signed(high)}</span>) over {_e(row['cases'])} cases</p>"
            f'<ul class="inline">{dims}</ul>{lists}{table}</div>')
    out.append(f'<div class="compare-grid">{"".join(cards)}</div>')
    out.append("</section>")
    return "".join(out)


def _diverging(delta: float, scale: float = 10.0) -> str:
    width = min(abs(delta) / scale, 1.0) * 50
    side = "pos" if delta >= 0 else "neg"
    return (f'<span class="dbar"><span class="{side}" style="width:{width:.1f}%"></span>'
            "</span>")


def _evidence_text(entry: dict[str, Any]) -> str:
    message = entry.get("message")
    rest = {k: v for k, v in entry.items() if k not in ("tool", "rule", "line", "message",
                                                          "points")}
    if entry.get("tool") == "tests" and {"passed", "total"} <= rest.keys():
        text = f"{rest['passed']}/{rest['total']} tests passed"
        return text + (f" ({rest['status']})" if "status" in rest else "")
    if entry.get("tool") == "cpu-time" and "cpu_seconds" in rest:
        text = (f"{rest['cpu_seconds']:g} s CPU vs the reference's "
                f"{rest.get('reference_cpu_seconds', 0):g} s (ratio {rest.get('ratio', '?')})")
        return text + (f" on the {rest['input']} input" if "input" in rest else "")
    extra = ", ".join(f"{k} {_value(v)}" for k, v in rest.items())
    return " — ".join(t for t in (str(message) if message is not None else "", extra) if t)


def _evidence(result: dict[str, Any]) -> str:
    evidence: dict[str, list[dict[str, Any]]] = result.get("evidence") or {}
    if not evidence:
        return (f'<p class="muted">No evidence recorded ({_e(result.get("scoring", "?"))} '
                "scoring).</p>")
    dims = [d for d in DIMENSIONS if d in evidence] + sorted(set(evidence) - set(DIMENSIONS))
    rows = []
    for dim in dims:
        entries = evidence[dim] or [{}]
        score = result["dimensions"].get(dim)
        for i, entry in enumerate(entries):
            head = (f'<th scope="rowgroup" rowspan="{len(entries)}">{_e(LABELS.get(dim, dim))}'
                    f'<br><span class="score">{_num(score)}</span></th>' if i == 0 else "")
            points = entry.get("points")
            rows.append(
                f'<tr data-dimension="{_e(dim)}">{head}<td>{_e(entry.get("tool", ""))}</td>'
                f'<td>{_e(entry.get("rule", ""))}</td>'
                f'<td class="num">{_e(entry.get("line", ""))}</td>'
                f'<td class="text">{_e(_evidence_text(entry))}</td>'
                f'<td class="num">{_num(points, "g") if points else ""}</td></tr>')
    return ('<table class="evidence"><thead><tr><th>dimension</th><th>tool</th><th>rule</th>'
            "<th>line</th><th>message</th><th>points</th></tr></thead>"
            f'<tbody>{"".join(rows)}</tbody></table>')


def _flagged_lines(result: dict[str, Any]) -> dict[int, list[str]]:
    flagged: dict[int, list[str]] = defaultdict(list)
    for dim, entries in (result.get("evidence") or {}).items():
        for entry in entries:
            line = entry.get("line")
            if isinstance(line, int) and not isinstance(line, bool):
                rule = " ".join(str(entry[k]) for k in ("tool", "rule") if entry.get(k))
                flagged[line].append(f"{dim}: {rule}: {entry.get('message', '')}")
    return flagged


def _solution(result: dict[str, Any]) -> str:
    code: str = result.get("solution") or ""
    if not code:
        return '<p class="muted">No solution (nothing was extracted from the reply).</p>'
    flagged = _flagged_lines(result)
    lines = []
    lines_of_code = code.replace("\r\n", "\n").removesuffix("\n").split("\n")
    for number, text in enumerate(lines_of_code, 1):
        notes = flagged.get(number)
        attrs = f' class="flag" title="{_e(chr(10).join(notes))}"' if notes else ""
        lines.append(f'<span{attrs}><span class="ln">{number}</span>{_e(text)}</span>')
    language = _e(result.get("language", ""))
    # One block per line (so a flagged line is marked across); no newline between them.
    return (f'<pre class="code" data-language="{language}"><code>'
            f'{"".join(lines)}</code></pre>')


def _failing(result: dict[str, Any]) -> str:
    tests: list[dict[str, Any]] = result.get("execution_details", {}).get("test_results", [])
    out = []
    if tests:
        dots = "".join(
            f'<span class="dot {"ok" if t["passed"] else "ko"}{" hidden" if t["hidden"] else ""}"'
            f' title="#{t["index"] + 1} {"hidden" if t["hidden"] else "visible"}: '
            f'{_e(t["status"])}"></span>' for t in tests)
        passed = sum(bool(t["passed"]) for t in tests)
        out.append(f'<p class="tests">tests passed {passed}/{len(tests)} {dots}</p>')
    failed = first_failing_test(result) if tests else None
    if failed is not None:
        which = "hidden" if failed["hidden"] else "visible"
        rows = [("input", _value(failed["input"])), ("expected", _value(failed["expected"]))]
        if shows_actual(failed):
            rows.append(("actual", _value(failed["actual"])))
        if failed.get("error"):
            rows.append(("error", str(failed["error"])))
        body = "".join(f'<dt>{k}</dt><dd><pre class="value" data-field="{k}">{_e(v)}</pre></dd>'
                       for k, v in rows)
        out.append(f'<div class="failing"><h4>First failing test: #{failed["index"] + 1} '
                   f'({which}, {_e(failed["status"])})</h4><dl>{body}</dl></div>')
    stderr = str(result.get("execution_details", {}).get("stderr", "")).strip()
    if stderr and not result.get("passed"):
        tail = "\n".join(stderr.splitlines()[-STDERR_LINES:])
        out.append(f'<h4>stderr (tail)</h4><pre class="value stderr">{_e(tail)}</pre>')
    return "".join(out)


def _case(result: dict[str, Any], agent_colors: dict[str, str]) -> str:
    status = str(result.get("status", ""))
    dims = result.get("dimensions", {})
    sample = result.get("sample", 0)
    search = " ".join(str(result.get(k, "")) for k in ("agent", "test_id", "test_name", "status",
                                                       "category", "difficulty")).lower()
    scores = "".join(f'<span class="num" data-key="{d}">{_num(dims.get(d))}</span>'
                     for d in DIMENSIONS)
    timings = result.get("timings", {})
    facts = [("language", result.get("language")), ("difficulty", result.get("difficulty")),
             ("category", result.get("category")), ("scoring", result.get("scoring")),
             ("sandbox", result.get("sandbox", {}).get("level")),
             ("agent time", f"{timings['agent']:.2f} s" if "agent" in timings else None),
             ("build", f"{timings['build']:.2f} s" if "build" in timings else None),
             ("run", f"{timings['run']:.2f} s" if "run" in timings else None),
             ("cached reply", "yes" if result.get("cached") else None),
             ("attempts", result.get("attempts") if (result.get("attempts") or 1) > 1 else None)]
    meta = " · ".join(f"{k} <b>{_e(v)}</b>" for k, v in facts if v not in (None, ""))
    color = agent_colors.get(str(result.get("agent")), "#888")
    return (f'<details class="case" data-agent="{_e(result.get("agent", ""))}" '
            f'data-test-id="{_e(result.get("test_id", ""))}" data-sample="{_e(sample)}" '
            f'data-status="{_e(status)}" data-search="{_e(search)}">'
            f'<summary class="row"><span class="caret" aria-hidden="true"></span>'
            f'<span class="agent"><span class="swatch" '
            f'style="background:{color}"></span>{_e(result.get("agent", ""))}</span>'
            f'<span class="case-name"><b>{_e(result.get("test_id", ""))}</b> '
            f'<span class="muted">{_e(result.get("test_name", ""))}</span></span>'
            f'<span class="num">s{_e(sample)}</span>'
            f'<span><span class="status {"ok" if status == "passed" else "ko"}">{_e(status)}'
            f"</span></span>{scores}"
            f'<span class="num" data-key="weighted_score"><b>'
            f'{_num(result.get("weighted_score"))}</b></span></summary>'
            f'<div class="body"><p class="message">{_e(result.get("message", ""))}</p>'
            f'<p class="meta">{meta}</p>{_failing(result)}'
            f'<h4>Evidence</h4>{_evidence(result)}<h4>Solution</h4>{_solution(result)}'
            "</div></details>")


def _cases(results: Sequence[dict[str, Any]], agent_colors: dict[str, str]) -> str:
    statuses = sorted({str(r.get("status", "")) for r in results})
    status_options = "".join(f'<option value="{_e(s)}">{_e(s)}</option>' for s in statuses)
    agent_options = "".join(f'<option value="{_e(a)}">{_e(a)}</option>' for a in agent_colors)
    controls = (
        '<div class="controls js-only" hidden>'
        '<input type="search" id="case-filter" placeholder="filter cases…" '
        'aria-label="filter cases by text">'
        '<select id="agent-filter" aria-label="agent"><option value="">all agents</option>'
        f"{agent_options}</select>"
        '<select id="status-filter" aria-label="status"><option value="">all statuses</option>'
        f'<option value="failed">not passed</option>{status_options}</select>'
        '<button type="button" id="expand-all">expand all</button>'
        '<button type="button" id="collapse-all">collapse all</button>'
        '<span id="case-count" class="muted"></span></div>')
    head = ("<span></span><span>agent</span><span>case</span><span class=\"num\">sample</span>"
            "<span>status</span>"
            + "".join(f'<span class="num">{_e(SHORT[d])}</span>' for d in DIMENSIONS)
            + '<span class="num">weighted</span>')
    body = "".join(_case(r, agent_colors) for r in results)
    return (f'<section id="cases"><h2>Cases</h2><p class="note">Open a row for the first '
            "failing test, the evidence behind each score and the solution (lines with "
            f"findings are marked).</p>{controls}"
            f'<div class="cases" role="list"><div class="row head">{head}</div>{body}</div>'
            "</section>")


def _limit(name: str, value: Any) -> str:
    if name.endswith("_bytes") and isinstance(value, int | float):
        return f"{name.removesuffix('_bytes')} {value / 2**20:g} MiB"
    if name.endswith("_seconds") and isinstance(value, int | float):
        return f"{name.removesuffix('_seconds')} {value:g} s"
    return f"{name} {value}"


def _run_details(report: dict[str, Any]) -> str:
    env = report.get("environment", {})
    config = report.get("config", {})
    rows: list[tuple[str, Any]] = [
        ("plugin version", env.get("plugin_version")), ("python", env.get("python")),
        ("os", env.get("os")), ("git commit", env.get("git_commit")),
        ("sandbox", f"{config.get('sandbox')} (requested {config.get('sandbox_requested')})"
         if config.get("sandbox") else env.get("sandbox")),
        ("weights", " ".join(f"{k}:{v:g}" for k, v in config.get("weights", {}).items())),
        ("agent timeout / exec timeout",
         f"{config.get('agent_timeout')} s / {config.get('exec_timeout')} s"
         if "agent_timeout" in config else None),
        ("agent command", config.get("agent_cmd")),
        ("limits", ", ".join(_limit(k, v) for k, v in config.get("limits", {}).items())),
        *((group, ", ".join(f"{k}: {version_label(v)}" for k, v in env.get(group, {}).items()))
          for group in ("toolchains", "analysers")),
        ("suites sha256", env.get("suites_sha256")),
        *((f"suite {name}", digest) for name, digest in env.get("suites", {}).items()),
    ]
    body = "".join(f"<tr><th scope=\"row\">{_e(k)}</th><td class=\"text\">{_e(v)}</td></tr>"
                   for k, v in rows if v not in (None, ""))
    return (f'<section id="run"><h2>Run</h2><table class="compact kv"><tbody>{body}</tbody>'
            "</table></section>")


# ---------------------------------------------------------------------------- assembly


STYLE = """
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;--good:#1a7f37;
--bad:#cf222e;--warnbg:#fff8c5;--warnfg:#7d4e00;--dangerbg:#ffebe9;--accent:#0969da;
--flag:#fff1c2}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;
--line:#3d444d;--card:#151b23;--good:#3fb950;--bad:#f85149;--warnbg:#332701;--warnfg:#e3b341;
--dangerbg:#3c1618;--accent:#4493f8;--flag:#3a3000}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:12px 24px 48px}
h1{font-size:24px;margin:8px 0 2px}h2{font-size:18px;margin:28px 0 8px;padding-bottom:4px;
border-bottom:1px solid var(--line)}h3{font-size:15px;margin:16px 0 4px}
h4{font-size:13px;margin:12px 0 4px}
.meta,.note,.muted{color:var(--muted)}.note{font-size:12px;margin:4px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:10px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 16px;
min-width:130px}.card .big{font-size:22px;font-weight:600}
.banner{border-radius:8px;padding:10px 14px;margin:10px 0;border:1px solid}
.banner.danger{background:var(--dangerbg);border-color:var(--bad)}
.banner.warn{background:var(--warnbg);color:var(--warnfg);border-color:var(--warnfg)}
table{border-collapse:collapse;margin:6px 0;font-variant-numeric:tabular-nums}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:12px;color:var(--muted);font-weight:600;white-space:nowrap}
td.num,th.num,.num{text-align:right;white-space:nowrap}
td.num{display:table-cell}
.bar{display:inline-block;width:60px;height:8px;background:var(--card);border:1px solid
var(--line);border-radius:4px;margin-right:6px;vertical-align:middle;overflow:hidden}
.bar .fill{display:block;height:100%;background:var(--accent)}
.chartbox{display:flex;gap:16px;align-items:flex-start;flex-wrap:wrap}
.chart{max-width:100%;height:auto;overflow:visible}
.chart text{fill:var(--muted);font-size:11px}.chart .tick{text-anchor:end}
.chart .tick.mid,.chart .label,.chart .value{text-anchor:middle}
.chart .label{fill:var(--fg);font-size:12px}.chart .label.end{text-anchor:end}
.chart .value{fill:var(--fg);font-size:10px}
.chart .grid{stroke:var(--line);stroke-width:1}.chart .zero{stroke:var(--muted);stroke-width:1.5}
.chart .ci{stroke-width:3}.chart .good{stroke:var(--good);fill:var(--good)}
.chart .bad{stroke:var(--bad);fill:var(--bad)}.chart .flat{stroke:var(--muted);fill:var(--muted)}
.legend{list-style:none;padding:0;margin:8px 0}.legend li{margin:2px 0}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.good{color:var(--good)}.bad{color:var(--bad)}
ul.inline{list-style:none;padding:0;display:flex;gap:16px;flex-wrap:wrap;margin:4px 0}
.dbar{display:inline-block;position:relative;width:80px;height:8px}
.dbar span{position:absolute;top:0;height:100%}.dbar .pos{left:50%;background:var(--good)}
.dbar .neg{right:50%;background:var(--bad)}
.dbar::after{content:"";position:absolute;left:50%;top:-2px;bottom:-2px;border-left:1px solid
var(--muted)}
.compare-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:12px;align-items:start}
.compare-agent{border:1px solid var(--line);border-radius:8px;padding:0 12px 8px}
.compare-agent .delta{margin:4px 0}.compare-agent table{width:100%}
.compare-agent ul.inline{gap:2px 14px}details.unchanged summary{cursor:pointer;color:var(--muted)}
.controls{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin:8px 0}
.controls input,.controls select,.controls button{font:inherit;padding:3px 8px;
border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.controls input{min-width:220px}
.cases{border-top:1px solid var(--line);overflow-x:auto}
section{overflow-x:auto}
.row{display:grid;grid-template-columns:12px minmax(110px,1.1fr) minmax(160px,2.2fr) 52px
130px repeat(5,58px);gap:8px;align-items:center;padding:5px 8px;min-width:900px;
border-bottom:1px solid var(--line)}
.row.head{font-size:12px;color:var(--muted);font-weight:600}
details.case>summary{cursor:pointer;list-style:none;font-variant-numeric:tabular-nums}
details.case>summary::-webkit-details-marker{display:none}
.caret::before{content:"";display:inline-block;border:5px solid transparent;
border-left:6px solid var(--muted);border-right:0;transition:transform .1s}
details.case[open] .caret::before{transform:rotate(90deg)}
details.case>summary:hover{background:var(--card)}
details.case[open]>summary{background:var(--card)}
.case-name,.agent{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.status{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;
border:1px solid currentColor}.status.ok{color:var(--good)}.status.ko{color:var(--bad)}
details.case .body{padding:4px 16px 16px 24px;border-bottom:1px solid var(--line)}
.message{margin:8px 0 2px;font-weight:600}
.failing{border-left:3px solid var(--bad);padding:2px 12px;margin:8px 0;background:var(--card)}
.failing dl{display:grid;grid-template-columns:80px 1fr;margin:4px 0}
.failing dt{color:var(--muted)}.failing dd{margin:0}
pre{margin:2px 0;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
white-space:pre-wrap;word-break:break-word}
pre.value{background:var(--bg);padding:2px 6px;border-radius:4px;max-height:240px;overflow:auto}
pre.stderr{background:var(--card);border:1px solid var(--line);padding:6px 8px}
pre.code{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 0;
max-height:560px;overflow:auto;white-space:pre}
pre.code>code>span{display:block;padding-right:12px;min-height:1.5em}
pre.code .ln{display:inline-block;width:3.5em;padding-right:1em;text-align:right;
color:var(--muted);user-select:none}
pre.code .flag{background:var(--flag)}
.tests .dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-left:3px}
.dot.ok{background:var(--good)}.dot.ko{background:var(--bad)}
.dot.hidden{outline:1px dashed var(--muted);outline-offset:1px}
table.evidence td.text{max-width:640px}
.score{font-weight:400;color:var(--muted)}
.kv th{white-space:nowrap;color:var(--muted);font-weight:400}
.kv td{word-break:break-all}
@media print{.controls{display:none}details.case .body{display:block}}
"""

SCRIPT = """
(function () {
  "use strict";
  var root = document.documentElement;
  try {
    var cases = Array.prototype.slice.call(document.querySelectorAll("details.case"));
    var text = document.getElementById("case-filter");
    var agent = document.getElementById("agent-filter");
    var status = document.getElementById("status-filter");
    var count = document.getElementById("case-count");
    var apply = function () {
      var q = text.value.trim().toLowerCase(), a = agent.value, s = status.value, shown = 0;
      cases.forEach(function (c) {
        var st = c.getAttribute("data-status");
        var ok = (!q || c.getAttribute("data-search").indexOf(q) !== -1) &&
          (!a || c.getAttribute("data-agent") === a) &&
          (!s || (s === "failed" ? st !== "passed" : st === s));
        c.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = shown + " of " + cases.length + " cases shown";
    };
    [text, agent, status].forEach(function (el) { el.addEventListener("input", apply); });
    var openAll = function (open) {
      return function () { cases.forEach(function (c) { if (!c.hidden) { c.open = open; } }); };
    };
    document.getElementById("expand-all").addEventListener("click", openAll(true));
    document.getElementById("collapse-all").addEventListener("click", openAll(false));
    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    apply();
    root.setAttribute("data-mpm-ready", "ok");
  } catch (err) {
    root.setAttribute("data-mpm-error", String(err));
  }
})();
"""


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'")


def _agents_in(results: Iterable[dict[str, Any]], summary_agents: dict[str, Any]) -> list[str]:
    names = list(_ranked(summary_agents))
    names += sorted({str(r.get("agent")) for r in results} - set(names))
    return names


def render(report: dict[str, Any], comparison: dict[str, Any] | None = None) -> str:
    """The dashboard page for a report dict (the structure ``--mpm-report`` writes)."""
    summary = report.get("summary", {})
    agents: dict[str, Any] = summary.get("agents", {})
    results: list[dict[str, Any]] = report.get("results", [])
    order = _agents_in(results, agents)
    colors = {name: _color(i) for i, name in enumerate(order)}
    sections = [_header(report), _banners(report)]
    if agents:
        dims = dimension_order(agents)
        ranked = [a for a in order if a in agents]
        sections += [_leaderboard(agents), _dimension_chart(agents, ranked, dims),
                     _breakdown(agents, ranked, dims, "by_difficulty", "By difficulty",
                                "difficulty"),
                     _breakdown(agents, ranked, dims, "by_category", "By category", "category")]
    else:
        sections.append('<section id="leaderboard-section"><h2>Leaderboard</h2>'
                        "<p>No benchmark results.</p></section>")
    if comparison is not None:
        sections.append(_comparison(comparison))
    if results:
        sections.append(_cases(results, colors))
    sections.append(_run_details(report))
    title = "pytest-mpm-bench — " + (", ".join(order) or "no results")
    if report.get("created"):
        title += f" — {report['created']}"
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{_csp()}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{_e(title)}</title><style>{STYLE}</style></head>"
            f'<body><main>{"".join(sections)}</main>'
            f"<script>{SCRIPT}</script></body></html>\n")


def write_html(report: dict[str, Any], path: Path | str,
               comparison: dict[str, Any] | None = None) -> None:
    """Write the dashboard for ``report`` to ``path`` (atomically: a reader never sees half a
    page). ``comparison`` is what :func:`pytest_mpm_bench.report.compare.compare` returns for
    this run against a baseline; with it the page gets a comparison section."""
    write_atomically(Path(path), render(report, comparison))
