"""Analysers' raw output kept across sessions, keyed by everything it depends on: the files the
tool read (the solution as prepared for it, and what ``prepare`` wrote beside it), its command
line and environment, the tool itself (its resolved path, size and modification time: an
upgrade changes them), the language's toolchain and the directories the tool is shown, and
this package's analyser modules and configurations. Running the same
benchmark again on the same replies then analyses nothing twice.

Only a run that ended is kept (a timeout or a start failure is asked again next time), and only
its output: parsing and pricing happen anew, so a change to them needs no invalidation. The
entries live in a private directory of the user's cache (``state.analysis_dir``), written
atomically; an unreadable one is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from pytest_mpm_bench import __version__, state

FORMAT = 1


@cache
def _package_digest() -> str:
    """This package's analyser modules and configs: a change to a rule file is a miss."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.iterdir()):
        if path.is_file() and path.suffix in (".py", ".xml", ".yml", ".mjs", ".json"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _fingerprint(executable: str) -> list[object]:
    real = os.path.realpath(executable)
    try:
        st = os.stat(real)
    except OSError:
        return [real]
    return [real, st.st_size, st.st_mtime_ns]


@cache
def _toolchains(languages: tuple[str, ...]) -> list[object]:
    """The languages' own toolchains, which a tool may call or read (go vet runs ``go``,
    staticcheck reads its standard library): an upgrade of one is a miss too."""
    from pytest_mpm_bench.languages import executor_for

    found: list[object] = []
    for language in languages:
        for tool in executor_for(language).requires:
            path = shutil.which(tool)
            found.append(_fingerprint(path) if path else tool)
    return found


def key(argv: Sequence[str], env: Mapping[str, str], workdir: Path,
        languages: tuple[str, ...] = (), binds: Sequence[Path] = ()) -> str:
    """What the tool's output depends on: its files, command line and environment, the
    tool, the languages' toolchains, the directories it is shown (node_modules: ``npm ci``
    makes it anew) and our analyser modules."""
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(workdir.iterdir()) if p.is_file() and not p.is_symlink()}
    return hashlib.sha256(json.dumps(
        [FORMAT, _package_digest(), _fingerprint(argv[0]), list(argv[1:]), dict(env), files,
         _toolchains(languages), [_fingerprint(str(b)) for b in binds]],
        sort_keys=True, default=str).encode()).hexdigest()


def get(name: str) -> tuple[str, str] | None:
    try:
        path = state.analysis_dir() / f"{name}.json"
        out, err = json.loads(path.read_text(encoding="utf-8"))
        with contextlib.suppress(OSError):
            os.utime(path)  # in use: kept
    except (OSError, ValueError, TypeError, state.StateError):
        return None
    return (out, err) if isinstance(out, str) and isinstance(err, str) else None


def put(name: str, output: tuple[str, str]) -> None:
    try:
        root = state.analysis_dir()
        fd, tmp = tempfile.mkstemp(dir=root)
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass") as handle:
            json.dump(list(output), handle)
        os.replace(tmp, root / f"{name}.json")
    except (OSError, state.StateError):
        pass  # a cache that cannot be written is only slower
