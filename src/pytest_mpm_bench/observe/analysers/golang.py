"""Go: gofmt and staticcheck's S/ST checks (idiomaticity), go vet and staticcheck's SA/U checks
(best practices).

The solution is analysed as the executor compiles it (``languages/golang.py``): one file of
``package main`` (another package clause is rewritten to ``main``, on the same line, so line
numbers stay right) in a module of its own, ``go.mod`` naming the toolchain's language version.
gofmt reads the file as the agent wrote it. Nothing is ever downloaded (``GOPROXY=off``,
``GOTOOLCHAIN=local``); Go's build cache is the executor's (``GOCACHE``, so the standard library
is compiled once) and staticcheck's cache sits under the build cache root, so a warm run of each
tool takes well under a second. Points (docs/scoring.md):

- gofmt: a file gofmt would change is one finding of 1 point (formatting is Go's idiom).
- go vet: every report is a likely bug, 3 points; ``unreachable`` and ``structtag`` 2,
  ``composites`` (unkeyed fields) 1.
- staticcheck: ``SA`` 3 (``SA6`` performance, ``SA9`` dubious constructs and ``SA1019``
  deprecated API 2), ``U1000`` (unused code) 2, ``S`` and ``ST`` 1. Checks are staticcheck's
  default set, less ``SA5009`` (go vet's ``printf`` reports the same bug). A ``//lint:ignore``
  or ``//lint:file-ignore`` in the solution hides nothing: ``-show-ignored``, and the directive
  blanked in the analysed copy, for ``U1000`` which that switch does not cover (``//nolint`` is
  golangci-lint's and never did).

The build passed, so a type error reported by go vet or staticcheck means the tool did not see
the code the compiler saw: a failure of that tool, which costs the dimension all its points.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from pytest_mpm_bench.languages.golang import GO_CACHE, GoExecutor, go_binary
from pytest_mpm_bench.observe.analysers import Analyser, Finding, tool_failure, tool_path
from pytest_mpm_bench.observe.analysers.views import go_without_lint_directives

# staticcheck's default check set (its docs), split by dimension.
STATICCHECK_IDIOMS = "S*,ST*,-ST1000,-ST1003,-ST1016,-ST1020,-ST1021,-ST1022,-ST1023"
STATICCHECK_PRACTICES = "SA*,U1000,-SA5009"
VET_POINTS = {"unreachable": 2.0, "structtag": 2.0, "composites": 1.0}
_POSITION = re.compile(r"^(?:vet: )?(?:.*/)?([^/:]+\.go):(\d+):(?:\d+:)? ?(.*)$")


def _go_tool(name: str) -> str | None:
    """``go`` or ``gofmt``: on PATH, else beside the go binary (``/usr/local/go/bin``)."""
    found = tool_path(name)
    if found is not None:
        return found
    go = go_binary()
    beside = Path(go).parent / name if go else None
    return str(beside) if beside is not None and beside.is_file() else None


def go_env() -> dict[str, str]:
    """Module mode, no network; go first on PATH (staticcheck runs ``go list``)."""
    go = go_binary()
    path = os.environ.get("PATH", "/usr/bin:/bin")
    return {"PATH": f"{Path(go).parent}{os.pathsep}{path}" if go else path,
            "GOFLAGS": "-mod=mod -buildvcs=false", "GOPROXY": "off",
            "GOTOOLCHAIN": "local", "GOWORK": "off", "GO111MODULE": "on", "CGO_ENABLED": "0"}


#: The executor's build cache (the standard library compiles once) and staticcheck's own.
GO_CACHES = (("GOCACHE", GO_CACHE), ("STATICCHECK_CACHE", "staticcheck"))


def prepare_module(workdir: Path, file_name: str) -> None:
    """The solution as a one-file ``package main`` module, as the executor builds it."""
    path = workdir / file_name
    source = re.sub(r"^package\s+\w+", "package main", path.read_text(encoding="utf-8"),
                    count=1, flags=re.MULTILINE)
    source = go_without_lint_directives(source)
    path.write_text(source, encoding="utf-8")
    (workdir / "go.mod").write_text(
        f"module mpmsolution\n\ngo {GoExecutor().language_version()}\n", encoding="utf-8")


def first_changed_line(diff: str) -> int | None:
    """The first line of the original file that a unified diff removes or changes."""
    line = None
    for text in diff.splitlines():
        hunk = re.match(r"@@ -(\d+)", text)
        if hunk:
            line = int(hunk[1])
        elif line is not None and text.startswith("-"):
            return line
        elif line is not None and text.startswith(" "):
            line += 1
    return line


def parse_gofmt(out: str, err: str) -> list[Finding]:
    if err.strip() and not out.strip():
        return [tool_failure("gofmt", err)]
    hunks = len(re.findall(r"^@@ ", out, re.MULTILINE))
    if not hunks:
        return []
    line = first_changed_line(out)
    return [{"tool": "gofmt", "rule": "gofmt", "line": line,
             "message": f"not gofmt-formatted: {hunks} hunk(s) would change, the first at "
                        f"line {line}", "points": 1.0}]


def parse_vet(out: str, err: str) -> list[Finding]:
    """``go vet -json`` prints JSON objects (package -> analyzer -> reports) to stderr, between
    ``# package`` lines; a type error is a ``vet: file:line:col: message`` line."""
    text = "\n".join(line for line in (err + out).splitlines() if not line.startswith("#"))
    findings: list[Finding] = []
    decoder, at = json.JSONDecoder(), 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        if text[at] != "{":
            line = text[at:].split("\n", 1)[0]
            found = _POSITION.match(line)
            if found is None:
                return [tool_failure("go vet", text[at:])]
            return [tool_failure("go vet", f"line {found[2]}: {found[3]}")]
        document, at = decoder.raw_decode(text, at)
        for analyzers in document.values():
            for analyzer, reports in analyzers.items():
                if not isinstance(reports, list):  # {"error": "..."} when an analyzer failed
                    findings.append(tool_failure("go vet", f"{analyzer}: {reports}"))
                    continue
                for report in reports:
                    found = _POSITION.match(report["posn"])
                    findings.append({"tool": "go vet", "rule": analyzer,
                                     "line": int(found[2]) if found else None,
                                     "message": report["message"],
                                     "points": VET_POINTS.get(analyzer, 3.0)})
    return findings


