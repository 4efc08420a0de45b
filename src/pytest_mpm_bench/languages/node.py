"""The Node family (JavaScript, TypeScript): one driver, one build step, node in the sandbox.

Conventions (documented for suite authors and agents):

- The solution is one file, loaded as ``node file.js`` would: JavaScript without module
  syntax (``import``/``export``, top-level ``await``) is a classic CommonJS script in sloppy
  mode (assigning an undeclared variable works), compiled as the body of a function of
  ``exports, require, module, __filename, __dirname``; JavaScript with module syntax, JSX and
  TypeScript are ES modules. Either way the build step appends a generated footer (the
  script hands ``{entry, codes}`` to the driver, the module exports it as ``__mpm__``) to the
  solution's own source, so the entry point and the case's ``code`` snippets are looked up in
  the solution's own scope, whether it exports its names or only declares them. CommonJS
  habits work in a module too (``module.exports``, ``exports``, ``require`` are provided as
  globals); ``require.main === module`` is false, so demo code guarded by it does not run.
- ``"kind": "function"``: ``entry_point(...args)``, awaited when it returns a promise.
- ``"kind": "class"``: ``["__init__", [args]]`` is ``new Entry(...args)`` (a factory function
  without a prototype is called instead), each later call a method on the instance (awaited);
  a call with no arguments to a non-function member reads it (getters such as ``size``).
- ``code``: the snippet is the BODY of an ``async`` function in the solution's scope; it
  ``return``s a JSON value (it may ``await import("react-dom/server")`` and the like).
- Results are read as data: arrays, plain objects (instances by their own enumerable
  properties), strings, numbers, booleans; ``undefined`` is ``null``; ``Map``, ``Set``,
  ``Date``, functions are not data (``NotData``).
- TypeScript is type-checked with the TypeScript compiler (``--strict``; lib es2023 + dom,
  types node; a type error is a compile error) and transpiled by esbuild (``.tsx`` with the
  automatic React runtime), both in the sandbox as a build (``compiled.py``).
- At run time the solution sees node's own modules and ``RUNTIME_PACKAGES`` (react,
  react-dom, lodash, js-md5): the project's ``node_modules`` is bound read-only into the
  sandbox and linked from the work dir. An import or ``require`` of any other package (with a
  literal name) is a compile error, "imports 'X', which this benchmark does not provide"; one
  with a computed name that fails at run time is a runtime error with the same words.

Builds (type check + transpile) are cached by the compiled family (``compiled.py``), keyed by
the solution, the generated footer, the driver and the toolchain's versions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from pytest_mpm_bench.languages.base import BuildOutcome
from pytest_mpm_bench.languages.compiled import CompiledExecutor
from pytest_mpm_bench.sandbox import Tools

BUILD_SCRIPT = "node_build.mjs"
#: What ``scripts/toolchains/node.sh`` installs and the build step needs.
BUILD_PACKAGES = ("esbuild", "typescript")
#: The packages a solution may import (pinned in package.json; docs/values.md says why these).
RUNTIME_PACKAGES = ("react", "react-dom", "lodash", "js-md5")
IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")


def node_binary() -> str | None:
    """Node on PATH (``/usr/bin/node`` on Debian), which a sandboxed uid can execute."""
    return shutil.which("node")


def node_modules() -> Path:
    """The project's ``node_modules``: ``$MPM_NODE_MODULES``, else ``<repo>/node_modules``."""
    override = os.environ.get("MPM_NODE_MODULES")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[3] / "node_modules"


