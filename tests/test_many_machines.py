"""One benchmark over many machines: the same results from one process, from ``-n 2``, from
``--tx`` workers in directories of their own (standing in for hosts that share no disk with the
controller), over an execnet socket gateway, and from shards merged by ``mpm-bench merge``.

Scores are compared without the performance dimension (given weight 0 here): it is a
measured time, which differs between any two runs on a loaded machine, sharded or not.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import execnet
import pytest

from pytest_mpm_bench import cli
from pytest_mpm_bench.report import compare
from tests.helpers import REPO, make_case, make_suite

INI = ("[pytest]\n"
       "mpm_weights = correctness:0.5 idiomaticity:0.3 best_practices:0.2 performance:0\n")
RIGHT = "def add(a: int, b: int) -> int:\n    \"\"\"Sum.\"\"\"\n    return a + b\n"
WRONG = "def add(a, b):\n    return a - b\n"
#: Recorded replies per (case, sample): c2 always wrong, c4 wrong in its second sample (so
#: pass@k has something to say), c6 has no second reply (a skip, which is not missing).
REPLIES = {(f"c{i}", s): WRONG if i == 2 or (i == 4 and s == 1) else RIGHT
           for i in range(1, 7) for s in (0, 1) if (i, s) != (6, 1)}
BENCH = ("--mpm-agent", "py_agent", "--mpm-suite=suites/mini.json", "--mpm-backend", "replay",
         "--mpm-replay-dir=replies", "--mpm-samples", "2", "-p", "no:cacheprovider")


def host(root: Path, replies: bool = True, cases: int = 6) -> Path:
    """A copy of what a machine needs: the ini, the suite (its first ``cases`` cases) and
    (unless not) the replies."""
    (root / "suites").mkdir(parents=True)
    (root / "pytest.ini").write_text(INI)
    (root / "suites" / "mini.json").write_text(json.dumps(
        make_suite(*(make_case(f"c{i}") for i in range(1, cases + 1)))))
    (root / "replies" / "py_agent").mkdir(parents=True)
    if replies:
        for (case, sample), code in REPLIES.items():
            name = case + (f".s{sample}" if sample else "")
            (root / "replies" / "py_agent" / f"{name}.md").write_text(f"```python\n{code}```\n")
    return root


def run_in(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, where: Path,
           *args: str) -> pytest.RunResult:
    monkeypatch.chdir(where)
    return pytester.run(sys.executable, "-m", "pytest", *BENCH, *args, timeout=600)


def verdicts(doc: dict[str, Any]) -> dict[tuple[str, str, int], Any]:
    return {(r["agent"], r["test_id"], r["sample"]):
            (r["status"], {d: v for d, v in r["dimensions"].items() if d != "performance"},
             r["weighted_score"]) for r in doc["results"]}


def without_performance(value: Any) -> Any:
    """The summary with every average of the performance dimension left out."""
    if isinstance(value, dict):
        return {k: without_performance(v) for k, v in value.items() if k != "performance"}
    return value


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def test_one_process_xdist_tx_workers_and_merged_shards_agree(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("reports")
    main = host(tmp_path_factory.mktemp("controller"))
    serial = run_in(pytester, monkeypatch, main, "--mpm-scoring", "v1",
                    f"--mpm-report={out / 'serial.json'}")
    serial.assert_outcomes(passed=8, failed=3, skipped=1)
    runs = {"serial": read(out / "serial.json")}

    gate = (f"--mpm-compare={out / 'serial.json'}", "--mpm-fail-regression", "0")
    n2 = run_in(pytester, monkeypatch, main, "--mpm-scoring", "v1", "-n", "2", *gate,
                f"--mpm-report={out / 'n2.json'}")
    n2.assert_outcomes(passed=8, failed=3, skipped=1)
    assert "REGRESSION" not in n2.stdout.str()
    runs["-n 2"] = read(out / "n2.json")

    # Two "hosts": copies of the project's files, each a --tx worker's own directory. The
    # controller's replay dir is empty, so every reply judged was read on a worker's side.
    hosts = [host(tmp_path_factory.mktemp(f"host{i}")) for i in (1, 2)]
    bare = host(tmp_path_factory.mktemp("bare-controller"), replies=False)
    tx = run_in(pytester, monkeypatch, bare, "--mpm-scoring", "v1", "--dist", "load",
                *(f"--tx=popen//chdir={h}" for h in hosts), f"--mpm-report={out / 'tx.json'}")
    tx.assert_outcomes(passed=8, failed=3, skipped=1)
    runs["--tx"] = read(out / "tx.json")
    workers = runs["--tx"]["environment"]["workers"]
    assert sorted(w["rootdir"] for w in workers.values()) == sorted(map(str, hosts))
    assert not (bare / ".mpm_cache").exists()

    shards = []
    for index in (1, 2, 3):
        report = out / f"shard{index}.json"
        result = run_in(pytester, monkeypatch, main, "--mpm-scoring", "v1",
                        "--mpm-shard", f"{index}/3", f"--mpm-report={report}")
        assert result.ret in (0, 1), result.stdout.str()
        shards.append(str(report))
    merged = out / "merged.json"
    assert cli.main(["merge", *shards, "-o", str(merged), "--compare", str(out / "serial.json"),
                     "--fail-regression", "0"]) == 0
    runs["merged shards"] = read(merged)

    expected = verdicts(runs["serial"])
    assert len(expected) == 11
    for name, doc in runs.items():
        assert doc["complete"] is True and doc["summary"]["missing"] == 0, name
        assert verdicts(doc) == expected, name
        assert without_performance(doc["summary"]) == without_performance(
            runs["serial"]["summary"]), name
        comparison = compare.compare(doc["results"], runs["serial"]["results"])
        assert compare.gate(comparison, 0.0) == [], name
    assert runs["serial"]["summary"]["agents"]["py_agent"]["pass_at_k"] == {
        "pass@1": round((4 + 0 + 0.5) / 6, 4)}


def test_v2_scoring_merged_shards_agree_with_one_process(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    main = host(tmp_path / "project", cases=3)  # v2 runs the analysers: kept small
    one = run_in(pytester, monkeypatch, main, "--mpm-samples", "1",
                 f"--mpm-report={tmp_path / 'one.json'}")
    one.assert_outcomes(passed=2, failed=1)
    for index in (1, 2):
        run_in(pytester, monkeypatch, main, "--mpm-samples", "1", "--mpm-shard", f"{index}/2",
               f"--mpm-report={tmp_path / f'part{index}.json'}")
    merged = tmp_path / "merged.json"
    assert cli.main(["merge", str(tmp_path / "part1.json"), str(tmp_path / "part2.json"),
                     "-o", str(merged)]) == 0
    whole, parts = read(tmp_path / "one.json"), read(merged)
    assert parts["config"]["scoring"] == "v2" and parts["complete"]
    assert verdicts(parts) == verdicts(whole)
    assert without_performance(parts["summary"]) == without_performance(whole["summary"])


@pytest.fixture
def socket_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, Path]]:
    """execnet's socket server on 127.0.0.1 (any free port), run in a host directory of its
    own, with this checkout's package importable. It runs whatever a client sends: loopback
    only, and only for this test."""
    root = host(tmp_path / "socket-host")
    log = tmp_path / "server.log"
    script = Path(execnet.__file__).parent / "script" / "socketserver.py"
    monkeypatch.setenv("PYTHONPATH", str(REPO / "src"))
    with log.open("w") as sink:
        server = subprocess.Popen([sys.executable, "-u", str(script), "127.0.0.1:0"], cwd=root,
                                  stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"Entering Accept loop \('127\.0\.0\.1', (\d+)\)",
                                      log.read_text())):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield int(found.group(1)), root
    finally:
        server.kill()
        server.wait()


def test_a_socket_gateway_worker_runs_the_cases_in_its_own_directory(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        socket_server: tuple[int, Path]) -> None:
    port, remote_root = socket_server
    bare = host(tmp_path / "controller", replies=False)
    report = tmp_path / "socket.json"
    result = run_in(pytester, monkeypatch, bare, "--mpm-scoring", "v1", "-d",
                    f"--tx=socket=127.0.0.1:{port}//chdir={remote_root}",
                    f"--mpm-report={report}")
    result.assert_outcomes(passed=8, failed=3, skipped=1)
    doc = read(report)
    assert [w["rootdir"] for w in doc["environment"]["workers"].values()] == [str(remote_root)]
    assert doc["complete"] and len(doc["results"]) == 11


def test_a_worker_whose_suite_differs_from_the_controllers_is_a_warning(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    main, other = host(tmp_path / "controller"), host(tmp_path / "worker")
    suite = other / "suites" / "mini.json"
    suite.write_text(suite.read_text().replace("Add two integers.", "Add two whole numbers."))
    report = tmp_path / "report.json"
    result = run_in(pytester, monkeypatch, main, "--mpm-scoring", "v1", "-d",
                    f"--tx=popen//chdir={other}", f"--mpm-report={report}")
    line = (f"worker gw0 ({socket.gethostname()}) read suites whose content differs from the "
            "controller's: mini.json")
    result.stdout.fnmatch_lines([f"WARNING: {line}"])
    assert line in read(report)["config"]["warnings"]


def test_a_path_argument_xdist_cannot_hand_to_a_worker_is_one_clear_line(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    main, other = host(tmp_path / "controller"), host(tmp_path / "worker")
    monkeypatch.chdir(main)
    result = pytester.run(sys.executable, "-m", "pytest", "--mpm-agent", "py_agent",
                          "--mpm-suite", "suites/mini.json", "-d", f"--tx=popen//chdir={other}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: pytest-xdist cannot hand the path argument "
                                 "'suites/mini.json' to --tx workers * write it as one "
                                 "argument, --mpm-suite=suites/mini.json, *"])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_a_worker_that_cannot_start_is_not_restarted_forever(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    main, empty = host(tmp_path / "controller"), tmp_path / "empty-host"
    empty.mkdir()
    result = run_in(pytester, monkeypatch, main, "-d", f"--tx=popen//chdir={empty}")
    output = result.stdout.str()
    assert "maximum crashed workers reached: 4" in output
    assert f"UsageError: --mpm-replay-dir {empty / 'replies'} is not a directory" in output
    assert result.ret != 0


def test_the_doctor_checks_each_tx_worker_where_it_runs(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ready, empty = host(tmp_path / "ready"), tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(host(tmp_path / "controller"))
    result = pytester.run(sys.executable, "-m", "pytest", "--mpm-doctor",
                          f"--tx=popen//chdir={ready}", f"--tx=popen//chdir={empty}",
                          "--mpm-suite=suites/mini.json", "--mpm-backend", "replay",
                          "--mpm-replay-dir=replies", timeout=600)
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        f"== worker --tx popen//chdir={ready}", f"host * directory {ready}",
        "pytest-mpm-bench doctor", "python * ok: Python *",
        f"suite * ok: {ready}/suites/mini.json", f"replay dir * ok: {ready}/replies",
        f"== worker --tx popen//chdir={empty}",
        f"suite * FAILS: missing: {empty}/suites/mini.json",
        f"replay dir * FAILS: missing: {empty}/replies"])


def test_mpm_bench_doctor_names_a_worker_it_cannot_reach() -> None:
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # A subprocess, as a user runs it (execnet leaves the failed connection's socket to the
    # garbage collector, a warning that this project's tests turn into an error).
    done = subprocess.run([sys.executable, "-m", "pytest_mpm_bench.cli", "doctor", "--tx",
                           f"socket=127.0.0.1:{port}"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == f"== worker --tx socket=127.0.0.1:{port}"
    assert out[1].startswith("gateway") and "FAILS: cannot start or reach it" in out[1]
