"""Go: the solution, ``drivers/go_driver.go`` and a generated entry file, built with ``go build``.

Conventions (documented for suite authors and agents):

- The solution is one file of ``package main`` (another package clause is rewritten to
  ``main``; a ``func main`` of the solution is renamed away so demos do not clash).
- ``"kind": "function"``: ``entry_point`` names a top-level, non-generic function; the test's
  ``args`` are decoded by the driver into its parameter types (an integer in an
  ``interface{}`` is an ``int``; ``2.5`` for an ``int`` is refused; a ``rune`` takes ``"a"``).
- ``"kind": "class"``: ``entry_point`` names a type ``T``; ``["__init__", [args]]`` calls the
  constructor ``NewT(args)`` (it may return ``T``, ``*T`` or ``(*T, error)``), each later call
  an exported method (a lower-case first letter in the suite is capitalised).
- ``code``: the snippet is the body of a ``func() any`` compiled next to the solution; it may
  use ``errors``, ``fmt``, ``sort``, ``strings``, ``sync``, ``time``, ``context``, ``slices``,
  ``maps``, ``strconv`` without importing them.
- Imports: the standard library only; an import of a module path (``github.com/...``) is a
  compile error, "imports X, which this benchmark does not provide". How each JSON value is
  handed to each parameter type, and each result written back: docs/values.md.
- Results: several results become a list (an ``error`` its message or null), nil slices and
  maps ``[]`` and ``{}``, structs the object of their exported fields (json tags honoured).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, ClassVar

from pytest_mpm_bench.languages.compiled import CompiledExecutor

GO_ROOTS = ("/usr/local/go/bin", "/usr/lib/go/bin")
SNIPPET_PACKAGES = ("errors", "fmt", "sort", "strings", "sync", "time", "context", "slices",
                    "maps", "strconv")
PROGRAM = "mpm_prog"
GO_CACHE = "go-build"


def go_binary() -> str | None:
    found = shutil.which("go")
    if found:
        return found
    for root in GO_ROOTS:
        if Path(root, "go").is_file():
            return str(Path(root, "go"))
    return None


_IMPORT_BLOCK = re.compile(r"^import\s*\(([^)]*)\)", re.MULTILINE)
_IMPORT_LINE = re.compile(r'^import\s+(?:[\w.]+\s+)?"([^"]+)"', re.MULTILINE)
_IMPORT_PATH = re.compile(r'"([^"]+)"')


def foreign_imports(source: str) -> list[str]:
    """The imported paths that are not the standard library's (whose first element has a
    dot: a module path, which builds here never download)."""
    paths = _IMPORT_LINE.findall(source)
    for block in _IMPORT_BLOCK.findall(source):
        paths += _IMPORT_PATH.findall(re.sub(r"//[^\n]*", "", block))
    return [p for p in paths if "." in p.split("/")[0]]


def runes_are_characters(source: str) -> bool:
    """Whether the solution's ``int32`` values are characters (``rune``, an alias Go's
    reflection cannot tell apart): yes, unless it spells ``int32`` and never ``rune``."""
    return re.search(r"\bint32\b", source) is None or re.search(r"\brune\b", source) is not None


class GoExecutor(CompiledExecutor):
    language: ClassVar[str] = "go"
    aliases: ClassVar[tuple[str, ...]] = ("golang",)
    fence_tags: ClassVar[tuple[str, ...]] = ("go", "golang")
    source_name: ClassVar[str] = "solution.go"
    stand_in: ClassVar[str] = "package main\n"
    driver_name: ClassVar[str] = "go_driver.go"
    requires: ClassVar[tuple[str, ...]] = ("go",)
    install_hint: ClassVar[str] = "scripts/install-toolchains go"
    #: Go's build cache, private to this harness, so the standard library compiles once.
    build_caches: ClassVar[dict[str, str]] = {"GOCACHE": GO_CACHE}

    def missing(self) -> str | None:
        if go_binary() is None:
            return ("go toolchain missing (go not on PATH nor in /usr/local/go/bin); "
                    f"install it with: {self.install_hint}")
        return None

    def defines_entry_point(self, source: str, entry_point: str) -> bool:
        name = re.escape(entry_point)
        return re.search(rf"^\s*(func\s+(\([^)]*\)\s*)?{name}\s*[\[(]|type\s+{name}\b)",
                         source, re.MULTILINE) is not None

    def screen(self, solution: str) -> str | None:
        foreign = foreign_imports(solution)
        if foreign:
            return (f"{self.source_name} imports {foreign[0]}, which this benchmark does not "
                    "provide (Go solutions may import the standard library only)")
        return None

    def toolchain_version(self) -> str | None:
        go = go_binary()
        if go is None:
            return None
        out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True,
                             check=False, timeout=30)
        return out.stdout.strip() or None

    def language_version(self) -> str:
        found = re.match(r"go(\d+\.\d+)", self.version() or "")
        return found.group(1) if found else "1.21"

    def build_files(self, solution: str, spec: dict[str, Any]) -> dict[str, str]:
        source = re.sub(r"^package\s+\w+", "package main", solution, count=1, flags=re.MULTILINE)
        source = re.sub(r"^func\s+main\s*\(\s*\)", "func _()", source, flags=re.MULTILINE)
        return {self.source_name: source, self.driver_name: self.driver_source(),
                "mpm_entry.go": self.entry_file(spec, source),
                "go.mod": f"module mpmsolution\n\ngo {self.language_version()}\n"}

    def entry_file(self, spec: dict[str, Any], source: str = "") -> str:
        tests = [json.loads(t) for t in spec.get("tests", [])]
        snippets = sorted({t["code"] for t in tests if "code" in t})
        needs_entry = any("code" not in t for t in tests)
        name = str(spec.get("entry_point", ""))
        target = ("New" + name if spec.get("kind") == "class" else name) if needs_entry else "nil"
        text = " ".join(snippets)
        imports = [p for p in SNIPPET_PACKAGES if re.search(rf"\b{p}\.", text)]
        lines = ["// Generated by pytest-mpm-bench: the case's entry point and code snippets.",
                 "package main", ""]
        lines += [f'import "{p}"' for p in imports] + [""]
        lines.append(f"var mpmEntry any = {target}")
        lines.append(f"const mpmRunes = {'true' if runes_are_characters(source) else 'false'}")
        lines.append("")
        lines.append("var mpmCodes = map[string]func() any{")
        for snippet in snippets:
            key = json.dumps(snippet, ensure_ascii=False)
            lines.append(f"\t{key}: func() any {{\n{snippet}\n\t}},")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def build_env(self, home: Path) -> dict[str, str]:
        return {"CGO_ENABLED": "0", "GOPATH": str(home / "go"),
                "GOTOOLCHAIN": "local", "GOPROXY": "off",
                "GOFLAGS": "-mod=mod -buildvcs=false", "GOWORK": "off", "GO111MODULE": "on"}

    def build_ro_binds(self) -> list[Path]:
        go = go_binary()
        root = Path(go).resolve().parent.parent if go else None
        return [root] if root is not None and not root.is_relative_to("/usr") else []

    def build_argv(self, srcdir: Path, outdir: Path) -> list[str]:
        return [go_binary() or "go", "build", "-trimpath", "-o", str(outdir / PROGRAM), "."]

    def command(self, workdir: Path) -> list[str]:
        return [str(workdir / PROGRAM)]
