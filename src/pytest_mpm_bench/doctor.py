"""``pytest --mpm-doctor``: what this machine can run and judge, then exit."""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Callable

from pytest_mpm_bench import sandbox
from pytest_mpm_bench.agents.adapters import ADAPTERS
from pytest_mpm_bench.languages import _REGISTRY, executor_for
from pytest_mpm_bench.scoring import analysers


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
    return 1 if "FAILS" in sandbox_lines[-1] else 0
