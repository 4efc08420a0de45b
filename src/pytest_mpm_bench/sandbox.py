"""Run untrusted code: isolated, limited, watched from outside, and leaving nothing behind.

Levels (``--mpm-sandbox``):

- ``bwrap``: bubblewrap with every namespace (no network, own PID namespace), an empty root
  with only the system directories, a few ``/etc`` files and the toolchains bound read-only,
  a size-limited ``/tmp``, and the run's work dir as the only writable place. It dies with its
  parent and gets a new session (no terminal injection).
- ``unshare``: the fallback: new network, PID, mount, IPC and UTS namespaces, with tmpfs
  mounted over ``$HOME``, ``/root``, ``/home`` and the paths given to ``hide`` (the project,
  the suites, the reply cache).
- ``none``: limits and process-group kill only; the caller warns that verdicts can be gamed.

At every level, when we are root the code runs as a real unprivileged uid (one per xdist
worker: RLIMIT_NPROC counts per uid host-wide and root ignores it) inside per-run cgroups
(v1 or v2, see ``cgroups``; an ordinary user's only in a cgroup v2 delegated to it) where the
kernel allows; the parent reads CPU time from the kernel, caps every stream, and kills
whatever is left when the main process ends.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import select
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from pytest_mpm_bench import state
from pytest_mpm_bench.cgroups import RunCgroups, for_run
from pytest_mpm_bench.streams import drain

LEVELS = ("auto", "bwrap", "unshare", "none")
BASE_UID = 60000
SYSTEM_DIRS = ("/usr",)
MERGED_USR_LINKS = (("usr/bin", "/bin"), ("usr/lib", "/lib"), ("usr/lib64", "/lib64"),
                    ("usr/sbin", "/sbin"))
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "ssl",
             "ca-certificates", "localtime", "nsswitch.conf", "mime.types",
             "java-17-openjdk", "java-21-openjdk", "php", "ruby")
PATH_INSIDE = "/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin"
PRLIMIT = "/usr/bin/prlimit"
_hidden: list[Path] = []


class SandboxUnavailable(Exception):
    """The requested isolation does not work on this machine."""


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 30.0
    cpu_seconds: float = 30.0
    memory_bytes: int = 1 << 30
    processes: int = 128
    file_bytes: int = 64 << 20
    open_files: int = 256
    output_bytes: int = 1 << 20  # per stream: stdout, stderr
    channel_bytes: int = 64 << 20  # the results channel (fd 3)
    tmp_bytes: int = 64 << 20  # the sandbox's /tmp
    work_bytes: int = 256 << 20  # all that may be written in the work dir, together

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


#: Builds, type checks and analysers: compilers want more memory and time than a solution run,
#: and write more (a cargo target dir, javac's classes); ini mpm_build_* set the first two.
TOOL_LIMITS = Limits(wall_seconds=120.0, cpu_seconds=240.0, memory_bytes=2 << 30,
                     processes=512, file_bytes=256 << 20, open_files=1024,
                     output_bytes=4 << 20, channel_bytes=1 << 20, tmp_bytes=256 << 20,
                     work_bytes=512 << 20)


@dataclass(frozen=True)
class Tools:
    """Where and how a tool (compiler, type checker, analyser) reads solution text: in the
    sandbox at ``level``, within ``limits``, as the tool uid."""

    level: str
    limits: Limits = TOOL_LIMITS

    @property
    def uid(self) -> int | None:
        """The uid tools run as: the tool uid when we are root; ours at level ``none`` (no
        sandbox would show a toolchain under a private home to another uid)."""
        return TOOL_UID if os.geteuid() == 0 and self.level != "none" else None

    def run(self, argv: Sequence[str], *, workdir: Path, ro_binds: Sequence[Path] = (),
            rw_binds: Sequence[Path] = (), env: Mapping[str, str] | None = None) -> RunResult:
        """Run a tool; raises ``SandboxUnavailable`` when the sandbox could not start it (a
        harness fault: it must never read as the solution's compile error)."""
        if self.level == "none":  # no private /tmp; Go refuses a module in the temp dir itself
            env = {"TMPDIR": tempfile.gettempdir(), **(env or {})}
        name = Path(argv[0]).name  # before _process_cap puts prlimit in front
        argv = _process_cap(argv, self.limits, self.level, self.uid)
        return _run(argv, workdir, self.limits, self.level, ro_binds, rw_binds, env, self.uid,
                    TOOL_NPROC, is_tool=True, what=name)

    def start(self, argv: Sequence[str], *, workdir: Path, ro_binds: Sequence[Path] = (),
              env: Mapping[str, str] | None = None) -> Service:
        """Start a long-lived tool (an analyser serving many files) in the sandbox, as a tool
        run is started, talking line by line on its stdin and stdout (``Service``)."""
        if self.level == "none":
            env = {"TMPDIR": tempfile.gettempdir(), **(env or {})}
        argv = _process_cap(argv, self.limits, self.level, self.uid)
        cgroups = for_run(self.limits.memory_bytes, self.limits.processes)
        try:
            command, environment, drop_inside = _command(
                argv, workdir, self.limits, self.level, ro_binds, (), env, self.uid, True,
                as_pid_1=not cgroups.counts_cpu)
        except BaseException:
            cgroups.remove()
            raise
        # Requests come on stdin: fd 3 is /dev/null (no results channel).
        launch = _launcher(command, self.limits, cgroups, self.uid, not drop_inside,
                           TOOL_NPROC, channel=False)
        try:
            # bwrap's --die-with-parent (PR_SET_PDEATHSIG) fires when the *thread* that
            # started it ends: a service started from a pool thread died with that thread,
            # so it is started from one that lives as long as this process.
            proc = _service_starter().submit(
                subprocess.Popen, launch, cwd=workdir, env=environment,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                start_new_session=True).result()
        except BaseException:
            cgroups.remove()
            raise
        return Service(proc, cgroups)

    def writable_dir(self, path: Path) -> Path:
        """Create ``path`` (an output dir or a compiler's cache that tool runs write) owned by
        the tools' uid; the caller passes it in ``rw_binds``."""
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.uid is not None and path.stat().st_uid != self.uid:
            _chown_tree(path, self.uid)  # new, or left by an older harness that ran tools as us
        return path


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
    #: Whether the program was started (``START`` wrote its line). A run that was not is
    #: returned only when it timed out first; else ``_run`` raises (a fault of ours).
    started: bool = True


@cache
def _service_starter() -> ThreadPoolExecutor:
    """The thread services are started from: it lives until this process exits."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="mpm-service-starter")


class Service:
    """A tool process started by ``Tools.start``: each request is one line on its stdin,
    each answer one line on its stdout. A request that times out, an answer over the cap, or
    a process that ends closes the service (killing whatever is left of it)."""

    def __init__(self, proc: subprocess.Popen[bytes], cgroups: RunCgroups) -> None:
        self.proc, self.cgroups = proc, cgroups
        self.stderr = bytearray()  # the tail of what it wrote there
        self.closed = False
        self._stdout = bytearray()
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            os.set_blocking(stream.fileno(), False)

    def ask(self, request: bytes | None, timeout: float, cap: int) -> bytes | str:
        """The answer to ``request`` (a line without its end; None: the next line it writes
        unasked), or why there is none."""
        if self.closed:
            return "the service has ended"
        assert self.proc.stdin is not None and self.proc.stdout is not None
        assert self.proc.stderr is not None
        pending = memoryview(b"" if request is None else request + b"\n")
        deadline = time.monotonic() + timeout
        out, err, into = self.proc.stdout.fileno(), self.proc.stderr.fileno(), \
            self.proc.stdin.fileno()
        while b"\n" not in self._stdout:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                return f"timed out after {timeout:g} s"
            readable, writable, _ = select.select([out, err], [into] if pending else [], [],
                                                  min(left, 1.0))
            if into in writable:
                try:
                    pending = pending[os.write(into, pending[:65536]):]
                except BlockingIOError:
                    pass
                except BrokenPipeError:  # it has ended: its stdout is about to say so
                    pending = pending[:0]
            for fd in readable:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                if fd == err:
                    self.stderr = (self.stderr + chunk)[-2000:]
                    continue
                if not chunk:
                    self.close()
                    tail = self.stderr.decode("utf-8", "replace").strip()[-300:]
                    return f"ended without an answer ({tail or 'no message'})"
                self._stdout += chunk
            if len(self._stdout) > cap:
                self.close()
                return f"answered more than {cap >> 20} MiB"
        line, _, rest = bytes(self._stdout).partition(b"\n")
        self._stdout = bytearray(rest)
        return line

    def cpu_seconds(self) -> float | None:
        return self.cgroups.cpu_seconds()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        _kill(self.proc, self.cgroups)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.proc.pid, 0)
        self.proc.returncode = -1
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.cgroups.remove()


def hide(paths: Sequence[Path]) -> None:
    """Paths the ``unshare`` level must mask (bwrap shows nothing it was not told to)."""
    _hidden.extend(p.resolve() for p in paths if p.exists())


# -- building the command -----------------------------------------------------------------------


@cache
def _private_etc() -> Path:
    """passwd, group and hosts made for the sandbox: the host's accounts stay unknown to the
    code, and the run's uid (any of the pool) still has a name, as some runtimes expect."""
    root = Path(tempfile.mkdtemp(prefix="mpm-etc-"))
    root.chmod(0o755)
    pool = range(TOOL_UID, BASE_UID + UID_POOL)
    files = {
        "passwd": "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                  + "".join(f"mpm{uid}:x:{uid}:{uid}::/tmp:/usr/sbin/nologin\n"
                            for uid in _named(pool)),
        "group": "root:x:0:\nnogroup:x:65534:\n"
                 + "".join(f"mpm{uid}:x:{uid}:\n" for uid in _named(pool)),
        "hosts": "127.0.0.1 localhost\n::1 localhost\n",
    }
    for name, text in files.items():
        (root / name).write_text(text)
        (root / name).chmod(0o644)
    atexit.register(shutil.rmtree, root, True)
    return root


