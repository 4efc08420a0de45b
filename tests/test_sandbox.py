"""Hostile programs against each sandbox level: the exact outcome, and nothing on the host.

One test per row of THREATS.md's catalog that the process level answers; the rows about
verdicts (exit 0 early, forged records, rigged equality...) are in test_execution_python.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mpm_bench import guarantees, sandbox

PYTHON = "/usr/bin/python3"
ISOLATED = [level for level in ("bwrap", "unshare") if sandbox._works(level) is None]
MIB = 1 << 20


@pytest.fixture(params=ISOLATED or [pytest.param("bwrap", marks=pytest.mark.skip(
    reason="no isolating sandbox level works here"))])
def level(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="mpm-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run(code: str, workdir: Path, level: str, **limits: float) -> sandbox.RunResult:
    token = uuid.uuid4().hex
    (workdir / "prog.py").write_text(code)
    settings = sandbox.Limits(**{"wall_seconds": 3.0, "cpu_seconds": 3.0,
                                 "memory_bytes": 256 * MIB, **limits})  # type: ignore[arg-type]
    result = sandbox.run([PYTHON, str(workdir / "prog.py"), token], workdir=workdir,
                         limits=settings, level=level)
    assert survivors(token) == [], "a process of the run survived it"
    return result


def survivors(token: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and token.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


def test_results_channel_and_environment(workdir: Path, level: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPM_SECRET_API_KEY", "sk-do-not-leak")
    result = run("import os, json\nos.write(3, json.dumps(sorted(os.environ)).encode())\n"
                 "print('diagnostics')\n", workdir, level)
    assert result.exit_code == 0 and result.level == level
    assert result.channel == b'["HOME", "LANG", "PATH", "TMPDIR"]'
    assert result.stdout == b"diagnostics\n"


@pytest.mark.parametrize("code", [
    "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "signal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True: pass\n",
    "import time\ntime.sleep(60)\n",
    "import sys, time\nwhile True:\n"
    "    sys.stdout.write('.'); sys.stdout.flush(); time.sleep(0.05)\n",
    "import sys\nsys.stdin.read()\nimport time\ntime.sleep(60)\n",
], ids=["spin-ignoring-signals", "sleep", "trickle-output", "read-stdin"])
def test_runaway_code_times_out(workdir: Path, level: str, code: str) -> None:
    started = time.monotonic()
    result = run(code, workdir, level, wall_seconds=1.5, cpu_seconds=1.5)
    assert result.timed_out
    assert time.monotonic() - started < 1.5 + 1.0


@pytest.mark.parametrize("code", [
    "x = bytearray(2 << 30)\n",
    "chunks = []\nwhile True:\n    chunks.append(bytearray(8 << 20))\n",
], ids=["at-once", "slowly"])
def test_memory_bombs_are_stopped(workdir: Path, level: str, code: str) -> None:
    result = run(code, workdir, level, wall_seconds=10, cpu_seconds=10)
    assert result.memory_exceeded or b"MemoryError" in result.stderr
    assert not result.timed_out


@pytest.mark.parametrize(("code", "stream"), [
    ("import sys\nwhile True: sys.stdout.write('x' * 65536)\n", "stdout"),
    ("import sys\nwhile True: sys.stderr.write('y' * 65536)\n", "stderr"),
    ("import sys\nsys.stdout.write('z' * (50 << 20))\n", "stdout"),
], ids=["stdout-flood", "stderr-flood", "one-giant-line"])
def test_floods_stop_at_the_cap(workdir: Path, level: str, code: str, stream: str) -> None:
    result = run(code, workdir, level)
    assert result.output_exceeded == stream
    assert len(getattr(result, stream)) == MIB


def test_fork_bomb_is_bounded_and_leaves_nothing(workdir: Path, level: str) -> None:
    result = run("import os, time\nfor _ in range(100000):\n    try:\n        os.fork()\n"
                 "    except OSError:\n        time.sleep(0.5)\n        break\n",
                 workdir, level, wall_seconds=4)
    assert result.exit_code is not None or result.signal is not None


def holds_or_skip(name: str, level: str) -> None:
    """Skip, saying why, where this limit cannot hold for this user (see guarantees.claims)."""
    claim = next(g for g in guarantees.claims(level) if g.name == name)
    if not claim.holds:
        pytest.skip(f"{name} does not hold for this user: {claim.how}")


def test_processes_stop_at_the_cap(workdir: Path, level: str) -> None:
    holds_or_skip("processes", level)
    result = run("import os\nr, w = os.pipe()\nn = 0\nfor _ in range(100):\n    try:\n"
                 "        pid = os.fork()\n    except OSError:\n        break\n"
                 "    if pid == 0:\n        os.read(r, 1)\n        os._exit(0)\n    n += 1\n"
                 "os.write(3, str(n).encode())\n", workdir, level, processes=16)
    assert 0 < int(result.channel) < 16


def test_memory_spread_over_processes_is_bounded_per_run(workdir: Path, level: str) -> None:
    holds_or_skip("memory", level)
    # Six processes of 64 MiB each under a 128 MiB cap: the first one killed ends the run.
    result = run("import os, time\nfor _ in range(6):\n    if os.fork() == 0:\n"
                 "        block = bytearray(64 << 20)\n        time.sleep(30)\n"
                 "os.wait()\n", workdir, level, wall_seconds=10, memory_bytes=128 * MIB)
    assert result.memory_exceeded and not result.timed_out


def test_daemon_holding_stdout_dies_and_does_not_block(workdir: Path, level: str) -> None:
    started = time.monotonic()
    result = run("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                 "        time.sleep(60)\n    os._exit(0)\nprint('parent done')\n",
                 workdir, level, wall_seconds=10)
    assert result.stdout == b"parent done\n" and not result.timed_out
    assert time.monotonic() - started < 3


def test_crashes_are_signals_without_core_files(workdir: Path, level: str) -> None:
    result = run("import ctypes\nctypes.string_at(0)\n", workdir, level)
    assert result.signal == 11
    assert not any(p.name.startswith("core") for p in workdir.iterdir())


def test_a_sandbox_that_cannot_start_the_program_is_our_fault(workdir: Path, level: str) -> None:
    """A set-up failure (here a bind whose source is missing; on a loaded machine a fork)
    raises, so the item is a harness_error, never the program's runtime error."""
    with pytest.raises(sandbox.SandboxUnavailable, match="could not start the program"):
        sandbox.run(["/bin/true"], workdir=workdir, limits=sandbox.Limits(wall_seconds=10),
                    level=level, ro_binds=[Path("/nonexistent-mpm-bench/x")])
    # A tool (a compiler) the same way: never the solution's compile error.
    with pytest.raises(sandbox.SandboxUnavailable, match="could not start true"):
        sandbox.Tools(level).run(["/bin/true"], workdir=workdir,
                                 ro_binds=[Path("/nonexistent-mpm-bench/x")])


