"""JavaScript and TypeScript: ESLint with typescript-eslint and, for TypeScript, tsc's checks.

One node process per solution (``eslint_runner.mjs``) runs ESLint's Node API with the config
built from ``eslint_rules.mjs`` (the only config it reads; inline disable comments are ignored),
which feeds both dimensions, rule by rule. For TypeScript the same process builds one TypeScript
program with the build step's options plus ``--noUnusedLocals --noUnusedParameters
--noImplicitReturns --noFallthroughCasesInSwitch`` (unreachable code and unused labels as
errors too), reports those diagnostics as best practices, and hands the program to
typescript-eslint for its typed rules (no-floating-promises and friends): the code is parsed
and type-checked once. The rule table with dimensions and points is in ``eslint_rules.mjs``
and docs/scoring.md.

``@ts-nocheck``, ``@ts-ignore`` and ``@ts-expect-error`` are neutralised in the copy the runner
checks, as the build step does for its type check: tsc reports what they would hide. A file
ESLint cannot parse (the build could) is a failure of eslint.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from pytest_mpm_bench.languages.node import node_modules
from pytest_mpm_bench.observe.analysers import Analyser, Finding, cap_repeats, tool_failure
from pytest_mpm_bench.observe.analysers.views import typescript_without_pragmas

RUNNER = "eslint_runner.mjs"
RULES = "eslint_rules.mjs"
#: Which dimensions each tool of the runner feeds (a clean one says "no findings" in each).
COVERS = {"eslint": ("idiomaticity", "best_practices"), "tsc": ("best_practices",)}


def packaged(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def prepare(workdir: Path, file_name: str) -> None:
    """The runner, our config and a link to the project's node_modules beside the solution,
    itself without TypeScript's suppressions (the sandbox shows the runner a read-only copy)."""
    path = workdir / file_name
    if path.suffix in (".ts", ".tsx"):
        path.write_text(typescript_without_pragmas(path.read_text(encoding="utf-8")),
                        encoding="utf-8")
    for name in (RUNNER, RULES):
        (workdir / name).write_text(packaged(name), encoding="utf-8")
    (workdir / "node_modules").symlink_to(node_modules(), target_is_directory=True)


def parse(out: str, err: str) -> list[Finding]:
    data = json.loads(out)
    if "error" in data:  # a package is missing: evidence for every dimension
        return [{"tool": "eslint", "message": str(data["error"]), "points": 0.0}]
    broken = [f for f in data["findings"] if f.get("rule") == "parse-error"]
    if broken:
        return [tool_failure("eslint", f"line {broken[0].get('line')}: {broken[0]['message']}")]
    findings: list[Finding] = [
        {**{k: f[k] for k in ("tool", "rule", "line", "message", "dimension") if k in f},
         "points": float(f["points"])}
        for f in data["findings"]]
    for tool in data["tools"]:
        for dimension in COVERS.get(tool, ()):
            if not any(f["tool"] == tool and f["dimension"] == dimension for f in findings):
                findings.append({"tool": tool, "message": "no findings", "points": 0.0,
                                 "dimension": dimension})
    return cap_repeats(findings)


# `--version`: the linters' versions, read from the node_modules the analyser will use; prints
# nothing (so: "missing") when they are not installed.
_VERSION_JS = (
    "const d = process.env.MPM_NODE_MODULES || " + json.dumps(str(node_modules())) + ";"
    "const v = (n) => require(require('path').join(d, n, 'package.json')).version;"
    "let line = '';"
    "try { line = `eslint ${v('eslint')}, typescript-eslint ${v('typescript-eslint')}, "
    "typescript ${v('typescript')}`; } catch {}"
    "line")

ANALYSERS = [
    Analyser("eslint", "idiomaticity", ("javascript", "typescript"), "node",
             lambda f: ["node", RUNNER, f], parse, prepare=prepare,
             version_argv=("-p", _VERSION_JS), also=("best_practices",),
             binds=lambda: [node_modules().resolve()]),
]