def _named(pool: range) -> list[int]:
    """The uids the sandbox's passwd names: the pool, and ours when we are not root (the code
    then runs as our own uid, and runtimes look their user up)."""
    me = os.geteuid()
    return [*pool, *((me,) if me != 0 and me not in pool else ())]


@cache
def _no_nested_userns() -> tuple[str, ...]:
    """Forbid user namespaces inside the sandbox (bwrap >= 0.8): a nested one would make the
    code root of its own namespace, from where kernel bugs are far easier to reach."""
    try:
        usage = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=10,
                               check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return ("--unshare-user", "--disable-userns") if "--disable-userns" in usage else ()


def _staged(workdir: Path) -> list[Path]:
    """What the caller put in the work dir: shown read-only inside, in a fresh sized tmpfs."""
    return sorted(workdir.iterdir())


#: PID 1 of a PID namespace whose init is not bwrap's: coreutils' timeout with no time limit
#: runs the code as its child (PID 1 would ignore every signal the code sends itself), waits
#: for it (so the code's CPU time reaches our wait4 without a cgroup) and exits with its
#: status, 128+N for a signal N, quietly.
REAPER = ("/usr/bin/timeout", "0")
#: The last step before the program, inside the sandbox: writes ``STARTED`` first on the
#: results channel, then becomes the program (without the PWD that sh and bwrap export). A
#: run whose channel does not begin with it never reached the program: the sandbox failed to
#: set up (a mount, a fork under load), a fault of ours that must not read as the program's
#: runtime error. The program cannot take that line back, nor write it when it never ran.
STARTED = b"mpm-started\n"
START = ("/bin/sh", "-c", 'unset PWD OLDPWD; printf "mpm-started\\n" >&3; exec "$@"',
         "mpm-start")
