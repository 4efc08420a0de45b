"""PHP: phpcs (PHP_CodeSniffer), one run with a ruleset of ours for both dimensions.

- idiomaticity: the PSR-12 coding standard (which includes PSR-1), less
  ``PSR1.Classes.ClassDeclaration`` (a class in a namespace of its own, one class per file: a
  single-file solution whose entry point the harness calls by its global name cannot follow
  it). phpcs checks layout and naming only, so none of it is a likely bug: a MUST of the
  standard (a phpcs error) costs 1 point, a SHOULD (a phpcs warning, e.g. a line over 120
  characters) 0.5; a habit repeated on many lines counts at most 3 points (``cap_repeats``).
- best_practices: the sniffs of ``PRACTICES`` (eval, backticks, ``$this`` in a static method,
  unreachable code, ``==``, silenced errors, unused parameters, missing strict types, ...),
  each with its points.

``php -l`` is the executor's compile check, so a solution that reaches the analysers parses.
Annotations in the solution (``// phpcs:ignore``, ``phpcs:disable``, ``phpcs:ignoreFile``,
``@codingStandardsIgnore…``, ``phpcs:set``) are ignored (``--ignore-annotations``). A file phpcs
cannot tokenise, or in which it finds no code, is a failure of phpcs.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

from pytest_mpm_bench.languages.php import normalise
from pytest_mpm_bench.observe.analysers import Analyser, Finding, cap_repeats, tool_failure

RULESET = "mpm-phpcs.xml"
IDIOM_POINTS = {"ERROR": 1.0, "WARNING": 0.5}
#: sniff -> (dimension, points). Points: 3 likely bug or security hole, 2 warning, 1 style.
PRACTICES: dict[str, tuple[str, float]] = {
    "Squiz.PHP.Eval": ("best_practices", 3.0),
    "Generic.PHP.BacktickOperator": ("best_practices", 3.0),
    "Squiz.Scope.StaticThisUsage": ("best_practices", 3.0),
    "Generic.CodeAnalysis.JumbledIncrementer": ("best_practices", 3.0),
    "Squiz.PHP.InnerFunctions": ("best_practices", 2.0),
    "Squiz.PHP.NonExecutableCode": ("best_practices", 2.0),
    "Generic.CodeAnalysis.UnconditionalIfStatement": ("best_practices", 2.0),
    "Generic.CodeAnalysis.EmptyStatement": ("best_practices", 2.0),
    "Generic.CodeAnalysis.AssignmentInCondition": ("best_practices", 2.0),
    "Generic.CodeAnalysis.UnusedFunctionParameter": ("best_practices", 2.0),
    "Squiz.Operators.ComparisonOperatorUsage": ("best_practices", 2.0),
    "Generic.PHP.NoSilencedErrors": ("best_practices", 2.0),
    "Squiz.PHP.GlobalKeyword": ("best_practices", 2.0),
    "Generic.PHP.DeprecatedFunctions": ("best_practices", 2.0),
    "Generic.PHP.DiscourageGoto": ("best_practices", 2.0),
    "Generic.PHP.RequireStrictTypes": ("best_practices", 1.0),
    "Squiz.PHP.DiscouragedFunctions": ("best_practices", 1.0),
    # idioms beyond PSR-12
    "Generic.PHP.ForbiddenFunctions": ("idiomaticity", 1.0),
    "Generic.Strings.UnnecessaryStringConcat": ("idiomaticity", 1.0),
    "Generic.CodeAnalysis.UselessOverridingMethod": ("idiomaticity", 1.0),
    "Generic.CodeAnalysis.EmptyPHPStatement": ("idiomaticity", 1.0),
}
#: Message codes left out: an idiom (``while (($line = fgets($f)) !== false)``), a parameter a
#: signature must keep (a parent's, an interface's, or one before a used one), and ``if ($x)``
#: and ``!$x`` (Squiz wants ``=== true`` / ``=== false``, which is not PHP's idiom).
SILENCED = (
    "Generic.CodeAnalysis.AssignmentInCondition.FoundInWhileCondition",
    "Generic.CodeAnalysis.UnusedFunctionParameter.FoundBeforeLastUsed",
    "Generic.CodeAnalysis.UnusedFunctionParameter.FoundInExtendedClass",
    "Generic.CodeAnalysis.UnusedFunctionParameter.FoundInExtendedClassBeforeLastUsed",
    "Generic.CodeAnalysis.UnusedFunctionParameter.FoundInExtendedClassAfterLastUsed",
    "Generic.CodeAnalysis.UnusedFunctionParameter.FoundInImplementedInterface",
    "Generic.CodeAnalysis.UnusedFunctionParameter.FoundInImplementedInterfaceBeforeLastUsed",
    "Generic.CodeAnalysis.UnusedFunctionParameter.FoundInImplementedInterfaceAfterLastUsed",
    "Squiz.Operators.ComparisonOperatorUsage.ImplicitTrue",
)
#: phpcs about itself when it could not check the file (an exception, no code found).
FAILURES = ("Internal.Exception", "Internal.Tokenizer.Exception", "Internal.NoCodeFound")
#: The same Squiz sniff also wants ``$x === false`` for ``!$x``: only ``==`` and ``!=`` count.
NOT_OPERATOR = "Operator ! prohibited"


def ruleset() -> str:
    """Our phpcs ruleset: PSR-12 (less what a single file cannot follow) plus ``PRACTICES``."""
    lines = ['<?xml version="1.0"?>',
             '<ruleset name="pytest-mpm-bench">',
             "  <description>pytest-mpm-bench: PSR-12 and a few best-practice sniffs"
             "</description>",
             '  <rule ref="PSR12">',
             '    <exclude name="PSR1.Classes.ClassDeclaration"/>',
             "  </rule>"]
    lines += [f"  <rule ref={quoteattr(sniff)}/>" for sniff in PRACTICES]
    lines += [f"  <rule ref={quoteattr(code)}><severity>0</severity></rule>"
              for code in SILENCED]
    lines.append("</ruleset>")
    return "\n".join(lines) + "\n"


def prepare(workdir: Path, file_name: str) -> None:
    """The solution as the executor runs it (an opening tag added when missing, on line 1, so
    line numbers hold) and our ruleset beside it."""
    path = workdir / file_name
    path.write_text(normalise(path.read_text(encoding="utf-8")), encoding="utf-8")
    (workdir / RULESET).write_text(ruleset(), encoding="utf-8")


def parse(out: str, err: str) -> list[Finding]:
    data = json.loads(out)
    findings: list[Finding] = []
    for report in data["files"].values():
        for message in report["messages"]:
            code = str(message["source"])
            sniff = ".".join(code.split(".")[:3])
            if str(message["message"]).startswith(NOT_OPERATOR):
                continue
            if code.startswith(FAILURES):
                return [tool_failure("phpcs", f"{code}: {message['message']}")]
            if code.startswith("Internal."):  # phpcs about itself (e.g. mixed line endings)
                dimension, points = "idiomaticity", 0.0
            elif sniff in PRACTICES:
                dimension, points = PRACTICES[sniff]
            else:
                dimension, points = "idiomaticity", IDIOM_POINTS.get(message["type"], 1.0)
            findings.append({"tool": "phpcs", "rule": code, "line": message["line"],
                             "message": message["message"], "points": points,
                             "dimension": dimension})
    return cap_repeats(findings)


ANALYSERS = [
    Analyser("phpcs", "idiomaticity", ("php",), "phpcs",
             lambda f: ["phpcs", "-q", "--no-colors", "--no-cache", "--report=json",
                        "--ignore-annotations", "--encoding=utf-8", f"--standard={RULESET}", f],
             parse, prepare=prepare, also=("best_practices",)),
]
