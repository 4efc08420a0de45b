"""Root conftest: fixtures for the project's own tests (pytester is enabled in the ini).

pytester is enabled with ``-p pytester`` rather than ``pytest_plugins`` here, so that running a
benchmark on suites inside this checkout from another directory still works.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def write_suite(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a suite dict to ``tmp_path/suites/<name>.json`` and return its path."""

    def write(suite: dict[str, Any] | str, name: str = "mini") -> Path:
        path = tmp_path / "suites" / f"{name}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(suite if isinstance(suite, str) else json.dumps(suite))
        return path

    return write


@pytest.fixture(params=[0, 2], ids=["serial", "xdist2"])
def workers(request: pytest.FixtureRequest) -> list[str]:
    """Run an end-to-end test serially and with ``-n 2`` (as pytest-json-report does)."""
    return [] if request.param == 0 else ["-n", str(request.param)]


# pytester gives every session a fresh $HOME; the project's own tests share the user's cache
# dir (the build cache above all), as a user's sessions do. A test of the default sets its own.
os.environ.setdefault("XDG_CACHE_HOME", str(Path.home() / ".cache"))