#: Dropping to the tool uid inside a bwrap started as root (see ``_bwrap_argv``).
SETPRIV = ("/usr/bin/setpriv", "--clear-groups", "--no-new-privs", "--inh-caps=-all",
           "--bounding-set=-all")


def _bwrap_argv(argv: Sequence[str], workdir: Path, limits: Limits, ro_binds: Sequence[Path],
                rw_binds: Sequence[Path], env: Mapping[str, str],
                drop_to: int | None = None, as_pid_1: bool = False) -> list[str]:
    """The bwrap command line. A solution's bwrap starts as its leased uid (the user namespace
    it makes maps that uid alone, and nested ones are forbidden). A tool's bwrap, when we are
    root, starts as root, so that it can show the tool a toolchain under a private home
    (rustup's, pyenv's), and drops to ``drop_to`` inside with setpriv; tools run none of the
    solution's code, so they need no guard against nested user namespaces."""
    if drop_to is None:
        namespaces = ["--unshare-all", *_no_nested_userns()]
    else:
        namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                      "--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add",
                      "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    # Without a cpuacct cgroup, the code's CPU time reaches our wait4 only through a PID 1
    # of ours that waits for it (bwrap's own init drops it). That PID 1 is REAPER, not the
    # code: PID 1 ignores every signal it has no handler for, its own kill(SIGKILL) too.
    cmd = ["bwrap", *namespaces, *(("--as-pid-1",) if as_pid_1 else ()), "--die-with-parent",
           "--new-session", "--proc", "/proc", "--dev", "/dev",
           "--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp"]
    if drop_to is not None:  # bwrap makes missing parents as private as the host's: open them
        made: set[Path] = set()
        for path in (Path("/etc/x"), *ro_binds, *rw_binds, workdir):
            for parent in reversed(path.parents[:-1]):
                if parent not in made and parent != Path("/tmp") and not any(
                        parent.is_relative_to(d) for d in SYSTEM_DIRS):
                    made.add(parent)
                    cmd += ["--perms", "0755", "--dir", str(parent)]
    for directory in SYSTEM_DIRS:
        cmd += ["--ro-bind", directory, directory]
    for target, link in MERGED_USR_LINKS:
        if Path(link).is_symlink():
            cmd += ["--symlink", target, link]
        elif Path(link).is_dir():
            cmd += ["--ro-bind", link, link]
    for name in ETC_FILES:
        if Path("/etc", name).exists():
            cmd += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for private in _private_etc().iterdir():
        cmd += ["--ro-bind", str(private), f"/etc/{private.name}"]
    for path in ro_binds:
        cmd += ["--ro-bind", str(path), str(path)]
    for path in rw_binds:
        cmd += ["--bind", str(path), str(path)]
    # A tool's tmpfs is made by root: open to all, as only the tool's uid lives in this mount
    # namespace; a solution's is its own uid's.
    mode = "0700" if drop_to is None else "0777"
    cmd += ["--size", str(limits.work_bytes), "--perms", mode, "--tmpfs", str(workdir)]
    for entry in _staged(workdir):
        if entry.is_symlink():
            cmd += ["--symlink", os.readlink(entry), str(entry)]
        else:
            cmd += ["--ro-bind", str(entry), str(entry)]
    cmd += ["--chdir", str(workdir), "--clearenv"]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    drop = [SETPRIV[0], "--reuid", str(drop_to), "--regid", str(drop_to), *SETPRIV[1:], "--"]
    # bwrap exports PWD after --chdir; START drops it so the code sees exactly our variables.
    return [*cmd, "--", *(drop if drop_to is not None else ()), *(REAPER if as_pid_1 else ()),
            *START, *argv]


