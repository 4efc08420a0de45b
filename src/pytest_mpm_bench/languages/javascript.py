"""JavaScript: an ES module run by node (``drivers/js_driver.mjs``); see ``node.py``."""

from __future__ import annotations

from typing import ClassVar

from pytest_mpm_bench.languages.node import NodeExecutor


class JavaScriptExecutor(NodeExecutor):
    language: ClassVar[str] = "javascript"
    aliases: ClassVar[tuple[str, ...]] = ("js",)
    fence_tags: ClassVar[tuple[str, ...]] = ("javascript", "js", "mjs", "jsx")
    source_name: ClassVar[str] = "solution.js"
