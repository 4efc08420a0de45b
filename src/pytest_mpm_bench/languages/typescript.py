"""TypeScript: type-checked (``--strict``) and transpiled in the parent, run by node; see
``node.py``."""

from __future__ import annotations

from typing import ClassVar

from pytest_mpm_bench.languages.node import NodeExecutor


class TypeScriptExecutor(NodeExecutor):
    language: ClassVar[str] = "typescript"
    aliases: ClassVar[tuple[str, ...]] = ("ts",)
    fence_tags: ClassVar[tuple[str, ...]] = ("typescript", "ts", "tsx")
    source_name: ClassVar[str] = "solution.ts"
