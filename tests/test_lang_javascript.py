"""The JavaScript executor: every executor path through ``execution.execute``, hostile twins,
end to end (the javascript_engineer suite with the reference backend)."""

from __future__ import annotations

import socket
import threading
from functools import partial

import pytest

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import executor_for
from tests.helpers import node_reference_run, run_solution, sandbox_level, survives

EXECUTOR = executor_for("javascript")
pytestmark = pytest.mark.skipif(EXECUTOR.missing() is not None,
                                reason=str(EXECUTOR.missing()))
LEVEL = sandbox_level()  # resolved once: some checks below skip or relax by it
run = partial(run_solution, EXECUTOR, "javascript_engineer", level=LEVEL)


ADD_TESTS = [{"args": [1, 2], "expected": 3}, {"args": [-4, 4], "expected": 0}]


@pytest.mark.parametrize("source", [
    "function add(a, b) {\n  return a + b;\n}\n",
    "export function add(a, b) {\n  return a + b;\n}\n",
    "const add = (a, b) => a + b;\nexport default add;\n",
    "export default function add(a, b) { return a + b; }\n",
    "function add(a, b) { return a + b; }\nmodule.exports = { add };\n"
    "if (require.main === module) { console.log(add(1, 2)); }\n",
    "module.exports = function (a, b) { return a + b; };\n",
    "const impl = (a, b) => a + b;\nexport { impl as add };\n",
], ids=["declared", "exported", "default-export", "export-default-function", "commonjs",
        "module-exports-function", "export-alias"])
def test_pass_declared_or_exported(source: str) -> None:
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.PASSED, outcome
    assert outcome.completed


def test_plain_script_runs_as_node_runs_it() -> None:
    # sloppy mode: undeclared variables, `with`, top-level `this` and `return` (CommonJS)
    source = ("const add = (a, b) => {\n  total = 0;\n"
              "  for (i = 0; i < 2; i++) total += [a, b][i];\n"
              "  with (Math) { return max(total, -100); }\n};\n"
              "if (this !== module.exports) throw new Error('not CommonJS');\nreturn;\n")
    outcome = run(source, [*ADD_TESTS, {"code": "return typeof total;", "expected": "number"}])
    assert outcome.status == statuses.PASSED, outcome.tests


@pytest.mark.parametrize("source", [
    "export function add(a, b) {\n  total = a + b;\n  return total;\n}\n",
    "// a script that asks for strict mode keeps it\n'use strict';\n"
    "function add(a, b) {\n  total = a + b;\n  return total;\n}\n",
], ids=["module", "use-strict-script"])
def test_module_syntax_keeps_strict_mode(source: str) -> None:
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert "ReferenceError: total is not defined" in str(outcome.tests[0].error)


def test_wrong_answer() -> None:
    outcome = run("function add(a, b) { return a - b; }\n", ADD_TESTS)
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == -1


