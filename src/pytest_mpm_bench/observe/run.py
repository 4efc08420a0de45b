"""Run a solution against a case's tests and judge what the driver reports.

The child gets inputs only; it writes one record per test and an end record to fd 3. Here,
outside the sandbox, each record is compared with the expected value. A missing, duplicate or
malformed record is never a pass.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field, fields
from itertools import accumulate
from pathlib import Path
from typing import Any

from pytest_mpm_bench import sandbox, statuses
from pytest_mpm_bench.compare import matches, run_checker
from pytest_mpm_bench.languages import Executor
from pytest_mpm_bench.suite import Case, TestCase

TAIL = 2000
# What one run may write on the results channel (fd 3), beyond which it is a runtime_error.
MAX_LINE = 16 << 20  # bytes of one record
MAX_DEPTH = 208  # levels of nesting in a record: the drivers' values nest up to 200 deep
MAX_DIGITS = 1000  # of one number (Python refuses to convert an int of more than 4300)
# Values (containers, their items and keys) in all records of a run: parsing 64 MiB of "[],"
# would otherwise take the parent to gigabytes. A million-element answer still fits.
MAX_VALUES = 2_000_000
_STRING = re.compile(rb'"[^"]*(?:"|\Z)')
_CHUNK = 1 << 20
_LONG_NUMBER = re.compile(rb"[0-9]{%d}" % (MAX_DIGITS + 1))
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


@dataclass(frozen=True)
class ExecSettings:
    limits: sandbox.Limits
    level: str
    tool_limits: sandbox.Limits = sandbox.TOOL_LIMITS  # builds, type checks, analysers

    @property
    def tools(self) -> sandbox.Tools:
        return sandbox.Tools(self.level, self.tool_limits)


@dataclass(frozen=True)
class TestResult:
    __test__ = False

    index: int
    hidden: bool
    passed: bool
    status: str
    input: Any
    expected: Any
    actual: Any = None
    error: str | None = None
    seconds: float | None = None

    def as_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: that deep-copies the values, which may be large.
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class CaseOutcome:
    status: str
    message: str = ""
    tests: tuple[TestResult, ...] = ()
    completed: bool = False  # every test reported and the end record seen
    stdout: str = ""
    stderr: str = ""
    build_seconds: float = 0.0
    run_seconds: float = 0.0
    cpu_seconds: float = 0.0
    sandbox: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == statuses.PASSED

    @property
    def pass_rate(self) -> float:
        return sum(t.passed for t in self.tests) / len(self.tests) if self.tests else 0.0

    def first_failure(self) -> TestResult | None:
        return next((t for t in self.tests if not t.passed), None)


def _tail(data: bytes) -> str:
    return data[-TAIL:].decode("utf-8", "replace")


def run_in_workdir(executor: Executor, solution: str, spec: dict[str, Any],
                   settings: ExecSettings) -> tuple[Any, sandbox.RunResult | None]:
    """Prepare a fresh work dir, run the driver on ``spec`` in the sandbox, remove the dir."""
    workdir = Path(tempfile.mkdtemp(prefix="mpm-run-"))
    try:
        # The inputs first: a compiled language builds its entry point and snippets in.
        (workdir / "input.json").write_text(json.dumps(spec), encoding="utf-8")
        build = executor.prepare(workdir, solution, settings.tools)
        if build.compile_error is not None:
            return build, None
        result = sandbox.run(executor.command(workdir), workdir=workdir, limits=settings.limits,
                             level=settings.level, ro_binds=executor.ro_binds(),
                             env=executor.run_env,
                             reserved_bytes=executor.reserved_address_space)
        return build, result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def execute(case: Case, solution: str, executor: Executor, settings: ExecSettings) -> CaseOutcome:
    """Run ``solution`` against every test of ``case`` and judge the records."""
    spec = {"entry_point": case.entry_point, "kind": case.kind,
            "tests": [json.dumps(t.payload()) for t in case.test_cases],
            **executor.driver_options(solution, case)}
    started = time.monotonic()
    build, raw = run_in_workdir(executor, solution, spec, settings)
    info = {"level": settings.level if raw is None else raw.level,
            "limits": settings.limits.as_dict()}
    if raw is None:
        return CaseOutcome(statuses.COMPILE_ERROR, build.compile_error or "", sandbox=info,
                           build_seconds=build.seconds, run_seconds=time.monotonic() - started)
    return judge(case, executor, raw, build.seconds, info)


def _bare(line: bytes) -> bytes:
    """``line`` without its strings: only structure, numbers and literals are left. Escapes go
    first, so every quote left opens or closes a string; the pattern matches wherever a
    string starts (closed or not), so this is linear whatever the line holds, and it works
    through the line a chunk at a time, so its memory stays near the line's size."""
    line = line.replace(b"\\\\", b"").replace(b'\\"', b"")
    pieces, inside = [], False
    for start in range(0, len(line), _CHUNK):
        chunk = line[start:start + _CHUNK]
        if inside:  # the chunk begins in a string that an earlier chunk opened
            close = chunk.find(b'"')
            if close < 0:
                continue
            chunk = chunk[close + 1:]
        inside = chunk.count(b'"') % 2 == 1
        pieces.append(_STRING.sub(b"", chunk))
    return b"".join(pieces)


