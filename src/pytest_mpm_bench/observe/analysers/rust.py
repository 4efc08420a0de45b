"""Rust: clippy and rustfmt (idiomaticity), clippy and rustc's own lints (best practices).

Solutions are plain items without ``main`` (``languages/rust.py``), so the file is checked as
the library of a one-file crate (``Cargo.toml`` beside it, ``[lib] path = <the file>``, edition
2021 as the executor builds it), offline, with ``CARGO_HOME`` and the target dir inside the
analyser's own temporary directory. The crate has no dependencies, so a cold check costs about
a second: a persistent target dir would save nothing (every work dir is a new package to cargo).
The toolchain's real binaries are used (past rustup's proxy), as the executor does.

Clippy's lint groups are selected per run, so each finding's group is known from the run that
reported it:

- idiomaticity: ``clippy::style`` and ``clippy::complexity``, and rustc's ``nonstandard_style``
  lints (naming), 1 point each; rustfmt: a file rustfmt would change is one finding of 1 point.
- best practices: ``clippy::correctness`` (denied: 3 points), ``clippy::suspicious`` and
  ``clippy::perf`` (warned: 2 points), and rustc's other lints (``unused_variables``,
  ``unused_imports``, ``unreachable_code``…: 2 points; deny-by-default ones such as
  ``arithmetic_overflow``: 3).

Not counted: ``clippy::pedantic``, ``nursery``, ``restriction`` and ``cargo`` (taste, or about
a package rather than code), and ``dead_code``: without the harness that calls the entry point,
a private entry point would look unused.

Lint levels are ours: the attributes that set them in the solution (``#[allow(...)]``,
``#![allow(...)]``, ``expect``, ``warn``, ``deny``, ``forbid``, clippy's tool attributes, and a
``cfg_attr`` carrying one) are blanked in the copy clippy checks, and ``#[rustfmt::skip]`` in
the copy rustfmt formats (``views.rust_without_lint_attributes``). The solution is built with
``--cfg clippy`` (``languages/rust.py``), so ``#[cfg(clippy)]`` shows clippy nothing the
program does not have. A compile error in the clippy run (the build passed) is a failure of
clippy.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from pytest_mpm_bench.languages.rust import rust_sysroots, rustc_binary
from pytest_mpm_bench.observe.analysers import Analyser, Finding, tool_failure
from pytest_mpm_bench.observe.analysers.views import rust_without_lint_attributes

EDITION = "2021"
IDIOM_FLAGS = ("-A", "dead_code", "-A", "clippy::all", "-W", "clippy::style",
               "-W", "clippy::complexity")
PRACTICE_FLAGS = ("-A", "dead_code", "-A", "clippy::all", "-D", "clippy::correctness",
                  "-W", "clippy::suspicious", "-W", "clippy::perf")
NONSTANDARD_STYLE = frozenset({"non_snake_case", "non_camel_case_types",
                               "non_upper_case_globals"})


def toolchain_tool(name: str) -> str | None:
    """``cargo``, ``cargo-clippy`` or ``rustfmt`` of the toolchain that builds solutions."""
    rustc = rustc_binary()
    if rustc is None:
        return None
    path = Path(rustc).parent / name
    return str(path) if path.is_file() else None


def locate_clippy() -> str | None:
    """cargo, when the toolchain has clippy (``rustup component add clippy``)."""
    return toolchain_tool("cargo") if toolchain_tool("cargo-clippy") else None


def cargo_env() -> dict[str, str]:
    """The toolchain's bin first on PATH (cargo finds ``cargo-clippy`` and rustc there);
    ``CARGO_HOME`` defaults to ``$HOME/.cargo``, and HOME is the analyser's temp dir."""
    rustc = rustc_binary()
    path = os.environ.get("PATH", "/usr/bin:/bin")
    return {"PATH": f"{Path(rustc).parent}{os.pathsep}{path}" if rustc else path,
            "CARGO_NET_OFFLINE": "true", "CARGO_TERM_COLOR": "never",
            "CARGO_INCREMENTAL": "0"}


def prepare_crate(workdir: Path, file_name: str) -> None:
    """A one-file library crate around the solution. ``[workspace]`` keeps cargo from joining a
    workspace further up, an empty ``clippy.toml`` clippy from reading one further up."""
    (workdir / "Cargo.toml").write_text(
        f'[package]\nname = "solution"\nversion = "0.0.0"\nedition = "{EDITION}"\n'
        f'publish = false\n\n[lib]\npath = "{file_name}"\n\n[workspace]\n', encoding="utf-8")
    (workdir / "clippy.toml").write_text("", encoding="utf-8")
    _without_lint_attributes(workdir / file_name)


def prepare_rustfmt(workdir: Path, file_name: str) -> None:
    (workdir / "rustfmt.toml").write_text("", encoding="utf-8")
    _without_lint_attributes(workdir / file_name)


