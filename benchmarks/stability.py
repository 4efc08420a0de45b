"""How stable is the v2 performance score? Three runs of the reference solutions (serial,
serial, ``-n 2``) and the share of cases whose performance score is the same in all three.
Target: at least 90%.

    python benchmarks/stability.py [--mpm-agent python_engineer ...extra pytest args]

The arguments go to pytest as they are; set a fresh ``XDG_CACHE_HOME`` to measure the
references too (else they are read from the cache).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(extra: list[str], report: Path,
        workers: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Each case's performance score, and its CPU-time ratio to the reference."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--mpm-backend", "reference", "-q",
                           "-p", "no:cacheprovider", "--mpm-report", str(report), *workers,
                           *extra], cwd=ROOT, check=False, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    if not report.exists():
        sys.exit(f"pytest wrote no report (exit {done.returncode}):\n"
                 + done.stdout.decode(errors="replace")[-2000:])
    results = json.loads(report.read_text())["results"]
    scores = {f"{r['agent']}/{r['test_id']}": r["dimensions"]["performance"] for r in results}
    ratios = {f"{r['agent']}/{r['test_id']}": e["ratio"] for r in results
              for e in r["evidence"].get("performance", []) if e.get("ratio")}
    return scores, ratios


def spread(ratios: list[dict[str, float]]) -> None:
    """How far one case's ratio moves between runs (max/min): what NOISE must cover."""
    moves = sorted(max(r[c] for r in ratios) / min(r[c] for r in ratios)
                   for c in set.intersection(*(set(r) for r in ratios)))
    if moves:
        pick = {q: moves[min(len(moves) - 1, int(q * len(moves)))] for q in (0.5, 0.9, 0.95)}
        print("ratio spread between runs (max/min): " + ", ".join(
            f"p{int(q * 100)} {v:.2f}" for q, v in pick.items()) + f", max {moves[-1]:.2f}")


def main(extra: list[str]) -> None:
    extra = extra or ["--mpm-agent", "python_engineer"]
    with tempfile.TemporaryDirectory() as tmp:
        measured = [run(extra, Path(tmp, f"r{i}.json"), workers)
                    for i, workers in enumerate(([], [], ["-n", "2"]))]
    runs = [scores for scores, _ in measured]
    cases = sorted(set(runs[0]) & set(runs[1]) & set(runs[2]))
    same = [c for c in cases if runs[0][c] == runs[1][c] == runs[2][c]]
    for case in cases:
        flag = "" if case in same else "   <- differs"
        print(f"{case:<40} {runs[0][case]:>5} {runs[1][case]:>5} {runs[2][case]:>5}{flag}")
    agents = sorted({c.split("/")[0] for c in cases})
    for agent in agents:
        mine = [c for c in cases if c.startswith(f"{agent}/")]
        print(f"{agent:<24} {sum(c in same for c in mine)}/{len(mine)}")
    share = len(same) / len(cases) if cases else 0.0
    spread([ratios for _, ratios in measured])
    print(f"same performance score in all three runs: {len(same)}/{len(cases)} = {share:.0%}")


if __name__ == "__main__":
    main(sys.argv[1:])
