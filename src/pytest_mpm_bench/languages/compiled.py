"""The compiled family: build once per distinct source, run the built program per case.

A compiled executor turns the solution, its driver and a small generated file (the entry point
and the ``code`` snippets of the case, which must be compiled in) into a program. Builds are
cached under ``$MPM_BUILD_CACHE`` (default ``~/.cache/pytest-mpm-bench/build``), keyed by the
sha256 of every file compiled, the build command and the toolchain version. An entry is built
in a private temp dir and moved into place with ``os.replace``, so concurrent workers
(``pytest -n``) never see half an entry. Compile errors are cached too (timeouts are not).

The compilers run outside the sandbox, as invoked here they execute no solution code (no cgo,
no build scripts, no annotation processors), in a scrubbed environment. The artifact is copied
into the run's work dir (the sandbox shows only the work dir), where ``sandbox.run`` starts it.

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

DIAGNOSTIC_LINES = 30


def cache_root() -> Path:
    """Where builds are cached: ``$MPM_BUILD_CACHE`` or ``<user cache>/build`` (private)."""
    return state.build_cache()


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

    build_timeout: ClassVar[float] = 180.0
    _versions: ClassVar[dict[str, str | None]] = {}

    # -- what subclasses provide -------------------------------------------------------
    def build_files(self, solution: str, spec: dict[str, Any]) -> dict[str, str]:
        """Every source file of the program (solution, driver, generated glue) by name."""
        raise NotImplementedError

    def build_argv(self, srcdir: Path, outdir: Path) -> list[str]:
        """The compiler command run in ``srcdir``; artifacts go to ``outdir``."""
        raise NotImplementedError

    def build_env(self, home: Path) -> dict[str, str]:
        """Extra environment for the compiler (on top of PATH/HOME/LANG/TMPDIR)."""
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
        for part in (self.language, self.version() or "", json.dumps(argv)):
            digest.update(part.encode() + b"\0")
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
        return digest.hexdigest()[:40]

    def build(self, solution: str, spec: dict[str, Any]) -> Build:
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
            return self._compile(key, files, scratch, entry, error_file, started)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _compile(self, key: str, files: dict[str, str], scratch: Path, entry: Path,
                 error_file: Path, started: float) -> Build:
        srcdir, outdir, home = scratch / "src", scratch / "out", scratch / "home"
        for directory in (srcdir, outdir, home):
            directory.mkdir()
        for name, text in files.items():
            (srcdir / name).write_text(text, encoding="utf-8")
        env = {"PATH": "/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin", "HOME": str(home),
               "LANG": "C.UTF-8", "TMPDIR": str(home), **self.build_env(home)}
        try:
            done = subprocess.run(self.build_argv(srcdir, outdir), cwd=srcdir, env=env,
                                  stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=self.build_timeout, check=False)
        except subprocess.TimeoutExpired:
            return Build(key, None, f"the build ran out of time ({self.build_timeout:.0f} s)",
                         time.monotonic() - started, False)
        if done.returncode != 0:
            text = (done.stderr + done.stdout).decode("utf-8", "replace")
            text = first_lines(text.replace(f"{srcdir}/", "").replace(str(srcdir), "."))
            partial = scratch / "error"
            partial.write_text(text or f"the compiler exited with {done.returncode}",
                               encoding="utf-8")
            os.replace(partial, error_file)
            return Build(key, None, error_file.read_text(encoding="utf-8"),
                         time.monotonic() - started, False)
        for path in outdir.rglob("*"):
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
        outdir.chmod(0o755)
        try:
            os.replace(outdir, entry)
        except OSError:
            if not entry.is_dir():  # not a lost race with another worker: a real failure
                raise
        return Build(key, entry, None, time.monotonic() - started, False)

    def prepare(self, workdir: Path, solution: str) -> BuildOutcome:
        (workdir / self.source_name).write_text(solution, encoding="utf-8")
        spec = json.loads((workdir / "input.json").read_text(encoding="utf-8"))
        built = self.build(solution, spec)
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
