"""pytest-xdist over execnet: workers on other hosts, which share no disk with the controller.

Each worker reads what it needs where it runs: the suites, the replay directory and the reply
cache through paths relative to its own directory (``--tx …//chdir=DIR``), its reference
timings, build cache and uid leases in its own user's state. Only results cross the wire; the
controller alone writes reports, history and HTML. This module holds what that needs beyond
xdist itself: a clear message for path arguments xdist cannot hand to such workers, a bound on
restarting a worker that cannot start, what each worker tells the controller about itself, and
the doctor run on each worker through execnet.
"""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

#: Seconds the doctor on one worker may take (it builds and runs hostile probes).
DOCTOR_TIMEOUT = 600.0


def tx_specs(config: pytest.Config) -> list[str]:
    """The ``--tx`` specs given on the command line (``2*ssh=…`` counted twice); none when
    the workers come from ``-n``."""
    if config.getoption("numprocesses", None):
        return []
    specs: list[str] = []
    for spec in config.getoption("tx", None) or []:
        count, star, rest = str(spec).partition("*")
        specs.extend([rest] * int(count) if star and count.isdigit() else [str(spec)])
    return specs


def _own_directory(spec: str) -> bool:
    """Whether a worker of ``spec`` runs elsewhere than the controller's directory: on another
    host (ssh, socket, vagrant) or in a ``chdir=`` of its own."""
    parts = spec.split("//")
    return (not any(p == "popen" for p in parts)
            or any(p.startswith(("chdir=", "via=")) for p in parts))


def distributed(config: pytest.Config) -> bool:
    return config.getoption("dist", "no") != "no" and bool(config.getoption("tx", None))


def remote_workers(config: pytest.Config) -> bool:
    """Whether some worker has a directory (or a host) of its own."""
    return distributed(config) and any(_own_directory(s) for s in tx_specs(config))


def _rsync_roots(config: pytest.Config) -> list[Path]:
    import _pytest

    roots = [Path(pytest.__file__).parent, Path(_pytest.__file__).parent]
    roots += [Path(str(p)) for p in config.getoption("rsyncdir", None) or []]
    roots += [Path(str(p)) for p in config.getini("rsyncdirs") or []]
    return [r.resolve() for r in roots]


def check_path_arguments(config: pytest.Config) -> None:
    """pytest-xdist rewrites each argument that names an existing path relative to its rsync
    roots before it sends the command line to a worker with a directory of its own, and stops
    with an internal error on one outside them (``--mpm-suite suites/x.json``). Say what to
    write instead: the option and its path as one argument, which each worker resolves in its
    own directory."""
    if not remote_workers(config):
        return
    roots = _rsync_roots(config)
    args = [str(a) for a in config.invocation_params.args]
    for i, arg in enumerate(args):
        path = Path(arg.split("::")[0])
        try:
            if not path.exists():
                continue
            resolved = path.resolve()
        except OSError:
            continue
        if any(resolved == r or r in resolved.parents for r in roots):
            continue
        before = args[i - 1] if i else ""
        flag = before if before.startswith("--") and "=" not in before else "--mpm-suite"
        raise pytest.UsageError(
            f"pytest-xdist cannot hand the path argument {arg!r} to --tx workers with a "
            f"directory of their own (chdir= or another host): write it as one argument, "
            f"{flag}={arg}, which each worker resolves in its own directory")


def bound_restarts(config: pytest.Config) -> None:
    """With ``--tx`` (not ``-n``) pytest-xdist restarts a worker that dies without limit, so a
    host that cannot start a session (a suite missing there, no sandbox) would be restarted
    forever; allow what ``-n`` allows, four restarts per worker."""
    specs = tx_specs(config)
    if specs and config.getoption("maxworkerrestart", "unset") is None:
        config.option.maxworkerrestart = str(4 * len(specs))


def digests(paths: Iterable[Path]) -> dict[str, str]:
    """SHA-256 of each suite file, by file name: the same suite is read from another path on
    another host."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(paths)}


def worker_facts(rootpath: Path, level: str, suites: Iterable[Path]) -> dict[str, Any]:
    """What a worker tells the controller about itself at the end of its session."""
    return {"host": platform.node(), "python": platform.python_version(),
            "rootdir": str(rootpath), "sandbox": level, "suites": digests(suites)}


def suite_drift(controller: dict[str, str], workers: dict[str, dict[str, Any]]) -> list[str]:
    """One line per worker that read a suite whose content differs from the controller's."""
    lines = []
    for worker, facts in sorted(workers.items()):
        theirs = facts.get("suites") or {}
        differ = sorted(n for n in theirs.keys() & controller.keys() if theirs[n] != controller[n])
        if differ:
            lines.append(f"worker {worker} ({facts.get('host', '?')}) read suites whose content "
                         f"differs from the controller's: {', '.join(differ)}")
    return lines


# The doctor on workers ---------------------------------------------------------------------------

def _remote_doctor(channel):  # type: ignore[no-untyped-def]  # execnet refuses annotations
    """Runs on the worker (sent by execnet, so self-contained): the doctor's lines, then the
    paths the session would read there, then its exit code."""
    import os
    import platform

    paths = channel.receive()
    channel.send(f"host {platform.node()}  python {platform.python_version()}  "
                 f"directory {os.getcwd()}")
    try:
        from pytest_mpm_bench import doctor
    except ImportError as exc:
        channel.send(f"{'pytest-mpm-bench':<32} FAILS: not importable by this python ({exc}): "
                     "pip install it on this host")
        channel.send(1)
        return
    code = doctor.report(channel.send)
    for label, path in paths:
        found = os.path.exists(path)
        if not found:
            code = 1
        where = os.path.abspath(path)
        channel.send(f"{label:<32} {'ok' if found else 'FAILS: missing'}: {where}")
    channel.send(code)


def doctor_on_workers(specs: list[str], paths: list[tuple[str, str]],
                      write: Callable[[str], None]) -> int:
    """Run the doctor on a gateway of each spec and write its report; 1 when any fails."""
    import execnet

    worst = 0
    for spec in specs:
        write(f"== worker --tx {spec}")
        try:
            gateway = execnet.makegateway(spec)
        except Exception as exc:  # execnet raises what the transport raises
            write(f"{'gateway':<32} FAILS: cannot start or reach it: {exc}")
            worst = 1
            continue
        try:
            channel = gateway.remote_exec(_remote_doctor)
            channel.send([list(p) for p in paths])
            while True:
                message = channel.receive(DOCTOR_TIMEOUT)
                if isinstance(message, int):
                    worst = max(worst, message)
                    break
                write(str(message))
        except (execnet.RemoteError, execnet.TimeoutError, EOFError, OSError) as exc:
            last = str(exc).strip().splitlines()
            write(f"{'doctor':<32} FAILS: {last[-1] if last else type(exc).__name__}")
            worst = 1
        finally:
            gateway.exit()
    return worst


def session_paths(config: pytest.Config) -> list[tuple[str, str]]:
    """The paths a session with these options reads on each worker, as given (relative ones
    resolve in the worker's directory)."""
    out: list[tuple[str, str]] = []
    suites = config.getoption("mpm_suites", None) or config.getini("mpm_suites") or []
    out += [("suite", str(s)) for s in suites]
    if (config.getoption("mpm_backend", None) or config.getini("mpm_backend")) == "replay":
        replay = config.getoption("mpm_replay_dir", None) or config.getini("mpm_replay_dir")
        if replay:
            out.append(("replay dir", str(replay)))
    return [(label, os.path.expanduser(path)) for label, path in out]
