"""Rust: the solution, ``drivers/rust_driver.rs`` and generated glue, built with ``rustc``.

One crate: the solution first (its line numbers stay right in diagnostics), then the driver
module and the glue. ``rustc`` runs directly (no cargo, no build scripts, no proc macros);
sources that read files at compile time (``include!``, ``include_str!``, ``include_bytes!``,
``#[path]``) are refused, and the compiler's environment is scrubbed (``env!`` sees nothing).

Conventions (documented for suite authors and agents):

- ``"kind": "function"``: ``entry_point`` names a top-level non-generic ``fn``; the parameter
  types are read from its signature (``&[T]``, ``&str``, ``&T``, ``&mut T`` are passed as
  borrows of owned values) and decoded from JSON: integers, floats, bool, char, String, Vec,
  VecDeque, Option, Box, tuples, HashMap/BTreeMap, HashSet/BTreeSet, and ``Box<dyn Any>`` /
  ``&dyn Any``, Rust's stand-in here for serde_json's ``Value`` (an integer arrives as an
  ``i32``, i64 when it does not fit; a float as ``f64``; a string as ``String``).
- ``"kind": "class"``: ``entry_point`` names a type with ``fn new(..) -> Self`` in an
  ``impl`` block; later calls are its ``&self``/``&mut self`` methods.
- ``code``: the snippet is the body of a closure whose value is serialised (it may
  ``return``); generic functions are tested this way.
- Imports: std (and core, alloc) only; a ``use`` or ``extern crate`` of another crate
  (``rand``, ``serde_json``, ...) is a compile error, "imports X, which this benchmark does not
  provide". How each JSON value is handed to each parameter type, and each result written
  back: docs/values.md.
- Results: ``Result`` becomes ``{"Ok": v}`` / ``{"Err": "<Display>"}``, ``Option::None``
  null, ``()`` null; ``f64`` stays a float.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from pytest_mpm_bench.languages.compiled import CompiledExecutor

PROGRAM = "mpm_prog"
_FORBIDDEN = re.compile(r"\binclude(_str|_bytes)?\b|#\s*!?\s*\[\s*path\b")
#: The crates rustc gives without cargo, and the path roots that are not crates.
_OWN_ROOTS = frozenset({"std", "core", "alloc", "crate", "self", "super", "Self"})
_EXTERN_CRATE = re.compile(r"^\s*extern\s+crate\s+(\w+)", re.MULTILINE)
_USE_ROOT = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+(?:::)?(\w+)\s*::", re.MULTILINE)
#: Crates a solution reaches for without a ``use`` (``rand::random()``): found in paths too.
_POPULAR_CRATES = ("rand", "regex", "serde", "serde_json", "itertools", "num", "md5",
                   "lazy_static", "once_cell", "chrono")
_DEFINED = re.compile(r"\b(?:mod|enum|struct|trait|type|fn|const|static|union|macro_rules!)\s+"
                      r"(\w+)|\bas\s+(\w+)")


def foreign_crates(source: str) -> list[str]:
    """The crates the solution uses beyond std/core/alloc (none are provided: rustc, no cargo)."""
    code = re.sub(r"//[^\n]*|/\*.*?\*/", "", source, flags=re.DOTALL)
    defined = {a or b for a, b in _DEFINED.findall(code)} | _OWN_ROOTS
    named = _EXTERN_CRATE.findall(code) + _USE_ROOT.findall(code)
    named += [c for c in _POPULAR_CRATES if re.search(rf"(?<![\w:]){c}::", code)]
    return list(dict.fromkeys(n for n in named if n not in defined and n not in ("alloc", "test")))


@cache
def rustc_binary() -> str | None:
    """The real rustc (past rustup's proxy), so builds need no rustup environment."""
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    found = shutil.which("rustc") or next(
        (str(p) for p in (home / ".cargo/bin/rustc",) if p.is_file()), None)
    if found is None:
        return None
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)  # rustup's proxy needs its own home
    env = {**os.environ, "RUSTUP_HOME": os.environ.get("RUSTUP_HOME", str(home / ".rustup")),
           "CARGO_HOME": os.environ.get("CARGO_HOME", str(home / ".cargo"))}
    out = subprocess.run([found, "--print", "sysroot"], capture_output=True, text=True,
                         check=False, timeout=60, env=env)
    real = Path(out.stdout.strip(), "bin", "rustc")
    return str(real) if out.returncode == 0 and real.is_file() else found


def rust_sysroots() -> list[Path]:
    """The toolchain directory a sandboxed rustc (or cargo, clippy, rustfmt) needs to see."""
    rustc = rustc_binary()
    root = Path(rustc).resolve().parent.parent if rustc else None
    return [root] if root is not None and not root.is_relative_to("/usr") else []


