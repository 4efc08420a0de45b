"""Helpers shared by the project's tests: paths and small suites."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from pytest_mpm_bench.report import history

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
