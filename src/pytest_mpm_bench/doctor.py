"""``pytest --mpm-doctor``: what this machine can run and judge, then exit."""

from __future__ import annotations

from collections.abc import Callable

from pytest_mpm_bench import sandbox
from pytest_mpm_bench.languages import _REGISTRY, executor_for


def _sandbox_lines() -> list[str]:
    lines = []
    for level in ("bwrap", "unshare"):
        try:
            sandbox.resolve_level(level)
            lines.append(f"{'sandbox ' + level:<22} ok")
        except sandbox.SandboxUnavailable as exc:
            lines.append(f"{'sandbox ' + level:<22} unavailable: {exc}")
    try:
        lines.append(f"{'sandbox auto':<22} uses {sandbox.resolve_level('auto')}")
    except sandbox.SandboxUnavailable as exc:
        lines.append(f"{'sandbox auto':<22} FAILS: {exc}")
    return lines


def report(write: Callable[[str], None]) -> int:
    """Write the doctor's lines; return the exit code (1 when no sandbox level works)."""
    write("pytest-mpm-bench doctor")
    languages = sorted({cls.language for cls in _REGISTRY.values()})
    for language in languages:
        executor = executor_for(language)
        missing = executor.missing()
        if missing:
            write(f"{language:<22} missing: {missing}")
        else:
            write(f"{language:<22} ok: {executor.version() or 'version unknown'}")
    sandbox_lines = _sandbox_lines()
    for line in sandbox_lines:
        write(line)
    return 1 if "FAILS" in sandbox_lines[-1] else 0
