"""One read loop for every child process we start (a solution, a compiler, an analyser, the
agent): its streams read without blocking, each capped, until they close, a deadline passes
or a cap is hit, so no child can make the harness wait forever or hold more than the caps.
"""

from __future__ import annotations

import os
import selectors
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

CHUNK = 65536


@dataclass(frozen=True)
class Drained:
    data: dict[str, bytes]  # what each stream gave, at most its cap
    timed_out: bool
    exceeded: str | None  # the first stream that passed its cap


def drain(sources: Mapping[str, int], caps: Mapping[str, int], deadline: float, *,
          stdin: tuple[int, bytes] | None = None,
          main_exited: Callable[[], bool] | None = None,
          on_main_exit: Callable[[], None] | None = None, grace: float = 0.5) -> Drained:
    """Read the fds of ``sources`` (non-blocking) until all close, ``deadline`` (a
    ``time.monotonic()`` value) passes, or one gives more than its cap; meanwhile write
    ``stdin`` = (fd, data) and close it. When ``main_exited`` says the main process ended,
    ``on_main_exit`` runs (kill what it left) and reading stops ``grace`` seconds later: a
    leftover holding a pipe cannot keep us waiting."""
    buffers = {name: bytearray() for name in sources}
    selector = selectors.DefaultSelector()
    for name, fd in sources.items():
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ, name)
    pending = memoryview(stdin[1]) if stdin else memoryview(b"")
    if stdin is not None:
        os.set_blocking(stdin[0], False)
        selector.register(stdin[0], selectors.EVENT_WRITE, None)
    timed_out, exceeded, exited_at = False, None, None
    try:
        while any(key.data is not None for key in selector.get_map().values()):
            now = time.monotonic()
            if now >= deadline:
                timed_out = True
                break
            if exited_at is None and main_exited is not None and main_exited():
                exited_at = now
                if on_main_exit is not None:
                    on_main_exit()
            if exited_at is not None and now - exited_at > grace:
                break
            for key, _ in selector.select(timeout=min(0.05, deadline - now)):
                if key.data is None:  # stdin
                    try:
                        pending = pending[os.write(key.fd, pending[:CHUNK]):]
                    except BlockingIOError:
                        continue
                    except OSError:  # the child closed its stdin
                        pending = pending[:0]
                    if not pending:
                        selector.unregister(key.fd)
                        os.close(key.fd)
                    continue
                try:
                    chunk = os.read(key.fd, CHUNK)
                except BlockingIOError:
                    continue
                if not chunk:
                    selector.unregister(key.fd)
                    continue
                name = key.data
                room = caps[name] - len(buffers[name])
                buffers[name] += chunk[:room]
                if len(chunk) > room:
                    exceeded = name
            if exceeded:
                break
    finally:
        if stdin is not None and stdin[0] in selector.get_map():
            os.close(stdin[0])
        selector.close()
    return Drained({k: bytes(v) for k, v in buffers.items()}, timed_out, exceeded)