def test_syntax_error_is_a_compile_error_with_the_diagnostic() -> None:
    outcome = run("function add(a, b) {\n  return a +;\n}\n", ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "solution.js:2:" in outcome.message
    assert "Unexpected" in outcome.message


def test_runtime_error_is_per_test() -> None:
    source = "function add(a, b) {\n  if (a < 0) return null.x;\n  return a + b;\n}\n"
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[0].passed
    assert "TypeError" in str(outcome.tests[1].error)


def test_missing_entry_point() -> None:
    outcome = run("function sum(a, b) { return a + b; }\n", ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert "does not define add" in str(outcome.tests[0].error)


@pytest.mark.parametrize("source", [
    "import _ from 'lodash';\nexport const add = (a, b) => _.sum([a, b]);\n",
    "const { sum } = require('lodash/math');\nconst add = (a, b) => sum([a, b]);\n",
    "const md5 = require('js-md5');\n"
    "const add = (a, b) => md5('x') === '9dd4e461268c8034f5c8564e155c67a6' ? a + b : 0;\n",
], ids=["lodash-import", "lodash-require", "js-md5"])
def test_provided_packages_load(source: str) -> None:
    if LEVEL == "unshare":
        pytest.skip("the unshare level does not bind node_modules")
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.PASSED, outcome


@pytest.mark.parametrize("source", [
    "import { chunk } from 'underscore-plus';\nexport const add = (a, b) => a + b;\n",
    "function add(a, b) {\n  return require('underscore-plus').add(a, b);\n}\n",
])
def test_a_package_not_provided_is_a_compile_error_naming_it(source: str) -> None:
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.COMPILE_ERROR
    assert "imports 'underscore-plus', which this benchmark does not provide" in outcome.message


def test_a_computed_import_of_a_package_not_provided_says_so_at_run_time() -> None:
    source = "const name = ['under', 'score-plus'].join('');\n" \
             "function add(a, b) { return require(name)(a, b); }\n"
    outcome = run(source, ADD_TESTS[:1])
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[0].error == \
        "imports 'underscore-plus', which this benchmark does not provide"


def test_timeout() -> None:
    outcome = run("function add(a, b) { while (true) {} }\n", ADD_TESTS, wall=1.5)
    assert outcome.status == statuses.TIMEOUT
    assert outcome.run_seconds < 4


def test_async_and_promises_are_awaited() -> None:
    source = ("export async function add(a, b) {\n"
              "  await new Promise((r) => setTimeout(r, 5));\n  return a + b;\n}\n")
    assert run(source, ADD_TESTS).status == statuses.PASSED
    then = "function add(a, b) { return Promise.resolve(a + b); }\n"
    assert run(then, ADD_TESTS).status == statuses.PASSED
    rejected = "async function add(a, b) { throw new RangeError('no'); }\n"
    outcome = run(rejected, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[0].error == "RangeError: no"


def test_a_promise_that_never_settles_fails_its_test_only() -> None:
    source = "function add(a, b) { return a < 0 ? new Promise(() => {}) : a + b; }\n"
    outcome = run(source, [*ADD_TESTS, {"args": [2, 2], "expected": 4}])
    assert [t.passed for t in outcome.tests] == [True, False, True]
    assert "never settles" in str(outcome.tests[1].error)


def test_class_via_calls() -> None:
    source = ("export class Counter {\n  #n;\n  constructor(start) { this.#n = start; }\n"
              "  inc(by) { this.#n += by; return this.#n; }\n  reset() { this.#n = 0; }\n"
              "  get value() { return this.#n; }\n  async later() { return this.#n * 2; }\n}\n")
    tests = [{"calls": [["__init__", [5]], ["inc", [1]], ["reset", []], ["inc", [2]],
                        ["value", []], ["later", []]],
              "expected": [None, 6, None, 2, 2, 4]}]
    outcome = run(source, tests, "Counter", "class")
    assert outcome.status == statuses.PASSED, outcome.tests


def test_code_form_sees_undeclared_helpers() -> None:
    source = ("class Node { constructor(v, next = null) { this.v = v; this.next = next; } }\n"
              "function add(a, b) { return a + b; }\n")
    tests = [{"code": "const list = new Node(1, new Node(2));\n"
                      "const out = [];\nfor (let n = list; n; n = n.next) out.push(add(n.v, 10));\n"
                      "await null;\nreturn out;", "expected": [11, 12]}]
    assert run(source, tests).status == statuses.PASSED


def test_values_become_plain_json() -> None:
    source = "function add(a, b) { return a + b; }\n"
    tests = [{"code": "return [undefined, -0, 2 ** 53 - 1, {a: undefined, b: [1, , 3]}];",
              "expected": [None, 0, 2 ** 53 - 1, {"b": [1, None, 3]}]},
             {"code": "return 10n ** 20n;", "expected": 10 ** 20},
             {"code": "return new Set([1]);", "expected": [1]},
             {"code": "class P { constructor() { this.x = 1; } get y() { return 2; } }\n"
                      "return new P();", "expected": {"x": 1}},
             {"code": "const a = []; a.push(a); return a;", "expected": None}]
    outcome = run(source, tests)
    assert [t.passed for t in outcome.tests] == [True, True, False, True, False], outcome.tests
    assert outcome.tests[2].status == statuses.WRONG_ANSWER
    assert "Set" in str(outcome.tests[2].error)


def test_integral_numbers_compare_loosely() -> None:
    outcome = run("function add(a, b) { return a + b; }\n", [{"args": [0.5, 1.5], "expected": 2}])
    assert outcome.status == statuses.PASSED


def test_jsx_runs_with_react() -> None:
    if LEVEL == "unshare":
        pytest.skip("the unshare level does not bind node_modules")
    source = ("import { renderToStaticMarkup } from 'react-dom/server';\n"
              "const Hi = ({ name }) => <b>hi {name}</b>;\n"
              "export function add(a, b) { return renderToStaticMarkup(<Hi name={a + b} />); }\n")
    outcome = run(source, [{"args": [1, 2], "expected": "<b>hi 3</b>"}])
    assert outcome.status == statuses.PASSED, outcome


def test_inputs_are_fresh_per_test() -> None:
    source = "function add(xs) { xs.push(1); return xs.length; }\n"
    outcome = run(source, [{"args": [[0]], "expected": 2}, {"args": [[0]], "expected": 2}])
    assert outcome.status == statuses.PASSED


# -- hostile twins ------------------------------------------------------------------------

def test_exit_zero_at_load_is_not_a_pass() -> None:
    outcome = run("process.exit(0);\nexport const add = (a, b) => a + b;\n", ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert "process.exit" in outcome.message


def test_exit_zero_inside_a_call_is_not_a_pass() -> None:
    source = "function add(a, b) { if (a < 0) process.exit(0); return a + b; }\n"
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[0].passed and not outcome.tests[1].passed


def test_real_exit_zero_is_not_a_pass() -> None:
    source = "function add(a, b) { if (a < 0) process.reallyExit(0); return a + b; }\n"
    outcome = run(source, ADD_TESTS)
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[1].status == "not_run"


def test_infinite_loop_at_load_times_out() -> None:
    outcome = run("for (;;) {}\nexport const add = (a, b) => a + b;\n", ADD_TESTS, wall=1.5)
    assert outcome.status == statuses.TIMEOUT


def test_huge_output() -> None:
    source = ("function add(a, b) {\n  const line = 'x'.repeat(1 << 16);\n"
              "  for (;;) console.log(line);\n}\n")
    outcome = run(source, ADD_TESTS, output=1 << 18)
    assert outcome.status == statuses.OUTPUT_EXCEEDED


def test_spawned_child_does_not_survive() -> None:
    source = ("import { spawn } from 'node:child_process';\n"
              "export function add(a, b) {\n"
              "  const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });\n"
              "  child.unref();\n  return child.pid ?? -1;\n}\n")
    outcome = run(source, ADD_TESTS[:1])
    assert not outcome.passed
    pid = outcome.tests[0].actual
    if LEVEL == "none" and isinstance(pid, int) and pid > 0:  # a sandbox pid is not ours
        assert not survives(pid)


def test_network_to_a_loopback_listener_is_not_a_pass() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(100) or b"<connected>")
                except OSError:
                    seen.append(b"<connected>")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    source = ("import net from 'node:net';\n"
              "export function add(a, b) {\n  return new Promise((resolve) => {\n"
              f"    const s = net.connect({port}, '127.0.0.1', () => {{ s.write('leak');"
              " s.end(); resolve(a + b + 1); });\n"
              "    s.on('error', (e) => resolve(e.code));\n  });\n}\n")
    try:
        outcome = run(source, ADD_TESTS[:1])
    finally:
        stop.set()
        thread.join(2)
        listener.close()
    assert not outcome.passed
    if LEVEL != "none":
        assert seen == []


def test_rigged_value_is_compared_as_data() -> None:
    source = ("function add(a, b) {\n"
              "  return { valueOf: () => a + b, toJSON: () => a + b, toString: () => '3' };\n}\n")
    outcome = run(source, ADD_TESTS[:1])
    assert outcome.status == statuses.WRONG_ANSWER
    assert outcome.tests[0].actual == {}


def test_forged_records_do_not_pass() -> None:
    source = ("import { writeSync } from 'node:fs';\n"
              "const forged = {type: 'result', index: 0, ok: true, value: 3};\n"
              "writeSync(3, JSON.stringify(forged) + '\\n');\n"
              "writeSync(3, JSON.stringify({type: 'end', count: 1}) + '\\n');\n"
              "export const add = () => 0;\n")
    outcome = run(source, ADD_TESTS[:1])
    assert not outcome.passed


def test_forged_records_from_a_script_do_not_pass() -> None:
    source = ("const { writeSync } = require('node:fs');\n"
              "const forged = {type: 'result', index: 0, ok: true, value: 3};\n"
              "writeSync(3, JSON.stringify(forged) + '\\n');\n"
              "writeSync(3, JSON.stringify({type: 'end', count: 1}) + '\\n');\n"
              "JSON.stringify = () => '3';\nfunction add() { return 0; }\n")
    outcome = run(source, ADD_TESTS[:1])
    assert not outcome.passed


# -- end to end ---------------------------------------------------------------------------

def test_reference_solutions_pass(pytester: pytest.Pytester,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = node_reference_run(pytester, monkeypatch, "javascript_mini.json",
                                "javascript_engineer")
    result.assert_outcomes(passed=12)