def rust_literal(text: str) -> str:
    """``text`` as a Rust string literal."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def split_top(text: str) -> list[str]:
    """Split ``text`` at commas outside brackets."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def owned(ty: str) -> tuple[str, str]:
    """The owned type to decode into and how to pass it (``""``, ``"&"`` or ``"&mut "``)."""
    ty = ty.strip()
    borrow = ""
    found = re.match(r"&\s*(?:'\w+\s+)?(mut\s+)?", ty)
    if found:
        borrow = "&mut " if found.group(1) else "&"
        ty = ty[found.end():].strip()
    if ty == "str":
        ty = "String"
    elif ty.startswith("[") and ty.endswith("]") and ";" not in ty:
        ty = f"Vec<{ty[1:-1].strip()}>"
    return re.sub(r"&\s*'\w+\s*", "&", ty), borrow


#: Rust's "any" for JSON (no serde_json here): ``dyn Any``, decoded into a ``Box<dyn Any>``.
_DYN_ANY = re.compile(r"dyn\s+(?:std\s*::\s*any\s*::\s*)?Any\b")


def params(text: str) -> list[tuple[str, str]] | None:
    """``(owned type, borrow)`` per non-self parameter, or None when one is unsupported."""
    out = []
    for part in split_top(text):
        if re.fullmatch(r"&?\s*(?:'\w+\s+)?(mut\s+)?self(\s*:.*)?", part):
            continue
        if ":" not in part:
            return None
        ty = _DYN_ANY.sub("dyn std::any::Any", part.split(":", 1)[1])
        if "impl " in ty or "dyn " in ty.replace("dyn std::any::Any", ""):
            return None
        out.append(owned(ty))
    return out


def call_args(decoded: list[tuple[str, str]], name: str) -> tuple[list[str], str]:
    lets, passed = [], []
    for k, (ty, borrow) in enumerate(decoded):
        if ty == "dyn std::any::Any":  # a borrowed `&dyn Any`: decoded boxed, passed as a borrow
            lets.append(f"let mut a{k}: Box<{ty}> = mpm::arg(args, {k}, {rust_literal(name)})?;")
            passed.append(f"{borrow}*a{k}")
        else:
            lets.append(f"let mut a{k}: {ty} = mpm::arg(args, {k}, {rust_literal(name)})?;")
            passed.append(f"{borrow}a{k}")
    return lets, ", ".join(passed)


def find_fn(source: str, name: str) -> re.Match[str] | None:
    return re.search(rf"\bfn\s+{re.escape(name)}\s*(<[^()]*>)?\s*\(", source)


def fn_params(source: str, match: re.Match[str]) -> str:
    depth, start = 1, match.end()
    for k in range(start, len(source)):
        depth += {"(": 1, ")": -1}.get(source[k], 0)
        if depth == 0:
            return source[start:k]
    return ""


def impl_block(source: str, type_name: str) -> str:
    blocks = []
    for found in re.finditer(rf"\bimpl\s*(<[^{{]*>)?\s*{re.escape(type_name)}\b[^{{;]*\{{",
                             source):
        if " for " in found.group(0):
            continue
        depth, start = 1, found.end()
        for k in range(start, len(source)):
            depth += {"{": 1, "}": -1}.get(source[k], 0)
            if depth == 0:
                blocks.append(source[start:k])
                break
    return "\n".join(blocks)


