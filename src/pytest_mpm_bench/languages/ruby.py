"""Ruby: solutions run by ``drivers/ruby_driver.rb`` under the system ``ruby`` (3.x).

Conventions (documented for suite authors and agents):

- The solution is one file; it may ``require`` the standard library and the bundled gems
  (``set``, ``prime``, ``matrix``, ...); another ``require`` fails its run with "requires X,
  which this benchmark does not provide" (docs/values.md).
- ``"kind": "function"``: ``entry_point`` names a top-level method (or a constant holding a
  lambda, or an instance method of a class ``Solution``); JSON arguments arrive as Ruby values
  (objects as Hashes with String keys).
- ``"kind": "class"``: ``__init__`` calls ``new``, later calls its public methods by name
  (``method_missing`` included).
- ``code``: the snippet is the body of a lambda with the solution loaded; it returns a value.
- Results: Arrays, Hashes (String, Symbol or number keys), Strings, Symbols (as strings),
  Integers, Floats (``2.0`` stays a float), true, false, nil; anything else is not data.
  Syntax errors are compile errors; ``exit`` is caught per test, ``exit!`` ends the run early.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from pytest_mpm_bench.languages.base import Executor


def ruby_binary() -> str:
    return shutil.which("ruby") or "ruby"


class RubyExecutor(Executor):
    language: ClassVar[str] = "ruby"
    aliases: ClassVar[tuple[str, ...]] = ("rb",)
    fence_tags: ClassVar[tuple[str, ...]] = ("ruby", "rb")
    source_name: ClassVar[str] = "solution.rb"
    driver_name: ClassVar[str] = "ruby_driver.rb"
    requires: ClassVar[tuple[str, ...]] = ("ruby",)
    install_hint: ClassVar[str] = "scripts/install-toolchains ruby"

    def defines_entry_point(self, source: str, entry_point: str) -> bool:
        name = re.escape(entry_point)
        return re.search(rf"\bdef\s+(?:self\.)?{name}(?![\w?!=])|\b(?:class|module)\s+{name}\b"
                         rf"|^\s*{name}\s*=[^=]|define_method\(?\s*:{name}\b", source,
                         re.MULTILINE) is not None

    def command(self, workdir: Path) -> list[str]:
        return [ruby_binary(), "--disable-gems", "-W1", str(workdir / self.driver_name)]

    def version(self) -> str | None:
        out = subprocess.run([ruby_binary(), "--version"], capture_output=True, text=True,
                             check=False, timeout=10)
        return out.stdout.strip() or None
