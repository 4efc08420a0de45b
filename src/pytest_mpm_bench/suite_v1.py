"""Version-1 suites (claude-mpm's ``*_mini.json``): literals as strings, no hidden tests.

Inputs such as ``"([2,7,11,15], 9)"`` are parsed with ``ast.literal_eval`` (never ``eval``);
a case holding prose instead of data loads but skips with the reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pytest_mpm_bench.suite import (
    Case,
    Suite,
    SuiteError,
    TestCase,
    _check_language,
    _check_unique_ids,
)

_NAME = re.compile(r"\b(?:def|class|function|func|fn|interface)\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)")


class Prose(ValueError):
    """A version-1 field that is a description, not a literal."""


def entry_point_of(signature: str) -> str | None:
    match = _NAME.search(signature)
    return match.group(1) if match else None


def _params(signature: str) -> list[str]:
    """Parameter texts of the first parameter list, top-level commas only, without self."""
    start = signature.find("(")
    if start < 0:
        return []
    depth, current, params = 0, "", []
    for ch in signature[start + 1:]:
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            if depth == 0:
                break
            depth -= 1
        if ch == "," and depth == 0:
            params.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        params.append(current.strip())
    return [p for p in params if p not in ("self", "&self", "&mut self")]


def to_json(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((to_json(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise Prose(text) from None


def parse_args(text: str, params: list[str]) -> list[Any]:
    """The argument list a version-1 ``input`` string stands for."""
    try:
        value = _literal(text)
    except Prose:
        if len(params) == 1 and "str" in params[0]:
            return [text]  # an unquoted string argument, e.g. "()[]{}"
        raise
    if isinstance(value, tuple) and len(value) == len(params) and len(params) != 1:
        return [to_json(v) for v in value]
    if len(params) == 1:
        if isinstance(value, tuple) and "str" in params[0]:
            return [text]  # "()" is a string here, not an empty tuple
        return [to_json(value)]
    raise Prose(text)


def load_v1(path: Path, data: dict[str, Any], known_languages: Collection[str]) -> Suite:
    tests = data.get("tests")
    if not isinstance(tests, list) or not tests:
        raise SuiteError(path, "$.tests", "missing or empty 'tests'", "add a list of test cases")
    agent_id = data.get("agent_id")
    if not isinstance(agent_id, str):
        raise SuiteError(path, "$.agent_id", "missing 'agent_id'",
                         "name the agent this suite is for")
    language = data.get("language")
    if not isinstance(language, str):
        raise SuiteError(path, "$.language", "missing 'language'", "name the suite's language")
    _check_language(path, language, known_languages)
    cases = []
    for i, raw in enumerate(tests):
        where = f"$.tests[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise SuiteError(path, f"{where}.id", "a test without an 'id'", "give it a unique id")
        if not isinstance(raw.get("test_cases"), list) or not raw["test_cases"]:
            raise SuiteError(path, f"{where}.test_cases", "missing 'test_cases'",
                             "add at least one {\"input\": ..., \"expected\": ...}")
        cases.append(_case(path, agent_id, language, raw))
    _check_unique_ids(path, [c.id for c in cases])
    return Suite(str(path), agent_id, language, str(data.get("version", "1")), tuple(cases))


def _case(path: Path, agent_id: str, language: str, raw: dict[str, Any]) -> Case:
    signature = str(raw.get("signature", ""))
    entry_point = entry_point_of(signature) or ""
    params = _params(signature)
    tests: list[TestCase] = []
    skip = None if entry_point else "the signature names no function or class"
    for j, tc in enumerate(raw["test_cases"]):
        try:
            args = parse_args(str(tc.get("input", "")), params)
            expected = to_json(_literal(str(tc.get("expected", ""))))
        except Prose:
            skip = skip or f"test case {j + 1} is prose, not data"
            continue
        tests.append(TestCase(j, "args", args, expected, False, "exact"))
    return Case(
        id=raw["id"], name=str(raw.get("name", raw["id"])), agent_id=agent_id, language=language,
        difficulty=str(raw.get("difficulty", "medium")), category=str(raw.get("category", "")),
        description=str(raw.get("description", "")), signature=signature,
        entry_point=entry_point, kind="function", test_cases=tuple(tests), source=str(path),
        constraints=tuple(raw.get("constraints", ())), hints=tuple(raw.get("hints", ())),
        solution_approach=str(raw.get("solution_approach", "")),
        time_complexity=str(raw.get("time_complexity", "")),
        space_complexity=str(raw.get("space_complexity", "")),
        reference_solution=raw.get("reference_solution"), skip_reason=skip,
    )
