"""Per-run cgroups: v2 placement, CPU time, kill and clean-up, as root and for an ordinary
user in a delegated subtree.

This machine mounts the v1 hierarchies (which root uses) and a cgroup v2 hierarchy without
the memory and pids controllers: the v2 tests make their own cgroup there and point the
backend at it. Memory and pids bounds under v2 are only checked to be claimed exactly when
the controller is given (nothing here can enforce them).
"""

from __future__ import annotations

import json
import os
import posixpath
import pwd
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mpm_bench import cgroups, guarantees, sandbox
from tests.helpers import ordinary_user, readable_src, survives

MOUNT = cgroups.v2_mount()
#: Prints its cgroup, leaves a double-forked daemon (``sleep 30``, its pid printed) and a
#: child it never waits for that burns 0.6 s of CPU: neither the daemon nor that CPU time
#: reaches the parent's process group or its wait4, only the run's cgroup.
PROG = r"""
import os, time
print(next(l for l in open("/proc/self/cgroup").read().splitlines() if l.startswith("0::")))
r, w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.write(w, b"%d\n" % os.getpid())
        os.execv("/bin/sleep", ["sleep", "30"])
    os._exit(0)
os.wait()
done_r, done_w = os.pipe()
if os.fork() == 0:
    end = time.process_time() + 0.6
    while time.process_time() < end:
        pass
    os.write(done_w, b"x")
    os._exit(0)
print(os.read(r, 20).decode().strip(), flush=True)
os.read(done_r, 1)
"""
BURNT = 0.5
#: Run as an ordinary user put into a delegated cgroup: PROG in the sandbox, then what the
#: harness saw.
AS_USER = r"""
import json, shutil, sys, tempfile
from pathlib import Path
from pytest_mpm_bench import cgroups, guarantees, sandbox
work = Path(tempfile.mkdtemp())
try:
    result = sandbox.run(["/usr/bin/python3", "-c", sys.argv[1]], workdir=work,
                         limits=sandbox.Limits(wall_seconds=60), level="none")
finally:
    shutil.rmtree(work)
claim = next(g for g in guarantees.claims("none") if g.name == "cgroups")
print(json.dumps({"backend": repr(cgroups.backend()), "own": cgroups.own_v2_cgroup(),
                  "stdout": result.stdout.decode(), "cpu": result.cpu_seconds,
                  "claim": [claim.holds, claim.how]}))
"""


def in_hierarchy(path: Path) -> str:
    """``path`` as /proc/<pid>/cgroup names it."""
    assert MOUNT is not None
    return posixpath.normpath(posixpath.join(MOUNT[1], os.path.relpath(path, MOUNT[0])))


def children(cgroup: Path) -> list[Path]:
    return [p for p in cgroup.iterdir() if p.is_dir()]


def remove_tree(base: Path) -> None:
    deepest_first = sorted((p for p in base.rglob("*") if p.is_dir()),
                           key=lambda p: len(p.parts), reverse=True)
    for path in [*deepest_first, base]:
        if (path / "cgroup.kill").exists():
            cgroups._write(path / "cgroup.kill", "1")
        cgroups._rmdir(path)
    assert not base.exists(), f"{base} is left behind"


@pytest.fixture
def v2_base() -> Iterator[Path]:
    """A fresh cgroup of the unified hierarchy, removed with whatever it holds."""
    if os.geteuid() != 0:
        pytest.skip("making a cgroup v2 to test in needs root")
    if MOUNT is None:
        pytest.skip("no cgroup v2 hierarchy is mounted")
    base = MOUNT[0] / f"mpm-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        base.mkdir()
    except OSError as exc:
        pytest.skip(f"cannot make a cgroup v2 at {base}: {exc}")
    try:
        yield base
    finally:
        remove_tree(base)


def run_prog(tmp_path: Path) -> tuple[sandbox.RunResult, str, int]:
    result = sandbox.run(["/usr/bin/python3", "-c", PROG], workdir=tmp_path,
                         limits=sandbox.Limits(wall_seconds=60), level="none")
    assert result.exit_code == 0, result.stderr
    where, daemon = result.stdout.decode().split()
    return result, where, int(daemon)


