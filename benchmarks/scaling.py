"""Items per minute of one benchmark spread over workers and shards, with an agent that takes
a fixed time per call: the figure of README "Many machines".

    PYTHONPATH=src python3 benchmarks/scaling.py [--agent-seconds 3] [--samples 2]

The suite is ``python_mini.json`` (12 cases) with ``--samples`` samples per case; the agent is
a stand-in that sleeps ``--agent-seconds`` and answers with the case's reference solution, so
every item passes and the agent's time dominates, as with a real agent (30-120 s a call). v1
scoring, no reply cache. Layouts: one process; ``-n 2``; ``-n 4``; two shards run at the same
time (as two CI jobs would) and merged with ``mpm-bench merge``, timed to the end of the
merge. All on this machine: workers beyond its cores only help while they wait for the agent.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SUITE = REPO / "benchmarks" / "lightweight" / "python_mini.json"
STAND_IN = '''\
import json, re, sys, time
suite, test_id, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
time.sleep(seconds)
case_id = re.sub(r"_s[0-9]+$", "", test_id)  # sample k > 0 asks as <case>_s<k>
for case in json.load(open(suite))["tests"]:
    if case["id"] == case_id:
        print("```python\\n" + case["reference_solution"] + "\\n```")
'''


def pytest_args(root: Path, seconds: float, samples: int) -> list[str]:
    agent = (f"{sys.executable} {root / 'stand_in.py'} {root / 'suite.json'} {{test_id}} "
             f"{seconds}")
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "--mpm-agent", "python_engineer", f"--mpm-suite={root / 'suite.json'}",
            "--mpm-backend", "command", "--mpm-agent-cmd", agent, "--mpm-no-cache",
            "--mpm-samples", str(samples), "--mpm-scoring", "v1"]


def timed(commands: list[list[str]], cwd: Path) -> float:
    """Wall seconds to run ``commands`` all at once, to the end of the last."""
    started = time.monotonic()
    running = [subprocess.Popen(c, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for c in commands]
    codes = [p.wait() for p in running]
    if any(code != 0 for code in codes):
        raise SystemExit(f"a benchmark session failed (exit {codes}): {commands}")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agent-seconds", type=float, default=3.0)
    parser.add_argument("--samples", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mpm-scaling-"))
    try:
        shutil.copy(SUITE, root / "suite.json")
        (root / "stand_in.py").write_text(STAND_IN)
        (root / "pytest.ini").write_text("[pytest]\n")
        base = pytest_args(root, args.agent_seconds, args.samples)
        items = 12 * args.samples
        layouts = {"1 process": [base], "-n 2": [[*base, "-n", "2"]],
                   "-n 4": [[*base, "-n", "4"]]}
        rows = []
        for name, commands in layouts.items():
            rows.append((name, timed(commands, root)))
        shards = [[*base, "--mpm-shard", f"{k}/2", f"--mpm-report={root / f'shard{k}.json'}"]
                  for k in (1, 2)]
        merge = [sys.executable, "-m", "pytest_mpm_bench.cli", "merge",
                 str(root / "shard1.json"), str(root / "shard2.json"),
                 "-o", str(root / "merged.json")]
        started = time.monotonic()
        timed(shards, root)
        timed([merge], root)
        rows.append(("2 shards + merge", time.monotonic() - started))
        print(f"{items} items, agent {args.agent_seconds:g} s per call, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        print(f"{'layout':<18} {'seconds':>8} {'items/min':>10} {'speed-up':>9}")
        for name, seconds in rows:
            print(f"{name:<18} {seconds:>8.1f} {items * 60 / seconds:>10.1f} "
                  f"{rows[0][1] / seconds:>8.2f}x")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
