"""The executor base class: what every language provides to run a solution.

An executor is mostly declarative (see ``python.py``): the file name of the solution, the
fence tags that mark its code, the driver it runs and how to start it. The shared machinery
(work dir, sandbox, records, judging) lives in ``pytest_mpm_bench.observe.run``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pytest_mpm_bench.sandbox import Tools

if TYPE_CHECKING:
    from pytest_mpm_bench.suite import Case


@dataclass(frozen=True)
class BuildOutcome:
    """What preparing a solution gave: an error message (a compile error) or nothing."""

    compile_error: str | None = None
    seconds: float = 0.0
    cached: bool = False


class Executor:
    """Runs solutions of one language through its driver (see ``drivers/``).

    The driver reads ``input.json`` (inputs only), runs each test against the solution and
    writes one JSON record per test, then an end record, to file descriptor 3.
    """

    language: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    fence_tags: ClassVar[tuple[str, ...]]
    source_name: ClassVar[str]
    driver_name: ClassVar[str]
    #: Executables that must be on PATH; the first is the toolchain's name in messages.
    requires: ClassVar[tuple[str, ...]] = ()
    install_hint: ClassVar[str] = "scripts/install-toolchains"
    #: One number type (JavaScript): integral floats and ints cannot be told apart.
    loose_numbers: ClassVar[bool] = False
    #: A solution that defines nothing: the performance scorer's start-up run loads it in
    #: place of the solution, with no test (so nothing of the case is needed to build it).
    stand_in: ClassVar[str] = ""
    #: Whether a solution is built (by a tool in the sandbox) before it runs.
    builds: ClassVar[bool] = False
    #: Address space the runtime reserves and never uses (a JVM's heap, class-space and code
    #: reservations): without a memory cgroup (not root) the per-process address-space limit
    #: is the only memory bound, and it is raised by this much for a run of this language.
    reserved_address_space: ClassVar[int] = 0
    #: Environment of a run, beside the sandbox's own (PATH, HOME, LANG, TMPDIR).
    run_env: ClassVar[dict[str, str]] = {}

    def missing(self) -> str | None:
        """Why this language cannot run here (with the command that fixes it), or None."""
        absent = [tool for tool in self.requires if shutil.which(tool) is None]
        if absent:
            return (f"{self.language} toolchain missing ({', '.join(absent)} not on PATH); "
                    f"install it with: {self.install_hint}")
        return None

    def defines_entry_point(self, source: str, entry_point: str) -> bool:
        """Whether ``source`` defines ``entry_point`` (used to pick among code blocks)."""
        raise NotImplementedError

    def file_name(self, solution: str) -> str:
        """The name the solution's file gets when built (Java: its public type's name)."""
        return self.source_name

    def driver_source(self) -> str:
        return resources.files(__package__).joinpath("drivers", self.driver_name).read_text()

    def prepare(self, workdir: Path, solution: str, tools: Tools) -> BuildOutcome:
        """Write the solution and the driver into ``workdir``; compiled languages build here,
        through ``tools`` (the sandbox that every process reading solution text goes through)."""
        (workdir / self.source_name).write_text(solution, encoding="utf-8")
        (workdir / self.driver_name).write_text(self.driver_source(), encoding="utf-8")
        return BuildOutcome()

    def driver_options(self, solution: str, case: Case) -> dict[str, Any]:
        """What the driver's input says besides the tests, decided by the parent from the
        solution's text and the case, the same for every run of ``solution`` on ``case``: its
        start-up run gets the same options (``measure.Baselines``), so what they make the
        driver load is not charged to the solution."""
        return {}

    def command(self, workdir: Path) -> list[str]:
        """The argv that runs the driver inside ``workdir``."""
        raise NotImplementedError

    def ro_binds(self) -> list[Path]:
        """Toolchain directories outside the system dirs that the sandbox must show."""
        return []

    def version(self) -> str | None:
        """The toolchain's version, for reports (None when unknown)."""
        return None
