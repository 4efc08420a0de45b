"""A sandboxed worker that runs the Python analysers (bandit, lizard) for many files.

Started once per process (an xdist worker) and sandbox level, it saves each solution the
start-up and imports of two Python tools (about 0.4 s of CPU) and keeps the isolation of a
tool run: the worker runs in the sandbox as a tool does, within the tools' memory and process
limits, and gets each file in a fresh directory of its own (``worker_main.py``). What one file
does to it cannot reach the next: a request that times out kills it, and a worker that dies
answering is replaced and asked again once, so only a file that kills a fresh worker too is
blamed for it (a failure of the tool, as a crash of its command line would be). When the
worker cannot start at all, the tools run as separate processes.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import shutil
import sys
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from pytest_mpm_bench.sandbox import SandboxUnavailable, Service, Tools

SERVED = ("bandit", "lizard")
#: A worker is replaced after this many files or CPU seconds: its CPU limit counts them all.
MAX_REQUESTS = 500
MAX_CPU = 600.0
START_TIMEOUT = 60.0
ANSWER_CAP = 8 << 20


class Worker:
    def __init__(self, tools: Tools, binds: list[Path]) -> None:
        # The CPU limit covers the worker's whole life; each file is bounded by its timeout.
        self.tools = Tools(tools.level, replace(tools.limits, cpu_seconds=2 * MAX_CPU))
        self.binds = binds
        self.service: Service | None = None
        self.workdir: Path | None = None
        self.requests = 0
        self.broken = ""  # why no worker could be started: the tools then run one by one
        self.lock = threading.Lock()

    def _start(self) -> Service | None:
        self.stop()
        self.workdir = Path(tempfile.mkdtemp(prefix="mpm-analyser-worker-"))
        program = Path(__file__).with_name("worker_main.py")
        shutil.copy(program, self.workdir / program.name)
        try:
            service = self.tools.start([sys.executable, "-I", "-X", "utf8",
                                        str(self.workdir / program.name)],
                                       workdir=self.workdir, ro_binds=self.binds,
                                       env={"LANG": "C.UTF-8"})
        except (OSError, SandboxUnavailable) as exc:
            self.broken = f"could not start: {exc}"
            return None
        ready = service.ask(None, START_TIMEOUT, ANSWER_CAP)  # it says so once it has loaded
        if isinstance(ready, str) or b"ready" not in ready:
            service.close()
            self.broken = f"did not start: {ready!r}"[:500]
            return None
        self.service, self.requests = service, 0
        return service

    def stop(self) -> None:
        if self.service is not None:
            self.service.close()
            self.service = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def run(self, tool: str, argv: list[str], files: dict[str, str],
            timeout: float) -> tuple[str, str] | str | None:
        """The tool's (stdout, stderr) on ``files``, why it did not run to the end, or None
        when no worker is available (the caller runs the tool itself)."""
        request = json.dumps({"tool": tool, "argv": argv, "files": files}).encode()
        with self.lock:
            for attempt in range(2):
                service = self.service
                if service is None or self.requests >= MAX_REQUESTS:
                    service = None if self.broken else self._start()
                if service is None:
                    return None
                self.requests += 1
                answer = service.ask(request, timeout, ANSWER_CAP)
                if isinstance(answer, bytes):
                    data = json.loads(answer)
                    if float(data.get("cpu", 0.0)) > MAX_CPU:
                        self.stop()
                    return str(data["out"]), str(data["err"])
                self.stop()
                if answer.startswith("timed out") or attempt == 1:
                    return answer
        return None


_workers: dict[str, Worker] = {}
_lock = threading.Lock()


def available() -> bool:
    """Whether this interpreter can serve the tools (they are installed beside it)."""
    return all(importlib.util.find_spec(name) is not None for name in ("bandit", "lizard"))


def worker_for(tools: Tools, binds: list[Path]) -> Worker:
    with _lock:
        worker = _workers.get(tools.level)
        if worker is None:
            worker = _workers[tools.level] = Worker(tools, binds)
        return worker


@atexit.register
def _stop_all() -> None:
    for worker in _workers.values():
        worker.stop()
