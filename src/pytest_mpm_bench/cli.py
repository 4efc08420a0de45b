"""``mpm-bench``: the history database from the shell.

``mpm-bench history`` lists the runs, ``mpm-bench show RUN`` prints one, ``mpm-bench compare A B``
prints what changed from A to B (run ids of the history, or ``--mpm-report`` files), and
``mpm-bench html REPORT -o FILE`` writes the dashboard of a report file or a recorded run,
``mpm-bench merge REPORT... -o FILE`` joins the reports of the shards of one run (``--mpm-shard``)
and ``mpm-bench doctor --tx SPEC`` checks the machines that pytest-xdist would run workers on. A
subcommand is a :class:`Command` in ``COMMANDS``: a function that adds its arguments and one
that runs it (and may return an exit status).

Errors (no database, an unknown run, a file that is not a history, reports that are not the
shards of one run) are one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import configparser
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pytest_mpm_bench import __version__, remote
from pytest_mpm_bench.jsonsafe import dumps
from pytest_mpm_bench.report import compare, history, merge
from pytest_mpm_bench.report.html import write_html
from pytest_mpm_bench.report.json_report import write_atomically
from pytest_mpm_bench.report.summary import case_label
from pytest_mpm_bench.report.terminal import SHORT, columns, dollars, table
from pytest_mpm_bench.scoring import DIMENSIONS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest depends on tomli before 3.11
    import tomli as tomllib

# pytest's config files, in the order it tries them in each directory.
INI_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
USAGE_ERROR = 2


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int | None]


def _read_ini(path: Path) -> tuple[bool, str | None]:
    """Whether pytest would take ``path`` as its config file, and its ``mpm_history``."""
    try:
        if path.name == "pyproject.toml":
            tool = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("pytest")
            if not isinstance(tool, dict):
                return False, None
            value = tool.get("ini_options", tool).get("mpm_history")
            return True, str(value) if value else None
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(path, encoding="utf-8")
        section = "tool:pytest" if path.name == "setup.cfg" else "pytest"
        if not parser.has_section(section):
            return path.name in ("pytest.ini", ".pytest.ini"), None
        return True, parser.get(section, "mpm_history", fallback="") or None
    except (OSError, ValueError, configparser.Error):
        return False, None


def default_db(start: Path) -> Path:
    """The ini's ``mpm_history`` (from the config file pytest would use here, relative to its
    directory), else ``.mpm_history.sqlite`` in ``start``."""
    for directory in (start, *start.parents):
        for name in INI_FILES:
            if not (directory / name).is_file():
                continue
            found, value = _read_ini(directory / name)
            if found:
                if value:
                    path = Path(value).expanduser()
                    return path if path.is_absolute() else directory / path
                return start / history.DEFAULT_PATH
    return start / history.DEFAULT_PATH


def _db(args: argparse.Namespace) -> Path:
    return args.db if args.db is not None else default_db(Path.cwd())


def _run_id(text: str) -> int:
    run_id = history.parse_run_ref(text)
    if run_id is None:
        raise argparse.ArgumentTypeError(f"not a run id: {text!r} (write 12 or run:12)")
    return run_id


def _source(text: str) -> Path | int:
    run_id = history.parse_run_ref(text)
    return run_id if run_id is not None else Path(text)


def _date(created: str) -> str:
    return created[:16].replace("T", " ")


def _dimensions(results: Sequence[dict[str, Any]]) -> list[str]:
    seen = {d for r in results for d in r["dimensions"]}
    return [d for d in DIMENSIONS if d in seen] + sorted(seen - set(DIMENSIONS))


# history ---------------------------------------------------------------------------------------

def _history_arguments(parser: argparse.ArgumentParser) -> None:
    _db_argument(parser)


def _history(args: argparse.Namespace) -> None:
    db = _db(args)
    runs = history.runs(db)
    if not runs:
        print(f"no runs recorded in {db}")
        return
    rows = [["id", "date (UTC)", "agents", "tests", "pass", "score", "cost", "commit", "status"]]
    for run in runs:
        overall = run.summary["overall"]
        rows.append([str(run.id), _date(run.created), ",".join(run.agents),
                     str(overall["tests"]), f"{overall['pass_rate']:.0%}",
                     f"{overall['weighted_score']:.2f}", dollars(overall.get("cost_usd")),
                     (run.git_commit or "-")[:10], run.status])
    print("\n".join(columns(rows, right={0, 3, 4, 5, 6})))


# show ------------------------------------------------------------------------------------------

def _show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", type=_run_id, help="run id (12 or run:12)")
    _db_argument(parser)


def _show(args: argparse.Namespace) -> None:
    run = history.load_run(_db(args), args.run)
    config, env = run.config, run.environment
    print(f"run {run.id}  {_date(run.created)} UTC  {run.status} (exit {run.exit_status})")
    print(f"commit {run.git_commit or '-'}  plugin {run.plugin_version}  "
          f"scoring {config.get('scoring', '-')}  sandbox {config.get('sandbox', '-')}  "
          f"suites {(run.suites_sha256 or '-')[:12]}  python {env.get('python', '-')}")
    print()
    print("\n".join(table(run.summary)))
    if not run.results:
        return
    dims = _dimensions(run.results)
    rows = [["agent", "case", "status", *(SHORT.get(d, d[:6]) for d in dims), "score"]]
    for result in run.results:
        rows.append([result["agent"], case_label(result), result["status"],
                     *(f"{result['dimensions'].get(d, 0.0):.2f}" for d in dims),
                     f"{result['weighted_score']:.2f}"])
    print()
    print("\n".join(columns(rows, right=set(range(3, 4 + len(dims))))))


# compare ---------------------------------------------------------------------------------------

def _compare_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", metavar="A", type=_source,
                        help="the baseline: a run id (12 or run:12) or a report file")
    parser.add_argument("b", metavar="B", type=_source, help="compared with A: the same forms")
    _db_argument(parser)


def _compare(args: argparse.Namespace) -> None:
    db = _db(args)
    before, after = (compare.load_document(source, db) for source in (args.a, args.b))
    comparison = compare.compare(after["results"], before["results"],
                                 compare.environment_changes(before, after))
    print(f"{compare.describe(args.b)} compared with {compare.describe(args.a)}")
    print("\n".join(compare.lines(comparison)))
    cases = compare.case_table(comparison)
    if cases:
        print()
        print("\n".join(cases))


# html ------------------------------------------------------------------------------------------

def _html_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("report", metavar="REPORT", type=_source,
                        help="a --mpm-report file or a run id (12 or run:12)")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                        help="where to write the page")
    parser.add_argument("--compare", type=_source, default=None, metavar="BASELINE",
                        help="add the comparison with this run id or report file")
    _db_argument(parser)


def _html(args: argparse.Namespace) -> None:
    db = _db(args)
    report = compare.load_document(args.report, db)
    comparison = None
    if args.compare is not None:
        baseline = compare.load_document(args.compare, db)
        comparison = compare.compare(report["results"], baseline["results"],
                                     compare.environment_changes(baseline, report))
    write_html(report, args.output, comparison)
    print(f"html: {args.output}")


# merge -----------------------------------------------------------------------------------------

def _merge_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("reports", metavar="REPORT", type=Path, nargs="+",
                        help="the --mpm-report file of each shard (--mpm-shard K/N)")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                        help="where to write the merged report")
    parser.add_argument("--history", type=Path, default=None, metavar="DB",
                        help="also record the merged run in this history database")
    parser.add_argument("--html", type=Path, default=None, metavar="FILE",
                        help="also write the HTML dashboard of the merged run")
    parser.add_argument("--compare", type=_source, default=None, metavar="BASELINE",
                        help="compare with a report file or a run id of --history")
    parser.add_argument("--fail-regression", type=float, default=None, metavar="X",
                        help="with --compare: exit 1 when the weighted score drops by more "
                             "than X or a case that passed in the baseline fails")


def _merge(args: argparse.Namespace) -> int:
    if args.fail_regression is not None and args.compare is None:
        raise compare.BaselineError("--fail-regression needs --compare BASELINE")
    baseline = None
    if args.compare is not None:
        baseline = compare.load_document(args.compare,
                                         args.history or default_db(Path.cwd()))
    merged = merge.merge([(str(p), compare.load_report(p)) for p in args.reports])
    document = merged.document
    write_atomically(args.output, dumps(document, indent=1))
    print("\n".join(table(document["summary"])))
    status = 0
    shards = document["merged"]
    print(f"merged {len(shards['reports'])} of {shards['shards']} shards: "
          f"{len(document['results'])} results")
    for line in merged.warnings:
        print(f"WARNING: {line}")
    for line in merged.problems:
        print(f"INCOMPLETE: {line}")
        status = 1
    comparison = None
    if baseline is not None:
        comparison = compare.compare(document["results"], baseline["results"],
                                     compare.environment_changes(baseline, document))
        print(f"compared with {compare.describe(args.compare)}")
        print("\n".join(compare.lines(comparison)))
        if args.fail_regression is not None:
            for reason in compare.gate(comparison, args.fail_regression,
                                       bool(document["complete"])):
                print(f"REGRESSION: {reason}")
                status = 1
    print(f"report: {args.output}")
    if args.html is not None:
        write_html(document, args.html, comparison)
        print(f"html: {args.html}")
    if args.history is not None:
        run_id = history.record(
            args.history, created=document["created"], finished=_now(), interrupted=False,
            exit_status=status, missing=document["summary"]["missing"],
            config=document["config"], environment=document["environment"],
            results=document["results"])
        state = "" if document["complete"] else " (incomplete)"
        print(f"history: run {run_id}{state} recorded in {args.history}")
    return status


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# doctor ----------------------------------------------------------------------------------------

def _doctor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tx", action="append", default=[], metavar="SPEC",
                        help="check the machine of this pytest-xdist/execnet spec (repeatable; "
                             "e.g. ssh=host//python=python3//chdir=bench); without it, this "
                             "machine")
    parser.add_argument("--path", action="append", default=[], metavar="PATH",
                        help="a path the session reads there (a suite, the replay dir), "
                             "relative to the worker's directory (repeatable)")


def _doctor(args: argparse.Namespace) -> int:
    paths = [("path", p) for p in args.path]
    if args.tx:
        return remote.doctor_on_workers(args.tx, paths, print)
    from pytest_mpm_bench import doctor

    code = doctor.report(print)
    for label, path in paths:
        found = Path(path).exists()
        print(f"{label:<32} {'ok' if found else 'FAILS: missing'}: {Path(path).resolve()}")
        code = code if found else 1
    return code


def _db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, metavar="PATH",
                        help=f"history database (default: ini mpm_history, else "
                             f"{history.DEFAULT_PATH})")


COMMANDS = (
    Command("history", "list the recorded runs", _history_arguments, _history),
    Command("show", "one run: per-agent summary and per-case table", _show_arguments, _show),
    Command("compare", "per-case and per-dimension changes from run A to run B",
            _compare_arguments, _compare),
    Command("html", "the HTML dashboard of a report file or a recorded run", _html_arguments,
            _html),
    Command("merge", "join the reports of the shards of one run (--mpm-shard K/N) into one",
            _merge_arguments, _merge),
    Command("doctor", "what a machine (this one, or each --tx worker) can run and judge",
            _doctor_arguments, _doctor),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mpm-bench", description="pytest-mpm-bench results "
                                     "from the shell (record them with pytest --mpm-history)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        sub = commands.add_parser(command.name, help=command.help, description=command.help)
        command.arguments(sub)
        sub.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except BrokenPipeError:  # `mpm-bench history | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (history.HistoryError, compare.BaselineError, merge.MergeError, OSError) as exc:
        print(f"mpm-bench: {exc}", file=sys.stderr)
        return USAGE_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())
