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
    from pytest_mpm_bench.languages.python import PythonExecutor

    register(PythonExecutor)
    from pytest_mpm_bench.languages.golang import GoExecutor

    register(GoExecutor)
    from pytest_mpm_bench.languages.java import JavaExecutor

    register(JavaExecutor)
    from pytest_mpm_bench.languages.rust import RustExecutor

    register(RustExecutor)
    from pytest_mpm_bench.languages.php import PhpExecutor

    register(PhpExecutor)
    from pytest_mpm_bench.languages.ruby import RubyExecutor

    register(RubyExecutor)


_register_builtins()

__all__ = ["BuildOutcome", "Executor", "executor_for", "known_languages", "register"]
