"""Hostile replies against everything that reads solution text besides running it: builds,
type checks and analysers (THREATS.md rows 26-29), and the build cache.

Every test runs with a secret in this process's environment and canary files in ``$HOME``
made so that a compiler able to read them would quote them (a ``compile_error!`` with the
secret for rustc, a string constant for tsc). Neither secret may appear in anything the
harness keeps: a compile error, a finding, a report.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_mpm_bench import sandbox, statuses
from pytest_mpm_bench.languages import executor_for
from pytest_mpm_bench.languages.compiled import cache_root
from pytest_mpm_bench.observe import analysers
from pytest_mpm_bench.observe.run import ExecSettings, execute
from tests.helpers import executor_case, make_case, make_suite, sandbox_level

LEVEL = sandbox_level()
ISOLATED = [level for level in ("bwrap", "unshare") if sandbox._works(level) is None]
MIB = 1 << 20
pytestmark = pytest.mark.skipif(LEVEL == "none", reason="no isolating sandbox level works here")


@dataclass(frozen=True)
class Canary:
    secret: str  # in this process's environment
    content: str  # in every canary file
    rust: Path
    typescript: Path
    plain: Path

    def leaked(self, text: str) -> bool:
        return self.secret in text or self.content in text


@pytest.fixture
def canary(monkeypatch: pytest.MonkeyPatch) -> Iterator[Canary]:
    tag = uuid.uuid4().hex[:12]
    secret, content = f"mpm-secret-env-{tag}", f"mpm-secret-file-{tag}"
    monkeypatch.setenv("MPM_TEST_SECRET", secret)
    home = Path.home()
    made = Canary(secret, content, home / f".mpm-canary-{tag}.rs",
                  home / f".mpm-canary-{tag}.ts", home / f".mpm-canary-{tag}")
    made.rust.write_text(f'compile_error!("{content}");\n')
    made.typescript.write_text(f'export const leak = "{content}" as const;\n')
    made.plain.write_text(f"{content}\n")
    yield made
    for path in (made.rust, made.typescript, made.plain):
        path.unlink(missing_ok=True)


def require(language: str) -> None:
    missing = executor_for(language).missing()
    if missing:
        pytest.skip(missing)


def settings(**tool_limits: float) -> ExecSettings:
    limits = sandbox.Limits(wall_seconds=10, cpu_seconds=10)
    return ExecSettings(limits, LEVEL, dataclasses.replace(sandbox.TOOL_LIMITS, **tool_limits))


def judged(language: str, source: str, entry: str, **tool_limits: float) -> tuple[str, str]:
    """(status, everything the result keeps as text) for ``source`` built and run once."""
    case = executor_case(language, f"{language}_engineer", [{"args": [1, 2], "expected": 3}],
                         entry, "function")
    outcome = execute(case, source, executor_for(language), settings(**tool_limits))
    return outcome.status, json.dumps([outcome.message, outcome.stderr, outcome.stdout])


def assert_refused_without_leak(canary: Canary, language: str, source: str, entry: str) -> None:
    """The build fails, and neither its message nor the analysers' findings (clippy and the
    TypeScript checker compile the code too) quote anything of the host."""
    status, text = judged(language, source, entry)
    assert status == statuses.COMPILE_ERROR, text
    assert not canary.leaked(text), text
    assert not canary.leaked(findings_text(source, language))


def findings_text(source: str, language: str) -> str:
    executor = executor_for(language)
    found = analysers.analyse(source, language, executor.file_name(source),
                              sandbox.Tools(LEVEL))
    return json.dumps(found)


# -- row 26: a compiler made to read a host path --------------------------------------------

RUST_ADD = "\nfn add(a: i64, b: i64) -> i64 { a + b }\n"
RUST_SPELLINGS = {
    "literal-path": '#[path = "{file}"]\nmod leak;',  # refused by the screen before the build
    "cfg-attr-path": '#[cfg_attr(all(), path = "{file}")]\nmod leak;',
    "nested-cfg-attr": '#[cfg_attr(all(), cfg_attr(not(any()), path = "{file}"))]\nmod leak;',
    "macro-meta": 'macro_rules! m {{ ($a:meta) => {{ #[$a] mod leak; }}; }}\nm!(path = "{file}");',
    "proc-environ": '#[cfg_attr(all(), path = "/proc/{pid}/environ")]\nmod leak;',
    "self-environ": '#[cfg_attr(all(), path = "/proc/self/environ")]\nmod leak;',
    "include-str": 'const LEAK: &str = include_str!("{file}");',
}


@pytest.mark.parametrize("spelling", list(RUST_SPELLINGS))
def test_rustc_cannot_read_or_quote_host_files(canary: Canary, spelling: str) -> None:
    require("rust")
    source = RUST_SPELLINGS[spelling].format(file=canary.rust, pid=os.getpid()) + RUST_ADD
    assert_refused_without_leak(canary, "rust", source, "add")


TS_ADD = "\nexport function add(a: number, b: number): number { return a + b; }\n"
TS_SPELLINGS = {
    "reference": '/// <reference path="{file}" />',
    "import": 'import {{ leak }} from "{stem}";\nconst n: 5 = leak;',
    "import-type": 'type T = typeof import("{stem}");\nconst n: 5 = ("" as unknown as T).leak;',
    "require": 'import leak = require("{stem}");\nconst n: 5 = leak.leak;',
}


@pytest.mark.parametrize("spelling", list(TS_SPELLINGS))
def test_tsc_cannot_read_or_quote_host_files(canary: Canary, spelling: str) -> None:
    require("typescript")
    stem = str(canary.typescript.with_suffix(""))
    source = TS_SPELLINGS[spelling].format(file=canary.typescript, stem=stem) + TS_ADD
    assert_refused_without_leak(canary, "typescript", source, "add")


def test_go_embed_of_a_host_path_is_a_compile_error(canary: Canary) -> None:
    require("go")
    source = (f'package main\n\nimport _ "embed"\n\n//go:embed {canary.plain}\nvar leak string\n\n'
              "func Add(a, b int) int { return a + b + len(leak) }\n")
    assert_refused_without_leak(canary, "go", source, "Add")


def test_java_annotation_processors_never_run(canary: Canary, tmp_path: Path) -> None:
    require("java")
    marker = tmp_path / "processor-ran"
    source = ("import javax.annotation.processing.*;\nimport javax.lang.model.SourceVersion;\n"
              "import javax.lang.model.element.TypeElement;\nimport java.util.Set;\n\n"
              '@SupportedAnnotationTypes("*")\n'
              "class Leak extends AbstractProcessor {\n"
              "    @Override public boolean process(Set<? extends TypeElement> a, "
              "RoundEnvironment r) {\n"
              f'        try {{ new java.io.File("{marker}").createNewFile(); }} '
              "catch (Exception e) { }\n"
              f'        throw new RuntimeException(System.getenv("MPM_TEST_SECRET"));\n'
              "    }\n}\n\n"
              "class Solution {\n    static int add(int a, int b) { return a + b; }\n}\n")
    status, text = judged("java", source, "add")
    assert status == statuses.PASSED, text  # the processor was never run, the code was
    assert not marker.exists() and not canary.leaked(text)
    assert not canary.leaked(findings_text(source, "java"))


# -- rows 27-28: compile-time evaluation and hostile analyser input, within limits ----------

def test_rust_const_eval_that_never_ends_is_a_timed_out_build() -> None:
    require("rust")
    source = ("#![allow(long_running_const_eval)]\n"
              "const N: u64 = { let mut i: u64 = 0; while i < u64::MAX { i += 1; } i };\n"
              "fn add(a: i64, b: i64) -> i64 { a + b + N as i64 }\n")
    status, text = judged("rust", source, "add", wall_seconds=5, cpu_seconds=10)
    assert status == statuses.COMPILE_ERROR and "the build timed out after 5 s" in text


def test_rust_const_eval_that_allocates_is_a_build_out_of_memory() -> None:
    require("rust")
    source = ("static X: [u64; 200_000_000] = [7; 200_000_000];\n"
              "fn add(a: i64, b: i64) -> i64 { a + b + X[3] as i64 - 7 }\n")
    status, text = judged("rust", source, "add", memory_bytes=384 * MIB)
    assert status == statuses.COMPILE_ERROR, text
    # A memory cgroup reports the kill; without one the address-space limit makes rustc fail.
    assert "ran out of memory" in text or "memory allocation" in text, text


@pytest.mark.parametrize("language, source", [
    ("php", "<?php\nfunction add($a, $b) { return $a + $b; }\n$x = "
     + "[" * 20000 + "]" * 20000 + ";\n// " + "x" * (1 << 20) + "\n"),
    ("ruby", "def add(a, b)\n  a + b\nend\nX = " + "[" * 20000 + "]" * 20000 + "\n# "
     + "y" * (1 << 20) + "\n"),
    ("python", "def add(a, b):\n    return a + b\n\nX = " + "[" * 90 + "]" * 90 + "\n# "
     + "z" * (1 << 20) + "\n"),
], ids=["php", "ruby", "python"])
def test_analysers_given_hostile_files_end_with_evidence(language: str, source: str) -> None:
    require(language)
    tools = sandbox.Tools(LEVEL, dataclasses.replace(sandbox.TOOL_LIMITS, wall_seconds=30))
    found = analysers.analyse(source, language, executor_for(language).source_name, tools)
    for dimension in ("idiomaticity", "best_practices"):
        assert found[dimension] and all("tool" in f for f in found[dimension])


@pytest.mark.parametrize("level", ISOLATED)
def test_every_tool_runs_in_the_sandbox(canary: Canary, level: str, tmp_path: Path,
                                        work: Path) -> None:
    """What any compiler or analyser could do at worst, done by a shell: nothing of the host."""
    (work / "solution.txt").write_text("x\n")
    probe = (f"cat {canary.plain} {canary.rust}; cat /proc/*/environ; env; id -u; "
             f"ls {Path.home()}; echo x > {tmp_path}/escaped; echo done")
    result = sandbox.Tools(level).run(["/bin/sh", "-c", probe], workdir=work)
    out = (result.stdout + result.stderr).decode("utf-8", "replace")
    assert "done" in out and not canary.leaked(out), out
    assert not (tmp_path / "escaped").exists()
    if os.geteuid() == 0:
        assert f"\n{sandbox.TOOL_UID}\n" in out  # a real unprivileged uid, not root


# -- row 29: the work dir's total, and the build cache ----------------------------------------

@pytest.fixture
def work() -> Iterator[Path]:
    """A work dir as the harness makes one (the sandbox uid must reach it)."""
    path = Path(tempfile.mkdtemp(prefix="mpm-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("level", ISOLATED)
def test_many_files_under_the_file_cap_stop_at_the_work_dir_total(level: str,
                                                                  work: Path) -> None:
    (work / "prog.py").write_text(
        "import errno\nn = 0\ntry:\n    while n < 1000:\n"
        "        with open(f'f{n}', 'wb') as f:\n            f.write(b'x' * (1 << 20))\n"
        "        n += 1\nexcept OSError as e:\n    print(errno.errorcode[e.errno], n)\n")
    limits = sandbox.Limits(wall_seconds=20, cpu_seconds=20, work_bytes=32 * MIB)
    result = sandbox.run(["/usr/bin/python3", str(work / "prog.py")], workdir=work,
                         limits=limits, level=level)
    code, written = result.stdout.decode().split()
    assert code == "ENOSPC" and int(written) <= 32
    assert sorted(p.name for p in work.iterdir()) == ["prog.py"]  # the host's disk: untouched


def test_build_cache_entries_are_private_and_out_of_a_runs_reach() -> None:
    require("rust")
    source = "fn add(a: i64, b: i64) -> i64 { a + b } // " + uuid.uuid4().hex + "\n"
    status, _ = judged("rust", source, "add")
    assert status == statuses.PASSED
    broken = "fn add(a: i64, b: i64) -> i64 { a + } // " + uuid.uuid4().hex + "\n"
    assert judged("rust", broken, "add")[0] == statuses.COMPILE_ERROR
    root = cache_root()
    fresh = sorted((p for p in root.glob("rust-*")), key=lambda p: p.stat().st_mtime)[-2:]
    assert {p.suffix for p in fresh} == {"", ".error"}
    for path in [p for entry in fresh for p in (entry, *entry.rglob("*"))]:
        info = path.stat()
        assert info.st_uid == os.getuid(), path
        assert stat.S_IMODE(info.st_mode) & 0o077 == 0, (path, oct(info.st_mode))
    # A solution's run cannot see the cache, let alone change an entry.
    probe = (f"import os\ndef add(a, b):\n    return a + b if not os.path.exists({str(root)!r}) "
             f"else 0\n")
    case = executor_case("python", "python_engineer", [{"args": [1, 2], "expected": 3}], "add",
                         "function")
    assert execute(case, probe, executor_for("python"), settings()).status == statuses.PASSED


# -- end to end: nothing reaches the report or the terminal ---------------------------------

def test_a_hostile_build_leaks_nothing_into_reports(canary: Canary, pytester: pytest.Pytester,
                                                    tmp_path: Path) -> None:
    require("rust")
    cases = [make_case(f"c{k}", signature="fn add(a: i64, b: i64) -> i64",
                       reference_solution=RUST_SPELLINGS[name].format(
                           file=canary.rust, pid=os.getpid()) + RUST_ADD)
             for k, name in enumerate(("cfg-attr-path", "macro-meta", "proc-environ"))]
    suite = tmp_path / "rust_mini.json"
    suite.write_text(json.dumps(make_suite(*cases, agent="rust_engineer", language="rust")))
    report, html = tmp_path / "report.json", tmp_path / "report.html"
    result = pytester.runpytest_subprocess(
        "--mpm-agent", "rust_engineer", "--mpm-suite", str(suite), "--mpm-backend",
        "reference", "--mpm-report", str(report), "--mpm-html", str(html), "-p",
        "no:cacheprovider", "--mpm-tries", "2")
    result.assert_outcomes(failed=3)
    assert [r["status"] for r in json.loads(report.read_text())["results"]] == [
        statuses.COMPILE_ERROR] * 3
    for text in (result.stdout.str(), result.stderr.str(), report.read_text(),
                 html.read_text()):
        assert not canary.leaked(text)
    for error in cache_root().glob("rust-*.error"):
        assert not canary.leaked(error.read_text())