def _values(line: bytes) -> tuple[int, int]:
    """The opening brackets of ``line``, and the values (containers, items, keys) it holds at
    most."""
    opening = line.count(b"[") + line.count(b"{")
    return opening, opening + line.count(b",") + line.count(b":") + 1


def _depth(line: bytes) -> int:
    return max(accumulate(map(_STEP.__getitem__, line.translate(None, _NOT_BRACKET))),
               default=0)


def _refusal(line: bytes, budget: int) -> tuple[int, str | None]:
    """How many values ``line`` holds at most, or why it is refused unparsed: Python's parser
    builds a whole record in memory, recurses per level and converts every digit. The counts
    are taken on the raw line first; only when one is over a limit are the strings taken out
    (brackets, commas and digits inside a string are text, not structure) and it is redone."""
    if len(line) > MAX_LINE:
        return 0, f"holds a record of more than {MAX_LINE >> 20} MiB"
    bare: bytes | None = None
    opening, values = _values(line)
    if values > budget:
        bare = _bare(line)
        opening, values = _values(bare)
        if values > budget:
            return values, f"holds more than {MAX_VALUES} values in all"
    if _LONG_NUMBER.search(line):
        bare = bare if bare is not None else _bare(line)
        if _LONG_NUMBER.search(bare):
            return values, f"holds a number of more than {MAX_DIGITS} digits"
    if opening > MAX_DEPTH and _depth(line) > MAX_DEPTH:
        bare = bare if bare is not None else _bare(line)
        if _depth(bare) > MAX_DEPTH:
            return values, f"holds a value nested more than {MAX_DEPTH} levels deep"
    return values, None