# Top-level directories the unshare level leaves visible; every other one is masked by a tmpfs.
UNSHARE_VISIBLE = {"usr", "lib", "lib32", "lib64", "libx32", "bin", "sbin", "etc", "proc", "dev",
                   "sys", "tmp"}


def _unshare_argv(argv: Sequence[str], workdir: Path, limits: Limits, uid: int | None,
                  ro_binds: Sequence[Path], rw_binds: Sequence[Path]) -> list[str]:
    top = {p for p in Path("/").iterdir() if p.is_dir() and not p.is_symlink()
           and p.name not in UNSHARE_VISIBLE}
    # Paths under /tmp vanish with the fresh /tmp; paths under a masked directory are masked.
    extra = {p for p in (Path.home(), *_hidden)
             if not any(p.is_relative_to(t) for t in (*top, Path("/tmp")))}
    masked = sorted((top | extra) - {Path("/var")})
    q = shlex.quote
    # Everything to show is first bound under a private /var (masked afterwards), then /tmp and
    # the masks are mounted, then each is bound back at its own path: the work dir as a sized
    # tmpfs holding read-only binds of the staged entries, the toolchains read-only.
    binds = ([(e, e, False) for e in _staged(workdir) if not e.is_symlink()]
             + [(p, p, False) for p in ro_binds] + [(p, p, True) for p in rw_binds])
    script = "set -e; mount -t tmpfs -o size=1m,mode=755 mpm-hidden /var; "
    for k, (source, _, _) in enumerate(binds):
        make = "mkdir" if source.is_dir() else "touch"
        script += f"{make} /var/b{k}; mount --bind {q(str(source))} /var/b{k}; "
    script += (f"mount -t tmpfs -o size={limits.tmp_bytes},mode=1777 mpm-tmp /tmp; "
               + "".join(f"mount -t tmpfs -o size=1m,mode=755 mpm-hidden {q(str(p))}; "
                         for p in masked if p.is_dir()))
    owner = f",uid={uid},gid={uid}" if uid is not None else ""
    work = q(str(workdir))
    script += (f"mkdir -p {work}; "
               f"mount -t tmpfs -o size={limits.work_bytes},mode=700{owner} mpm-work {work}; ")
    for entry in _staged(workdir):
        if entry.is_symlink():
            script += f"ln -s {q(os.readlink(entry))} {q(str(entry))}; "
    for k, (source, target, writable) in enumerate(binds):
        where = q(str(target))
        make = (f"mkdir -p {where}" if source.is_dir()
                else f"mkdir -p {q(str(target.parent))}; touch {where}")
        script += f"{make}; mount --bind /var/b{k} {where}; "
        if not writable:
            script += f"mount -o remount,bind,ro {where}; "
        script += f"umount /var/b{k}; "
    script += f"cd {work}; "
    # The code is never PID 1, which ignores the signals it sends itself (see REAPER).
    env_argv = " ".join([*REAPER, *(shlex.quote(part) for part in START)]) + ' "$@"'
    drop = (f"exec setpriv --reuid {uid} --regid {uid} --clear-groups -- {env_argv}"
            if uid is not None else f"exec {env_argv}")
    return ["unshare", "--net", "--pid", "--fork", "--kill-child", "--mount", "--mount-proc",
            "--ipc", "--uts", "--propagation", "private", "--",
            "/bin/sh", "-c", script + drop, "mpm-sandbox", *argv]


