"""The TypeScript executor (type check + esbuild in the parent, node in the sandbox), its
hostile twins, and the typescript_engineer and nextjs_engineer suites end to end."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import executor_for
from pytest_mpm_bench.sandbox import Tools
from tests.helpers import node_reference_run, run_solution, sandbox_level

EXECUTOR = executor_for("typescript")
pytestmark = pytest.mark.skipif(EXECUTOR.missing() is not None,
                                reason=str(EXECUTOR.missing()))
LEVEL = sandbox_level()
run = partial(run_solution, EXECUTOR, "typescript_engineer", level=LEVEL)
ADD = "export function add(a: number, b: number): number {\n  return a + b;\n}\n"
ADD_TESTS = [{"args": [1, 2], "expected": 3}, {"args": [-4, 4], "expected": 0}]


def test_pass_declared_and_exported() -> None:
    assert run(ADD, ADD_TESTS).status == statuses.PASSED
    declared = "const add = (a: number, b: number): number => a + b;\n"
    assert run(declared, ADD_TESTS).status == statuses.PASSED


def test_generic_arrow_in_ts_and_types_only_constructs() -> None:
    source = ("interface Box<T> { value: T }\ntype Pair = [number, number];\n"
              "enum Mode { Sum = 'sum' }\n"
              "const wrap = <T>(value: T): Box<T> => ({ value });\n"
              "function add(a: number, b: number): number {\n"
              "  const pair: Pair = [a, b];\n  return wrap(pair[0] + pair[1]).value;\n}\n"
              "export { add, Mode };\n")
    assert run(source, ADD_TESTS).status == statuses.PASSED


def test_wrong_answer() -> None:
    outcome = run("export const add = (a: number, b: number): number => a - b;\n", ADD_TESTS)
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == -1


def test_type_error_is_a_compile_error_with_diagnostics() -> None:
    source = "export function add(a: number, b: number): string {\n  return a + b;\n}\n"
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "solution.ts(2,3): error TS2322" in outcome.message


def test_strict_mode_rejects_implicit_any() -> None:
    outcome = run("export function add(a, b) { return a + b; }\n", ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "TS7006" in outcome.message


def test_syntax_error_is_a_compile_error() -> None:
    outcome = run("export function add(a: number, b: number) {\n  return a +;\n}\n", ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "solution.ts:2:" in outcome.message


def test_local_file_imports_are_refused_before_type_checking() -> None:
    outcome = run("import secret from '/etc/passwd';\nexport const add = () => secret;\n",
                  ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "local file" in outcome.message
    outcome = run('/// <reference path="/root/x.ts" />\n' + ADD, ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR


def test_runtime_error() -> None:
    source = ("export function add(a: number, b: number): number {\n"
              "  if (a < 0) throw new RangeError('negative');\n  return a + b;\n}\n")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[1].error == "RangeError: negative"


def test_timeout() -> None:
    source = "export function add(a: number, b: number): number {\n  for (;;) {}\n}\n"
    assert run(source, ADD_TESTS, wall=1.5).status == statuses.TIMEOUT


def test_async_class_via_calls() -> None:
    source = ("export class Store<V> {\n  private items = new Map<string, V>();\n"
              "  async set(key: string, value: V): Promise<void> { this.items.set(key, value); }\n"
              "  async get(key: string): Promise<V | null> {\n"
              "    return this.items.get(key) ?? null;\n  }\n"
              "  get size(): number { return this.items.size; }\n}\n")
    tests = [{"calls": [["__init__", []], ["set", ["a", 1]], ["get", ["a"]], ["get", ["b"]],
                        ["size", []]], "expected": [None, None, 1, None, 1]}]
    assert run(source, tests, "Store", "class").status == statuses.PASSED


def test_code_form_with_typescript_syntax() -> None:
    tests = [{"code": "const xs: number[] = [1, 2, 3];\n"
                      "const total = xs.reduce((s: number, x) => add(s, x), 0);\n"
                      "return await Promise.resolve({ total } as { total: number });",
              "expected": {"total": 6}}]
    assert run(ADD, tests).status == statuses.PASSED


def test_tsx_component_renders_with_react() -> None:
    if LEVEL == "unshare":
        pytest.skip("the unshare level does not bind node_modules")
    source = ("import { renderToStaticMarkup } from 'react-dom/server';\n"
              "type Props = { items: string[] };\n"
              "export function List({ items }: Props) {\n"
              "  return <ul>{items.map((i) => <li key={i}>{i}</li>)}</ul>;\n}\n"
              "export function add(a: number, b: number): string {\n"
              "  return renderToStaticMarkup(<List items={[String(a), String(b)]} />);\n}\n")
    outcome = run(source, [{"args": [1, 2], "expected": "<ul><li>1</li><li>2</li></ul>"},
                           {"code": "return renderToStaticMarkup(<List items={['x']} />);",
                            "expected": "<ul><li>x</li></ul>"}])
    assert outcome.status == statuses.PASSED, outcome


def test_web_standard_request_and_response() -> None:
    source = ("export async function add(request: Request): Promise<Response> {\n"
              "  const body = (await request.json()) as { a: number; b: number };\n"
              "  return Response.json({ sum: body.a + body.b }, { status: 201 });\n}\n")
    tests = [{"code": "const res = await add(new Request('http://x/api', { method: 'POST', "
                      "body: JSON.stringify({ a: 1, b: 2 }) }));\n"
                      "return { status: res.status, body: await res.json() };",
              "expected": {"status": 201, "body": {"sum": 3}}}]
    assert run(source, tests).status == statuses.PASSED


def test_build_is_cached(tmp_path: Path) -> None:
    spec = {"entry_point": "add", "kind": "function", "tests": [json.dumps({"args": [1, 2]})]}
    first = EXECUTOR.build(ADD, spec, Tools(sandbox_level()))  # type: ignore[attr-defined]
    again = EXECUTOR.build(ADD, spec, Tools(sandbox_level()))  # type: ignore[attr-defined]
    assert again.cached and again.directory == first.directory
    assert (first.directory / "solution.mjs").is_file()


# -- hostile twins ------------------------------------------------------------------------

def test_exit_zero_at_load_and_in_a_call_are_not_a_pass() -> None:
    at_load = "process.exit(0);\n" + ADD
    assert run(at_load, ADD_TESTS).status == statuses.RUNTIME_ERROR
    in_call = ("export function add(a: number, b: number): number {\n"
               "  if (a < 0) process.exit(0);\n  return a + b;\n}\n")
    outcome = run(in_call, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[0].passed


def test_huge_output() -> None:
    source = ("export function add(a: number, b: number): number {\n"
              "  const line = 'x'.repeat(1 << 16);\n  for (;;) console.log(line);\n}\n")
    assert run(source, ADD_TESTS, output=1 << 18).status == statuses.OUTPUT_EXCEEDED


def test_child_process_is_not_a_pass() -> None:
    source = ("import { execSync } from 'node:child_process';\n"
              "export function add(a: number, b: number): number {\n"
              "  return Number(execSync(`echo $((${a} + ${b} + 1))`).toString().trim());\n}\n")
    assert not run(source, ADD_TESTS[:1]).passed


# -- end to end ---------------------------------------------------------------------------

def test_reference_solutions_pass(pytester: pytest.Pytester,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = node_reference_run(pytester, monkeypatch, "typescript_mini.json",
                                "typescript_engineer")
    result.assert_outcomes(passed=12)
