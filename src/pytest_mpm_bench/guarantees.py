"""Which of the sandbox's limits hold for this user on this machine, and how.

Root leases a uid per run and may write cgroups; an ordinary user gets what the machine offers:
bwrap's namespaces (with a process cap inside its user namespace), rlimits, which bound each
process rather than the run, and per-run cgroups where a cgroup v2 subtree is delegated to
it. ``claims`` says what holds from the mechanisms available, cheaply (the summary and the
report name what does not); ``probe`` runs hostile code in the sandbox to check each claim
(``--mpm-doctor``).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pytest_mpm_bench import cgroups, sandbox
from pytest_mpm_bench.languages.python import interpreter

#: Linux counts RLIMIT_NPROC per user namespace since 5.15 ("ucounts"): before, a cap inside
#: bwrap's namespace would count all of the user's processes.
UCOUNTS_KERNEL = (5, 15)


@dataclass(frozen=True)
class Guarantee:
    name: str
    holds: bool
    how: str  # the mechanism, or why it does not hold and what would make it


def _kernel() -> tuple[int, int]:
    parts = platform.release().split(".")
    try:
        return int(parts[0]), int("".join(c for c in parts[1] if c.isdigit()) or 0)
    except (IndexError, ValueError):
        return (0, 0)


def _cgroup_advice(found: cgroups.Support, controller: str) -> str:
    """What would give a run the cgroup ``controller`` it lacks here."""
    if os.geteuid() == 0:
        return f"no writable {controller} cgroup here"
    if found.version == 2:
        return f"the delegated cgroup does not offer the {controller} controller"
    if found.delegable is not None and controller in found.delegable:
        return f"root, or a delegated cgroup v2: {cgroups.DELEGATE}"
    return "root"


def claims(level: str) -> tuple[Guarantee, ...]:
    """What holds at ``level`` for this user, from the mechanisms at hand."""
    root = os.geteuid() == 0
    found = cgroups.support()
    isolated = level in ("bwrap", "unshare")
    in_userns = level == "bwrap" and _kernel() >= UCOUNTS_KERNEL
    if root:
        processes = Guarantee("processes", True, "RLIMIT_NPROC of a uid leased for the run"
                              + (" and a pids cgroup" if found.processes else ""))
    elif found.processes:
        processes = Guarantee("processes", True, f"a pids cgroup per run (v{found.version})"
                              + (" and RLIMIT_NPROC inside the run's user namespace"
                                 if in_userns else ""))
    elif in_userns:
        processes = Guarantee("processes", True, "RLIMIT_NPROC inside the run's user namespace")
    else:
        processes = Guarantee("processes", False,
                              "a fork bomb is bounded only by a pids cgroup, a leased uid or "
                              "bwrap's user namespace (Linux >= 5.15): needs root, bwrap or "
                              + _cgroup_advice(found, "pids"))
    if found.memory:
        memory = Guarantee("memory", True, f"a memory cgroup per run (v{found.version})")
    else:
        memory = Guarantee("memory", False,
                           "per process only (RLIMIT_AS), not for the run as a whole: a run's "
                           "processes together may use more; needs a memory cgroup: "
                           + _cgroup_advice(found, "memory"))
    cpu = "RLIMIT_CPU per process, and the wall time" + (
        "; counted for the whole run by its cgroup" if found.cpu else "")
    namespaces = "bwrap" if level == "bwrap" else "unshare"
    return (
        Guarantee("wall time", True, "killed by the parent"),
        Guarantee("cpu time", True, cpu),
        memory,
        processes,
        Guarantee("file size", True, "RLIMIT_FSIZE"),
        Guarantee("open files", True, "RLIMIT_NOFILE"),
        Guarantee("output", True, "each stream capped by the parent"),
        Guarantee("network", isolated, f"own network namespace ({namespaces})" if isolated
                  else "the code shares the host's network (--mpm-sandbox none)"),
        Guarantee("pid namespace", isolated,
                  "own PID namespace: nothing outlives the run, no signal reaches the host"
                  if isolated else "the code sees and can signal the user's processes "
                                   "(--mpm-sandbox none)"),
        Guarantee("cgroups", found.version > 0, found.describe()),
    )


def not_holding(level: str) -> list[Guarantee]:
    return [g for g in claims(level) if not g.holds]


def describe(missing: list[Guarantee]) -> str:
    """One line naming the limits that do not hold."""
    return "; ".join(f"{g.name}: {g.how}" for g in missing)


PROBE_LIMITS = sandbox.Limits(wall_seconds=20, cpu_seconds=20, memory_bytes=96 << 20,
                              processes=8, file_bytes=1 << 20)
FORK_ATTEMPTS = 32
PROBE = r"""
import errno, json, os, socket
out = {"pids": sum(p.isdigit() for p in os.listdir("/proc")),
       "interfaces": sorted(name for _, name in socket.if_nameindex())}
r, w = os.pipe()
children = []
for _ in range(%(forks)d):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    children.append(pid)
os.close(w)
for pid in children:
    os.waitpid(pid, 0)
out["forks"] = len(children)
try:
    with open("big", "wb") as handle:
        handle.write(b"x" * (%(fsize)d + 1))
    out["fsize"] = "written"
except OSError as exc:
    out["fsize"] = errno.errorcode[exc.errno]
os.write(3, json.dumps(out).encode())
blocks = [bytearray(16 << 20) for _ in range(%(blocks)d)]
print("allocated")
"""


def probe(level: str) -> dict[str, bool]:
    """Run hostile code at ``level`` under small limits: which limits stopped it."""
    code = PROBE % {"forks": FORK_ATTEMPTS, "fsize": PROBE_LIMITS.file_bytes,
                    "blocks": 2 * PROBE_LIMITS.memory_bytes // (16 << 20)}
    # Its process cap is tiny (8): a start that the machine's load made fail once (bwrap's
    # "Can't fork" under another session's fork bomb) is tried again before it counts.
    for attempt in range(3):
        workdir = Path(tempfile.mkdtemp(prefix="mpm-doctor-"))
        try:
            result = sandbox.run([interpreter(), "-c", code], workdir=workdir,
                                 limits=PROBE_LIMITS, level=level)
            seen = json.loads(result.channel)
            break
        except (ValueError, sandbox.SandboxUnavailable) as exc:
            if attempt == 2:
                why = str(exc) if isinstance(exc, sandbox.SandboxUnavailable) else \
                    result.stderr.decode("utf-8", "replace")[-300:]
                raise RuntimeError(f"the probe did not run: {why}") from None
            time.sleep(1)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    # The memory probe is one process; a per-process bound stops it too, so it proves the
    # mechanism works, not that it bounds the run as a whole (that is what claims() says).
    return {
        "memory": b"allocated" not in result.stdout,
        "processes": seen["forks"] < FORK_ATTEMPTS,
        "file size": seen["fsize"] == "EFBIG",
        "network": seen["interfaces"] == ["lo"],
        "pid namespace": seen["pids"] <= 4,
    }
