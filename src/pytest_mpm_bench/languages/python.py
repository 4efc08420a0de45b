"""Python: solutions run by ``drivers/python_driver.py`` under the system interpreter.

Arguments arrive as ``json.loads`` makes them (type hints are not consulted); a solution may
import the standard library, and an import of anything else fails with "imports X, which this
benchmark does not provide" (docs/values.md).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pytest_mpm_bench.languages.base import Executor

if TYPE_CHECKING:
    from pytest_mpm_bench.suite import Case


@cache
def interpreter() -> str:
    """The Python that runs solutions: ``$MPM_PYTHON``, else the system one.

    The system interpreter (``/usr/bin/python3``) is preferred over the one running pytest
    because a sandboxed, unprivileged uid can read it (pyenv's lives under ``/root``).
    """
    chosen = os.environ.get("MPM_PYTHON") or shutil.which("python3", path="/usr/bin:/bin")
    return chosen or sys.executable


class PythonExecutor(Executor):
    language: ClassVar[str] = "python"
    aliases: ClassVar[tuple[str, ...]] = ("python3",)
    fence_tags: ClassVar[tuple[str, ...]] = ("python", "py", "python3")
    source_name: ClassVar[str] = "solution.py"
    driver_name: ClassVar[str] = "python_driver.py"

    def missing(self) -> str | None:
        return None  # the interpreter running pytest is always a fallback

    def defines_entry_point(self, source: str, entry_point: str) -> bool:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if node.name == entry_point:
                    return True
            elif isinstance(node, ast.Assign):
                if any(isinstance(t, ast.Name) and t.id == entry_point for t in node.targets):
                    return True
        return False

    def driver_options(self, solution: str, case: Case) -> dict[str, Any]:
        """asyncio (with what it imports, ~30 ms of CPU) is loaded before the solution only
        where it may be needed: a ``code`` test, or a solution that says async or await."""
        if ("async" in solution or "await" in solution
                or any(t.form == "code" for t in case.test_cases)):
            return {"asyncio": True}
        return {}

    def command(self, workdir: Path) -> list[str]:
        return [interpreter(), "-I", "-X", "utf8", str(workdir / self.driver_name)]

    def version(self) -> str | None:
        out = subprocess.run([interpreter(), "--version"], capture_output=True, text=True,
                             check=False, timeout=10)
        return out.stdout.strip() or None
