"""Untrusted text made safe to show: a terminal, junit XML and an HTML page.

Solutions and agents write what they like to stderr, stdout, messages and answers. Shown raw,
an escape sequence can set a terminal's title, erase lines or draw a fake "1 passed"; a
carriage return or backspace overwrites what came before; a bidirectional override reorders
what a reader sees; a lone surrogate cannot be encoded at all (an xdist worker dies sending
it). :func:`printable` shows each of those as an escape (``\\x1b``, ``\\r``, ``\\u202e``,
``\\ud800``) and keeps newlines and tabs.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control characters (but newline and tab), bidirectional controls and
    lone surrogates written as escapes."""
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub(_escape, text)
