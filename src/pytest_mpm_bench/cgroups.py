"""Per-run cgroups: a real bound on a run's processes and memory, its exact CPU time, and a
kill that reaches double-forked daemons.

Two backends, chosen once per process (``backend``):

- v1, where the ``pids``/``memory``/``cpuacct`` hierarchies are mounted under
  ``/sys/fs/cgroup`` and writable (root): ``/sys/fs/cgroup/<controller>/mpm-bench/<pid>-<n>``.
- v2 (the unified hierarchy, found in ``/proc/self/mountinfo``), under a cgroup we may write:
  the hierarchy's root when we are root, else our own cgroup (``0::`` in ``/proc/self/cgroup``)
  when it is delegated to us, as ``systemd-run --user --scope -p Delegate=yes`` does. Runs go
  in ``<base>/mpm-bench/<pid>-<n>``. A non-root cgroup may enable controllers for its children
  only while it holds no process ("no internal processes"), so the harness's own processes
  (pytest, the xdist workers) are first moved into the leaf ``<base>/harness``.

A run's launcher writes its own pid into each ``procs_files`` entry before it execs the
program. Without a usable hierarchy (an ordinary user without delegation) a run gets
``RunCgroups``, which bounds and counts nothing; callers then fall back on rlimits and wait4.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import signal
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

V1_ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("pids", "memory", "cpuacct")
#: The v2 controllers a run asks for; CPU time (``cpu.stat``) and ``cgroup.kill`` are core.
V2_CONTROLLERS = ("memory", "pids")
RUNS = "mpm-bench"
HARNESS = "harness"
#: A fork in the base cgroup can race with the move of its processes into the leaf.
MOVE_ROUNDS = 20
_counter = itertools.count()
_prepared: set[tuple[int, Path]] = set()  # (pid, base): a forked child prepares again


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
    except OSError:
        return False
    return True


def _rmdir(path: Path) -> None:
    for attempt in range(40):  # busy until the last task is released: a few ms
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.001 if attempt < 20 else 0.01)


class RunCgroups:
    """No cgroup: nothing is bounded or counted (an ordinary user without delegation)."""

    @property
    def procs_files(self) -> tuple[Path, ...]:
        """The ``cgroup.procs`` files the run's launcher writes its pid into."""
        return ()

    @property
    def counts_cpu(self) -> bool:
        return False

    @property
    def bounds_memory(self) -> bool:
        return False

    @property
    def bounds_processes(self) -> bool:
        return False

    def pids(self) -> list[int]:
        return []

    def kill_all(self, timeout: float = 10.0) -> None:
        """Kill every process of the run and wait until the cgroup is empty: the run's uid is
        leased to the next run only then, and a fork bomb's dying processes would otherwise
        still count against that run's RLIMIT_NPROC (on a loaded machine, 128 processes take
        longer than half a second to go)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                return
            self._signal(pids)
            time.sleep(0.01)

    def _signal(self, pids: list[int]) -> None:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    def cpu_seconds(self) -> float | None:
        return None

    def oom_killed(self) -> bool:
        return False

    def remove(self) -> None:
        pass


class V1Run(RunCgroups):
    """One directory per v1 controller."""

    def __init__(self, root: Path, memory_bytes: int, processes: int) -> None:
        name = f"{RUNS}/{os.getpid()}-{next(_counter)}"
        self.dirs: dict[str, Path] = {}
        for controller in V1_CONTROLLERS:
            path = root / controller / name
            try:
                path.mkdir(parents=True)
            except OSError:
                continue
            self.dirs[controller] = path
        self._set("pids", "pids.max", str(processes))
        self._set("memory", "memory.limit_in_bytes", str(memory_bytes))
        self._set("memory", "memory.memsw.limit_in_bytes", str(memory_bytes))

    def _set(self, controller: str, name: str, value: str) -> None:
        if controller in self.dirs:
            _write(self.dirs[controller] / name, value)

    def _get(self, controller: str, name: str) -> str:
        return _read(self.dirs[controller] / name) if controller in self.dirs else ""

    @property
    def procs_files(self) -> tuple[Path, ...]:
        return tuple(path / "cgroup.procs" for path in self.dirs.values())

    @property
    def counts_cpu(self) -> bool:
        return "cpuacct" in self.dirs

    @property
    def bounds_memory(self) -> bool:
        return "memory" in self.dirs

    @property
    def bounds_processes(self) -> bool:
        return "pids" in self.dirs

    def pids(self) -> list[int]:
        text = self._get("pids", "cgroup.procs") or self._get("memory", "cgroup.procs")
        return [int(p) for p in text.split()]

    def cpu_seconds(self) -> float | None:
        text = self._get("cpuacct", "cpuacct.usage")
        return int(text) / 1e9 if text.strip() else None

    def oom_killed(self) -> bool:
        for line in self._get("memory", "memory.oom_control").splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1]) > 0
        return self._get("memory", "memory.failcnt").strip() not in ("", "0")

    def remove(self) -> None:
        for path in self.dirs.values():
            _rmdir(path)


class V2Run(RunCgroups):
    """One cgroup of the unified hierarchy, with whichever of ``V2_CONTROLLERS`` its parent
    passes down: a bound is claimed only once its limit file took the value."""

    def __init__(self, parent: Path, memory_bytes: int, processes: int) -> None:
        self.path: Path | None = parent / f"{os.getpid()}-{next(_counter)}"
        try:
            self.path.mkdir()
        except OSError:
            self.path = None
            self._memory = self._pids = False
            return
        controllers = _read(self.path / "cgroup.controllers").split()
        self._memory = "memory" in controllers and _write(self.path / "memory.max",
                                                          str(memory_bytes))
        if self._memory:  # absent without swap accounting; then swap is not counted, as in v1
            _write(self.path / "memory.swap.max", "0")
        self._pids = "pids" in controllers and _write(self.path / "pids.max", str(processes))

    @property
    def procs_files(self) -> tuple[Path, ...]:
        return () if self.path is None else (self.path / "cgroup.procs",)

    @property
    def counts_cpu(self) -> bool:
        return self.path is not None and (self.path / "cpu.stat").exists()

    @property
    def bounds_memory(self) -> bool:
        return self._memory

    @property
    def bounds_processes(self) -> bool:
        return self._pids

    def pids(self) -> list[int]:
        return [] if self.path is None else [int(p) for p in
                                             _read(self.path / "cgroup.procs").split()]

    def _signal(self, pids: list[int]) -> None:
        # cgroup.kill (Linux >= 5.14) kills the whole cgroup at once, forks in flight too.
        if self.path is None or not _write(self.path / "cgroup.kill", "1"):
            super()._signal(pids)

    def cpu_seconds(self) -> float | None:
        if self.path is None:
            return None
        for line in _read(self.path / "cpu.stat").splitlines():
            key, _, value = line.partition(" ")
            if key == "usage_usec":
                return int(value) / 1e6
        return None

    def oom_killed(self) -> bool:
        if self.path is None or not self._memory:
            return False
        for line in _read(self.path / "memory.events").splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value) > 0
        return False

    def remove(self) -> None:
        if self.path is not None:
            _rmdir(self.path)


# -- choosing a backend --------------------------------------------------------------------------


class Backend:
    """No cgroups here."""

    version = 0

    def create(self, memory_bytes: int, processes: int) -> RunCgroups:
        return RunCgroups()


@dataclass(frozen=True)
class V1(Backend):
    root: Path = V1_ROOT
    version = 1

    def create(self, memory_bytes: int, processes: int) -> RunCgroups:
        return V1Run(self.root, memory_bytes, processes)


@dataclass(frozen=True)
class V2(Backend):
    """Runs under ``base``, a cgroup of the unified hierarchy that we may write."""

    base: Path
    version = 2

    @property
    def runs(self) -> Path:
        return self.base / RUNS

    def prepare(self) -> None:
        """Make ``base/mpm-bench`` with the controllers on, the harness's processes moved out
        of ``base`` first when it is not the hierarchy's root (which alone may hold processes
        and still pass controllers down). Locked: xdist workers prepare it at once."""
        fd = os.open(self.base, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if (self.base / "cgroup.type").exists():  # not the root cgroup
                _move_all(self.base, self.base / HARNESS)
            _enable(self.base)
            with contextlib.suppress(FileExistsError):
                self.runs.mkdir()
            _enable(self.runs)
        finally:
            os.close(fd)  # releases the lock

    def create(self, memory_bytes: int, processes: int) -> RunCgroups:
        # Once per process: a process started in the base after another one prepared it (a
        # second session in the same scope) must leave it too.
        if (os.getpid(), self.base) not in _prepared or not self.runs.is_dir():
            with contextlib.suppress(OSError):
                self.prepare()
            _prepared.add((os.getpid(), self.base))
        return V2Run(self.runs, memory_bytes, processes)


def _move_all(source: Path, leaf: Path) -> None:
    for _ in range(MOVE_ROUNDS):
        pids = _read(source / "cgroup.procs").split()
        if not pids:
            return
        with contextlib.suppress(FileExistsError):  # only where something must leave
            leaf.mkdir()
        for pid in pids:  # one that has just exited is gone already (ESRCH)
            _write(leaf / "cgroup.procs", pid)


def _enable(cgroup: Path) -> None:
    offered = _read(cgroup / "cgroup.controllers").split()
    enabled = _read(cgroup / "cgroup.subtree_control").split()
    for controller in V2_CONTROLLERS:
        if controller in offered and controller not in enabled:
            _write(cgroup / "cgroup.subtree_control", f"+{controller}")


def _v1_usable(root: Path) -> bool:
    for controller in V1_CONTROLLERS:
        hierarchy = root / controller
        if not (hierarchy / "cgroup.procs").exists() or (hierarchy / "cgroup.controllers").exists():
            continue  # not mounted, or a v2 hierarchy
        target = hierarchy / RUNS if (hierarchy / RUNS).exists() else hierarchy
        if os.access(target, os.W_OK):
            return True
    return False


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes."""
    for code in ("040", "011", "012", "134"):
        field = field.replace(f"\\{code}", chr(int(code, 8)))
    return field