def _env(workdir: Path, extra: Mapping[str, str] | None, level: str) -> dict[str, str]:
    env = {"PATH": PATH_INSIDE, "HOME": str(workdir), "LANG": "C.UTF-8",
           "TMPDIR": "/tmp" if level != "none" else str(workdir)}
    env.update(extra or {})
    return env


# -- running ------------------------------------------------------------------------------------


UID_POOL = 1000
#: The uid of builds and analysers (root only): one for all, outside the pool of leased uids,
#: so the compiler caches they write are never a solution's.
TOOL_UID = BASE_UID - 1
#: Tool runs share a uid, so its RLIMIT_NPROC is host-wide for all of them; each run's own
#: bound is its pids cgroup. They run none of the solution's code, so nothing forks wildly.
TOOL_NPROC = 8192


@contextlib.contextmanager
def _leased_uid() -> Iterator[int | None]:
    """A uid no other run on this host is using right now (None when we are not root).

    RLIMIT_NPROC counts per uid host-wide: two runs sharing a uid would let one's fork bomb
    stop the other from starting. A lock file per uid makes the lease exclusive across
    processes (xdist workers, nested sessions) and is released even if we crash.
    """
    if os.geteuid() != 0:
        yield None
        return
    locks = state.uid_lock_dir()
    for uid in range(BASE_UID, BASE_UID + UID_POOL):
        handle = open(locks / str(uid), "w")  # noqa: SIM115 - held for the whole lease
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield uid
        finally:
            handle.close()
        return
    raise SandboxUnavailable(f"all {UID_POOL} sandbox uids are in use")


