"""``pytest --mpm-doctor``: what this machine can run and judge, then exit."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Callable

from pytest_mpm_bench import guarantees, sandbox, state
from pytest_mpm_bench.agents.adapters import ADAPTERS
from pytest_mpm_bench.languages import _REGISTRY, executor_for
from pytest_mpm_bench.observe import analysers


def _sandbox_lines() -> list[str]:
    lines = []
    for level in ("bwrap", "unshare"):
        try:
            sandbox.resolve_level(level)
            lines.append(f"{'sandbox ' + level:<32} ok")
        except sandbox.SandboxUnavailable as exc:
            lines.append(f"{'sandbox ' + level:<32} unavailable: {exc}")
    try:
        lines.append(f"{'sandbox auto':<32} uses {sandbox.resolve_level('auto')}")
    except sandbox.SandboxUnavailable as exc:
        lines.append(f"{'sandbox auto':<32} FAILS: {exc}")
    return lines


def report(write: Callable[[str], None]) -> int:
    """Write the doctor's lines; return the exit code (1 when no sandbox level works)."""
    write("pytest-mpm-bench doctor")
    languages = sorted({cls.language for cls in _REGISTRY.values()})
    for language in languages:
        executor = executor_for(language)
        missing = executor.missing()
        if missing:
            write(f"{language:<32} missing: {missing}")
        else:
            write(f"{language:<32} ok: {executor.version() or 'version unknown'}")
        for analyser in analysers.for_language(language):
            found = analysers.version(analyser)
            state = (f"ok: {found}" if found
                     else "missing: run scripts/install-toolchains" if found is None
                     else "ok")
            label = f"{analyser.tool} ({', '.join(analyser.dimensions)})"
            write(f"  {label:<30} {state}")
    for adapter in ADAPTERS.values():  # whether --mpm-agent-cmd=@NAME can start here
        label = f"agent @{adapter.name}"
        if not adapter.command:
            write(f"{label:<32} an HTTP endpoint (ini mpm_openai_base_url)")
            continue
        program = shlex.split(adapter.command)[0]
        found = shutil.which(program)
        write(f"{label:<32} " + (f"ok: {found}" if found else
                                 f"missing: {program} (install: {adapter.install})"))
    sandbox_lines = _sandbox_lines()
    for line in sandbox_lines:
        write(line)
    lines = _state_lines() + _limit_lines()
    for line in lines:
        write(line)
    return 1 if any("FAILS" in line for line in [*sandbox_lines, *lines]) else 0


def _state_lines() -> list[str]:
    lines = []
    for label, where in (("state dir", state.state_dir), ("build cache", state.build_cache)):
        try:
            lines.append(f"{label:<32} ok: {where()}")
        except state.StateError as exc:
            lines.append(f"{label:<32} FAILS: {exc}")
    return lines


#: What the hostile probe (``guarantees.probe``) found, stopped or not, for each limit.
PROBE_WORDS = {
    "memory": ("one process's allocation stopped", "one process allocated past the cap"),
    "processes": ("a fork bomb stopped", "a fork bomb not stopped"),
    "file size": ("a big file stopped", "a big file written"),
    "network": ("only loopback seen", "the host's network seen"),
    "pid namespace": ("no host process seen", "host processes seen"),
}


def _limit_lines() -> list[str]:
    """Each limit: whether it holds for this user, how, and what a hostile probe found."""
    try:
        level = sandbox.resolve_level("auto")
    except sandbox.SandboxUnavailable:
        level = "none"
    try:
        measured = guarantees.probe(level)
    except (OSError, RuntimeError, state.StateError, sandbox.SandboxUnavailable) as exc:
        measured, failure = {}, str(exc)
    else:
        failure = ""
    lines = [f"limits for {state.owner(os.geteuid())} at sandbox level {level}:"]
    if failure:
        lines.append(f"  {'probe':<30} FAILS: {failure}")
    for claim in guarantees.claims(level):
        state_ = "holds" if claim.holds else "DOES NOT HOLD"
        check = ""
        if claim.name in measured:
            stopped = measured[claim.name]
            check = f"; probe: {PROBE_WORDS[claim.name][0 if stopped else 1]}"
            if claim.holds and not stopped:
                state_ = "FAILS (claimed, but the probe was not stopped)"
        lines.append(f"  {claim.name:<30} {state_}: {claim.how}{check}")
    return lines