def test_the_unified_hierarchy_and_our_cgroup_are_read_from_proc() -> None:
    mountinfo = ("35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                 "41 31 0:38 /ns /sys/fs/cgroup/uni\\040fied rw,relatime - cgroup2 cgroup2 rw\n")
    assert cgroups.v2_mount(mountinfo) == (Path("/sys/fs/cgroup/uni fied"), "/ns")
    assert cgroups.v2_mount(mountinfo.splitlines()[0]) is None
    assert cgroups.own_v2_cgroup("4:memory:/a\n0::/user.slice/x.scope\n") == "/user.slice/x.scope"
    assert cgroups.own_v2_cgroup("4:memory:/a\n") is None


def test_root_keeps_v1_where_its_hierarchies_are_writable() -> None:
    if os.geteuid() != 0 or not (cgroups.V1_ROOT / "pids" / "cgroup.procs").exists():
        pytest.skip("needs root and a mounted cgroup v1 pids hierarchy")
    assert isinstance(cgroups.backend(), cgroups.V1)


@pytest.mark.parametrize("kill", ["cgroup.kill", "SIGKILL each"])
def test_a_run_is_placed_counted_and_killed_in_its_v2_cgroup(
        v2_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kill: str) -> None:
    monkeypatch.setattr(cgroups, "backend", lambda: cgroups.V2(v2_base))
    if kill == "cgroup.kill" and not (v2_base / "cgroup.kill").exists():
        pytest.skip("cgroup.kill needs Linux >= 5.14")
    if kill == "SIGKILL each":  # as before Linux 5.14
        write = cgroups._write
        monkeypatch.setattr(cgroups, "_write", lambda path, value: path.name != "cgroup.kill"
                            and write(path, value))
    result, where, daemon = run_prog(tmp_path)
    assert re.fullmatch(rf"0::{re.escape(in_hierarchy(v2_base))}/mpm-bench/{os.getpid()}-\d+",
                        where), where
    assert not survives(daemon)
    assert result.cpu_seconds >= BURNT  # the unwaited child's time, from cpu.stat
    assert not children(v2_base / "mpm-bench")  # the run's cgroup is gone
    assert not (v2_base / "harness").exists()  # nothing of ours lived in v2_base


def test_without_a_cgroup_the_daemon_and_the_cpu_time_escape(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What the test above tells apart: at level none only a cgroup reaches either.
    monkeypatch.setattr(cgroups, "backend", cgroups.Backend)
    result, _, daemon = run_prog(tmp_path)
    try:
        assert survives(daemon)
        assert result.cpu_seconds < BURNT
    finally:
        os.kill(daemon, 9)


def test_v2_claims_a_bound_only_where_its_controller_is_given(
        v2_base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cgroups, "backend", lambda: cgroups.V2(v2_base))
    run = cgroups.for_run(96 << 20, 16)
    try:
        assert run.counts_cpu and run.procs_files
        given = (v2_base / "mpm-bench" / "cgroup.controllers").read_text().split()
        assert run.bounds_memory == ("memory" in given)
        assert run.bounds_processes == ("pids" in given)
        if run.bounds_memory:
            assert run.procs_files[0].with_name("memory.max").read_text() == f"{96 << 20}\n"
        launch = sandbox._launcher(["true"], sandbox.Limits(), run, None, True, 8)
        assert any(a.startswith("--as=") for a in launch) != run.bounds_memory
    finally:
        run.remove()
    claims = {g.name: g for g in guarantees.claims("none")}
    assert claims["memory"].holds == ("memory" in given)
    assert claims["cgroups"].holds
    assert claims["cgroups"].how.startswith(f"cgroup v2 at {v2_base / 'mpm-bench'}: ")


def run_as(user: str, src: Path, argv: list[str], cgroup: Path | None = None) -> str:
    """``argv`` run as ``user`` with the package on its path, in ``cgroup`` if given."""
    home = pwd.getpwnam(user).pw_dir
    command = ["runuser", "-u", user, "--", "env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin",
               f"PYTHONPATH={src}", *argv]
    if cgroup is not None:  # root puts the shell there, which then becomes the user's program
        command = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(cgroup),
                   *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_delegated_v2_subtree_gives_an_ordinary_user_per_run_cgroups(v2_base: Path) -> None:
    user = ordinary_user()
    uid = pwd.getpwnam(user).pw_uid
    # What systemd's Delegate=yes hands over: the directory and the files that divide it.
    for path in (v2_base, *(v2_base / name for name in
                            ("cgroup.procs", "cgroup.subtree_control", "cgroup.threads"))):
        os.chown(path, uid, -1)
    with readable_src() as src:
        seen = json.loads(run_as(user, src, ["/usr/bin/python3", "-c", AS_USER, PROG], v2_base))
    assert seen["backend"] == repr(cgroups.V2(v2_base))
    # The harness left the delegated cgroup for a leaf, so that controllers may be enabled.
    assert seen["own"] == in_hierarchy(v2_base / "harness")
    where, daemon = seen["stdout"].split()
    assert re.fullmatch(rf"0::{re.escape(in_hierarchy(v2_base))}/mpm-bench/\d+-\d+", where)
    assert not survives(int(daemon))
    assert seen["cpu"] >= BURNT
    holds, how = seen["claim"]
    assert holds and how.startswith(f"cgroup v2 at {v2_base / 'mpm-bench'}: ")
    assert not children(v2_base / "mpm-bench")


def test_an_ordinary_user_without_delegation_is_told_how_to_get_one() -> None:
    user = ordinary_user()
    if MOUNT is None:
        pytest.skip("no cgroup v2 hierarchy is mounted")
    script = ("import json\nfrom pytest_mpm_bench import guarantees\n"
              "print(json.dumps({g.name: [g.holds, g.how] for g in guarantees.claims('none')}))")
    with readable_src() as src:
        claims = json.loads(run_as(user, src, ["/usr/bin/python3", "-c", script]))
    holds, how = claims["cgroups"]
    assert not holds and "is not delegated to us" in how
    assert cgroups.DELEGATE in how
    assert claims["memory"][0] is False
