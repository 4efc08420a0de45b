"""Command-line options, their ini twins, and the validated settings built from them.

Precedence: command line > ini > default. Every bad value is one ``pytest.UsageError`` line.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench.agents import BACKENDS
from pytest_mpm_bench.agents.adapters import names as adapter_names
from pytest_mpm_bench.agents.chat_api import Endpoint
from pytest_mpm_bench.agents.usage import Prices, PricesError, parse_prices
from pytest_mpm_bench.report import history
from pytest_mpm_bench.sandbox import LEVELS, TOOL_LIMITS, Limits
from pytest_mpm_bench.scoring import DEFAULT_WEIGHTS, SCORINGS, WeightsError, parse_weights
from pytest_mpm_bench.shard import Shard, ShardError
from pytest_mpm_bench.shard import parse as parse_shard

# (option, ini name, help, ini type, default) — one help text for both twins.
OPTIONS: list[tuple[str, str, str, str, Any]] = [
    ("--mpm-agent", "mpm_agents", "benchmark this agent (repeatable; 'all' = every suite found); "
     "without it no benchmark is collected", "args", []),
    ("--mpm-suite", "mpm_suites", "suite file or directory (repeatable)", "args", []),
    ("--mpm-backend", "mpm_backend", f"where replies come from: {', '.join(BACKENDS)}", "string",
     "command"),
    ("--mpm-agent-cmd", "mpm_agent_cmd", "agent command template; placeholders {task_file} "
     "{agent} {language} {test_id} {workdir} {try}; the task is also on stdin. Or "
     "--mpm-agent-cmd=@NAME [ARGS] (one argument: pytest reads a lone @FILE as a file of "
     f"arguments) for a built-in adapter: {adapter_names()}", "string", ""),
    ("--mpm-replay-dir", "mpm_replay_dir", "recorded replies: DIR/<agent_id>/<test_id>.md",
     "string", ""),
    ("--mpm-agent-timeout", "mpm_agent_timeout", "seconds per agent call", "string", "120"),
    ("--mpm-exec-timeout", "mpm_exec_timeout", "seconds per solution run", "string", "30"),
    ("--mpm-agent-retries", "mpm_agent_retries", "retry an agent_error / agent_timeout this "
     "many times, with exponential backoff (ini mpm_retry_backoff seconds, doubled each try)",
     "string", "0"),
    ("--mpm-samples", "mpm_samples", "samples per case (items case[s0]...)", "string", "1"),
    ("--mpm-tries", "mpm_tries", "self-repair: ask the agent up to N times per item; a failed "
     "try is followed by a task holding the previous solution and its failing visible tests",
     "string", "1"),
    ("--mpm-report", "mpm_report", "write the JSON report here (updated as items finish)",
     "string", ""),
    ("--mpm-html", "mpm_html", "write a self-contained HTML dashboard here at the end of the "
     "session (no network needed to view it)", "string", ""),
    ("--mpm-cache-dir", "mpm_cache_dir", "reply cache directory (content-addressed; safe "
     "under -n)", "string", ".mpm_cache"),
    ("--mpm-sandbox", "mpm_sandbox", f"isolation level: {', '.join(LEVELS)}", "string", "auto"),
    ("--mpm-scoring", "mpm_scoring", "scoring rubric: v2 (tool-based) or v1 (the original)",
     "string", "v2"),
    ("--mpm-history", "mpm_history", "append each session (runs, results) to this SQLite "
     "database; 'mpm-bench history|show|compare' read it", "string", ""),
    ("--mpm-compare", "mpm_compare", "compare with this baseline: a report file, or a run id "
     "of --mpm-history (12 or run:12); per-case and per-dimension deltas, 95% bootstrap "
     "interval of the weighted score", "string", ""),
    ("--mpm-fail-regression", "mpm_fail_regression", "with --mpm-compare: fail the session when "
     "the weighted score drops by more than X or a case that passed now fails", "string", ""),
    ("--mpm-min-score", "mpm_min_score", "an item also fails when its weighted score is lower",
     "string", ""),
    ("--mpm-shard", "mpm_shard", "run shard K of N (e.g. 2/3): a stable share of the cases, "
     "the same on every machine, all samples of a case together; the others are deselected. "
     "'mpm-bench merge' joins the shards' reports", "string", ""),
]
INI_ONLY: list[tuple[str, str, str, Any]] = [
    ("mpm_agent_adapter", "the built-in adapter of the command backend when --mpm-agent-cmd / "
     f"mpm_agent_cmd is not given: {adapter_names()}", "string", ""),
    ("mpm_preflight", "before the session, ask the agent (command backend) for a one-line "
     "function and stop at once when it gives no code; --mpm-preflight / --no-mpm-preflight",
     "bool", True),
    ("mpm_prices", "USD per million tokens, to price what a tool does not price itself: "
     "model:in_per_mtok:out_per_mtok ... ('*' for any model)", "string", ""),
    ("mpm_openai_base_url", "@openai-compatible: the API's base URL, e.g. "
     "http://127.0.0.1:11434/v1 (ollama), https://api.openai.com/v1", "string", ""),
    ("mpm_openai_model", "@openai-compatible: the model name", "string", ""),
    ("mpm_openai_key_env", "@openai-compatible: the environment variable holding the API key "
     "(unset or empty: no key is sent)", "string", "OPENAI_API_KEY"),
    ("mpm_weights", "dimension weights, e.g. correctness:0.40 idiomaticity:0.25 ...", "string",
     DEFAULT_WEIGHTS),
    ("mpm_retry_backoff", "seconds before the first agent retry (doubles each retry)", "string",
     "2"),
    ("mpm_memory_mb", "memory limit of a solution run, MiB", "string", "1024"),
    ("mpm_cpu_seconds", "CPU-time limit of a solution run (default: the exec timeout)", "string",
     ""),
    ("mpm_max_processes", "processes a solution run may have", "string", "128"),
    ("mpm_file_size_mb", "largest file a solution may write, MiB", "string", "64"),
    ("mpm_open_files", "open files a solution may hold", "string", "256"),
    ("mpm_output_kb", "stdout / stderr cap of a solution run, KiB each", "string", "1024"),
    ("mpm_work_mb", "all that a solution run may write in its work dir together, MiB",
     "string", "256"),
    ("mpm_build_timeout", "seconds a build, type check or analyser may take (each runs in the "
     "sandbox)", "string", "120"),
    ("mpm_build_memory_mb", "memory limit of a build, type check or analyser, MiB", "string",
     "2048"),
]


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("mpm-bench", "benchmark AI coding agents (pytest-mpm-bench)")
    group.addoption("--mpm-no-cache", action="store_true", default=False,
                    help="neither read nor write the reply cache")
    group.addoption("--mpm-refresh", action="store_true", default=False,
                    help="ask the agent again and overwrite cached replies")
    group.addoption("--mpm-doctor", action="store_true", default=False,
                    help="print the toolchains and sandbox levels available here, then exit")
    group.addoption("--mpm-preflight", action="store_true", dest="mpm_preflight", default=None,
                    help="before the session, ask the agent for a one-line function and stop "
                         "at once when it gives no code (the default for the command backend; "
                         "ini mpm_preflight)")
    group.addoption("--no-mpm-preflight", action="store_false", dest="mpm_preflight", default=None,
                    help="skip that check")
    for flag, ini, help_text, ini_type, default in OPTIONS:
        kwargs: dict[str, Any] = {"action": "append"} if ini_type == "args" else {}
        # argparse %-formats option help (not ini help): "95%" would break `pytest --help`.
        group.addoption(flag, dest=ini, default=None, help=help_text.replace("%", "%%"),
                        **kwargs)
        parser.addini(ini, help=help_text, type=ini_type, default=default)  # type: ignore[arg-type]
    for ini, help_text, ini_type, default in INI_ONLY:
        parser.addini(ini, help=help_text, type=ini_type, default=default)  # type: ignore[arg-type]


def _get(config: pytest.Config, name: str) -> Any:
    value = config.getoption(name, default=None)
    return config.getini(name) if value is None else value


def _number(config: pytest.Config, name: str, kind: type, minimum: float) -> Any:
    raw = _get(config, name)
    flag = "--" + name.replace("_", "-").replace("mpm-agents", "mpm-agent")
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        what = "a whole number" if kind is int else "a number"
        raise pytest.UsageError(f"{flag} (ini {name}) must be {what}, got {raw!r}") from None
    if value < minimum:
        raise pytest.UsageError(f"{flag} (ini {name}) must be at least {minimum}, got {raw!r}")
    return value


def _choice(config: pytest.Config, name: str, choices: tuple[str, ...]) -> str:
    value = str(_get(config, name))
    if value not in choices:
        flag = "--" + name.replace("_", "-")
        raise pytest.UsageError(f"{flag} must be one of {', '.join(choices)}, got {value!r}")
    return value


def default_suite_paths(rootpath: Path) -> list[Path]:
    """``benchmarks/lightweight`` of the project under test, else the suites that came with
    the plugin (inside the wheel, or beside ``src/`` in a source checkout)."""
    candidates = [
        rootpath / "benchmarks" / "lightweight",
        Path(str(resources.files("pytest_mpm_bench").joinpath("_benchmarks", "lightweight"))),
        Path(__file__).resolve().parents[2] / "benchmarks" / "lightweight",
    ]
    return [next((c for c in candidates if c.is_dir()), candidates[0])]


@dataclass(frozen=True)
class Settings:
    agents: tuple[str, ...]
    suite_paths: tuple[Path, ...]
    backend: str
    agent_cmd: str | None
    replay_dir: Path | None
    agent_timeout: float
    exec_timeout: float
    samples: int
    tries: int
    report: Path | None
    history: Path | None
    html: Path | None
    compare: Path | int | None  # a report file, or a run id of the history database
    fail_regression: float | None
    agent_retries: int
    retry_backoff: float
    cache_dir: Path | None  # None: --mpm-no-cache
    refresh: bool
    sandbox: str
    scoring: str
    min_score: float | None
    weights: dict[str, float]
    limits: Limits
    tool_limits: Limits = TOOL_LIMITS  # builds, type checks, analysers
    level: str = "none"  # the sandbox level resolved at start-up
    agent_adapter: str = ""  # ini mpm_agent_adapter
    preflight: bool = True
    prices: Prices = dataclasses.field(default_factory=Prices)
    endpoint: Endpoint = dataclasses.field(default_factory=Endpoint)
    shard: Shard | None = None  # --mpm-shard K/N

    def item_timeout(self, tool_seconds: float = 0.0) -> float:
        """pytest-timeout's guard for one item: every stage's own limit (each try asks the agent
        with its retries and backoff, builds the code and runs it; then the builds and
        analysers of scoring, all within ``tool_seconds``), plus slack."""
        calls = self.agent_retries + 1
        backoff = self.retry_backoff * (2.0 ** self.agent_retries - 1)
        per_try = calls * self.agent_timeout + backoff + tool_seconds + 4 * self.exec_timeout
        return self.tries * per_try + tool_seconds + 60


def _path(config: pytest.Config, name: str) -> Path | None:
    """A path option: relative to where pytest runs, or, from the ini file, to the rootdir."""
    from_cli = config.getoption(name, default=None)
    raw = from_cli if from_cli is not None else config.getini(name)
    if not raw:
        return None
    path = Path(str(raw)).expanduser()
    base = config.invocation_params.dir if from_cli is not None else config.rootpath
    return path if path.is_absolute() else base / path


def _baseline(config: pytest.Config) -> Path | int | None:
    run_id = history.parse_run_ref(str(_get(config, "mpm_compare") or ""))
    return run_id if run_id is not None else _path(config, "mpm_compare")


def _shard(config: pytest.Config) -> Shard | None:
    raw = str(_get(config, "mpm_shard") or "")
    if not raw:
        return None
    try:
        return parse_shard(raw)
    except ShardError as exc:
        raise pytest.UsageError(f"{exc} (ini mpm_shard)") from None


def read_settings(config: pytest.Config) -> Settings:
    agents = tuple(a for a in (_get(config, "mpm_agents") or []) if a)
    suites = [str(s) for s in (_get(config, "mpm_suites") or [])]
    rootpath = config.rootpath
    suite_paths = tuple(Path(s) if Path(s).is_absolute() else
                        (rootpath / s if config.getoption("mpm_suites") is None
                         else config.invocation_params.dir / s) for s in suites)
    if not suite_paths:
        suite_paths = tuple(default_suite_paths(rootpath))
    try:
        weights = parse_weights(str(config.getini("mpm_weights")))
    except WeightsError as exc:
        raise pytest.UsageError(f"ini mpm_weights: {exc}") from None
    exec_timeout = _number(config, "mpm_exec_timeout", float, 0.1)
    cpu = config.getini("mpm_cpu_seconds")
    mib = 1 << 20
    limits = Limits(
        wall_seconds=exec_timeout,
        cpu_seconds=_number(config, "mpm_cpu_seconds", float, 0.1) if cpu else exec_timeout,
        memory_bytes=int(_number(config, "mpm_memory_mb", float, 16) * mib),
        processes=_number(config, "mpm_max_processes", int, 1),
        file_bytes=int(_number(config, "mpm_file_size_mb", float, 0) * mib),
        open_files=_number(config, "mpm_open_files", int, 16),
        output_bytes=int(_number(config, "mpm_output_kb", float, 1) * 1024),
        work_bytes=int(_number(config, "mpm_work_mb", float, 1) * mib),
    )
    build_seconds = _number(config, "mpm_build_timeout", float, 1)
    tool_limits = dataclasses.replace(
        TOOL_LIMITS, wall_seconds=build_seconds, cpu_seconds=2 * build_seconds,
        memory_bytes=int(_number(config, "mpm_build_memory_mb", float, 64) * mib))
    min_score = _get(config, "mpm_min_score")
    try:
        prices = parse_prices(str(config.getini("mpm_prices")))
    except PricesError as exc:
        raise pytest.UsageError(f"ini mpm_prices: {exc}") from None
    return Settings(
        agents=agents,
        suite_paths=suite_paths,
        backend=_choice(config, "mpm_backend", BACKENDS),
        agent_cmd=_get(config, "mpm_agent_cmd") or None,
        replay_dir=_path(config, "mpm_replay_dir"),
        agent_timeout=_number(config, "mpm_agent_timeout", float, 0.1),
        exec_timeout=exec_timeout,
        samples=_number(config, "mpm_samples", int, 1),
        tries=_number(config, "mpm_tries", int, 1),
        report=_path(config, "mpm_report"),
        history=_path(config, "mpm_history"),
        html=_path(config, "mpm_html"),
        compare=_baseline(config),
        fail_regression=(_number(config, "mpm_fail_regression", float, 0)
                         if _get(config, "mpm_fail_regression") not in ("", None) else None),
        agent_retries=_number(config, "mpm_agent_retries", int, 0),
        retry_backoff=_number(config, "mpm_retry_backoff", float, 0),
        cache_dir=None if config.getoption("mpm_no_cache") else _path(config, "mpm_cache_dir"),
        refresh=bool(config.getoption("mpm_refresh")),
        sandbox=_choice(config, "mpm_sandbox", LEVELS),
        scoring=_choice(config, "mpm_scoring", SCORINGS),
        min_score=(_number(config, "mpm_min_score", float, 0)
                   if min_score not in ("", None) else None),
        weights=weights,
        limits=limits,
        tool_limits=tool_limits,
        agent_adapter=str(config.getini("mpm_agent_adapter")).strip(),
        preflight=bool(_get(config, "mpm_preflight")),
        prices=prices,
        endpoint=Endpoint(str(config.getini("mpm_openai_base_url")).strip(),
                          str(config.getini("mpm_openai_model")).strip(),
                          str(config.getini("mpm_openai_key_env")).strip()),
        shard=_shard(config),
    )