def _process_cap(argv: Sequence[str], limits: Limits, level: str,
                 uid: int | None) -> Sequence[str]:
    """Without a uid of its own (not root), bound the run's processes inside bwrap's user
    namespace: there (Linux >= 5.15) RLIMIT_NPROC counts the run's own processes alone, while
    outside it would count all of the user's, so it is set by the first program inside."""
    if uid is not None or level != "bwrap":
        return argv
    cap = f"--nproc={limits.processes}:{limits.processes}"
    return [PRLIMIT, cap, "--", *argv]


def _chown_tree(root: Path, uid: int) -> None:
    for path in [root, *root.rglob("*")]:
        with contextlib.suppress(OSError):
            os.lchown(path, uid, uid)


#: Puts the run in its cgroups (as root, before any drop), moves the results channel from
#: stdin to fd 3 (stdin becomes /dev/null), and becomes the rest of its arguments. dash
#: exports PWD, which the program must not see.
LAUNCH = ('unset PWD; n=$1; shift; while [ "$n" -gt 0 ]; do '
          '{ echo $$ > "$1"; } 2>/dev/null; shift; n=$((n - 1)); done; '
          'exec 3>&0 0</dev/null; exec "$@"')
#: The same for a service, whose stdin carries its requests: fd 3 is /dev/null.
LAUNCH_SERVICE = LAUNCH.replace("exec 3>&0 0</dev/null", "exec 3>/dev/null")


def _launcher(argv: Sequence[str], limits: Limits, cgroups: RunCgroups, uid: int | None,
              drop_here: bool, nproc: int, channel: bool = True,
              reserved_bytes: int = 0) -> list[str]:
    """``argv`` behind what each run needs before it starts: its cgroups, its resource
    limits, fd 3 and its uid. Done by small programs (sh, prlimit, setpriv) rather than by
    Python code between fork and exec, which makes Popen fork this whole process and costs
    some 30 ms of CPU a run (the child then writes to most of its copied pages)."""
    cpu = max(1, int(limits.cpu_seconds + 0.999))
    rlimits = [f"--cpu={cpu}:{cpu + 1}", f"--fsize={limits.file_bytes}:{limits.file_bytes}",
               f"--nofile={limits.open_files}:{limits.open_files}", "--core=0:0"]
    if not cgroups.bounds_memory:  # no memory cgroup: the address space is the only bound
        space = limits.memory_bytes + reserved_bytes
        rlimits.append(f"--as={space}:{space}")
    if uid is not None:  # counted for the uid; root itself is exempt until it drops to it
        rlimits.append(f"--nproc={nproc}:{nproc}")
    drop: list[str] = []
    if uid is not None and drop_here:  # else setpriv drops to the uid after mounting
        drop = [SETPRIV[0], "--reuid", str(uid), "--regid", str(uid), "--clear-groups", "--"]
    procs = [str(path) for path in cgroups.procs_files]
    script = LAUNCH if channel else LAUNCH_SERVICE
    return ["/bin/sh", "-c", script, "mpm-launch", str(len(procs)), *procs,
            PRLIMIT, *rlimits, "--", *drop, *argv]


def run(argv: Sequence[str], *, workdir: Path, limits: Limits, level: str,
        ro_binds: Sequence[Path] = (), env: Mapping[str, str] | None = None,
        reserved_bytes: int = 0) -> RunResult:
    """Run ``argv`` (a solution's program) at ``level``, as a uid leased for this run alone,
    and return what it left on its streams. ``reserved_bytes``: address space the runtime
    reserves without using it, added to the address-space limit (see ``_launcher``).

    ``workdir`` holds what the caller staged for the run; inside the sandbox it is a fresh tmpfs
    of ``limits.work_bytes`` (the total that may be written there) in which every staged entry
    is a read-only bind, so nothing written inside reaches the host's disk. Tools (compilers,
    analysers) run the same way through ``Tools.run``. Raises ``SandboxUnavailable`` when the
    sandbox could not start the program (a fault of ours, not the program's runtime error).
    """
    with _leased_uid() as uid:
        argv = _process_cap(argv, limits, level, uid)
        return _run(argv, workdir, limits, level, ro_binds, (), env, uid, limits.processes,
                    reserved_bytes=reserved_bytes)


