"""The copy of the solution an analyser reads: what the compiler sees, without the comments and
attributes that would switch the analyser off.

Where a tool has a switch that ignores its own suppressions (``ruff --ignore-noqa``, ``bandit
--ignore-nosec``, ``staticcheck -show-ignored``, ``phpcs --ignore-annotations``, ``rubocop
--ignore-disable-comments``, ESLint's ``noInlineConfig``) the analyser's argv uses it. The rest
are blanked out here, character for character (newlines kept), so every line number the tool
reports is the solution's own; removing them never changes what the code does.
"""

from __future__ import annotations

import re
import string

# -- Rust: lint-level attributes (rustc's and clippy's) and rustfmt's skip --------------------

#: Attributes that set lint levels or skip formatting; ``cfg_attr`` is checked for them inside.
_RUST_ATTRIBUTE = re.compile(r"#\s*!?\s*\[")
_RUST_SUPPRESSING = re.compile(
    r"^\s*(?:(?:allow|expect|warn|deny|forbid)\b|rustfmt::|rustfmt_skip\b|clippy::)"
    r"|\bcfg_attr\s*\(.*\b(?:allow|expect|warn|deny|forbid|rustfmt::|rustfmt_skip)\b", re.S)


def _closing(text: str, start: int, opening: str, closing: str) -> int | None:
    """The index just past the bracket closing the one at ``start`` (string literals are
    skipped: a reason = "…]" does not end an attribute), or None."""
    depth, k = 0, start
    while k < len(text):
        ch = text[k]
        if ch == '"':
            k += 1
            while k < len(text) and text[k] != '"':
                k += 2 if text[k] == "\\" else 1
        elif ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return k + 1
        k += 1
    return None


def blank(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` turned to spaces, its newlines kept."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def rust_without_lint_attributes(source: str) -> str:
    """Every ``#[allow(...)]``, ``#![allow(...)]`` (and ``expect``, ``warn``, ``deny``,
    ``forbid``, ``clippy::…`` tool attributes, ``rustfmt::skip``, and a ``cfg_attr`` carrying
    one of them) blanked: clippy and rustc report at the levels we set, rustfmt formats all."""
    at = 0
    while (found := _RUST_ATTRIBUTE.search(source, at)) is not None:
        bracket = found.end() - 1
        end = _closing(source, bracket, "[", "]")
        if end is None:
            break
        if _RUST_SUPPRESSING.search(source[bracket + 1:end - 1]):
            source = blank(source, found.start(), end)
        at = end
    return source


# -- Go: staticcheck's linter directives ------------------------------------------------------

#: ``//lint:ignore`` and ``//lint:file-ignore``. ``-show-ignored`` reports what they hide, except
#: ``U1000`` (unused code), which staticcheck filters elsewhere: the directive word is blanked
#: (the comment stays a comment).
_GO_DIRECTIVE = re.compile(r"(?<=//)\s*lint:(?:file-)?ignore\b")


def go_without_lint_directives(source: str) -> str:
    return _GO_DIRECTIVE.sub(lambda m: " " * len(m.group(0)), source)


# -- Java: javac's suppressions, and unicode escapes -------------------------------------------

_JAVA_SUPPRESS = re.compile(r"@\s*(?:java\s*\.\s*lang\s*\.\s*)?(SuppressWarnings|SafeVarargs)\b")


TS_PRAGMA = re.compile(r"@(?=ts-(?:nocheck|ignore|expect-error)\b)", re.IGNORECASE)


def typescript_without_pragmas(source: str) -> str:
    """TypeScript's own suppressions (@ts-nocheck, @ts-ignore, @ts-expect-error) made inert:
    their '@' becomes a space, so positions hold, as in the build step's type check."""
    return TS_PRAGMA.sub(" ", source)


def java_without_suppressions(source: str) -> str:
    """``@SuppressWarnings(...)`` and ``@SafeVarargs`` blanked, so javac's ``-Xlint`` reports
    what they would hide (they only ever silence warnings: the code is the same without)."""
    at = 0
    while (found := _JAVA_SUPPRESS.search(source, at)) is not None:
        end = found.end()
        rest = source[end:]
        if rest.lstrip().startswith("("):
            closed = _closing(source, end + len(rest) - len(rest.lstrip()), "(", ")")
            end = closed if closed is not None else end
        source = blank(source, found.start(), end)
        at = end
    return source


def java_unicode_decoded(source: str) -> str:
    """The source after javac's first step (JLS 3.3): each ``\\uXXXX`` (any number of ``u``)
    whose backslash is not itself escaped becomes its character. ``// \\u000a code`` is code to
    javac, so it must be code to checkstyle and lizard too. (An escaped line break adds a line:
    later line numbers of such a file move by one.)"""
    out: list[str] = []
    k, backslashes = 0, 0
    while k < len(source):
        ch = source[k]
        if ch == "\\" and backslashes % 2 == 0 and source.startswith("u", k + 1):
            j = k + 1
            while j < len(source) and source[j] == "u":
                j += 1
            digits = source[j:j + 4]
            if len(digits) == 4 and all(d in string.hexdigits for d in digits):
                out.append(chr(int(digits, 16)))
                k, backslashes = j + 4, 0
                continue
        backslashes = backslashes + 1 if ch == "\\" else 0
        out.append(ch)
        k += 1
    # Pairs of escaped surrogates are one character; a lone one cannot be written as UTF-8.
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16", "replace")


# -- lizard: its own suppressions, for every language -----------------------------------------

#: ``#lizard forgives`` (and ``forgive global``, ``forgives(metric)``) in a comment drops the
#: warnings of a function or file; a comment holding ``GENERATED CODE`` ends lizard's reading.
#: The word is changed, never the comment's marker (the comment stays a comment).
_LIZARD = re.compile(r"lizard(?=\s+forgive)|GENERATED CODE", re.IGNORECASE)


def lizard_view(source: str, file_name: str) -> str:
    """What lizard reads: its directives neutralised (same length, so positions hold) and, for
    Java, the unicode escapes decoded as javac does."""
    if file_name.endswith(".java"):
        source = java_unicode_decoded(source)
    return _LIZARD.sub(lambda m: "x" * len(m.group(0)), source)
