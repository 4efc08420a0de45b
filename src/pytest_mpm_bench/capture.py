"""Run a trusted local process (the agent CLI) with a deadline and capped output.

The agent keeps the user's environment (it needs its API keys); it runs in its own session so
a timeout kills its whole process tree, and its output is read with a cap so a runaway agent
cannot exhaust the harness's memory.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Captured:
    exit_code: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool
    overflowed: str | None  # "stdout" | "stderr" when a stream passed the cap
    seconds: float


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_captured(argv: Sequence[str], *, stdin: bytes, cwd: Path, env: Mapping[str, str],
                 timeout: float, cap: int) -> Captured:
    """Run ``argv``; never wait past ``timeout`` nor hold more than ``cap`` bytes a stream."""
    start = time.monotonic()
    proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    assert proc.stdin and proc.stdout and proc.stderr
    selector = selectors.DefaultSelector()
    buffers = {"stdout": bytearray(), "stderr": bytearray()}
    selector.register(proc.stdout, selectors.EVENT_READ, "stdout")
    selector.register(proc.stderr, selectors.EVENT_READ, "stderr")
    pending = memoryview(stdin)
    os.set_blocking(proc.stdin.fileno(), False)
    selector.register(proc.stdin, selectors.EVENT_WRITE, "stdin")
    timed_out, overflowed, open_streams = False, None, 2
    try:
        while open_streams:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                timed_out = True
                break
            for key, _ in selector.select(timeout=min(left, 0.5)):
                if key.data == "stdin":
                    try:
                        pending = pending[os.write(key.fd, pending[:65536]):]
                    except (BrokenPipeError, BlockingIOError):
                        pending = pending[:0]
                    if not pending:
                        selector.unregister(key.fileobj)
                        proc.stdin.close()
                    continue
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                buffers[key.data] += chunk
                if len(buffers[key.data]) > cap:
                    del buffers[key.data][cap:]
                    overflowed = key.data
            if overflowed:
                break
        if timed_out or overflowed:
            _kill_group(proc.pid)
        exit_code = proc.wait(timeout=max(1.0, timeout - (time.monotonic() - start)))
    except subprocess.TimeoutExpired:  # closed its pipes but kept running
        _kill_group(proc.pid)
        timed_out, exit_code = True, proc.wait()
    finally:
        _kill_group(proc.pid)  # nothing of the agent outlives its answer
        selector.close()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if not stream.closed:
                stream.close()
    return Captured(None if timed_out or overflowed else exit_code, bytes(buffers["stdout"]),
                    bytes(buffers["stderr"]), timed_out, overflowed, time.monotonic() - start)