def reclaim(root: Path) -> None:
    """Give what a tool run wrote back to us, private (0700 dirs, 0600 files, 0700 programs):
    a cache entry is written by the parent alone, and no sandbox uid can change it later."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            path.unlink()
            continue
        with contextlib.suppress(OSError):
            os.chown(path, os.getuid(), os.getgid())
        mode = path.stat().st_mode
        path.chmod(0o700 if path.is_dir() or mode & 0o100 else 0o600)


def _command(argv: Sequence[str], workdir: Path, limits: Limits, level: str,
             ro_binds: Sequence[Path], rw_binds: Sequence[Path], env: Mapping[str, str] | None,
             uid: int | None, is_tool: bool,
             as_pid_1: bool) -> tuple[list[str], dict[str, str], bool]:
    """The command line that runs ``argv`` at ``level``, its environment, and whether the
    drop to ``uid`` happens inside the sandbox (else in ``_launcher``). ``as_pid_1``: no
    cgroup counts the CPU time, so a PID 1 of ours must (see ``_bwrap_argv``)."""
    if uid is not None:
        _chown_tree(workdir, uid)  # rw_binds are the caller's: see Tools.writable_dir
    environment = _env(workdir, env, level)
    # A tool's bwrap starts as root when we are, and drops inside (see _bwrap_argv).
    drop_inside = level == "unshare" or (level == "bwrap" and is_tool)
    if level == "bwrap":
        command = _bwrap_argv(argv, workdir, limits, ro_binds, rw_binds, environment,
                              uid if drop_inside else None, as_pid_1)
    elif level == "unshare":
        command = _unshare_argv(argv, workdir, limits, uid, ro_binds, rw_binds)
    else:
        command = [*START, *argv]
    return command, environment, drop_inside


def _run(argv: Sequence[str], workdir: Path, limits: Limits, level: str,
         ro_binds: Sequence[Path], rw_binds: Sequence[Path], env: Mapping[str, str] | None,
         uid: int | None, nproc: int, is_tool: bool = False,
         reserved_bytes: int = 0, what: str = "the program") -> RunResult:
    cgroups = for_run(limits.memory_bytes, limits.processes)
    try:
        command, environment, drop_inside = _command(
            argv, workdir, limits, level, ro_binds, rw_binds, env, uid, is_tool,
            as_pid_1=not cgroups.counts_cpu)
    except BaseException:  # the cgroups exist already (bwrap's argv depends on them)
        cgroups.remove()
        raise
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    try:
        # The channel's write end goes in as stdin; the launcher moves it to fd 3.
        proc = subprocess.Popen(
            _launcher(command, limits, cgroups, uid, not drop_inside, nproc,
                      reserved_bytes=reserved_bytes), cwd=workdir,
            env=environment, stdin=write_fd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
    except BaseException:
        os.close(read_fd)
        os.close(write_fd)
        cgroups.remove()
        raise
    os.close(write_fd)
    try:
        streams, timed_out, exceeded = _collect(proc, read_fd, limits, start, cgroups)
    finally:
        _kill(proc, cgroups)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        for fd_owner in (proc.stdout, proc.stderr):
            if fd_owner is not None:
                fd_owner.close()
        os.close(read_fd)
    wall = time.monotonic() - start
    cpu = cgroups.cpu_seconds()
    if cpu is None:
        cpu = usage.ru_utime + usage.ru_stime
    oom = cgroups.oom_killed()
    cgroups.remove()
    exit_code, sig = _status(status, level)
    if sig in (signal.SIGXCPU, signal.SIGKILL) and cpu >= limits.cpu_seconds and not oom:
        timed_out = True
    channel = streams["channel"]
    started = channel.startswith(STARTED)
    if not started and not timed_out:  # see START
        raise SandboxUnavailable(f"the sandbox ({level}) could not start {what}: "
                                 + (streams["stderr"].decode("utf-8", "replace").strip()[:500]
                                    or "no message"))
    return RunResult(level, exit_code, sig, streams["stdout"], streams["stderr"],
                     channel.removeprefix(STARTED), timed_out, oom, exceeded, wall, cpu, started)


def _status(status: int, level: str) -> tuple[int | None, int | None]:
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    code = os.WEXITSTATUS(status)
    if level != "none" and code > 128:  # bwrap and unshare report a child's signal N as 128+N
        return None, code - 128
    return code, None


def _collect(proc: subprocess.Popen[bytes], channel_fd: int, limits: Limits, start: float,
             cgroups: RunCgroups) -> tuple[dict[str, bytes], bool, str | None]:
    assert proc.stdout is not None and proc.stderr is not None
    drained = drain(
        {"stdout": proc.stdout.fileno(), "stderr": proc.stderr.fileno(), "channel": channel_fd},
        {"stdout": limits.output_bytes, "stderr": limits.output_bytes,
         "channel": limits.channel_bytes},
        start + limits.wall_seconds, main_exited=lambda: _exited(proc.pid),
        on_main_exit=lambda: _kill(proc, cgroups))  # whatever still holds a pipe is a leftover
    return drained.data, drained.timed_out, drained.exceeded


def _exited(pid: int) -> bool:
    """Whether ``pid`` has ended, without reaping it (the caller wants its rusage)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _kill(proc: subprocess.Popen[bytes], cgroups: RunCgroups) -> None:
    inner = _child_pidfds(proc.pid)  # bwrap's PID-namespace init: taken before its parent dies
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # bwrap's death tears down its PID namespace
    cgroups.kill_all()
    _reap_namespaces(inner)