def test_a_program_cannot_pass_its_failure_off_as_the_sandbox(workdir: Path,
                                                              level: str) -> None:
    """It may write what bwrap writes and exit as bwrap does; it was started, so its run is
    its own. Its channel is what it wrote (the start line is the sandbox's)."""
    code = ("import os, sys\nos.write(3, b'{}\\n')\n"
            "sys.stderr.write(\"bwrap: Can't mount proc on /newroot/proc\\n\")\nsys.exit(1)\n")
    result = run(code, workdir, level)
    assert result.started and result.exit_code == 1 and result.channel == b"{}\n"


@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM", "SIGABRT"])
def test_a_signal_to_itself_ends_the_run_and_its_cpu_is_counted(workdir: Path, level: str,
                                                                 sig: str) -> None:
    """The same verdict with or without a cgroup (as an ordinary user, a PID 1 of ours counts
    the CPU time): the code is never the namespace's PID 1, which ignores such signals."""
    result = run("import os, signal, time\nstart = time.process_time()\n"
                 "while time.process_time() - start < 0.3: pass\n"
                 f"os.kill(os.getpid(), signal.{sig})\nprint('survived')\n", workdir, level)
    assert result.stdout == b"" and result.signal == getattr(signal, sig), result
    assert result.cpu_seconds >= 0.25


def test_file_limits(workdir: Path, level: str) -> None:
    result = run("import errno\ntry:\n    open('big', 'wb').write(b'x' * (80 << 20))\n"
                 "except OSError as e:\n    print(errno.errorcode[e.errno])\n"
                 "files = []\ntry:\n    while True: files.append(open('prog.py'))\n"
                 "except OSError as e:\n    print(errno.errorcode[e.errno], len(files))\n",
                 workdir, level, wall_seconds=10)
    lines = result.stdout.decode().split()
    assert lines[0] == "EFBIG" and lines[1] == "EMFILE" and int(lines[2]) < 256


