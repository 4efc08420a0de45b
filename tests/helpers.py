"""Helpers shared by the project's tests: paths, small suites and the executor tests' runs."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench import sandbox
from pytest_mpm_bench.languages import Executor
from pytest_mpm_bench.observe.run import CaseOutcome, ExecSettings, execute
from pytest_mpm_bench.report import history
from pytest_mpm_bench.suite import Case, TestCase

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def make_case(case_id: str = "c1", **overrides: Any) -> dict[str, Any]:
    case = {
        "id": case_id, "name": "Add", "difficulty": "easy", "category": "algorithms",
        "description": "Add two integers.", "signature": "def add(a: int, b: int) -> int:",
        "entry_point": "add",
        "test_cases": [
            {"args": [1, 2], "expected": 3},
            {"args": [-1, 1], "expected": 0},
            {"args": [10**12, 1], "expected": 10**12 + 1, "hidden": True},
        ],
        "reference_solution": "def add(a: int, b: int) -> int:\n    return a + b\n",
    }
    case.update(overrides)
    return case


def make_suite(*cases: dict[str, Any], agent: str = "py_agent",
               language: str = "python") -> dict[str, Any]:
    return {"agent_id": agent, "language": language, "version": "2.0.0",
            "tests": list(cases) or [make_case()]}


def history_result(case: str, passed: bool = True, sample: int = 0,
                   agent: str = "a") -> dict[str, Any]:
    """A result dict as the history stores it (only the fields it reads)."""
    score = 9.0 if passed else 1.0
    return {"agent": agent, "test_id": case, "sample": sample, "passed": passed,
            "status": "passed" if passed else "wrong_answer", "difficulty": "easy",
            "category": "algorithms", "weighted_score": score,
            "dimensions": {"correctness": score, "idiomaticity": 8.0, "security": 5.0}}


def record_run(path: Path, results: list[dict[str, Any]], interrupted: bool = False) -> int:
    """Record ``results`` as one finished (or interrupted) session of a fixed date."""
    return history.record(path, created="2024-05-01T10:00:00+00:00",
                          finished="2024-05-01T10:01:00+00:00", interrupted=interrupted,
                          exit_status=2 if interrupted else 0, config={"scoring": "v2"},
                          environment={"suites_sha256": "ab" * 32, "git_commit": "c0ffee"},
                          results=results)


def bench(pytester: pytest.Pytester, suite: Path, *args: str) -> pytest.RunResult:
    """A benchmark session of agent ``py_agent`` on ``suite``, in a subprocess."""
    return pytester.runpytest_subprocess("--mpm-agent", "py_agent", "--mpm-suite", str(suite),
                                         "-p", "no:cacheprovider", *args)


def replies(tmp_path: Path, **by_case: str) -> Path:
    """Recorded replies of ``py_agent`` (one Python block per case) for the replay backend."""
    root = tmp_path / "replies"
    (root / "py_agent").mkdir(parents=True)
    for case_id, code in by_case.items():
        (root / "py_agent" / f"{case_id}.md").write_text(f"Answer:\n```python\n{code}```\n")
    return root


def sandbox_level() -> str:
    """The level ``auto`` resolves to here, or "none" where no sandbox works (the executor
    tests still run, and skip only the checks that need isolation)."""
    try:
        return sandbox.resolve_level("auto")
    except sandbox.SandboxUnavailable:
        return "none"


def executor_case(language: str, agent_id: str, tests: list[dict[str, Any]], entry_point: str,
                  kind: str) -> Case:
    """A case around ``tests`` (dicts in the suite's form: args, calls or code, and expected),
    so an executor test needs no suite file."""
    cases = tuple(TestCase(i, next(k for k in ("args", "calls", "code") if k in t),
                           t.get("args", t.get("calls", t.get("code"))), t["expected"],
                           False, t.get("compare", "exact"))
                  for i, t in enumerate(tests))
    return Case(id=f"{language}_t", name="t", agent_id=agent_id, language=language,
                difficulty="easy", category="t", description="", signature="",
                entry_point=entry_point, kind=kind, test_cases=cases, source="test")


def run_solution(executor: Executor, agent_id: str, solution: str, tests: list[dict[str, Any]],
                 entry_point: str = "add", kind: str = "function", wall: float = 10.0,
                 output: int = 1 << 20, level: str | None = None) -> CaseOutcome:
    """``solution`` run by ``executor`` against ``tests`` through ``execution.execute``, as a
    session would, under ``wall`` seconds and ``output`` bytes; ``level`` None resolves
    ``auto`` (see :func:`sandbox_level`) for this run."""
    limits = sandbox.Limits(wall_seconds=wall, cpu_seconds=wall, output_bytes=output)
    case = executor_case(executor.language, agent_id, tests, entry_point, kind)
    return execute(case, solution, executor, ExecSettings(limits, level or sandbox_level()))


def survives(pid: int) -> bool:
    """Whether ``sleep 30`` still runs as ``pid`` a second after the run (SIGKILL is async)."""
    for _ in range(20):
        try:  # gone, a zombie, or the pid already reused by another program
            alive = Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z" and Path(
                f"/proc/{pid}/cmdline").read_bytes() == b"sleep\x0030\x00"
        except OSError:
            alive = False
        if not alive:
            return False
        time.sleep(0.05)
    return True


def reference_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, suite_name: str,
                  agent: str, *args: str) -> pytest.RunResult:
    """A session of ``agent`` on the shipped lightweight suite ``suite_name`` with the
    reference backend, in a subprocess that imports this checkout's package."""
    monkeypatch.setenv("PYTHONPATH", str(REPO / "src") + os.pathsep
                       + os.environ.get("PYTHONPATH", ""))
    suite = pytester.path / suite_name  # a copy: the repo's conftest stays out of it
    suite.write_text((REPO / "benchmarks" / "lightweight" / suite_name).read_text())
    return pytester.runpytest_subprocess(
        "--mpm-agent", agent, "--mpm-suite", str(suite), "--mpm-backend", "reference", *args,
        "-p", "no:cacheprovider")


def node_reference_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                       suite_name: str, agent: str) -> pytest.RunResult:
    """:func:`reference_run` for a Node suite: with the repo's node_modules, and v1 scoring,
    so there are no performance re-runs and the check stays fast (the suites' performance
    inputs are exercised by the v2 benchmark run)."""
    monkeypatch.setenv("MPM_NODE_MODULES", str(REPO / "node_modules"))
    return reference_run(pytester, monkeypatch, suite_name, agent, "--mpm-scoring", "v1")


