"""Lines of code, the denominator of the style formula: lines where code starts.

Pygments' lexer of the language splits the source into tokens; a line counts when a token
that is neither a comment nor a docstring starts on it. A string literal spread over many
lines counts once, on its first line. So comments, docstrings, blank lines and the inside of
a long string neither dilute the findings nor add to them.
"""

from __future__ import annotations

from functools import cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Comment, String, is_token_subtype
from pygments.util import ClassNotFound

from pytest_mpm_bench.observe.analysers.views import java_unicode_decoded

#: Our language names -> Pygments' lexer names (the same, today; a plugin's may differ).
LEXERS = {"python": "python", "javascript": "javascript", "typescript": "typescript",
          "go": "go", "rust": "rust", "php": "php", "ruby": "ruby", "java": "java"}


@cache
def _lexer(language: str) -> Lexer | None:
    try:
        options = {"startinline": True} if language == "php" else {}
        return get_lexer_by_name(LEXERS.get(language, language), stripnl=False,
                                 ensurenl=False, **options)
    except ClassNotFound:
        return None


def code_lines(source: str, language: str = "") -> int:
    """The number of lines on which code starts (non-blank lines when the language has no
    lexer)."""
    lexer = _lexer(language) if language else None
    if lexer is None:
        return sum(1 for line in source.splitlines() if line.strip())
    if language == "java":
        source = java_unicode_decoded(source)  # the code javac reads
    lines: set[int] = set()
    line, in_string = 1, False
    for kind, text in lexer.get_tokens(source):
        if text.strip():
            code = not (is_token_subtype(kind, Comment) or is_token_subtype(kind, String.Doc))
            string_part = code and is_token_subtype(kind, String)
            if code and not (string_part and in_string):
                lines.add(line + text[:len(text) - len(text.lstrip())].count("\n"))
            in_string = string_part
        line += text.count("\n")
    return len(lines)
