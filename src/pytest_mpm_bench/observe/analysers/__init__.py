"""Real analysers of each language, run on the solution file alone, turned into findings.

One module per language family holds its analysers and registers them here; ``lizard``
(complexity and function length) covers every language. Each analyser names the dimension its
findings count against; one run of a slow-starting tool (eslint, rubocop) may feed several
dimensions, each finding naming its own. An analyser that is not installed is a finding too
("not installed": the tool is not scored), so a missing tool is never a silent default. An
analyser that ran but could not analyse the solution (it crashed, timed out, could not parse
it, printed what we cannot read) is a failure, which costs every dimension the run feeds all
its points: breaking a tool must never pay. The formula is in ``score`` and docs/scoring.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from pytest_mpm_bench.languages.compiled import tool_cache
from pytest_mpm_bench.observe.analysers import memo, worker
from pytest_mpm_bench.sandbox import Tools, resolve_level

TIMEOUT = 60.0
PARALLEL = 4  # analyser runs of one solution at once
Finding = dict[str, Any]  # {"tool", "rule", "line", "message", "points"}
DIMENSIONS = ("idiomaticity", "best_practices")


@dataclass(frozen=True)
class Analyser:
    tool: str
    dimension: str  # "idiomaticity" | "best_practices"
    languages: tuple[str, ...]
    executable: str
    argv: Callable[[str], list[str]]  # file name -> command; argv[0] is replaced by the path
    parse: Callable[[str, str], list[Finding]]  # (stdout, stderr) -> findings
    #: Writes what the tool needs beside the solution (go.mod, Cargo.toml, a config file).
    prepare: Callable[[Path, str], None] | None = None
    version_argv: tuple[str, ...] = ("--version",)
    #: Extra environment (e.g. a cache dir); PATH, HOME and LANG are always set.
    env: Callable[[], dict[str, str]] = field(default=dict)
    #: Finds the executable where PATH does not (a toolchain past rustup's proxy, or in
    #: /usr/local/go/bin); called only when the analyser runs. None: ``executable`` on PATH.
    locate: Callable[[], str | None] | None = None
    #: Further dimensions the same run feeds: a finding whose ``"dimension"`` names one of them
    #: counts there (one process per tool, not per dimension, when start-up is the cost).
    also: tuple[str, ...] = ()
    #: Directories outside the system dirs the tool needs to see in the sandbox (a toolchain
    #: under a private home, node_modules); a Python tool's environment is found by itself.
    binds: Callable[[], list[Path]] = field(default=list)
    #: The tool's own caches, as environment variable -> name (``compiled.tool_cache``).
    caches: tuple[tuple[str, str], ...] = ()

    @property
    def dimensions(self) -> tuple[str, ...]:
        return (self.dimension, *self.also)


ANALYSERS: list[Analyser] = []


def register(analyser: Analyser) -> Analyser:
    """Add an analyser (a language module or a plugin calls this)."""
    ANALYSERS.append(analyser)
    return analyser


def tool_path(executable: str) -> str | None:
    """Python tools installed beside this interpreter count even when its bin/ is not on PATH."""
    if os.path.isabs(executable):
        return executable if os.access(executable, os.X_OK) else None
    beside = Path(sys.executable).parent / executable
    return str(beside) if beside.exists() else shutil.which(executable)


def executable_path(analyser: Analyser) -> str | None:
    """Where the analyser's executable is, or None when it is not installed."""
    if analyser.locate is not None:
        return analyser.locate()
    return tool_path(analyser.executable)


def for_language(language: str) -> list[Analyser]:
    return [a for a in ANALYSERS if language in a.languages]


