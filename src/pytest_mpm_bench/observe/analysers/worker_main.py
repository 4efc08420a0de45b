"""The analyser worker's program, run inside the sandbox (``worker.py`` starts it): Python
analysers (bandit, lizard) loaded once, then one file set analysed per request.

A request is one JSON line ``{"tool", "argv", "files"}``; the answer one JSON line
``{"out", "err", "cpu"}``: what the tool's command line would have printed on stdout and
stderr, as its own ``main`` printed it, and this process's CPU seconds so far. Each request's
files go to a fresh directory, removed after it. Only the parent writes requests.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from typing import Any

#: The tools served: their module and the function their command line calls.
MAINS = {"bandit": ("bandit.cli.main", "main"), "lizard": ("lizard", "main")}


class Captured(io.StringIO):
    """A stream a tool may close (bandit's formatter does) and still be read; bandit also
    compares its ``name`` with stdout's."""

    name = "<stdout>"

    def close(self) -> None:
        pass


def _main_of(tool: str) -> Callable[[], Any]:
    module, name = MAINS[tool]
    function = getattr(importlib.import_module(module), name)
    if tool == "lizard":
        return lambda: function(sys.argv)
    return function  # type: ignore[no-any-return]


def answer(request: dict[str, Any], mains: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    out, err = Captured(), Captured()
    home = os.getcwd()
    where = tempfile.mkdtemp(dir=home)
    try:
        for name, text in request["files"].items():
            with open(os.path.join(where, os.path.basename(name)), "w",
                      encoding="utf-8") as handle:
                handle.write(text)
        os.chdir(where)
        sys.argv = list(request["argv"])
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                mains[request["tool"]]()
            except SystemExit:
                pass
            except Exception:  # a crash of the tool, as its command line would print it
                traceback.print_exc()
    finally:
        os.chdir(home)
        shutil.rmtree(where, ignore_errors=True)
    return {"out": out.getvalue(), "err": err.getvalue(), "cpu": time.process_time()}


def main() -> None:
    # Answers go to a private copy of stdout; anything else writing to fd 1 lands on stderr.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    mains = {tool: _main_of(tool) for tool in MAINS}
    replies.write(json.dumps({"ready": sorted(mains)}) + "\n")
    replies.flush()
    for line in sys.stdin:
        replies.write(json.dumps(answer(json.loads(line), mains)) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
