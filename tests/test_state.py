"""Per-user private state: where it lives, and what the harness refuses to trust."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from pytest_mpm_bench import state
from pytest_mpm_bench.languages.compiled import cache_root
from tests.helpers import make_suite

ROOT = os.geteuid() == 0
NOBODY = 65534


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    base = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    monkeypatch.delenv("MPM_BUILD_CACHE", raising=False)
    return base


def test_state_lives_in_xdg_cache_home_created_private(xdg: Path) -> None:
    assert state.perf_dir("s1") == xdg / "pytest-mpm-bench" / "perf" / "s1"
    assert cache_root() == xdg / "pytest-mpm-bench" / "build"
    for path in (xdg, xdg / "pytest-mpm-bench", xdg / "pytest-mpm-bench" / "perf",
                 xdg / "pytest-mpm-bench" / "perf" / "s1", xdg / "pytest-mpm-bench" / "build"):
        assert mode(path) == 0o700, path


def test_without_xdg_cache_home_it_is_under_home(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for value in (None, "relative/dir"):  # the XDG spec ignores a relative path
        if value is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", value)
        assert state.state_dir() == tmp_path / ".cache" / "pytest-mpm-bench"


def test_mpm_build_cache_is_honoured_and_checked(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPM_BUILD_CACHE", str(tmp_path / "builds" / "here"))
    assert cache_root() == tmp_path / "builds" / "here"
    assert mode(tmp_path / "builds" / "here") == 0o700
    (tmp_path / "builds" / "here").chmod(0o755)
    with pytest.raises(state.StateError, match=r"mode 0755.*chmod 700.*MPM_BUILD_CACHE"):
        cache_root()


@pytest.mark.parametrize(("prepare", "message"), [
    (lambda p: p.mkdir(mode=0o755) or p.chmod(0o755), r"has mode 0755: other users could"),
    (lambda p: p.mkdir(mode=0o770) or p.chmod(0o770), r"has mode 0770"),
    (lambda p: p.symlink_to(p.parent), r"is a symlink"),
    (lambda p: p.write_text("x"), r"is not a directory"),
], ids=["world-readable", "group-writable", "symlink", "file"])
def test_untrustworthy_dirs_are_refused(xdg: Path, prepare, message: str) -> None:  # type: ignore[no-untyped-def]
    xdg.mkdir(mode=0o700)
    prepare(xdg / "pytest-mpm-bench")
    with pytest.raises(state.StateError, match=message):
        state.state_dir("perf")


def test_a_dir_under_a_swappable_parent_is_refused(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # writable by all and not sticky: anyone could rename our dir away
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared / "cache"))
    with pytest.raises(state.StateError, match="other users may write to"):
        state.state_dir()
    shared.chmod(0o1777)  # sticky, as /tmp: only the owner may rename
    assert state.state_dir() == shared / "cache" / "pytest-mpm-bench"


@pytest.mark.skipif(not ROOT, reason="giving a directory to another user needs root")
def test_a_dir_of_another_user_is_refused(xdg: Path) -> None:
    (xdg / "pytest-mpm-bench").mkdir(parents=True, mode=0o700)
    os.chown(xdg / "pytest-mpm-bench", NOBODY, NOBODY)
    with pytest.raises(state.StateError, match=r"belongs to .*uid 65534.*not to you"):
        state.state_dir()


def test_old_sessions_timings_are_pruned(xdg: Path) -> None:
    old, new = state.perf_dir("old"), state.perf_dir("new")
    (old / "t.json").write_text("{}")
    long_ago = time.time() - state.PERF_MAX_AGE - 60
    os.utime(old, (long_ago, long_ago))
    state.prune_perf()
    assert not old.exists() and new.is_dir()


@pytest.mark.skipif(not ROOT, reason="uid leases exist for root only")
def test_root_uid_leases_are_host_wide() -> None:
    locks = state.uid_lock_dir()
    assert locks == Path("/run/pytest-mpm-bench/uids")
    assert mode(locks) == 0o700 and locks.stat().st_uid == 0


# -- end to end -------------------------------------------------------------------------------


def session(pytester: pytest.Pytester, write_suite, *args: str) -> pytest.RunResult:  # type: ignore[no-untyped-def]
    return pytester.runpytest_subprocess(
        "--mpm-agent", "py_agent", "--mpm-suite", str(write_suite(make_suite())),
        "--mpm-backend", "reference", "-p", "no:cacheprovider", *args)


def test_a_session_keeps_its_timings_in_the_users_cache(pytester: pytest.Pytester,  # type: ignore[no-untyped-def]
                                                        write_suite, xdg: Path) -> None:
    result = session(pytester, write_suite)
    result.assert_outcomes(passed=1)
    sessions = list((xdg / "pytest-mpm-bench" / "perf").iterdir())
    assert len(sessions) == 1 and mode(sessions[0]) == 0o700
    timings = [json.loads(p.read_text()) for p in sessions[0].glob("*.json")]
    assert timings and all("cpu_seconds" in t for t in timings)


@pytest.mark.parametrize("where", ["XDG_CACHE_HOME", "MPM_BUILD_CACHE"])
def test_a_session_stops_at_start_up_on_a_wide_state_dir(pytester: pytest.Pytester,  # type: ignore[no-untyped-def]
                                                         write_suite, xdg: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         where: str) -> None:
    if where == "MPM_BUILD_CACHE":
        wide = xdg.parent / "builds"
        monkeypatch.setenv("MPM_BUILD_CACHE", str(wide))
    else:
        wide = xdg / "pytest-mpm-bench"
    wide.mkdir(parents=True)
    wide.chmod(0o755)
    result = session(pytester, write_suite)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: pytest-mpm-bench state: {wide} has mode 0755: *"
                                 f"chmod 700 {wide}*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
