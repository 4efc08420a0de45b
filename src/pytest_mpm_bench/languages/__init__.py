"""Language executors and their registry: one module per language, one class each.

A plugin adds a language by implementing ``pytest_mpm_bench_executors`` (see ``hookspecs``)
or by calling ``register`` before collection.
"""

from __future__ import annotations

from pytest_mpm_bench.languages.base import BuildOutcome, Executor

_REGISTRY: dict[str, type[Executor]] = {}


def register(executor: type[Executor]) -> type[Executor]:
    """Make ``executor`` the one for its language (and aliases). Usable as a decorator."""
    for name in (executor.language, *executor.aliases):
        _REGISTRY[name] = executor
    return executor


def known_languages() -> list[str]:
    return sorted(_REGISTRY)


def executor_for(language: str) -> Executor:
    return _REGISTRY[language]()


def _register_builtins() -> None:
    from pytest_mpm_bench.languages.golang import GoExecutor
    from pytest_mpm_bench.languages.java import JavaExecutor
    from pytest_mpm_bench.languages.javascript import JavaScriptExecutor
    from pytest_mpm_bench.languages.php import PhpExecutor
    from pytest_mpm_bench.languages.python import PythonExecutor
    from pytest_mpm_bench.languages.ruby import RubyExecutor
    from pytest_mpm_bench.languages.rust import RustExecutor
    from pytest_mpm_bench.languages.typescript import TypeScriptExecutor

    for executor in (
        PythonExecutor, GoExecutor, JavaExecutor, RustExecutor,
        JavaScriptExecutor, TypeScriptExecutor, PhpExecutor, RubyExecutor,
    ):
        register(executor)


_register_builtins()

__all__ = ["BuildOutcome", "Executor", "executor_for", "known_languages", "register"]
