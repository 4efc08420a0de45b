"""Interim runner (level "none" only); replaced by the real sandbox."""

from __future__ import annotations

import os
import resource
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

LEVELS = ("auto", "bwrap", "unshare", "none")


class SandboxUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 30.0
    cpu_seconds: float = 30.0
    memory_bytes: int = 1 << 30
    processes: int = 128
    file_bytes: int = 64 << 20
    open_files: int = 256
    output_bytes: int = 1 << 20
    channel_bytes: int = 64 << 20
    tmp_bytes: int = 64 << 20

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class RunResult:
    level: str
    exit_code: int | None
    signal: int | None
    stdout: bytes
    stderr: bytes
    channel: bytes
    timed_out: bool
    memory_exceeded: bool
    output_exceeded: str | None
    wall_seconds: float
    cpu_seconds: float


def resolve_level(requested: str) -> str:
    return "none"


def run(argv: Sequence[str], *, workdir: Path, limits: Limits, level: str,
        ro_binds: Sequence[Path] = (), env: Mapping[str, str] | None = None,
        slot: int = 0) -> RunResult:
    read_fd, write_fd = os.pipe()

    def setup() -> None:
        os.dup2(write_fd, 3)
        resource.setrlimit(resource.RLIMIT_CPU, (int(limits.cpu_seconds) + 1,) * 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    base = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(workdir), "LANG": "C.UTF-8",
            "TMPDIR": str(workdir)}
    start = time.monotonic()
    proc = subprocess.Popen(list(argv), cwd=workdir, env={**base, **(env or {})},
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=setup, pass_fds=(3,),
                            start_new_session=True)
    os.close(write_fd)
    assert proc.stdout and proc.stderr
    sel = selectors.DefaultSelector()
    bufs = {"stdout": bytearray(), "stderr": bytearray(), "channel": bytearray()}
    caps = {"stdout": limits.output_bytes, "stderr": limits.output_bytes,
            "channel": limits.channel_bytes}
    sel.register(proc.stdout, selectors.EVENT_READ, "stdout")
    sel.register(proc.stderr, selectors.EVENT_READ, "stderr")
    sel.register(read_fd, selectors.EVENT_READ, "channel")
    timed_out, exceeded = False, None
    open_streams = 3
    while open_streams:
        left = limits.wall_seconds - (time.monotonic() - start)
        if left <= 0:
            timed_out = True
            break
        for key, _ in sel.select(timeout=min(left, 0.5)):
            name = key.data
            chunk = os.read(key.fd, 65536)
            if not chunk:
                sel.unregister(key.fileobj)
                open_streams -= 1
                continue
            bufs[name] += chunk
            if len(bufs[name]) > caps[name]:
                exceeded = name
                del bufs[name][caps[name]:]
        if exceeded:
            break
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    sel.close()
    os.close(read_fd)
    proc.stdout.close()
    proc.stderr.close()
    sig = -os.waitstatus_to_exitcode(status) if os.WIFSIGNALED(status) else None
    return RunResult("none", os.waitstatus_to_exitcode(status) if sig is None else None, sig,
                     bytes(bufs["stdout"]), bytes(bufs["stderr"]), bytes(bufs["channel"]),
                     timed_out, False, exceeded, time.monotonic() - start,
                     usage.ru_utime + usage.ru_stime)