class Node:
    """An element of a parsed HTML page: tag, attributes, children (nodes and text)."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag, self.attrs = tag, attrs
        self.children: list[Node | str] = []

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Elements with this tag (any when None) whose attributes have these values
        (``data_key="x"`` matches ``data-key="x"``; ``class_`` matches one class)."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [n for n in self.iter() if (tag is None or n.tag == tag) and all(
            (v in (n.attrs.get(k) or "").split()) if k == "class" else n.attrs.get(k) == v
            for k, v in wanted.items())]

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    def text(self, skip_class: str | None = None) -> str:
        """The text inside, without the elements of class ``skip_class``."""
        return "".join(c if isinstance(c, str) else c.text(skip_class) for c in self.children
                       if isinstance(c, str) or skip_class not in
                       (c.attrs.get("class") or "").split())


VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                           "meta", "source", "track", "wbr"})


class _TreeBuilder(HTMLParser):

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID_ELEMENTS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    """The page as a tree of :class:`Node` (html.parser: character references decoded)."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


#: The ordinary user the tests run code as (created when missing; needs root).
SECOND_USER = "mpm-bench-test"


def ordinary_user() -> str:
    """``SECOND_USER``, created when missing; skips where that needs root or useradd."""
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        pytest.skip("creating a second user needs root and useradd")
    try:
        pwd.getpwnam(SECOND_USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", SECOND_USER], check=True)
    return SECOND_USER


@contextlib.contextmanager
def readable_src() -> Iterator[Path]:
    """A copy of the package's ``src`` that any user can read (the checkout may sit in
    root's home), for code run as ``ordinary_user``."""
    copy = Path(tempfile.mkdtemp(prefix="mpm-src-"))
    try:
        shutil.copytree(REPO / "src", copy / "src")
        for path in [copy, *copy.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield copy / "src"
    finally:
        shutil.rmtree(copy, ignore_errors=True)
