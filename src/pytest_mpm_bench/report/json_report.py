"""The ``--mpm-report`` JSON file, rewritten atomically as each result arrives.

Written after every item (a temp file renamed over the report), so an interrupted session or a
crashed worker leaves a valid report with every result finished before.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import tempfile
import uuid
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pytest_mpm_bench import __version__, jsonsafe
from pytest_mpm_bench.report.summary import sort_key, summarize

SCHEMA = "pytest-mpm-bench/report/1"


def _git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def environment(level: str, suites: Iterable[Path], toolchains: dict[str, str | None],
                analysers: dict[str, str | None], root: Path) -> dict[str, Any]:
    """What a later reader needs to reproduce the run."""
    digests = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(suites)}
    return {"plugin_version": __version__, "python": platform.python_version(),
            "os": platform.platform(), "sandbox": level, "toolchains": toolchains,
            "analysers": analysers,
            "suites": digests,
            "suites_sha256": hashlib.sha256(json.dumps(digests, sort_keys=True).encode())
            .hexdigest(),
            "git_commit": _git_commit(root)}


def version_label(version: str | None) -> str:
    """A tool's version as the environment records it, for people: None is a missing tool,
    "" one found that prints no version."""
    return "missing" if version is None else version or "found"


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to a temp file beside ``path`` and rename it over ``path``: a
    reader never sees half a file. A lone surrogate (a solution can return one) becomes ``?``
    rather than an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # as open() would create it, not mkstemp's 0600
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class JsonReport:
    """The report document, kept up to date as results arrive. Written to ``path`` after every
    result when there is one; without one it only serves the HTML dashboard at session end."""

    def __init__(self, path: Path | None, config: dict[str, Any], env: dict[str, Any],
                 created: str | None = None) -> None:
        self.path, self.config, self.env = path, config, env
        self.created = created or datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.results: list[dict[str, Any]] = []
        # Each result's JSON text, made once: rewriting the report after every item must not
        # encode every earlier result again (json's indenting encoder is pure Python).
        self._texts: dict[int, str] = {}
        self.complete = False
        self.missing = 0  # collected items without a result (so far, until finish)
        self.shard: dict[str, Any] | None = None  # --mpm-shard: which share of the cases

    def add(self, result: dict[str, Any]) -> None:
        self.results.append(result)
        self.write()

    def document(self) -> dict[str, Any]:
        results = sorted(self.results, key=sort_key)
        shard = {} if self.shard is None else {"shard": self.shard}
        return {"schema": SCHEMA, "created": self.created, "complete": self.complete,
                **shard, "environment": self.env, "config": self.config, "results": results,
                "summary": {**summarize(results), "missing": self.missing}}

    def _text(self, result: dict[str, Any]) -> str:
        """``result`` as JSON text indented for its place in the document (results are not
        changed once added; JSON text has no line break inside a string)."""
        text = self._texts.get(id(result))
        if text is None:
            text = "  " + jsonsafe.dumps(result, indent=1).replace("\n", "\n  ")
            self._texts[id(result)] = text
        return text

    def text(self) -> str:
        """The document as JSON text: what ``jsonsafe.dumps(self.document(), indent=1)`` gives,
        with each result encoded only once."""
        document = self.document()
        results = document["results"]
        placeholder = f"results-{uuid.uuid4().hex}"
        head = jsonsafe.dumps({**document, "results": placeholder}, indent=1)
        listed = ("[\n" + ",\n".join(self._text(r) for r in results) + "\n ]") if results \
            else "[]"
        return head.replace(f'"{placeholder}"', listed, 1)

    def write(self) -> None:
        if self.path is not None:
            write_atomically(self.path, self.text())

    def finish(self, complete: bool, missing: int = 0) -> None:
        self.complete, self.missing = complete, missing
        self.write()