def v2_mount(mountinfo: str | None = None) -> tuple[Path, str] | None:
    """The unified hierarchy's mount point and the cgroup at it (``/`` unless bound from a
    subtree), from ``/proc/self/mountinfo``."""
    text = _read(Path("/proc/self/mountinfo")) if mountinfo is None else mountinfo
    for line in text.splitlines():
        before, sep, after = line.partition(" - ")
        fields = before.split()
        if sep and len(fields) >= 5 and after.split()[:1] == ["cgroup2"]:
            return Path(_unescape(fields[4])), _unescape(fields[3])
    return None


def own_v2_cgroup(proc_cgroup: str | None = None) -> str | None:
    """Our cgroup in the unified hierarchy (the ``0::`` line of ``/proc/self/cgroup``)."""
    text = _read(Path("/proc/self/cgroup")) if proc_cgroup is None else proc_cgroup
    for line in text.splitlines():
        if line.startswith("0::"):
            return line[3:].removesuffix(" (deleted)")
    return None


def _delegated(cgroup: Path) -> bool:
    """Ours to divide: the directory and the files that moving processes and enabling
    controllers write belong to us and are writable."""
    try:
        if cgroup.stat().st_uid != os.geteuid():
            return False
    except OSError:
        return False
    return all(os.access(cgroup / name, os.W_OK) for name in
               (".", "cgroup.procs", "cgroup.subtree_control"))