def package_version(name: str) -> str | None:
    try:
        data = json.loads((node_modules() / name / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


@cache
def node_version(binary: str) -> str | None:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False,
                         timeout=30)
    return out.stdout.strip() or None


def footer(spec: dict[str, Any]) -> str:
    """The generated tail of the solution: an object of the entry point and the snippets,
    evaluated in the solution's scope (the build step exports it from a module, or hands it
    over from a script's CommonJS wrapper)."""
    tests = [json.loads(t) for t in spec.get("tests", [])]
    snippets = sorted({t["code"] for t in tests if isinstance(t, dict) and "code" in t})
    name = str(spec.get("entry_point", ""))
    entry = (f'typeof {name} === "undefined" ? undefined : {name}'
             if IDENTIFIER.match(name) and name != "__mpm__" else "undefined")
    lines = ["/* pytest-mpm-bench: the case's entry point and code snippets, evaluated in "
             "the solution's scope */ {",
             f"  entry: () => {{ try {{ return {entry}; }} catch {{ return undefined; }} }},",
             "  codes: {"]
    for snippet in snippets:
        lines.append(f"    {json.dumps(snippet, ensure_ascii=False)}: async () => {{\n"
                     f"{snippet}\n    }},")
    lines += ["  },", "}"]
    return "\n".join(lines)


class NodeExecutor(CompiledExecutor):
    """Shared by JavaScript and TypeScript; subclasses set the language and file names."""

    driver_name: ClassVar[str] = "js_driver.mjs"
    requires: ClassVar[tuple[str, ...]] = ("node",)
    install_hint: ClassVar[str] = "scripts/install-toolchains node"
    loose_numbers: ClassVar[bool] = True
    #: Marks of clean type checks (the performance run rebuilds with other snippets).
    build_caches: ClassVar[dict[str, str]] = {"MPM_TYPECHECK_CACHE": "typecheck"}

    def missing(self) -> str | None:
        if node_binary() is None:
            return f"{self.language} toolchain missing (node not on PATH); " \
                   f"install it with: {self.install_hint}"
        absent = [p for p in BUILD_PACKAGES + RUNTIME_PACKAGES if package_version(p) is None]
        if absent:
            return (f"{self.language} toolchain missing (node packages not installed in "
                    f"{node_modules()}); install them with: {self.install_hint}")
        return None

    def defines_entry_point(self, source: str, entry_point: str) -> bool:
        name = re.escape(entry_point)
        return re.search(
            rf"(\bfunction\s*\*?\s*{name}\s*[(<]|\bclass\s+{name}\b|"
            rf"\b(const|let|var)\s+{name}\s*[=:]|\bexports\.{name}\s*=|"
            rf"\bmodule\.exports\s*=\s*{name}\b|\bexport\s*\{{[^}}]*\b{name}\b)",
            source) is not None

    def toolchain_version(self) -> str | None:
        binary = node_binary()
        if binary is None:
            return None
        parts = [f"node {node_version(binary) or '?'}"]
        parts += [f"{p} {package_version(p) or 'missing'}"
                  for p in BUILD_PACKAGES + RUNTIME_PACKAGES]
        return ", ".join(parts)

    def build_files(self, solution: str, spec: dict[str, Any]) -> dict[str, str]:
        config = {"language": self.language, "source_name": self.source_name,
                  "packages": list(RUNTIME_PACKAGES)}
        return {self.source_name: solution, "mpm_footer.txt": footer(spec),
                "mpm_build.json": json.dumps(config), self.driver_name: self.driver_source(),
                BUILD_SCRIPT: self._read_driver(BUILD_SCRIPT)}

    def _read_driver(self, name: str) -> str:
        return resources.files(__package__).joinpath("drivers", name).read_text(encoding="utf-8")

    def build_argv(self, srcdir: Path, outdir: Path) -> list[str]:
        return [node_binary() or "node", BUILD_SCRIPT, str(node_modules()), str(outdir)]

    def prepare(self, workdir: Path, solution: str, tools: Tools) -> BuildOutcome:
        outcome = super().prepare(workdir, solution, tools)
        # Imports of react / react-dom resolve from the work dir up: link the (read-only) tree.
        link = workdir / "node_modules"
        if not link.exists() and not link.is_symlink():
            link.symlink_to(node_modules(), target_is_directory=True)
        return outcome

    def command(self, workdir: Path) -> list[str]:
        # --single-threaded: V8 compiles and collects garbage on the main thread, not in
        # background threads whose share of a run's CPU time moves with how soon they get a
        # core (median ratio spread between stability runs 1.4 -> 1.2; stable JavaScript and
        # Next.js performance scores 12/24 -> 17-18/24 in two tries each).
        return [node_binary() or "node", "--no-warnings", "--single-threaded",
                str(workdir / self.driver_name)]

    def ro_binds(self) -> list[Path]:
        binds = [node_modules().resolve()]
        binary = node_binary()
        if binary is not None:
            real = Path(binary).resolve()
            if not real.is_relative_to("/usr"):  # e.g. /opt/node: the sandbox must show it
                binds.append(real.parent.parent)
        return binds
