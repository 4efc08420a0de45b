"""pytest-mpm-bench's Python driver: runs in the sandbox, next to ``solution.py``.

Reads ``input.json`` (inputs only; expected values never reach this process), runs each test
against the solution and writes one JSON record per test, then an end record, to fd 3. The
solution's stdout and stderr are diagnostics only. Everything the driver needs is bound before
the solution is loaded, so patching modules from the solution cannot change the records.

asyncio (with inspect, some 30 ms of a run's start-up, more than all else the driver imports)
is imported before the solution only when the input says ``"asyncio": true`` (the parent's
choice: a ``code`` test, or a solution that says async or await; its start-up run is measured
with the same choice). Anything else that returns an awaitable makes the driver import it then;
a module the solution put in its place could only decide what the solution's own awaitable
returns, which the solution decides anyway.
"""

import json
import os
import sys
import time
import types
from _collections_abc import Awaitable as _Awaitable

_dumps, _loads, _write, _clock = json.dumps, json.loads, os.write, time.perf_counter
_isinstance, _GeneratorType = isinstance, types.GeneratorType
_ModuleNotFound = ModuleNotFoundError
_run_async = None
CO_ITERABLE_COROUTINE = 0x100
CHANNEL = 3
MAX_DEPTH = 200


class NotData(TypeError):
    pass


def emit(record):
    data = (_dumps(record, allow_nan=True) + "\n").encode()
    while data:
        data = data[_write(CHANNEL, data):]


def plain(value, depth=0):
    """The value as plain JSON data, read through the builtin types' own methods."""
    if depth > MAX_DEPTH:
        raise NotData("the value is nested too deeply (or is cyclic)")
    if value is None or value is True or value is False:
        return value
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, list | tuple):
        items = list.__iter__(value) if isinstance(value, list) else tuple.__iter__(value)
        return [plain(v, depth + 1) for v in items]
    if isinstance(value, dict):
        return {_key(k): plain(v, depth + 1) for k, v in dict.items(value)}
    raise NotData(f"returned a {type(value).__name__}, which is not JSON data "
                  "(use lists, dicts, str, int, float, bool or None)")


def _key(key):
    if isinstance(key, str):
        return str.__str__(key)
    if key is None or isinstance(key, bool | int | float):
        return _dumps(plain(key))
    raise NotData(f"a dict key of type {type(key).__name__} is not JSON data")


def bind_asyncio():
    global _run_async
    if _run_async is None:
        import asyncio
        _run_async = asyncio.run


def _isawaitable(value):
    """inspect.isawaitable without importing inspect: coroutines, objects with __await__, and
    generator-based coroutines (types.coroutine)."""
    return _isinstance(value, _Awaitable) or (
        _isinstance(value, _GeneratorType)
        and bool(value.gi_code.co_flags & CO_ITERABLE_COROUTINE))


def settle(result):
    if _isawaitable(result):
        async def wait():
            return await result
        bind_asyncio()
        return _run_async(wait())
    return result


def error_type(exc):
    return "MissingPackage" if _missing(exc) else type(exc).__name__


def error_text(exc):
    missing = _missing(exc)
    if missing:
        return f"imports {missing}, which this benchmark does not provide"
    return f"{type(exc).__name__}: {exc}"[:2000]


def _missing(exc):
    """The package an import could not find (the solution may use the standard library only)."""
    name = getattr(exc, "name", None) if isinstance(exc, _ModuleNotFound) else None
    return name.split(".")[0] if isinstance(name, str) and name else None


def run_test(solution, entry_point, test):
    if "code" in test:
        body = "".join(f"    {line}\n" for line in test["code"].splitlines()) or "    pass\n"
        scope = dict(vars(solution))
        exec(compile(f"async def __mpm_case__():\n{body}", "<test>", "exec"), scope)
        bind_asyncio()  # bound before the solution already (a code test): kept as it was
        return plain(_run_async(scope["__mpm_case__"]()))
    target = getattr(solution, entry_point, None)
    if target is None:
        raise LookupError(f"the solution does not define {entry_point!r}")
    if "args" in test:
        return plain(settle(target(*test["args"])))
    results, instance = [], None
    for name, args in test["calls"]:
        if name == "__init__":
            instance = target(*args)
            results.append(None)
        else:
            results.append(plain(settle(getattr(instance, name)(*args))))
    return results


def main():
    with open("input.json", encoding="utf-8") as handle:
        spec = _loads(handle.read())
    with open(spec.get("source", "solution.py"), encoding="utf-8") as handle:
        source = handle.read()
    try:
        code = compile(source, "solution.py", "exec")
    except (SyntaxError, ValueError) as exc:
        emit({"type": "compile_error", "message": error_text(exc),
              "line": getattr(exc, "lineno", None)})
        return
    if spec.get("asyncio"):
        bind_asyncio()
    solution = types.ModuleType("solution")
    solution.__file__ = os.path.abspath("solution.py")
    sys.modules["solution"] = solution
    try:
        exec(code, vars(solution))
    except BaseException as exc:  # SystemExit too: exiting while loading is an error
        emit({"type": "load_error", "error_type": error_type(exc), "message": error_text(exc)})
        return
    for index, raw in enumerate(spec["tests"]):
        test = _loads(raw)  # parsed per test: a solution that mutates its input hurts only itself
        start = _clock()
        try:
            value = run_test(solution, spec["entry_point"], test)
        except BaseException as exc:
            emit({"type": "result", "index": index, "ok": False,
                  "error_type": error_type(exc), "error": error_text(exc),
                  "seconds": _clock() - start})
            continue
        seconds = _clock() - start
        try:
            emit({"type": "result", "index": index, "ok": True, "value": value,
                  "seconds": seconds})
        except (ValueError, TypeError, OverflowError) as exc:
            emit({"type": "result", "index": index, "ok": False, "error_type": "NotData",
                  "error": error_text(exc), "seconds": seconds})
    emit({"type": "end", "count": len(spec["tests"])})


if __name__ == "__main__":
    sys.setrecursionlimit(10000)
    main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(0)  # skip interpreter teardown: atexit hooks of the solution must not run after
