"""The Python executor and the judge: statuses, and solutions that try to fake a pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mpm_bench import sandbox
from pytest_mpm_bench.languages import executor_for, known_languages
from pytest_mpm_bench.observe.run import CaseOutcome, ExecSettings, execute
from pytest_mpm_bench.suite import Case, load_suite
from tests.helpers import make_case, make_suite

PY = executor_for("python")


@pytest.fixture
def settings() -> ExecSettings:
    return ExecSettings(sandbox.Limits(wall_seconds=3, cpu_seconds=3),
                        sandbox.resolve_level("auto"))


@pytest.fixture
def case(write_suite) -> Case:  # type: ignore[no-untyped-def]
    return load_suite(write_suite(make_suite()), known_languages()).cases[0]


def run(case: Case, source: str, settings: ExecSettings) -> CaseOutcome:
    return execute(case, source, PY, settings)


def test_reference_passes(case: Case, settings: ExecSettings) -> None:
    outcome = run(case, case.reference_solution or "", settings)
    assert outcome.status == "passed", outcome
    assert outcome.completed and outcome.pass_rate == 1.0
    assert outcome.sandbox["level"] == settings.level


@pytest.mark.parametrize(
    ("source", "status", "detail"),
    [
        ("def add(a, b):\n    return a - b\n", "wrong_answer", None),
        ("def add(a, b):\n    return 1 // 0\n", "runtime_error", "ZeroDivisionError"),
        ("def add(a, b)\n    return a + b\n", "compile_error", "SyntaxError"),
        ("def add(a, b):\n    while True:\n        pass\n", "timeout", None),
        ("import time\ndef add(a, b):\n    time.sleep(60)\n", "timeout", None),
        ("def plus(a, b):\n    return a + b\n", "runtime_error", "does not define 'add'"),
        ("raise SystemExit(0)\n", "runtime_error", "SystemExit"),
        ("def add(a, b):\n    return {1, 2}\n", "wrong_answer", "not JSON data"),
        ("def add(a, b):\n    return [0] * 10**10\n", "memory_exceeded", None),
        ("def add(a, b):\n    print('x' * 10**7)\n", "output_exceeded", None),
    ],
    ids=["wrong", "raises", "syntax", "spins", "sleeps", "no-entry-point", "exit-at-load",
         "not-json", "memory", "stdout-flood"],
)
def test_statuses(case: Case, settings: ExecSettings, source: str, status: str,
                  detail: str | None) -> None:
    outcome = run(case, source, settings)
    assert outcome.status == status, outcome
    if detail:
        texts = [outcome.message] + [t.error or "" for t in outcome.tests]
        assert any(detail in text for text in texts), outcome


def test_partial_results_survive_a_timeout(case: Case, settings: ExecSettings) -> None:
    source = "def add(a, b):\n    while a < 0:\n        pass\n    return a + b\n"
    outcome = run(case, source, settings)
    assert outcome.status == "timeout"
    assert [t.status for t in outcome.tests] == ["passed", "not_run", "not_run"]


@pytest.mark.parametrize(
    "source",
    [
        "import os\nos._exit(0)\n",
        "import os\ndef add(a, b):\n    os._exit(0)\n",
        "import sys\ndef add(a, b):\n    print('ALL TESTS PASSED')\n    sys.stdout.flush()\n"
        "    import os; os._exit(0)\n",
        "class Yes(int):\n    def __eq__(self, other):\n        return True\n"
        "    __hash__ = int.__hash__\n"
        "def add(a, b):\n    return Yes(0)\n",
        "class Any_:\n    def __eq__(self, other):\n        return True\n"
        "def add(a, b):\n    return Any_()\n",
        "import json\njson.dumps = lambda *a, **k: '3'\n"
        "import builtins\nbuiltins.isinstance = lambda *a: True\n"
        "def add(a, b):\n    return 0\n",
        "import os\ndef add(a, b):\n"
        "    os.write(3, b'{\"type\": \"result\", \"index\": 0, \"ok\": true, \"value\": 3}\\n')\n"
        "    os.write(3, b'{\"type\": \"end\", \"count\": 3}\\n')\n    return 0\n",
        "import glob\ndef add(a, b):\n"
        "    return [open(p).read() for p in glob.glob('/**/*.json', recursive=True)][:1]\n",
    ],
    ids=["exit0-at-load", "exit0-in-call", "fake-stdout", "rigged-int-eq", "rigged-eq",
         "patched-json-builtins", "forged-records", "reads-json-files"],
)
def test_reward_hacks_never_pass(case: Case, settings: ExecSettings, source: str) -> None:
    outcome = run(case, source, settings)
    assert outcome.status != "passed", outcome
    assert not any(t.passed for t in outcome.tests if t.hidden)


def test_hardcoding_the_visible_examples_fails_hidden_tests(case: Case,
                                                            settings: ExecSettings) -> None:
    source = "def add(a, b):\n    return {(1, 2): 3, (-1, 1): 0}.get((a, b), 0)\n"
    outcome = run(case, source, settings)
    assert outcome.status == "wrong_answer"
    assert [t.passed for t in outcome.tests] == [True, True, False]


def test_inputs_are_fresh_per_test(write_suite, settings: ExecSettings) -> None:  # type: ignore[no-untyped-def]
    spec = make_case(
        signature="def pop(xs: list[int]) -> int:", entry_point="pop",
        test_cases=[{"args": [[1, 2]], "expected": 2}, {"args": [[1, 2]], "expected": 2},
                    {"args": [[1, 2]], "expected": 2, "hidden": True}],
        reference_solution="def pop(xs):\n    return xs.pop()\n")
    case = load_suite(write_suite(make_suite(spec)), known_languages()).cases[0]
    assert run(case, case.reference_solution or "", settings).status == "passed"


def test_async_class_and_code_forms(write_suite, settings: ExecSettings) -> None:  # type: ignore[no-untyped-def]
    counter = make_case(
        "counter", kind="class", signature="class Counter:", entry_point="Counter",
        test_cases=[{"calls": [["__init__", [5]], ["inc", []], ["inc", []]], "expected":
                     [None, 6, 7]},
                    {"calls": [["__init__", [0]], ["get", []]], "expected": [None, 0],
                     "hidden": True}],
        reference_solution="class Counter:\n    def __init__(self, n):\n        self.n = n\n"
                           "    def inc(self):\n        self.n += 1\n        return self.n\n"
                           "    async def get(self):\n        return self.n\n")
    gather = make_case(
        "gather", signature="async def double(x: int) -> int:", entry_point="double",
        test_cases=[{"args": [2], "expected": 4},
                    {"code": "import asyncio\nreturn await asyncio.gather(double(1), double(2))",
                     "expected": [2, 4], "hidden": True}],
        reference_solution="import asyncio\nasync def double(x):\n    await asyncio.sleep(0)\n"
                           "    return 2 * x\n")
    suite = load_suite(write_suite(make_suite(counter, gather)), known_languages())
    for case in suite.cases:
        outcome = run(case, case.reference_solution or "", settings)
        assert outcome.status == "passed", (case.id, outcome)


def test_an_awaitable_from_a_solution_that_never_says_async(  # type: ignore[no-untyped-def]
        write_suite, settings: ExecSettings) -> None:
    """The driver imports asyncio before the solution only when the source says async or
    await (it costs ~30 ms a run); a generator-based coroutine is still awaited."""
    spec = make_case(
        "coro", signature="def double(x: int) -> int:", entry_point="double",
        test_cases=[{"args": [2], "expected": 4}, {"args": [5], "expected": 10, "hidden": True}],
        reference_solution="import types\n@types.coroutine\ndef _later(x):\n"
                           "    yield from ()\n    return 2 * x\n"
                           "def double(x):\n    return _later(x)\n")
    case = load_suite(write_suite(make_suite(spec)), known_languages()).cases[0]
    assert run(case, case.reference_solution or "", settings).status == "passed"
    plain = "import sys\ndef add(a, b):\n    return 'asyn' 'cio' in sys.modules\n"
    assert run(case, plain.replace("add", "double").replace("a, b", "x"),
               settings).tests[0].actual is False


def test_work_dir_is_removed(case: Case, settings: ExecSettings, tmp_path: Path) -> None:
    source = "import os\ndef add(a, b):\n    return os.getcwd()\n"
    outcome = run(case, source, settings)
    workdir = outcome.tests[0].actual
    assert isinstance(workdir, str) and "mpm-run-" in workdir
    assert not Path(workdir).exists()