def parse_records(channel: bytes, tests: int) -> tuple[list[dict[str, Any]], str | None]:
    """The driver's records, or a reason why the channel cannot be trusted. A run of ``tests``
    tests writes at most ``tests + 1`` lines; reading stops at the first one too many, so a
    flood of records costs nothing, and every line is checked before it is parsed."""
    records: list[dict[str, Any]] = []
    budget, start, lines = MAX_VALUES, 0, 0
    while start < len(channel):
        end = channel.find(b"\n", start)
        end = len(channel) if end < 0 else end
        line, start = channel[start:end], end + 1
        lines += 1
        if lines > tests + 1:
            return records, (f"the results channel holds too many records (more than the "
                             f"{tests + 1} a run of {tests} tests writes)")
        if not line.strip():
            continue
        values, refused = _refusal(line, budget)
        if refused is not None:
            return records, f"the results channel {refused}"
        budget -= values
        try:
            record = json.loads(line.decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            return records, "the results channel holds a line that is not a record"
        if not isinstance(record, dict):
            return records, "the results channel holds a line that is not a record"
        records.append(record)
    return records, None


def _judge_test(case: Case, test: TestCase, record: dict[str, Any] | None,
                loose_numbers: bool) -> TestResult:
    base = {"index": test.index, "hidden": test.hidden, "input": test.payload(),
            "expected": test.expected}
    if record is None:
        return TestResult(passed=False, status="not_run", **base)
    seconds = record.get("seconds") if isinstance(record.get("seconds"), float) else None
    if not record.get("ok"):
        status = (statuses.MEMORY_EXCEEDED if record.get("error_type") == "MemoryError"
                  else statuses.WRONG_ANSWER if record.get("error_type") == "NotData"
                  else statuses.RUNTIME_ERROR)
        return TestResult(passed=False, status=status, error=str(record.get("error")),
                          seconds=seconds, **base)
    actual = record.get("value")
    note = None
    if case.checker is not None:
        ok, note = run_checker(case.checker, test.inputs, actual)
    else:
        ok = matches(test.expected, actual, test.compare, loose_numbers=loose_numbers)
    return TestResult(passed=ok, status=statuses.PASSED if ok else statuses.WRONG_ANSWER,
                      actual=actual, error=note, seconds=seconds, **base)


def judge(case: Case, executor: Executor, raw: sandbox.RunResult, build_seconds: float,
          info: dict[str, Any]) -> CaseOutcome:
    records, broken = parse_records(raw.channel, len(case.test_cases))
    common: dict[str, Any] = {"stdout": _tail(raw.stdout), "stderr": _tail(raw.stderr),
              "build_seconds": build_seconds, "run_seconds": raw.wall_seconds,
              "cpu_seconds": raw.cpu_seconds, "sandbox": info}
    first = records[0] if records else {}
    if first.get("type") == "compile_error":
        return CaseOutcome(statuses.COMPILE_ERROR, str(first.get("message", "")), **common)
    by_index: dict[int, dict[str, Any]] = {}
    for record in records:
        index = record.get("index")
        if record.get("type") != "result":
            continue
        if (not isinstance(index, int) or isinstance(index, bool)
                or not 0 <= index < len(case.test_cases) or index in by_index):
            broken = broken or "the results channel holds a duplicate or unknown test record"
            continue
        by_index[index] = record
    tests = tuple(_judge_test(case, t, by_index.get(t.index), executor.loose_numbers)
                  for t in case.test_cases)
    ended = [r for r in records if r.get("type") == "end"]
    completed = (broken is None and len(by_index) == len(case.test_cases)
                 and len(ended) == 1 and ended[0].get("count") == len(case.test_cases)
                 and records[-1].get("type") == "end")
    status, message = _overall(raw, tests, completed, broken, first)
    return CaseOutcome(status, message, tests, completed, **common)


def _exit_text(raw: sandbox.RunResult) -> str:
    if raw.signal is not None:
        return f"killed by signal {raw.signal}"
    return f"exit code {raw.exit_code}"


def _overall(raw: sandbox.RunResult, tests: tuple[TestResult, ...], completed: bool,
             broken: str | None, first: dict[str, Any]) -> tuple[str, str]:
    if raw.timed_out:
        return statuses.TIMEOUT, f"the solution ran out of time after {raw.wall_seconds:.1f} s"
    if raw.memory_exceeded:
        return statuses.MEMORY_EXCEEDED, "the solution exceeded the memory limit"
    if raw.output_exceeded:
        return statuses.OUTPUT_EXCEEDED, f"the solution flooded {raw.output_exceeded}"
    if first.get("type") == "load_error":
        kind = first.get("error_type")
        status = statuses.MEMORY_EXCEEDED if kind == "MemoryError" else statuses.RUNTIME_ERROR
        return status, f"loading the solution failed: {first.get('message')}"
    if broken is not None:
        return statuses.RUNTIME_ERROR, broken
    if not completed:
        missing = next((t.index for t in tests if t.status == "not_run"), None)
        where = f"before reporting test {missing + 1}" if missing is not None else "early"
        return statuses.RUNTIME_ERROR, f"the solution ended the run {where} ({_exit_text(raw)})"
    failed = next((t for t in tests if not t.passed), None)
    if failed is None:
        return statuses.PASSED, f"all {len(tests)} tests passed"
    failures = sum(not t.passed for t in tests)
    return failed.status, f"{failures} of {len(tests)} tests failed"
