"""The suite model and its loading: JSON file -> validated, frozen ``Suite``.

Validation happens here, once, so everything downstream can trust the model. A malformed file
raises ``SuiteError`` naming the file, the JSON path and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from pytest_mpm_bench.generators import unknown_generators

Compare = str | dict[str, float]


class SuiteError(Exception):
    """A suite file that cannot be used, with where and how to fix it."""

    def __init__(self, path: Path | str, json_path: str, message: str, fix: str) -> None:
        self.path, self.json_path, self.message, self.fix = str(path), json_path, message, fix
        super().__init__(f"{path}: at {json_path}: {message}. Fix: {fix}")


@dataclass(frozen=True)
class TestCase:
    """One test of a case: inputs in one of three forms, the expected value kept by the parent."""

    __test__ = False  # not a pytest test class

    index: int
    form: str  # "args" | "calls" | "code"
    inputs: Any  # the args list, the calls list or the code snippet
    expected: Any
    hidden: bool
    compare: Compare

    def payload(self) -> dict[str, Any]:
        """What the child receives: inputs only, never the expected value."""
        return {self.form: self.inputs}


@dataclass(frozen=True)
class Case:
    """One benchmark case, ready to render, run and score."""

    id: str
    name: str
    agent_id: str
    language: str
    difficulty: str
    category: str
    description: str
    signature: str
    entry_point: str
    kind: str
    test_cases: tuple[TestCase, ...]
    source: str
    compare: Compare = "exact"
    checker: str | None = None
    performance: dict[str, Any] | None = None
    constraints: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    solution_approach: str = ""
    time_complexity: str = ""
    space_complexity: str = ""
    reference_solution: str | None = None
    timeout: float | None = None
    skip_reason: str | None = None  # set for version-1 cases that hold prose, not data
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def visible_tests(self) -> tuple[TestCase, ...]:
        return tuple(t for t in self.test_cases if not t.hidden)

    @property
    def hidden_tests(self) -> tuple[TestCase, ...]:
        return tuple(t for t in self.test_cases if t.hidden)


@dataclass(frozen=True)
class Suite:
    path: str
    agent_id: str
    language: str
    version: str
    cases: tuple[Case, ...]


@cache
def schema() -> dict[str, Any]:
    text = resources.files("pytest_mpm_bench").joinpath("schema/suite.schema.json").read_text()
    result: dict[str, Any] = json.loads(text)
    return result


def read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(path, "$", f"cannot read the file ({exc})",
                         "make it a UTF-8 JSON file") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SuiteError(
            path, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}",
            "correct the JSON syntax at that position",
        ) from None


def _peek(path: Path, field: str) -> str | None:
    """A top-level string field of a suite file, without validating it (None if unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    value = data.get(field) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def peek_agent_id(path: Path) -> str | None:
    """The agent a suite file is for."""
    return _peek(path, "agent_id")


def peek_language(path: Path) -> str | None:
    """The language a suite file declares."""
    return _peek(path, "language")


def is_version_1(data: dict[str, Any]) -> bool:
    version = str(data.get("version", ""))
    if version.startswith("1"):
        return True
    tests = data.get("tests")
    return isinstance(tests, list) and any(
        isinstance(t, dict) and any(isinstance(tc, dict) and "input" in tc
                                    for tc in t.get("test_cases") or [])
        for t in tests
    )


_FIXES = {
    "required": "add the missing field",
    "additionalProperties": "remove or rename the unknown field",
    "enum": "use one of the allowed values",
    "type": "give the value the expected JSON type",
    "minItems": "add at least one item",
    "pattern": "use only letters, digits, '_', '.' and '-'",
    "oneOf": "give exactly one of the alternatives (e.g. one of args / calls / code)",
}


def _schema_error(path: Path, error: ValidationError) -> SuiteError:
    return SuiteError(path, error.json_path, error.message,
                      _FIXES.get(str(error.validator), "see the suite format in DESIGN.md"))


def load_suite(path: Path, known_languages: Collection[str]) -> Suite:
    """Load and validate one suite file (version 2, or version 1 from claude-mpm)."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise SuiteError(path, "$", "the top level is not an object",
                         'wrap it in {"agent_id": ..., "language": ..., "tests": [...]}')
    if is_version_1(data):
        from pytest_mpm_bench.suite_v1 import load_v1

        return load_v1(path, data, known_languages)
    error = best_match(jsonschema.Draft202012Validator(schema()).iter_errors(data))
    if error is not None:
        raise _schema_error(path, error)
    language = data["language"]
    _check_language(path, language, known_languages)
    cases = tuple(_case(path, data, i, raw) for i, raw in enumerate(data["tests"]))
    _check_unique_ids(path, [c.id for c in cases])
    return Suite(str(path), data["agent_id"], language, str(data.get("version", "2")), cases)


def _check_language(path: Path, language: str, known: Collection[str]) -> None:
    if language not in known:
        raise SuiteError(path, "$.language", f"unknown language {language!r}",
                         f"use one of: {', '.join(sorted(known))}")


def _check_unique_ids(path: Path, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, case_id in enumerate(ids):
        if case_id in seen:
            raise SuiteError(path, f"$.tests[{i}].id", f"duplicate case id {case_id!r}",
                             "give every case a unique id")
        seen.add(case_id)


def _case(path: Path, suite: dict[str, Any], i: int, raw: dict[str, Any]) -> Case:
    where = f"$.tests[{i}]"
    kind = raw.get("kind", "function")
    compare: Compare = raw.get("compare", "exact")
    tests = []
    for j, tc in enumerate(raw["test_cases"]):
        form = next(f for f in ("args", "calls", "code") if f in tc)
        if (form == "args" and kind == "class") or (form == "calls" and kind == "function"):
            raise SuiteError(path, f"{where}.test_cases[{j}]",
                             f"a {form!r} test case in a case of kind {kind!r}",
                             "use 'calls' for classes and 'args' for functions ('code' fits both)")
        tests.append(TestCase(j, form, tc[form], tc["expected"], bool(tc.get("hidden", False)),
                              tc.get("compare", compare)))
    if not any(t.hidden for t in tests):
        raise SuiteError(path, f"{where}.test_cases", f"case {raw['id']!r} has no hidden test",
                         'mark at least one test case "hidden": true')
    if not any(not t.hidden for t in tests):
        raise SuiteError(path, f"{where}.test_cases", f"case {raw['id']!r} has no visible test",
                         "leave at least one test case visible so the task has an example")
    checker = raw.get("checker")
    if checker is not None:
        _check_checker(path, f"{where}.checker", checker)
    performance = raw.get("performance")
    if performance is not None:
        bad = unknown_generators(performance)
        if bad:
            raise SuiteError(path, f"{where}.performance", f"unknown generator {bad[0]!r}",
                             "use $range, $repeat, $random_ints, $random_string, $concat "
                             "or $join")
    known = {f.name for f in Case.__dataclass_fields__.values()}
    return Case(
        id=raw["id"], name=raw["name"], agent_id=suite["agent_id"],
        language=suite["language"], difficulty=raw["difficulty"], category=raw["category"],
        description=raw["description"], signature=raw["signature"],
        entry_point=raw["entry_point"], kind=kind, test_cases=tuple(tests), source=str(path),
        compare=compare, checker=checker, performance=performance,
        constraints=tuple(raw.get("constraints", ())), hints=tuple(raw.get("hints", ())),
        solution_approach=raw.get("solution_approach", ""),
        time_complexity=raw.get("time_complexity", ""),
        space_complexity=raw.get("space_complexity", ""),
        reference_solution=raw["reference_solution"], timeout=raw.get("timeout"),
        extra={k: v for k, v in raw.items() if k not in known and k != "test_cases"},
    )


def _check_checker(path: Path, where: str, source: str) -> None:
    try:
        code = compile(source, f"{path}:{where}", "exec")
    except SyntaxError as exc:
        raise SuiteError(path, where,
                         f"the checker does not compile: {exc.msg} (line {exc.lineno})",
                         "fix the Python source of the checker") from None
    if "check" not in code.co_names:
        raise SuiteError(path, where, "the checker does not define check()",
                         "define `def check(args, actual) -> bool`")


def iter_suite_files(paths: Collection[Path]) -> Iterator[Path]:
    """Suite files under ``paths`` (files as given; directories: their ``*.json``), sorted."""
    for path in sorted(paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.json") if p.is_file())
        elif path.is_file():
            yield path