def _without_lint_attributes(path: Path) -> None:
    path.write_text(rust_without_lint_attributes(path.read_text(encoding="utf-8")),
                    encoding="utf-8")


def _messages(out: str) -> list[dict[str, object]]:
    """The compiler's top-level diagnostics with a place in the source."""
    found = []
    for line in out.splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if record.get("reason") == "compiler-message" and record["message"]["spans"]:
            found.append(record["message"])
    return found


def _finding(message: dict[str, object], code: str, points: float) -> Finding:
    spans = message["spans"]
    if not isinstance(spans, list) or not spans:
        raise ValueError("a diagnostic without a place")  # _run: "unreadable output"
    primary = next((s for s in spans if s.get("is_primary")), spans[0])
    # rustc's own lints come from the clippy run too: the rule tells them apart.
    return {"tool": "clippy", "rule": code,
            "line": primary["line_start"], "message": str(message["message"]),
            "points": points}


def _code(message: dict[str, object]) -> str:
    code = message.get("code")
    return str(code.get("code", "")) if isinstance(code, dict) else ""


_RUSTC_ERROR = re.compile(r"^E\d{4}$")


def _clippy_failed(out: str, err: str) -> list[Finding] | None:
    """Cargo's own failure (no JSON at all), or a compile error (no lint's name: an error code
    such as E0308, or none), as evidence: clippy then checked less than the compiler built."""
    if not any(line.startswith("{") for line in out.splitlines()):
        return [tool_failure("clippy", err)] if err.strip() else None
    for message in _messages(out):
        code = _code(message)
        if message["level"] == "error" and (not code or _RUSTC_ERROR.match(code)):
            spans = message["spans"]
            line = spans[0].get("line_start") if isinstance(spans, list) and spans else None
            return [tool_failure("clippy", f"line {line}: {message['message']}")]
    return None


def parse_clippy_idioms(out: str, err: str) -> list[Finding]:
    failed = _clippy_failed(out, err)
    if failed is not None:
        return failed
    return [_finding(m, code, 1.0) for m in _messages(out)
            if (code := _code(m)).startswith("clippy::") or code in NONSTANDARD_STYLE]


def parse_clippy_practices(out: str, err: str) -> list[Finding]:
    failed = _clippy_failed(out, err)
    if failed is not None:
        return failed
    return [_finding(m, code, 3.0 if m["level"] == "error" else 2.0) for m in _messages(out)
            if (code := _code(m)) and code not in NONSTANDARD_STYLE]


_DIFF_HEAD = re.compile(r"Diff in .*:(\d+):\s*$")


def parse_rustfmt(out: str, err: str) -> list[Finding]:
    """``rustfmt --check`` prints ``Diff in <file>:<line>:`` and the hunk, per hunk; that line
    is the hunk's first, context included."""
    if err.strip() and "Diff in" not in out:
        return [tool_failure("rustfmt", err)]
    lines = out.splitlines()
    heads = [k for k, text in enumerate(lines) if _DIFF_HEAD.match(text)]
    if not heads:
        return []
    head = _DIFF_HEAD.match(lines[heads[0]])
    line = int(head[1]) if head else 0
    for text in lines[heads[0] + 1:]:
        if not text.startswith(" "):  # context before the first change
            break
        line += 1
    return [{"tool": "rustfmt", "rule": "rustfmt", "line": line,
             "message": f"not rustfmt-formatted: {len(heads)} hunk(s) would change, the first "
                        f"at line {line}", "points": 1.0}]


def _clippy(flags: tuple[str, ...]) -> list[str]:
    return ["cargo", "clippy", "--offline", "--quiet", "--message-format=json",
            "--target-dir", "target", "--", *flags]


ANALYSERS = [
    Analyser("clippy", "idiomaticity", ("rust",), "cargo", lambda f: _clippy(IDIOM_FLAGS),
             parse_clippy_idioms, prepare=prepare_crate, version_argv=("clippy", "--version"),
             env=cargo_env, locate=locate_clippy, binds=rust_sysroots),
    Analyser("rustfmt", "idiomaticity", ("rust",), "rustfmt",
             lambda f: ["rustfmt", "--check", "--color", "never", "--edition", EDITION, f],
             parse_rustfmt, prepare=prepare_rustfmt, env=cargo_env,
             locate=lambda: toolchain_tool("rustfmt"), binds=rust_sysroots),
    Analyser("clippy", "best_practices", ("rust",), "cargo", lambda f: _clippy(PRACTICE_FLAGS),
             parse_clippy_practices, prepare=prepare_crate,
             version_argv=("clippy", "--version"), env=cargo_env, locate=locate_clippy,
             binds=rust_sysroots),
]
