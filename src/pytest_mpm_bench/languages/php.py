"""PHP: solutions run by ``drivers/php_driver.php`` under the system ``php`` (8.x CLI).

Conventions (documented for suite authors and agents):

- The solution is one file, with or without its leading ``<?php`` tag; the driver
  ``require``s it, so ``declare(strict_types=1)`` may be its first statement.
- ``"kind": "function"``: ``entry_point`` names a function (also one inside a namespace, or a
  method of a class ``Solution``, LeetCode style); JSON arguments arrive as PHP values
  (objects as associative arrays).
- ``"kind": "class"``: ``__init__`` calls the constructor, later calls its methods by name.
- ``code``: the snippet is the body of a function with the solution loaded; it ``return``s.
- Arguments are passed in PHP's coercive mode, except that a float with a fraction given to
  an ``int`` parameter is refused (PHP would truncate it). Imports: PHP's extensions only; a
  Composer autoloader or a class of a foreign namespace is named ("imports X, which this
  benchmark does not provide"). The full tables: docs/values.md.
- Results are encoded by ``json_encode`` with ``JSON_PRESERVE_ZERO_FRACTION`` (``2.0`` stays a
  float): lists become arrays, other arrays objects, objects their public properties or what
  ``jsonSerialize()`` returns. Parse errors are compile errors; ``exit`` is a runtime error.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from pytest_mpm_bench.languages.base import BuildOutcome, Executor
from pytest_mpm_bench.sandbox import Tools

#: Spawning processes is never part of a solution; the sandbox bounds it anyway.
DISABLED = ("exec", "shell_exec", "system", "passthru", "popen", "proc_open", "pcntl_exec",
            "pcntl_fork", "pcntl_rfork")
INI = ("display_errors=stderr", "log_errors=0", "html_errors=0", "error_reporting=E_ALL",
       "memory_limit=768M", "max_execution_time=0", "ffi.enable=0",
       "opcache.enable_cli=0", f"disable_functions={','.join(DISABLED)}")
_OPEN_TAG = re.compile(r"\A(?:\ufeff)?\s*<\?php(?=\s)", re.IGNORECASE)


def php_binary() -> str:
    return shutil.which("php") or "php"


class PhpExecutor(Executor):
    language: ClassVar[str] = "php"
    fence_tags: ClassVar[tuple[str, ...]] = ("php", "php8")
    source_name: ClassVar[str] = "solution.php"
    driver_name: ClassVar[str] = "php_driver.php"
    requires: ClassVar[tuple[str, ...]] = ("php",)
    install_hint: ClassVar[str] = "scripts/install-toolchains php"

    def defines_entry_point(self, source: str, entry_point: str) -> bool:
        name = re.escape(entry_point)
        return re.search(rf"\b(function|class|interface|trait|enum)\s+&?{name}\b", source,
                         re.IGNORECASE) is not None

    def prepare(self, workdir: Path, solution: str, tools: Tools) -> BuildOutcome:
        return super().prepare(workdir, normalise(solution), tools)

    def command(self, workdir: Path) -> list[str]:
        ini = [arg for setting in INI for arg in ("-d", setting)]
        return [php_binary(), *ini, str(workdir / self.driver_name)]

    def version(self) -> str | None:
        out = subprocess.run([php_binary(), "-r", "echo PHP_VERSION;"], capture_output=True,
                             text=True, check=False, timeout=10)
        return f"PHP {out.stdout.strip()}" if out.returncode == 0 and out.stdout else None


def normalise(solution: str) -> str:
    """The solution as a PHP file: one opening tag at the very start, line numbers kept.

    Agents often leave the ``<?php`` tag out; text before it would be output, and would make
    a ``declare(strict_types=1)`` not the first statement.
    """
    match = _OPEN_TAG.match(solution)
    if match:
        skipped = solution[:match.start(0) + len(match.group(0))]
        return "<?php" + "\n" * skipped.count("\n") + solution[match.end(0):]
    return "<?php " + solution