class RustExecutor(CompiledExecutor):
    language: ClassVar[str] = "rust"
    aliases: ClassVar[tuple[str, ...]] = ("rs",)
    fence_tags: ClassVar[tuple[str, ...]] = ("rust", "rs")
    source_name: ClassVar[str] = "solution.rs"
    driver_name: ClassVar[str] = "rust_driver.rs"
    requires: ClassVar[tuple[str, ...]] = ("rustc",)
    install_hint: ClassVar[str] = "scripts/install-toolchains rust"

    def missing(self) -> str | None:
        if rustc_binary() is None:
            return f"rust toolchain missing (rustc not found); install it with: {self.install_hint}"
        return None

    def defines_entry_point(self, source: str, entry_point: str) -> bool:
        name = re.escape(entry_point)
        return re.search(rf"\b(fn|struct|enum|trait|type)\s+{name}\b", source) is not None

    def toolchain_version(self) -> str | None:
        rustc = rustc_binary()
        if rustc is None:
            return None
        out = subprocess.run([rustc, "--version"], capture_output=True, text=True,
                             check=False, timeout=60)
        return out.stdout.strip() or None

    def screen(self, solution: str) -> str | None:
        found = _FORBIDDEN.search(solution)
        if found:
            return (f"{found.group(0)!r} reads files at compile time, which benchmark "
                    "solutions may not do")
        foreign = foreign_crates(solution)
        if foreign:
            return (f"{self.source_name} imports {foreign[0]}, which this benchmark does not "
                    "provide (Rust solutions may use std only: rustc runs without cargo)")
        return None

    def build_files(self, solution: str, spec: dict[str, Any]) -> dict[str, str]:
        source = re.sub(r"\bfn\s+main\s*\(", "fn _mpm_solution_main(", solution)
        main = (f"{source}\n\n// ---- pytest-mpm-bench driver ----\n{self.driver_source()}\n"
                f"{self.glue(source, spec)}")
        return {"main.rs": main}

    def glue(self, source: str, spec: dict[str, Any]) -> str:
        tests = [json.loads(t) for t in spec.get("tests", [])]
        snippets = sorted({t["code"] for t in tests if "code" in t})
        entry = str(spec.get("entry_point", ""))
        lines = ["#[allow(unused_mut, unused_variables, unreachable_code, clippy::all)]",
                 "fn mpm_run(payload: &mpm::Json) -> Result<mpm::Json, String> {",
                 "    use mpm::ToJson;",
                 '    if let Some(mpm::Json::Str(code)) = mpm::field(payload, "code") {',
                 "        match code.as_str() {"]
        for snippet in snippets:
            lines.append(f"            {rust_literal(snippet)} => "
                         f"{{ let v = (move || {{\n{snippet}\n}})(); return v.to_json(); }}")
        lines += ['            _ => return Err("the code snippet was not compiled in".into()),',
                  "        }", "    }"]
        if any("code" not in t for t in tests):
            lines += self.entry_glue(source, entry, str(spec.get("kind", "function")))
        lines += ['    Err("no entry point was compiled in".into())', "}", "",
                  "fn main() {", "    mpm::main(mpm_run);", "}"]
        return "\n".join(lines) + "\n"

    def entry_glue(self, source: str, entry: str, kind: str) -> list[str]:
        if kind != "class":
            found = find_fn(source, entry)
            decoded = params(fn_params(source, found)) if found else []
            if decoded is None:
                return [f'    return Err("cannot decode the parameters of {entry}".into());']
            lets, passed = call_args(decoded, entry)
            return ['    if let Some(mpm::Json::Arr(args)) = mpm::field(payload, "args") {',
                    f"        if args.len() != {len(decoded)} {{ return Err(format!("
                    f'"{entry} takes {len(decoded)} arguments, the test gives {{}}", '
                    "args.len())); }",
                    *(f"        {line}" for line in lets),
                    f"        return {entry}({passed}).to_json();", "    }"]
        block = impl_block(source, entry)
        arms = []
        for found in re.finditer(r"\bfn\s+(\w+)\s*(<[^()]*>)?\s*\(", block):
            name = found.group(1)
            decoded = params(fn_params(block, found))
            if decoded is None:
                continue
            lets, passed = call_args(decoded, name)
            if name == "new":
                call = f"instance = Some({entry}::new({passed})); out.push(mpm::Json::Null);"
                target = '"__init__"'
            else:
                call = (f'out.push(instance.as_mut().ok_or("a method was called before '
                        f'__init__")?.{name}({passed}).to_json()?);')
                target = json.dumps(name)
            arms.append(f"                {target} => {{ {' '.join(lets)} {call} }}")
        return ['    if let Some(mpm::Json::Arr(calls)) = mpm::field(payload, "calls") {',
                f"        let mut instance: Option<{entry}> = None;",
                "        let mut out = Vec::new();",
                "        for call in calls {",
                "            let (name, args) = match call {",
                "                mpm::Json::Arr(p) if p.len() == 2 => match (&p[0], &p[1]) {",
                "                    (mpm::Json::Str(n), mpm::Json::Arr(a)) => (n.clone(), a),",
                '                    _ => return Err("a call is [name, [args...]]".into()),',
                "                },",
                '                _ => return Err("a call is [name, [args...]]".into()),',
                "            };",
                "            let args: &[mpm::Json] = args;",
                "            match name.as_str() {",
                *arms,
                '                other => return Err(format!("no method {}", other)),',
                "            }", "        }", "        return Ok(mpm::Json::Arr(out));", "    }"]

    def build_ro_binds(self) -> list[Path]:
        return rust_sysroots()

    def build_argv(self, srcdir: Path, outdir: Path) -> list[str]:
        # --cfg clippy: clippy sets it when it analyses, so #[cfg(clippy)] code is built too and
        # the analyser sees the program that runs (docs/scoring.md, "Gaming").
        return [rustc_binary() or "rustc", "--edition", "2021", "-C", "opt-level=2",
                "-C", "debuginfo=0", "-C", "panic=unwind", "-A", "warnings", "--cfg", "clippy",
                "--crate-name", "solution", "-o", str(outdir / PROGRAM), "main.rs"]

    def command(self, workdir: Path) -> list[str]:
        return [str(workdir / PROGRAM)]

