"""Where the harness keeps its own state: per user, private, never at a fixed shared path.

Reference timings and the build cache live under the user's cache dir
(``$XDG_CACHE_HOME/pytest-mpm-bench``, else ``~/.cache/pytest-mpm-bench``), the build cache at
``$MPM_BUILD_CACHE`` when set. What another user could change there (a built program, a
reference timing) would change our verdicts, so every directory is created 0700 and refused
when it exists owned by someone else, with wider permissions, or under a directory that
another user could swap it out of. The uid lease locks of root are host-wide, in ``/run``:
two root sessions must never lease the same uid, whatever their ``$HOME``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import time
from pathlib import Path

APP = "pytest-mpm-bench"
#: Start-up timings belong to one session; older sessions' are removed at start-up.
PERF_MAX_AGE = 2 * 24 * 3600.0
#: Reference measurements and analyses are kept across sessions by content; one unused this
#: long is removed at start-up.
KEPT_MAX_AGE = 30 * 24 * 3600.0


class StateError(Exception):
    """A state directory that cannot be created or must not be trusted."""


def user_cache() -> Path:
    """``$XDG_CACHE_HOME/pytest-mpm-bench``, else ``~/.cache/pytest-mpm-bench`` (the XDG base
    directory spec ignores a relative ``$XDG_CACHE_HOME``)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / APP


def owner(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def _check_ancestors(path: Path, hint: str) -> None:
    """No directory above ``path`` may let another user rename ``path`` away and put their own
    in its place: each is ours or root's, and writable by others only when sticky (``/tmp``)."""
    me = os.geteuid()
    for parent in path.parents:
        st = os.stat(parent)
        if st.st_uid not in (me, 0):
            raise StateError(f"{path} lies under {parent}, which belongs to {owner(st.st_uid)}: "
                             f"they could replace it; {hint}")
        if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
            raise StateError(f"{path} lies under {parent} (mode {stat.S_IMODE(st.st_mode):04o}), "
                             f"which other users may write to; {hint}")


def _check(path: Path, hint: str) -> None:
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise StateError(f"cannot use {path}: {exc.strerror}; {hint}") from None
    if not stat.S_ISDIR(st.st_mode):
        kind = "a symlink" if stat.S_ISLNK(st.st_mode) else "not a directory"
        raise StateError(f"{path} is {kind}; remove it, or {hint}")
    if st.st_uid != os.geteuid():
        raise StateError(f"{path} belongs to {owner(st.st_uid)}, not to you "
                         f"({owner(os.geteuid())}): pytest-mpm-bench will not read state that "
                         f"another user can change; remove it, or {hint}")
    if st.st_mode & 0o077:
        raise StateError(f"{path} has mode {stat.S_IMODE(st.st_mode):04o}: other users could "
                         f"change what it holds; run `chmod 700 {path}`, or {hint}")


def private_dir(path: Path, hint: str = "set XDG_CACHE_HOME to a directory of yours") -> Path:
    """``path``, created 0700 (with any missing parents) if need be, after checking that it is
    ours alone; raises ``StateError`` with a message that says how to fix it."""
    path = Path(os.path.abspath(path))
    missing = [p for p in (path, *path.parents) if not os.path.lexists(p)]
    try:
        for directory in reversed(missing):
            try:
                os.mkdir(directory, 0o700)
            except FileExistsError:
                pass  # another worker made it first: checked below like any existing one
    except OSError as exc:
        raise StateError(f"cannot create {path}: {exc.strerror}; {hint}") from None
    _check(path, hint)
    _check_ancestors(path, hint)
    return path


def state_dir(*parts: str) -> Path:
    """A private directory under :func:`user_cache`, each level checked."""
    path = private_dir(user_cache())
    for part in parts:
        path = private_dir(path / part)
    return path


def build_cache() -> Path:
    """The build cache: ``$MPM_BUILD_CACHE`` when set, else ``<user cache>/build``."""
    given = os.environ.get("MPM_BUILD_CACHE")
    if given:
        return private_dir(Path(given).expanduser(),
                           "point MPM_BUILD_CACHE at a directory of yours")
    return state_dir("build")


def perf_dir(session: str) -> Path:
    """Start-up timings of one session, shared by its xdist workers."""
    return state_dir("perf", session)


def reference_dir() -> Path:
    """Reference solutions' measurements, kept across sessions (keyed by content and
    machine)."""
    return state_dir("reference")


def analysis_dir() -> Path:
    """Analysers' raw output, kept across sessions (keyed by the file, tool and config)."""
    return state_dir("analysis")


def _prune(root: Path, max_age: float, now: float | None) -> None:
    limit = (time.time() if now is None else now) - max_age
    for entry in root.iterdir():
        try:
            if entry.lstat().st_mtime < limit:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        except OSError:
            pass  # gone already, or another session's clean-up got there first


def prune_perf(now: float | None = None) -> None:
    """Remove the start-up timings of sessions older than ``PERF_MAX_AGE``, and reference
    measurements and analyses unused for ``KEPT_MAX_AGE``."""
    _prune(state_dir("perf"), PERF_MAX_AGE, now)
    _prune(reference_dir(), KEPT_MAX_AGE, now)
    _prune(analysis_dir(), KEPT_MAX_AGE, now)


def uid_lock_dir() -> Path:
    """Where root's uid leases are locked: host-wide (``/run``), root's alone."""
    run = Path("/run")
    if run.is_dir() and os.access(run, os.W_OK):
        return private_dir(run / APP / "uids", "remove it (root's uid leases live there)")
    home = Path(pwd.getpwuid(os.geteuid()).pw_dir)  # not $HOME: the same for every session
    return private_dir(home / ".cache" / APP / "uids", "remove it (root's uid leases live there)")


def check_all() -> None:
    """Create and check every directory a session writes (once, at start-up, so a problem is one
    clear line rather than an error in every item)."""
    state_dir("perf")
    reference_dir()
    analysis_dir()
    build_cache()
    if os.geteuid() == 0:
        uid_lock_dir()
