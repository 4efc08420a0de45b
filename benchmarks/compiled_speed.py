"""Build and run time of the compiled languages' reference solutions, cold and warm cache,
with builds and runs in the sandbox as a benchmark runs them.

    PYTHONPATH=src python3 benchmarks/compiled_speed.py [go java rust typescript]
    MPM_SPEED_SANDBOX=none ...    # another level (auto: the best that works here)

Cold: a fresh, empty ``$MPM_BUILD_CACHE`` (so Go's own build cache, kept under it, starts
empty too: the first Go case compiles the standard library). Warm: the same run again, every
build found in the cache. Targets: warm under 25% of cold; a Rust or Java case's build + run
under 3 s cold.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from pytest_mpm_bench import sandbox
from pytest_mpm_bench.languages import executor_for, known_languages
from pytest_mpm_bench.observe.run import ExecSettings, execute
from pytest_mpm_bench.suite import load_suite

SUITES = {"go": "golang_mini.json", "java": "java_mini.json", "rust": "rust_mini.json",
          "typescript": "typescript_mini.json"}
HERE = Path(__file__).resolve().parent / "lightweight"


def measure(language: str) -> tuple[float, float, float]:
    """(build seconds, run seconds, slowest case's build + run) over the suite's references."""
    executor = executor_for(language)
    suite = load_suite(HERE / SUITES[language], known_languages())
    level = sandbox.resolve_level(os.environ.get("MPM_SPEED_SANDBOX", "auto"))
    settings = ExecSettings(sandbox.Limits(), level)
    build = run = worst = 0.0
    for case in suite.cases:
        assert case.reference_solution is not None
        started = time.monotonic()
        outcome = execute(case, case.reference_solution, executor, settings)
        total = time.monotonic() - started
        if not outcome.passed:
            print(f"  {case.id}: {outcome.status} {outcome.message}")
        build += total - outcome.run_seconds
        run += outcome.run_seconds
        worst = max(worst, total)
    return build, run, worst


def main(languages: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="mpm-speed-") as cache:
        os.environ["MPM_BUILD_CACHE"] = cache
        print(f"{'language':8} {'pass':5} {'build s':>8} {'run s':>7} {'total s':>8} "
              f"{'worst case s':>12}")
        for language in languages:
            for label in ("cold", "warm"):
                build, run, worst = measure(language)
                print(f"{language:8} {label:5} {build:8.2f} {run:7.2f} {build + run:8.2f} "
                      f"{worst:12.2f}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(SUITES))
