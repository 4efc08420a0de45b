"""The compiled family: build once per distinct source, run the built program per case.

A compiled executor turns the solution, its driver and a small generated file (the entry point
and the ``code`` snippets of the case, which must be compiled in) into a program. Builds are
cached under ``$MPM_BUILD_CACHE`` (default ``~/.cache/pytest-mpm-bench/build``), keyed by the
sha256 of every file compiled, the build command and the toolchain version. An entry is built
in a private temp dir and moved into place with ``os.replace``, so concurrent workers
(``pytest -n``) never see half an entry. Compile errors are cached too (a build stopped by
a time or memory limit or killed by a signal is not).

Compilers read solution text, so they run in the sandbox like the solution does (``Tools``:
the tool uid, no network, own PID namespace, only the toolchain and the sources visible, a
sized tmpfs as the work dir, memory and time limits of their own): a source that makes the
compiler read a host file (``#[path]``, ``include_str!``, ``/// <reference>``) finds nothing
there, and one that makes it evaluate without end is stopped as a ``compile_error``. Only the
output dir and the compiler's own cache (Go's) are writable. The parent takes the output dir
into the cache (its own, 0700/0600) and copies the artifact into each run's work dir.

The build happens in ``prepare``: it needs the case's entry point and snippets, which the core
writes to ``input.json`` in the work dir before it calls ``prepare``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pytest_mpm_bench import state
from pytest_mpm_bench.languages.base import BuildOutcome, Executor
from pytest_mpm_bench.sandbox import Tools, reclaim

DIAGNOSTIC_LINES = 30
#: Part of every cache key: entries of older harnesses (built outside the sandbox, whose
#: errors could quote host files) are never read.
CACHE_FORMAT = "sandboxed-builds-1"


def cache_root() -> Path:
    """Where builds are cached: ``$MPM_BUILD_CACHE`` or ``<user cache>/build`` (private)."""
    return state.build_cache()


def tool_cache(tools: Tools, name: str) -> Path:
    """A compiler's own cache (Go's build cache, clean type checks) under the cache root,
    written by tool runs of one owner only and never shown to a run: the tool uid's when
    builds are sandboxed as root, ours otherwise."""
    owner = "unsandboxed" if tools.uid is None and os.geteuid() == 0 else "tools"
    return tools.writable_dir(cache_root() / f"{owner}-{CACHE_FORMAT}" / name)


def first_lines(text: str, count: int = DIAGNOSTIC_LINES) -> str:
    lines = text.strip().splitlines()
    more = f"\n… ({len(lines) - count} more lines)" if len(lines) > count else ""
    return "\n".join(lines[:count]) + more


@dataclass(frozen=True)
class Build:
    """A cache entry: the directory of artifacts, or the compiler's diagnostics."""

    key: str
    directory: Path | None
    error: str | None
    seconds: float
    cached: bool