@cache
def version(analyser: Analyser) -> str | None:
    """The tool's own version line, for ``--mpm-doctor`` and the report's environment."""
    path = executable_path(analyser)
    if path is None:
        return None
    if not analyser.version_argv:  # a tool without a version flag (gofmt): found is all we know
        return ""
    try:
        out = subprocess.run([path, *analyser.version_argv], capture_output=True, text=True,
                             timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (out.stdout or out.stderr).strip().splitlines()
    return lines[0].strip() if lines else None


def analyse(source: str, language: str, file_name: str,
            tools: Tools | None = None) -> dict[str, list[Finding]]:
    """Findings per dimension for ``source``, from every analyser of ``language``, each run
    in the sandbox through ``tools`` (default: the best level that works here). An analyser
    reads hostile text, so it is confined as a compiler is."""
    if tools is None:
        tools = Tools(resolve_level("auto"))
    tools = Tools(tools.level, replace(tools.limits, wall_seconds=TIMEOUT,
                                       cpu_seconds=2 * TIMEOUT))
    found: dict[str, list[Finding]] = {dimension: [] for dimension in DIMENSIONS}
    mine = for_language(language)
    with tempfile.TemporaryDirectory(prefix="mpm-analyse-") as tmp:
        runs = _run_all(mine, source, file_name, Path(tmp), tools)
        for analyser in mine:
            findings = _run(analyser, file_name, Path(tmp), tools, runs)
            for dimension in analyser.dimensions:
                # A finding without a rule and a dimension ("not installed", "timed out") is
                # about the whole run, so every dimension the run feeds shows it.
                here = [{k: v for k, v in f.items() if k != "dimension"} for f in findings
                        if f.get("dimension", analyser.dimension) == dimension
                        or ("dimension" not in f and "rule" not in f)]
                # A clean run is evidence too: the reader sees which tools looked.
                found[dimension].extend(here or [{"tool": analyser.tool,
                                                  "message": "no findings", "points": 0.0}])
    for dimension in DIMENSIONS:
        if not any(dimension in a.dimensions for a in mine):
            found[dimension].append({"tool": "analysers", "points": 0.0,
                                     "message": f"no {dimension} analyser for {language} yet: "
                                                "the score reflects no findings, not a review"})
    return found


Runs = dict[tuple[object, ...], tuple[str, str] | str]


def _command(analyser: Analyser, file_name: str) -> tuple[list[str], tuple[object, ...]] | None:
    """The analyser's command line and what identifies its run, or None when the tool is not
    installed. Analysers that run the same command after the same preparation share one run
    (one checkstyle run read for two dimensions): the source is the same within ``analyse``."""
    path = executable_path(analyser)
    if path is None:
        return None
    argv = [path, *analyser.argv(file_name)[1:]]
    return argv, (*argv, analyser.prepare, analyser.env)


def _run_all(mine: list[Analyser], source: str, file_name: str, tmp: Path,
             tools: Tools) -> Runs:
    """Every distinct run of ``mine``, side by side (each tool waits on its own process, and
    no Python code runs between a fork and its exec, so threads may start them), each in a
    fresh directory of its own: what one tool writes, another never reads."""
    todo: dict[tuple[object, ...], tuple[Analyser, list[str], Path]] = {}
    for analyser in mine:
        command = _command(analyser, file_name)
        if command is not None and command[1] not in todo:
            workdir = Path(tempfile.mkdtemp(dir=tmp))
            Path(workdir, file_name).write_text(source, encoding="utf-8")
            todo[command[1]] = (analyser, command[0], workdir)
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = {key: pool.submit(_execute, analyser, argv, file_name, workdir, tools)
                   for key, (analyser, argv, workdir) in todo.items()}
        return {key: future.result() for key, future in futures.items()}


def _run(analyser: Analyser, file_name: str, workdir: Path, tools: Tools,
         runs: Runs | None = None) -> list[Finding]:
    command = _command(analyser, file_name)
    if command is None:
        return [{"tool": analyser.tool, "message": "not installed", "points": 0.0}]
    argv, key = command
    done = runs.get(key) if runs is not None else None
    if done is None:
        done = _execute(analyser, argv, file_name, workdir, tools)
        if runs is not None:
            runs[key] = done
    if isinstance(done, str):
        return [{"tool": analyser.tool, "message": done, "points": 0.0, "failed": True}]
    out, err = done
    try:
        findings = analyser.parse(out, err)
    except (ValueError, KeyError, TypeError, IndexError):
        return [{"tool": analyser.tool, "message": f"unreadable output: {err[-300:]}",
                 "points": 0.0, "failed": True}]
    return findings


#: Style findings (1 point or less) of one rule count at most this many points together.
STYLE_CAP = 3.0


def cap_repeats(findings: list[Finding], cap: float = STYLE_CAP) -> list[Finding]:
    """A style habit repeated on every line (tabs, quotes, brace placement) is one habit, not N
    faults: the style findings of one rule stop counting at ``cap`` points. The repeats stay in
    the evidence, at 0 points. Findings worth more than 1 point (likely bugs) always count."""
    spent: dict[tuple[str, str, str], float] = {}
    capped: list[Finding] = []
    for finding in findings:
        points = float(finding.get("points", 0.0))
        if 0.0 < points <= 1.0 and "rule" in finding:
            key = (str(finding.get("tool")), str(finding.get("dimension")), str(finding["rule"]))
            allowed = round(min(points, max(0.0, cap - spent.get(key, 0.0))), 2)
            spent[key] = spent.get(key, 0.0) + allowed
            if allowed < points:
                finding = {**finding, "points": allowed,
                           "message": f"{finding.get('message', '')} (a repeat: counted up to "
                                      f"{cap:g} points per rule)"}
        capped.append(finding)
    return capped


def _execute(analyser: Analyser, argv: list[str], file_name: str, workdir: Path,
             tools: Tools) -> tuple[str, str] | str:
    """The tool's (stdout, stderr), or why it did not run to the end: kept from an earlier
    run on the same files (``memo``), else from the Python analysers' worker when it serves
    the tool, else from a run of the tool."""
    caches = {var: tool_cache(tools, name) for var, name in analyser.caches}
    env = {"LANG": "C.UTF-8", **analyser.env(), **{k: str(v) for k, v in caches.items()}}
    try:
        if analyser.prepare is not None:
            analyser.prepare(workdir, file_name)
        kept = memo.key(argv, env, workdir, analyser.languages, analyser.binds())
        output = memo.get(kept)
        if output is not None:
            return output
        done = _served(analyser, argv, workdir, tools)
        if done is None:
            run = tools.run(argv, workdir=workdir, ro_binds=_binds(analyser, argv[0]),
                            rw_binds=list(caches.values()), env=env)
            if run.timed_out:
                return f"timed out after {tools.limits.wall_seconds:g} s"
            if run.memory_exceeded:
                return f"ran out of memory ({tools.limits.memory_bytes >> 20} MiB)"
            done = run.stdout.decode("utf-8", "replace"), run.stderr.decode("utf-8", "replace")
    except OSError as exc:
        return f"could not run: {exc}"
    if isinstance(done, tuple):
        memo.put(kept, done)
    return done


def _served(analyser: Analyser, argv: list[str], workdir: Path,
            tools: Tools) -> tuple[str, str] | str | None:
    """The tool's output from the worker (``worker.py``), or None when it does not serve it:
    not one of its tools, or one installed apart from the interpreter the worker runs."""
    if (analyser.tool not in worker.SERVED or analyser.caches
            or Path(argv[0]).parent != Path(sys.executable).parent or not worker.available()):
        return None
    files = {p.name: p.read_text(encoding="utf-8", errors="replace")
             for p in workdir.iterdir() if p.is_file() and not p.is_symlink()}
    served = worker.worker_for(tools, _binds(analyser, sys.executable))
    return served.run(analyser.tool, [analyser.tool, *argv[1:]], files,
                      tools.limits.wall_seconds)


def _binds(analyser: Analyser, executable: str) -> list[Path]:
    """What the sandbox must show besides the system dirs: the tool's own extras and, for a
    tool installed in this Python's environment (ruff, bandit, lizard), that environment."""
    binds = set(analyser.binds())
    real = Path(executable).resolve()
    for prefix in {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}:
        if not prefix.is_relative_to("/usr") and (
                real.is_relative_to(prefix) or Path(executable).is_relative_to(prefix)):
            binds.update({Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()})
    return sorted(p for p in binds if not p.is_relative_to("/usr"))


def tool_failure(tool: str, err: str) -> Finding:
    """A tool that ran but could not analyse the file (for a parser that recognises the
    failure; an exception from ``parse`` does the same): evidence with its first words, and a
    failure, which ``scoring.style`` prices at the whole dimension."""
    lines = [line.strip() for line in err.strip().splitlines() if line.strip()]
    return {"tool": tool, "message": "could not analyse: " + " | ".join(lines[:3])[:300],
            "points": 0.0, "failed": True}


def _register_builtins() -> None:
    from pytest_mpm_bench.observe.analysers import (
        golang,
        java,
        lizard,
        node,
        php,
        python,
        ruby,
        rust,
    )

    for module in (lizard, python, golang, rust, java, node, php, ruby):
        for analyser in module.ANALYSERS:
            register(analyser)


_register_builtins()
