"""pytest hooks of pytest-mpm-bench: options, start-up checks, collection, reporting.

Opt-in: without ``--mpm-agent`` nothing here collects anything, so installing the plugin never
changes another project's test run.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Generator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench import guarantees, preflight, remote, sandbox, shard, state
from pytest_mpm_bench.agents import make_backend
from pytest_mpm_bench.items import RUN_KEY, BenchmarkItem, HarnessError, SuiteFile, result_of
from pytest_mpm_bench.languages import executor_for, known_languages
from pytest_mpm_bench.observe import analysers
from pytest_mpm_bench.options import Settings, add_options, read_settings
from pytest_mpm_bench.pipeline import Run
from pytest_mpm_bench.report import compare, history
from pytest_mpm_bench.report.html import write_html
from pytest_mpm_bench.report.json_report import JsonReport, environment
from pytest_mpm_bench.report.summary import summarize
from pytest_mpm_bench.report.terminal import table
from pytest_mpm_bench.safetext import printable
from pytest_mpm_bench.suite import (
    SuiteError,
    iter_suite_files,
    load_suite,
    peek_agent_id,
    peek_language,
)

SELECTED_KEY = pytest.StashKey[frozenset[Path]]()
PLAN_KEY = pytest.StashKey[shard.Plan]()
UNISOLATED_WARNING = ("--mpm-sandbox none: solutions ran without isolation; these verdicts "
                      "can be gamed by the code under test")


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_mpm_bench import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_cmdline_main(config: pytest.Config) -> int | None:
    if config.getoption("mpm_doctor"):
        from pytest_mpm_bench import doctor

        specs = remote.tx_specs(config)
        if specs:  # check each worker where it runs, not this machine
            return remote.doctor_on_workers(specs, remote.session_paths(config), print)
        return doctor.report(print)
    if config.getoption("mpm_agents"):
        remote.bound_restarts(config)
    return None


def _select_suites(settings: Settings) -> frozenset[Path]:
    """Suite files of the requested agents; unreadable files too, so their error shows."""
    for path in settings.suite_paths:
        if not path.exists():
            raise pytest.UsageError(f"suite path {path} does not exist (check --mpm-suite / "
                                    "ini mpm_suites)")
    found: dict[Path, str | None] = {p.resolve(): peek_agent_id(p)
                                     for p in iter_suite_files(settings.suite_paths)}
    known = sorted({a for a in found.values() if a})
    broken = [p for p, agent in found.items() if agent is None]
    for agent in settings.agents:
        if agent != "all" and agent not in known and not broken:
            where = ", ".join(str(p) for p in settings.suite_paths)
            raise pytest.UsageError(
                f"unknown agent {agent!r}: suites under {where} are for "
                f"{', '.join(known) or 'no agent'} (use one of them, 'all', or --mpm-suite)")
    wanted = set(settings.agents)
    return frozenset(p for p, agent in found.items()
                     if agent is None or "all" in wanted or agent in wanted)


def _point_collection_at_suites(config: pytest.Config, settings: Settings) -> None:
    """Collect the suites: instead of the default paths, or beside explicitly given ones."""
    suite_args = [str(p) for p in settings.suite_paths]
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args[:] = suite_args
        return
    given = {Path(arg.split("::")[0]).resolve() for arg in config.args}
    if any(p.suffix == ".json" for p in given):
        return  # the user named suite files: collect just those
    config.args.extend(a for a in suite_args if Path(a).resolve() not in given)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "timeout: pytest-timeout's per-item limit")
    if not config.getoption("mpm_agents"):
        return
    settings = read_settings(config)
    backend = make_backend(settings.backend, settings.agent_cmd, settings.replay_dir,
                           adapter=settings.agent_adapter, prices=settings.prices,
                           endpoint=settings.endpoint)
    worker = hasattr(config, "workerinput")
    if worker or not remote.remote_workers(config):
        # Workers with a directory or a host of their own check the backend where the agent
        # runs and the replies are; the controller need not have either.
        backend.check()
    else:
        remote.check_path_arguments(config)
    try:
        state.check_all()
        state.prune_perf()  # on each host: a remote worker's state is never seen from here
    except state.StateError as exc:
        raise pytest.UsageError(f"pytest-mpm-bench state: {exc}") from None
    try:
        level = sandbox.resolve_level(settings.sandbox)
    except sandbox.SandboxUnavailable as exc:
        raise pytest.UsageError(str(exc)) from None
    settings = dataclasses.replace(settings, level=level)
    # What the unshare level must mask (bwrap shows only what it binds).
    sandbox.hide([config.rootpath, *settings.suite_paths,
                  *(p for p in (settings.cache_dir, settings.replay_dir) if p is not None)])
    given_json = [Path(a.split("::")[0]) for a in config.args if a.split("::")[0].endswith(".json")]
    if given_json and config.args_source == pytest.Config.ArgsSource.ARGS:
        settings = dataclasses.replace(settings, suite_paths=tuple(given_json))
    config.stash[SELECTED_KEY] = _select_suites(settings)
    if settings.shard is not None:
        config.stash[PLAN_KEY] = _plan(config.stash[SELECTED_KEY], settings)
    workerinput = getattr(config, "workerinput", None)
    session = str(workerinput["testrunuid"]) if workerinput else uuid.uuid4().hex
    config.stash[RUN_KEY] = Run(settings, backend, session,
                                config.hook.pytest_mpm_bench_dimensions)
    _point_collection_at_suites(config, settings)
    if settings.fail_regression is not None and settings.compare is None:
        raise pytest.UsageError("--mpm-fail-regression needs --mpm-compare BASELINE")
    if worker:
        # Workers only run items; the controller compares, reports and records. What it ran
        # with here goes to the controller at the end (xdist's workeroutput).
        suites: frozenset[Path] = config.stash[SELECTED_KEY]
        config.workeroutput["mpm_worker"] = remote.worker_facts(  # type: ignore[attr-defined]
            config.rootpath, settings.level, suites)
        return
    baseline = None
    if settings.compare is not None:
        try:
            baseline = compare.load_document(settings.compare, settings.history)
        except compare.BaselineError as exc:
            raise pytest.UsageError(f"--mpm-compare: {exc}") from None
    if settings.history is not None:
        try:
            history.prepare(settings.history)
        except history.HistoryError as exc:
            raise pytest.UsageError(f"--mpm-history: {exc}") from None
    _preflight(config, config.stash[RUN_KEY], config.stash[SELECTED_KEY])
    config.pluginmanager.register(
        Controller(config, settings, config.stash[SELECTED_KEY], baseline,
                   config.stash.get(PLAN_KEY, None)), "mpm-bench-controller")


def _plan(suites: frozenset[Path], settings: Settings) -> shard.Plan:
    """The split of every case the selected suites hold for the selected agents: read from the
    suite files, so the controller (which collects nothing under xdist) and each worker make
    the same one."""
    assert settings.shard is not None
    keys = []
    for path in sorted(suites):
        try:
            suite = load_suite(path, known_languages())
        except SuiteError:
            continue  # a collection error, the same in every shard
        if "all" in settings.agents or suite.agent_id in settings.agents:
            keys += [shard.case_key(suite.agent_id, case.id) for case in suite.cases]
    return shard.plan(keys, settings.shard.total)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--mpm-shard K/N``: keep this shard's benchmark items (other tests stay), report the
    rest as deselected."""
    plan = config.stash.get(PLAN_KEY, None)
    if plan is None:
        return
    index = config.stash[RUN_KEY].settings.shard.index  # type: ignore[union-attr]
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        mine = not isinstance(item, BenchmarkItem) or plan.shard_of(
            shard.case_key(item.case.agent_id, item.case.id)) == index
        (keep if mine else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _preflight(config: pytest.Config, run: Run, suites: frozenset[Path]) -> None:
    """On the controller, before any item: one tiny task, and a one-line stop when the agent
    answers it without code (``--no-mpm-preflight`` skips it)."""
    settings = run.settings
    if (settings.backend != "command" or not settings.preflight or not suites
            or config.getoption("collectonly") or remote.remote_workers(config)):
        return  # with remote workers, the agent runs where they are, not here
    agent = next((a for p in sorted(suites) if (a := peek_agent_id(p))),
                 next((a for a in settings.agents if a != "all"), "preflight"))
    why = preflight.check(run, agent)
    if why is not None:
        raise pytest.UsageError(
            f"agent preflight failed: {run.backend.identity()!r} gave no code for a one-line "
            f"task (add(a, b) in Python): {why} — fix the agent, or skip this check with "
            "--no-mpm-preflight")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> SuiteFile | None:
    selected = parent.config.stash.get(SELECTED_KEY, None)
    if selected and file_path.suffix == ".json" and file_path.resolve() in selected:
        return SuiteFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    # pytest shows a setup error as a traceback with locals; a harness_error shows its result's
    # message and traceback tail, made printable (the exception may quote a solution's text).
    if call.excinfo is not None and isinstance(call.excinfo.value, HarnessError):
        report.longrepr = item.repr_failure(call.excinfo)
    return report


def _versions(suites: frozenset[Path], scoring: str) -> tuple[dict[str, str | None],
                                                              dict[str, str | None]]:
    """The version of each language's toolchain the selected suites use, and of each analyser
    that scores them (v2 only): a tool's new release can move a score as much as the agent.
    None for what is missing; "" for an analyser found that prints no version."""
    languages = sorted({lang for p in suites if (lang := peek_language(p)) is not None})
    toolchains: dict[str, str | None] = {}
    tools: dict[str, str | None] = {}
    for language in languages:
        try:
            executor = executor_for(language)
        except KeyError:
            continue
        toolchains[language] = None if executor.missing() else executor.version()
        if scoring == "v2":
            tools.update((a.tool, analysers.version(a)) for a in analysers.for_language(language))
    return toolchains, tools


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Controller:
    """Controller-side aggregation: from the reports it receives, never from worker state."""

    def __init__(self, config: pytest.Config, settings: Settings, suites: frozenset[Path],
                 baseline: dict[str, Any] | None, plan: shard.Plan | None = None) -> None:
        self.settings = settings
        self.rootpath, self.suites = config.rootpath, suites
        self.suite_names = {p.name for p in suites}
        self.shard: dict[str, Any] | None = None if plan is None or settings.shard is None else {
            "index": settings.shard.index, "total": settings.shard.total,
            "plan_sha256": plan.digest(), "sizes": plan.sizes(),
            "cases": plan.cases(settings.shard.index)}
        self.workers: dict[str, dict[str, Any]] = {}  # xdist worker id -> what it ran with
        self.drift: list[str] = []  # workers that read other suite contents than ours
        self.collected: set[str] = set()  # node ids of the benchmark items to run
        self.skipped: set[str] = set()
        self.baseline = baseline
        self.comparison: dict[str, Any] | None = None
        self.gate_failures: list[str] = []
        self.results: dict[str, dict[str, Any]] = {}
        self.created = _now()
        self.recorded: str | None = None  # what became of the history record, for the summary
        self.record_failed = False
        self.report = None
        self.env: dict[str, Any] = {}
        self.unenforced = guarantees.not_holding(settings.level)
        if any(x is not None for x in (settings.report, settings.history, settings.html,
                                       baseline)):
            self.env = environment(settings.level, suites, *_versions(suites, settings.scoring),
                                   config.rootpath)
            self.env["sandbox_limits"] = {g.name: {"holds": g.holds, "how": g.how}
                                          for g in guarantees.claims(settings.level)}
        if settings.report is not None or settings.html is not None:
            # The HTML dashboard is built from the same document the JSON report holds.
            self.report = JsonReport(settings.report, self._config_block(), self.env,
                                     self.created)
            self.report.shard = self.shard
            self.report.write()

    def _config_block(self) -> dict[str, Any]:
        s = self.settings
        return {"agents": list(s.agents), "backend": s.backend, "agent_cmd": s.agent_cmd,
                "samples": s.samples, "tries": s.tries, "scoring": s.scoring, "weights": s.weights,
                "sandbox_requested": s.sandbox, "sandbox": s.level,
                "limits": s.limits.as_dict(), "agent_timeout": s.agent_timeout,
                "exec_timeout": s.exec_timeout,
                "suites": [str(p) for p in s.suite_paths],
                "warnings": ([UNISOLATED_WARNING] if s.level == "none" else [])
                + ([self._unenforced_warning()] if self.unenforced else []) + self.drift}

    def _unenforced_warning(self) -> str:
        return (f"sandbox limits that do not hold for this user: "
                f"{guarantees.describe(self.unenforced)}")

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected.update(i.nodeid for i in session.items if isinstance(i, BenchmarkItem))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        # Under xdist the controller collects nothing itself: the workers send their node ids.
        self.collected.update(i for i in ids if self._is_benchmark(i))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        facts = getattr(node, "workeroutput", {}).get("mpm_worker")
        if isinstance(facts, dict):
            self.workers[str(node.gateway.id)] = facts

    def _is_benchmark(self, nodeid: str) -> bool:
        # A worker's node ids are relative to its own rootdir, which on another host or in a
        # chdir= of its own need not be ours: a selected suite's file name counts too.
        path = nodeid.split("::")[0]
        return ((self.rootpath / path).resolve() in self.suites
                or (path.endswith(".json") and Path(path).name in self.suite_names))

    @property
    def missing(self) -> int:
        """Collected benchmark items that ended without a result (and were not skipped)."""
        return len(self.collected - self.results.keys() - self.skipped)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and report.when == "setup":
            self.skipped.add(report.nodeid)
            return
        # A result arrives with the call; a harness_error's with its failed setup.
        if report.when != "call" and not (report.when == "setup" and report.failed):
            return
        result = result_of(report)
        if result is None or report.nodeid in self.results:
            return
        self.results[report.nodeid] = result
        if self.report is not None:
            self.report.missing = self.missing
            self.report.add(result)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.section("mpm-bench summary")
        for line in table(summarize(self.results.values())):
            terminalreporter.write_line(printable(line))
        if self.missing:
            terminalreporter.write_line(
                f"INCOMPLETE: {self.missing} of {len(self.collected)} benchmark items have no "
                "result (a crashed worker, an internal error or an interruption)", red=True,
                bold=True)
        if self.settings.level == "none":
            terminalreporter.write_line(f"WARNING: {UNISOLATED_WARNING}", yellow=True, bold=True)
        if self.unenforced:
            terminalreporter.write_line(f"WARNING: {self._unenforced_warning()}", yellow=True)
        for line in self.drift:
            terminalreporter.write_line(f"WARNING: {line}", yellow=True, bold=True)
        if self.shard is not None:
            mine, every = len(self.shard["cases"]), sum(self.shard["sizes"])
            terminalreporter.write_line(
                f"shard {self.shard['index']}/{self.shard['total']}: {mine} of {every} cases "
                "(join the shards' reports with mpm-bench merge)")
        if self.comparison is not None:
            assert self.settings.compare is not None
            terminalreporter.section(
                f"mpm-bench comparison with {compare.describe(self.settings.compare)}")
            for line in compare.lines(self.comparison):
                terminalreporter.write_line(line)
            for reason in self.gate_failures:
                terminalreporter.write_line(f"REGRESSION: {reason}", red=True, bold=True)
        if self.settings.report is not None:
            terminalreporter.write_line(f"report: {self.settings.report}")
        if self.settings.html is not None:
            terminalreporter.write_line(f"html: {self.settings.html}")
        if self.recorded is not None:
            terminalreporter.write_line(f"history: {self.recorded}", red=self.record_failed,
                                        bold=self.record_failed)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        # Runs before the terminal summary prints; the gate can still change the exit status.
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        complete = not interrupted and not self.missing
        if self.baseline is not None:
            changes = compare.environment_changes(
                self.baseline, {"environment": self.env, "config": self._config_block()})
            self.comparison = compare.compare(list(self.results.values()),
                                              self.baseline["results"], changes)
            if self.settings.fail_regression is not None:
                self.gate_failures = compare.gate(self.comparison, self.settings.fail_regression,
                                                  complete)
                if self.gate_failures and session.exitstatus == pytest.ExitCode.OK:
                    session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.workers and self.env:
            self.env["workers"] = self.workers
            ours = {Path(k).name: v for k, v in (self.env.get("suites") or {}).items()}
            self.drift = remote.suite_drift(ours, self.workers)
        if self.report is not None:
            self.report.config = self._config_block()
            if self.shard is not None:
                self.report.shard = {**self.shard, "skipped": len(self.skipped)}
            self.report.finish(complete=complete, missing=self.missing)
            if self.settings.html is not None:
                write_html(self.report.document(), self.settings.html, self.comparison)
        if self.settings.history is not None:
            self._record(self.settings.history, interrupted, int(session.exitstatus))

    def _record(self, path: Path, interrupted: bool, exit_status: int) -> None:
        """Append this session to the history; a failure is a line in the summary, since the
        benchmark itself went fine."""
        if not self.results:
            self.recorded = "nothing to record (no benchmark results)"
            return
        try:
            run_id = history.record(path, created=self.created, finished=_now(),
                                    interrupted=interrupted, exit_status=exit_status,
                                    missing=self.missing,
                                    config=self._config_block(), environment=self.env,
                                    results=list(self.results.values()))
        except history.HistoryError as exc:
            self.recorded, self.record_failed = f"not recorded: {exc}", True
        else:
            state = " (interrupted)" if interrupted else " (incomplete)" if self.missing else ""
            self.recorded = f"run {run_id}{state} recorded in {path}"