def staticcheck_points(code: str) -> float:
    if code.startswith(("SA6", "SA9")) or code == "SA1019" or code == "U1000":
        return 2.0
    if code.startswith("SA") or code == "compile":
        return 3.0
    return 1.0


def parse_staticcheck(out: str, err: str) -> list[Finding]:
    if not out.strip() and err.strip():
        return [tool_failure("staticcheck", err)]  # e.g. a staticcheck built for an older Go
    findings: list[Finding] = []
    for line in out.splitlines():
        if not line.strip():
            continue
        report = json.loads(line)
        code = report["code"]
        if code == "compile":
            return [tool_failure("staticcheck", f"line {report['location']['line']}: "
                                                f"{report['message']}")]
        findings.append({"tool": "staticcheck", "rule": code,
                         "line": report["location"]["line"] or None,
                         "message": report["message"], "points": staticcheck_points(code)})
    return findings


def _staticcheck(checks: str) -> list[str]:
    return ["staticcheck", "-f", "json", "-tests=false", "-show-ignored", "-checks", checks, "."]


ANALYSERS = [
    Analyser("gofmt", "idiomaticity", ("go",), "gofmt", lambda f: ["gofmt", "-d", f],
             parse_gofmt, version_argv=(), locate=lambda: _go_tool("gofmt")),
    Analyser("staticcheck", "idiomaticity", ("go",), "staticcheck",
             lambda f: _staticcheck(STATICCHECK_IDIOMS), parse_staticcheck,
             prepare=prepare_module, version_argv=("-version",), env=go_env, caches=GO_CACHES),
    Analyser("go vet", "best_practices", ("go",), "go", lambda f: ["go", "vet", "-json", "."],
             parse_vet, prepare=prepare_module, version_argv=("version",), env=go_env,
             locate=lambda: _go_tool("go"), caches=GO_CACHES),
    Analyser("staticcheck", "best_practices", ("go",), "staticcheck",
             lambda f: _staticcheck(STATICCHECK_PRACTICES), parse_staticcheck,
             prepare=prepare_module, version_argv=("-version",), env=go_env, caches=GO_CACHES),
]
