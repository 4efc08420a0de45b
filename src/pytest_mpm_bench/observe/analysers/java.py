"""Java: checkstyle's idiom checks (idiomaticity), javac -Xlint and checkstyle's practice checks
(best practices).

The file keeps the name the executor gives it (its public type's, else ``Solution.java``) and
is compiled alone, as the executor compiles it (``-proc:none``: no annotation processor runs),
into a directory of the analyser's own. Points (docs/scoring.md):

- javac ``-Xlint:all`` less ``serial`` (every custom exception would be flagged), ``processing``
  and ``options`` (about the build, not the code): 3 for the likely bugs (``divzero``,
  ``empty``, ``fallthrough``, ``finally``, ``overrides``, ``lossy-conversions``,
  ``synchronization``), 1 for ``cast`` (a redundant cast), ``static`` and ``dep-ann``, 2 for
  the rest (``rawtypes``, ``unchecked``, ``deprecation``, ``removal``, ``try``…); an error 3.
- checkstyle: ``checkstyle.xml``, shipped beside this module, is the whole configuration. Each
  check's id names its dimension (``idiomaticity.NeedBraces``), its severity the points:
  ``info`` 1, ``warning`` 2, ``error`` 3. The two checkstyle analysers share one run (same
  command, same preparation), each reading the findings of its own dimension.

Each tool reads the code javac compiles: javac's copy has no ``@SuppressWarnings`` or
``@SafeVarargs`` (they only silence warnings), checkstyle's has its unicode escapes decoded
(``// \u000a code`` is code to javac). Our checkstyle config has no suppression filter, so
``CHECKSTYLE:OFF`` and ``@SuppressWarnings("checkstyle:…")`` change nothing. A compile error
in javac's run (the build passed) is a failure of javac.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from importlib import resources
from pathlib import Path

from pytest_mpm_bench.languages.java import TOOL_JVM_SIZES
from pytest_mpm_bench.observe.analysers import Analyser, Finding, tool_failure
from pytest_mpm_bench.observe.analysers.views import (
    java_unicode_decoded,
    java_without_suppressions,
)

JVM_FLAGS = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", *TOOL_JVM_SIZES)
XLINT = "-Xlint:all,-serial,-processing,-options"
JAVAC_POINTS = {"divzero": 3.0, "empty": 3.0, "fallthrough": 3.0, "finally": 3.0,
                "overrides": 3.0, "lossy-conversions": 3.0, "synchronization": 3.0,
                "cast": 1.0, "static": 1.0, "dep-ann": 1.0}
SEVERITY_POINTS = {"error": 3.0, "warning": 2.0, "info": 1.0}
CLASSES = "mpm_classes"
_JAVAC = re.compile(r"^(?:.*/)?[^/:]+\.java:(\d+): (warning|error): (?:\[([\w-]+)\] )?(.*)$")


def javac_argv(file_name: str) -> list[str]:
    return ["javac", *(f"-J{flag}" for flag in JVM_FLAGS), "-proc:none", "-implicit:none",
            "-encoding", "UTF-8", XLINT, "-Xmaxwarns", "200", "-Xmaxerrs", "20",
            "-d", CLASSES, file_name]


def prepare_javac(workdir: Path, file_name: str) -> None:
    """javac's copy without suppressions (javac makes the classes dir itself: a dir staged
    beside the file would be read-only in the sandbox)."""
    path = workdir / file_name
    path.write_text(java_without_suppressions(path.read_text(encoding="utf-8")),
                    encoding="utf-8")


def parse_javac(out: str, err: str) -> list[Finding]:
    """``File.java:12: warning: [rawtypes] found raw type: List``, then context lines."""
    findings: list[Finding] = []
    for line in (err + "\n" + out).splitlines():
        if line.startswith(("error:", "javac:")):  # about the command line, not the file
            return [tool_failure("javac", line)]
        found = _JAVAC.match(line)
        if found is None:
            continue
        line_no, kind, rule, message = found.groups()
        if kind == "error":
            return [tool_failure("javac", f"line {line_no}: {message}")]
        findings.append({"tool": "javac", "rule": rule or "warning", "line": int(line_no),
                         "message": message, "points": JAVAC_POINTS.get(rule or "", 2.0)})
    return findings


def prepare_checkstyle(workdir: Path, file_name: str) -> None:
    """The shipped config beside the file: no configuration from anywhere else is read."""
    config = resources.files(__package__).joinpath("checkstyle.xml")
    (workdir / "checkstyle.xml").write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
    path = workdir / file_name
    path.write_text(java_unicode_decoded(path.read_text(encoding="utf-8")), encoding="utf-8")


def checkstyle_env() -> dict[str, str]:
    """JVM start-up flags for Debian's wrapper and ours (both read ``JAVA_ARGS``)."""
    return {"JAVA_ARGS": " ".join(JVM_FLAGS)}


def parse_checkstyle(out: str, err: str, dimension: str) -> list[Finding]:
    """The ``<error>`` elements of checkstyle's XML whose check id is in ``dimension``."""
    start = out.find("<checkstyle")
    if start < 0:
        # A file checkstyle cannot parse: the innermost cause names the place.
        causes = [line.split("Caused by:", 1)[1].strip() for line in err.splitlines()
                  if "Caused by:" in line]
        return [tool_failure("checkstyle", re.sub(r"/\S*/", "", causes[-1]) if causes
                             else err)]
    findings: list[Finding] = []
    for error in ElementTree.fromstring(out[start:]).iter("error"):
        check_dimension, _, rule = error.get("source", "").rpartition(".")
        if check_dimension != dimension:
            continue
        findings.append({"tool": "checkstyle", "rule": rule,
                         "line": int(error.get("line", "0")) or None,
                         "message": error.get("message", ""),
                         "points": SEVERITY_POINTS.get(error.get("severity", ""), 2.0)})
    return findings


def parse_checkstyle_idioms(out: str, err: str) -> list[Finding]:
    return parse_checkstyle(out, err, "idiomaticity")


def parse_checkstyle_practices(out: str, err: str) -> list[Finding]:
    return parse_checkstyle(out, err, "best_practices")


def _checkstyle(file_name: str) -> list[str]:
    return ["checkstyle", "-c", "checkstyle.xml", "-f", "xml", file_name]


ANALYSERS = [
    Analyser("checkstyle", "idiomaticity", ("java",), "checkstyle", _checkstyle,
             parse_checkstyle_idioms, prepare=prepare_checkstyle, env=checkstyle_env),
    Analyser("javac", "best_practices", ("java",), "javac", javac_argv, parse_javac,
             prepare=prepare_javac, version_argv=("-version",)),
    Analyser("checkstyle", "best_practices", ("java",), "checkstyle", _checkstyle,
             parse_checkstyle_practices, prepare=prepare_checkstyle, env=checkstyle_env),
]