def test_no_network_to_a_loopback_listener(workdir: Path, level: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    accepted: list[object] = []

    def accept() -> None:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                accepted.append(listener.accept())
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    result = run(f"import socket\ns = socket.socket()\nprint(s.connect_ex(('127.0.0.1', {port})))"
                 f"\ntry:\n    socket.getaddrinfo('example.com', 80)\n    print('dns')\n"
                 f"except OSError:\n    print('no-dns')\n", workdir, level)
    thread.join()
    listener.close()
    code, dns = result.stdout.decode().split()
    assert code != "0" and dns == "no-dns"
    assert accepted == []


def test_secrets_and_host_files_are_out_of_reach(workdir: Path, level: str) -> None:
    marker = Path(tempfile.gettempdir()) / f"mpm-escape-{uuid.uuid4().hex}"
    here = Path(__file__).resolve()
    before = here.read_bytes()
    result = run(
        "import os\n"
        "def probe(path):\n"
        "    try:\n        open(path).read(1)\n        return 'read'\n"
        "    except OSError as e:\n        return type(e).__name__\n"
        f"print(probe('/etc/shadow'), probe('/root/.bashrc'), probe({str(here)!r}))\n"
        f"try:\n    open({str(marker)!r}, 'w').write('x')\nexcept OSError:\n    pass\n"
        f"try:\n    open({str(here)!r}, 'a').write('# pwned')\nexcept OSError:\n    pass\n",
        workdir, level)
    assert "read" not in result.stdout.decode().split(), result.stdout
    assert not marker.exists()
    assert here.read_bytes() == before


def test_signals_cannot_reach_the_host(workdir: Path, level: str) -> None:
    result = run("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
                 "try:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass\n",
                 workdir, level)
    assert result.level == level  # and this test process is still alive to check it


def test_unsandboxed_level_still_limits(workdir: Path) -> None:
    result = run("while True: pass\n", workdir, "none", wall_seconds=1, cpu_seconds=1)
    assert result.timed_out and result.level == "none"


def test_fail_closed_when_nothing_isolates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "_works", lambda level: f"{level} broken")
    with pytest.raises(sandbox.SandboxUnavailable, match="install bubblewrap"):
        sandbox.resolve_level("auto")
    assert sandbox.resolve_level("none") == "none"


def test_filling_tmp_fails_inside_and_spares_the_host(workdir: Path, level: str) -> None:
    result = run("import errno, os\ntry:\n"
                 "    with open(os.path.join(os.environ['TMPDIR'], 'fill'), 'wb') as f:\n"
                 "        for _ in range(200):\n            f.write(b'x' * (1 << 20))\n"
                 "    print('filled')\nexcept OSError as e:\n    print(errno.errorcode[e.errno])\n",
                 workdir, level, file_bytes=512 * MIB)
    assert result.stdout.decode().split() == ["ENOSPC"]
    assert not Path(tempfile.gettempdir(), "fill").exists()


def test_planted_symlinks_are_never_followed(workdir: Path, level: str, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    run(f"import os\nos.symlink({str(precious)!r}, 'link')\nos.symlink('/', 'root')\n",
        workdir, level)
    shutil.rmtree(workdir)  # what the harness does after every run
    assert (precious / "keep.txt").read_text() == "keep"


@pytest.mark.skipif(not sandbox._no_nested_userns(), reason="bwrap too old for --disable-userns")
@pytest.mark.skipif("bwrap" not in ISOLATED, reason="bwrap does not work here")
def test_no_user_namespace_inside_bwrap(workdir: Path) -> None:
    # Root of a nested user namespace is where most kernel privilege escalations start.
    result = run("import ctypes, json, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                 "rc = libc.unshare(0x10000000)\n"  # CLONE_NEWUSER
                 "os.write(3, json.dumps([rc, ctypes.get_errno()]).encode())\n", workdir, "bwrap")
    rc, errno = json.loads(result.channel)
    assert rc == -1 and errno != 0, result


@pytest.mark.skipif("bwrap" not in ISOLATED, reason="bwrap does not work here")
def test_host_accounts_are_unknown_inside_bwrap(workdir: Path) -> None:
    result = run("import getpass, os, pathlib, socket\n"
                 "print(pathlib.Path('/etc/passwd').read_text().count('\\n') > 1,"
                 " getpass.getuser(), socket.gethostbyname('localhost'))\n"
                 "os.write(3, pathlib.Path('/etc/passwd').read_bytes())\n", workdir, "bwrap")
    host_users = {line.split(":")[0] for line in Path("/etc/passwd").read_text().splitlines()}
    seen = {line.split(":")[0] for line in result.channel.decode().splitlines()}
    assert seen & host_users <= {"root", "nobody"}
    ok, user, localhost = result.stdout.decode().split()
    assert ok == "True" and localhost == "127.0.0.1"
    assert user.startswith("mpm") or os.geteuid() != 0  # the leased uid has a name