def find_v2() -> tuple[Path | None, str]:
    """The cgroup runs may go under, or None, and where or why not (for ``--mpm-doctor``)."""
    mount = v2_mount()
    if mount is None:
        return None, "no cgroup v2 hierarchy is mounted"
    point, mount_root = mount
    if os.geteuid() == 0:
        if os.access(point, os.W_OK):
            return point, f"{point} (root)"
        return None, f"{point} is not writable"
    own = own_v2_cgroup()
    if own is None:
        return None, "this process is in no cgroup v2"
    relative = os.path.relpath(own, mount_root)
    if relative.startswith(".."):
        return None, f"our cgroup {own} is outside the mount at {point}"
    here = (point / relative).resolve()
    # A harness started from inside a prepared base (pytester, a nested session) uses that base.
    if here.name == HARNESS and _delegated(here.parent):
        here = here.parent
    if _delegated(here):
        return here, f"{here} (delegated)"
    return None, f"our cgroup v2 {own} is not delegated to us"


@cache
def backend() -> Backend:
    """The backend this process uses: v1 where its hierarchies are writable, else v2 where we
    may write a cgroup, else none."""
    if _v1_usable(V1_ROOT):
        return V1()
    base, _ = find_v2()
    return Backend() if base is None else V2(base)


def for_run(memory_bytes: int, processes: int) -> RunCgroups:
    """A new run's cgroups (``remove`` them when it has ended)."""
    return backend().create(memory_bytes, processes)


@dataclass(frozen=True)
class Support:
    """What a run's cgroups give this user here."""

    version: int  # 0: none
    where: str  # the hierarchies (v1) or the runs' parent (v2), or why there is none
    memory: bool
    processes: bool
    cpu: bool
    kill: bool  # the whole run is killed through its cgroup (double-forked daemons too)
    #: Without cgroups, on a cgroup v2 machine, as an ordinary user: the controllers a
    #: delegated subtree would offer (``DELEGATE``), else None.
    delegable: tuple[str, ...] | None = None

    def describe(self) -> str:
        if self.version == 0:
            if self.delegable is None:
                return f"none: {self.where}"
            offers = ", ".join(self.delegable) or "no controller: CPU time and kill only"
            return f"none: {self.where}; {DELEGATE} gives one ({offers})"
        held = [name for name, holds in (("memory", self.memory), ("pids", self.processes),
                                         ("cpu time", self.cpu), ("kill", self.kill)) if holds]
        return f"cgroup v{self.version} at {self.where}: {', '.join(held) or 'nothing'}"


#: What gives an ordinary user a cgroup v2 subtree of their own on a systemd machine.
DELEGATE = "systemd-run --user --scope -p Delegate=yes .venv/bin/pytest ..."


def support() -> Support:
    """Make one run's cgroups and see what they give."""
    chosen = backend()
    delegable = None
    if isinstance(chosen, V1):
        where = str(chosen.root / f"{{{','.join(V1_CONTROLLERS)}}}" / RUNS)
    elif isinstance(chosen, V2):
        where = str(chosen.runs)
    else:
        where = find_v2()[1]
        mount = v2_mount()
        if os.geteuid() != 0 and mount is not None:
            offered = _read(mount[0] / "cgroup.controllers").split()
            delegable = tuple(c for c in V2_CONTROLLERS if c in offered)
    run = chosen.create(1 << 30, 128)
    try:
        return Support(chosen.version, where, run.bounds_memory, run.bounds_processes,
                       run.counts_cpu, bool(run.procs_files), delegable)
    finally:
        run.remove()
