"""Per-run overhead of each sandbox level relative to ``none``, measured side by side.

Runs ``python3 -c pass`` N times at every level that works here, as a solution run (a leased
uid) and as a tool run (a build or an analyser: the tool uid, the toolchain shown), interleaving
the levels so machine noise hits them alike, and prints the median wall time and its overhead
over ``none``. Target: bwrap adds under 30 ms a run.

    python benchmarks/sandbox_overhead.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from pytest_mpm_bench import sandbox


def main(rounds: int) -> None:
    levels = ["none"] + [lvl for lvl in ("unshare", "bwrap") if sandbox._works(lvl) is None]
    limits = sandbox.Limits(wall_seconds=10)
    argv = ["/usr/bin/python3", "-c", "pass"]
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for level in levels:
            for kind in ("solution", "tool"):
                workdir = Path(tempfile.mkdtemp(prefix="mpm-bench-"))
                started = time.perf_counter()
                if kind == "solution":
                    result = sandbox.run(argv, workdir=workdir, limits=limits, level=level)
                else:
                    result = sandbox.Tools(level).run(argv, workdir=workdir)
                times.setdefault((kind, level), []).append(time.perf_counter() - started)
                assert result.exit_code == 0, result
                workdir.rmdir()
    print(f"{'run':<9} {'level':<10} {'median ms':>10} {'p90 ms':>8} {'overhead ms':>12}  "
          f"({rounds} runs)")
    for kind in ("solution", "tool"):
        base = statistics.median(times[(kind, "none")])
        for level in levels:
            ordered = sorted(times[(kind, level)])
            median = statistics.median(ordered)
            p90 = ordered[int(0.9 * (len(ordered) - 1))]
            print(f"{kind:<9} {level:<10} {median * 1000:>10.1f} {p90 * 1000:>8.1f} "
                  f"{(median - base) * 1000:>+12.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