def _child_pidfds(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    fds = []
    for child in text.split():
        with contextlib.suppress(OSError):
            fds.append(os.pidfd_open(int(child)))
    return fds


def _reap_namespaces(pidfds: list[int], timeout: float = 5.0) -> None:
    """Kill the children and wait until they have exited. A PID namespace's init exits only
    once every process of its namespace is gone, so without cgroups to empty (not root) this
    is what makes sure that nothing of the run is left when ``run`` returns."""
    deadline = time.monotonic() + timeout
    for fd in pidfds:
        try:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(fd, signal.SIGKILL)
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            poller.poll(max(0, int((deadline - time.monotonic()) * 1000)))
        finally:
            os.close(fd)


# -- choosing a level ---------------------------------------------------------------------------


@cache
def _works(level: str) -> str | None:
    """None if ``level`` runs a trivial program here, else why not."""
    needed = {"bwrap": "bwrap", "unshare": "unshare"}.get(level)
    if needed and shutil.which(needed) is None:
        return f"{needed} is not installed"
    probe = Path(tempfile.mkdtemp(prefix=f"mpm-probe-{level}-"))
    try:
        result = run(["/bin/sh", "-c", "echo ok"], workdir=probe,
                     limits=Limits(wall_seconds=10), level=level)
    except (OSError, SandboxUnavailable) as exc:
        return str(exc)
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    if result.exit_code == 0 and result.stdout.strip() == b"ok":
        return None
    return (result.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]


def resolve_level(requested: str) -> str:
    """The level to use for ``requested``; raises ``SandboxUnavailable`` (fail closed)."""
    if requested == "none":
        return "none"
    candidates = ("bwrap", "unshare") if requested == "auto" else (requested,)
    reasons = []
    for level in candidates:
        problem = _works(level)
        if problem is None:
            return level
        reasons.append(f"{level}: {problem}")
    raise SandboxUnavailable(
        f"no sandbox works here ({'; '.join(reasons)}): install bubblewrap "
        "(scripts/install-toolchains, or apt-get install bubblewrap), or accept gameable "
        "verdicts with --mpm-sandbox none")