class CompiledExecutor(Executor):
    """Base of compiled languages: subclasses say what to write, how to build and to run."""

    builds: ClassVar[bool] = True
    #: The compiler's own caches, as environment variable -> name (see ``tool_cache``).
    build_caches: ClassVar[dict[str, str]] = {}
    _versions: ClassVar[dict[str, str | None]] = {}

    # -- what subclasses provide -------------------------------------------------------
    def build_files(self, solution: str, spec: dict[str, Any]) -> dict[str, str]:
        """Every source file of the program (solution, driver, generated glue) by name."""
        raise NotImplementedError

    def build_argv(self, srcdir: Path, outdir: Path) -> list[str]:
        """The compiler command run in ``srcdir``; artifacts go to ``outdir``."""
        raise NotImplementedError

    def build_env(self, home: Path) -> dict[str, str]:
        """Extra environment for the compiler (on top of PATH/HOME/LANG/TMPDIR); ``home`` is its
        writable work dir inside the sandbox."""
        return {}

    def screen(self, solution: str) -> str | None:
        """Why the source may not be compiled at all (e.g. it reads files at compile time)."""
        return None

    def toolchain_version(self) -> str | None:
        raise NotImplementedError

    # -- the shared machinery ------------------------------------------------------------
    def version(self) -> str | None:
        name = type(self).__name__
        if name not in CompiledExecutor._versions:
            try:
                CompiledExecutor._versions[name] = self.toolchain_version()
            except (OSError, subprocess.SubprocessError):
                CompiledExecutor._versions[name] = None
        return CompiledExecutor._versions[name]

    def cache_key(self, files: dict[str, str]) -> str:
        digest = hashlib.sha256()
        argv = self.build_argv(Path("/src"), Path("/out"))
        for part in (CACHE_FORMAT, self.language, self.version() or "", json.dumps(argv)):
            digest.update(part.encode() + b"\0")
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
        return digest.hexdigest()[:40]

    def build(self, solution: str, spec: dict[str, Any], tools: Tools) -> Build:
        """Build (or find in the cache) the program for ``solution`` and the case ``spec``."""
        started = time.monotonic()
        refused = self.screen(solution)
        if refused is not None:
            return Build("", None, refused, 0.0, False)
        files = self.build_files(solution, spec)
        key = self.cache_key(files)
        root = cache_root()
        entry, error_file = root / f"{self.language}-{key}", root / f"{self.language}-{key}.error"
        if entry.is_dir():
            return Build(key, entry, None, time.monotonic() - started, True)
        if error_file.is_file():
            return Build(key, None, error_file.read_text(encoding="utf-8"),
                         time.monotonic() - started, True)
        scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
        try:
            return self._compile(key, files, scratch, entry, error_file, started, tools)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _compile(self, key: str, files: dict[str, str], scratch: Path, entry: Path,
                 error_file: Path, started: float, tools: Tools) -> Build:
        """Run the compiler in the sandbox; only its output dir and its own caches are
        writable, and only the toolchain is visible besides the sources."""
        srcdir, outdir = scratch / "src", tools.writable_dir(scratch / "out")
        srcdir.mkdir()
        for name, text in files.items():
            (srcdir / name).write_text(text, encoding="utf-8")
        caches = {var: tool_cache(tools, name) for var, name in self.build_caches.items()}
        raw = tools.run(self.build_argv(srcdir, outdir), workdir=srcdir,
                        ro_binds=self.build_ro_binds(), rw_binds=[outdir, *caches.values()],
                        env={**self.build_env(srcdir),
                             **{var: str(path) for var, path in caches.items()}})
        limits = tools.limits
        # A build stopped by a limit is not cached: the same source may build on a quieter day.
        if raw.timed_out:
            return Build(key, None, f"the build timed out after {limits.wall_seconds:g} s",
                         time.monotonic() - started, False)
        if raw.memory_exceeded:
            return Build(key, None, f"the build ran out of memory "
                                    f"({limits.memory_bytes >> 20} MiB)",
                         time.monotonic() - started, False)
        # Nor one killed by a signal (the OOM killer, an interrupted session): a compiler's
        # verdict on the source is its diagnostics and exit status, never its death.
        if raw.signal is not None:
            return Build(key, None, f"the compiler was killed by signal {raw.signal}",
                         time.monotonic() - started, False)
        if raw.exit_code != 0 or raw.output_exceeded:
            text = (raw.stderr + raw.stdout).decode("utf-8", "replace")
            text = first_lines(text.replace(f"{srcdir}/", "").replace(str(srcdir), ".")
                               .replace(str(outdir), "<out>"))
            if raw.output_exceeded:
                text += f"\n… (the compiler's {raw.output_exceeded} passed its cap)"
            partial = scratch / "error"
            partial.write_text(text.strip() or f"the compiler exited with {raw.exit_code}",
                               encoding="utf-8")
            partial.chmod(0o600)
            os.replace(partial, error_file)
            return Build(key, None, error_file.read_text(encoding="utf-8"),
                         time.monotonic() - started, False)
        reclaim(outdir)
        try:
            os.replace(outdir, entry)
        except OSError:
            if not entry.is_dir():  # not a lost race with another worker: a real failure
                raise
        return Build(key, entry, None, time.monotonic() - started, False)

    def build_ro_binds(self) -> list[Path]:
        """Toolchain directories outside the system dirs that the compiler needs."""
        return self.ro_binds()

    def prepare(self, workdir: Path, solution: str, tools: Tools) -> BuildOutcome:
        (workdir / self.source_name).write_text(solution, encoding="utf-8")
        spec = json.loads((workdir / "input.json").read_text(encoding="utf-8"))
        built = self.build(solution, spec, tools)
        if built.directory is None:
            return BuildOutcome(compile_error=built.error or "build failed",
                                seconds=built.seconds, cached=built.cached)
        for path in built.directory.rglob("*"):
            target = workdir / path.relative_to(built.directory)
            if path.is_dir():
                target.mkdir(exist_ok=True)
            else:
                shutil.copy2(path, target)  # a copy: the run must not be able to alter the cache
        return BuildOutcome(seconds=built.seconds, cached=built.cached)
