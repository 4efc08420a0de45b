"""Run a trusted local process (the agent CLI) with a deadline and capped output.

The agent keeps the user's environment (it needs its API keys); it runs in its own session so
a timeout kills its whole process tree, and its output is read with a cap so a runaway agent
cannot exhaust the harness's memory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_mpm_bench.streams import drain


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
    stdin_read, stdin_write = os.pipe()
    try:
        proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), stdin=stdin_read,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    except BaseException:
        os.close(stdin_write)
        raise
    finally:
        os.close(stdin_read)
    assert proc.stdout and proc.stderr
    try:
        drained = drain({"stdout": proc.stdout.fileno(), "stderr": proc.stderr.fileno()},
                        {"stdout": cap, "stderr": cap}, start + timeout,
                        stdin=(stdin_write, stdin))
        timed_out, overflowed = drained.timed_out, drained.exceeded
        if timed_out or overflowed:
            _kill_group(proc.pid)
        try:  # the streams closed: the agent has answered, or closed them and kept running
            exit_code = proc.wait(timeout=max(1.0, timeout - (time.monotonic() - start)))
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            timed_out, exit_code = True, proc.wait()
    finally:
        _kill_group(proc.pid)  # nothing of the agent outlives its answer
        proc.stdout.close()
        proc.stderr.close()
    return Captured(None if timed_out or overflowed else exit_code, drained.data["stdout"],
                    drained.data["stderr"], timed_out, overflowed, time.monotonic() - start)
