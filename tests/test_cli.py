"""``mpm-bench``: its subcommands on a small history, its errors, where it finds the database.

The sessions that write a history and the console script run as a process are in
``tests/test_history.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mpm_bench import cli
from pytest_mpm_bench.report import history
from pytest_mpm_bench.report.json_report import JsonReport
from tests.helpers import history_result as result
from tests.helpers import record_run as record


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "h.sqlite"
    record(path, [result("c1"), result("c2")])
    record(path, [result("c1", passed=False), result("c2"), result("c3")], interrupted=True)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_history_lists_runs(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "history", "--db", str(db))
    assert code == 0
    assert out.splitlines() == [
        "id  date (UTC)        agents  tests  pass  score  cost  commit  status",
        "-" * 75,
        " 1  2024-05-01 10:00  a           2  100%   9.00     -  c0ffee  complete",
        " 2  2024-05-01 10:00  a           3   67%   6.33     -  c0ffee  interrupted",
    ]


def test_show_prints_summary_and_cases(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "run:2", "--db", str(db))
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == ["run 2  2024-05-01 10:00 UTC  interrupted (exit 2)",
                         "commit c0ffee  plugin 0.1.0  scoring v2  sandbox -  suites abababababab"
                         "  python -"]
    assert lines[5].split() == ["a", "3", "2", "67%", "6.33", "8.00", "5.00", "6.33",
                                "0.0", "-", "-", "-", "-", "easy", "2/3"]  # no usage recorded
    assert lines[-5:] == [
        "agent  case  status        corr  idiom  securi  score",
        "-----------------------------------------------------",
        "a      c1    wrong_answer  1.00   8.00    5.00   1.00",
        "a      c2    passed        9.00   8.00    5.00   9.00",
        "a      c3    passed        9.00   8.00    5.00   9.00",
    ]


def test_compare_two_runs_and_a_report(db: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", "1", "2", "--db", str(db))
    assert code == 0
    assert out.splitlines() == [
        "history run 2 compared with history run 1",
        "a: weighted -4.00 (95% CI -8.00 .. +0.00) over 2 cases; correctness -4.00, "
        "idiomaticity +0.00, security +0.00",
        "  changed cases: c1 -8.00",
        "  regressed (passed before): c1",
        "",
        "agent  case  status                   corr  idiom  securi         score  delta",
        "------------------------------------------------------------------------------",
        "a      c1    passed -> wrong_answer  -8.00  +0.00   +0.00  9.00 -> 1.00  -8.00",
        "a      c2    passed                  +0.00  +0.00   +0.00  9.00 -> 9.00  +0.00",
    ]
    # A report file and a history run compare through the same function.
    report = tmp_path / "report.json"
    JsonReport(report, {}, {}).add(result("c1", passed=False))
    code, out, _ = run(capsys, "compare", "1", str(report), "--db", str(db))
    assert code == 0 and out.splitlines()[0] == f"{report} compared with history run 1"
    assert "a: weighted -8.00 (95% CI -8.00 .. -8.00) over 1 cases" in out


@pytest.mark.parametrize("argv, message", [
    (["history"], "no history database at"),
    (["show", "9"], "no run 9 in"),
    (["compare", "1", "missing.json"], "cannot read report missing.json"),
])
def test_errors_are_one_line_and_exit_2(db: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch, argv: list[str],
                                        message: str) -> None:
    monkeypatch.chdir(db.parent)
    if argv[0] != "history":
        argv = [*argv, "--db", str(db)]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("mpm-bench: ") and message in err


def test_a_file_that_is_not_a_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database\n" * 20)
    code, _, err = run(capsys, "history", "--db", str(bad))
    assert code == 2 and err == f"mpm-bench: {bad} is not an SQLite database, so not a " \
                                "pytest-mpm-bench history\n"


def test_bad_run_id_is_a_usage_error(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["show", "latest", "--db", str(db)])
    assert exit_info.value.code == 2
    assert "not a run id: 'latest'" in capsys.readouterr().err


@pytest.mark.parametrize("name, text", [
    ("pytest.ini", "[pytest]\nmpm_history = runs/h.db\n"),
    ("tox.ini", "[tox]\n[pytest]\nmpm_history = runs/h.db\n"),
    ("setup.cfg", "[tool:pytest]\nmpm_history = runs/h.db\n"),
    ("pyproject.toml", '[tool.pytest.ini_options]\nmpm_history = "runs/h.db"\n'),
])
def test_default_db_comes_from_the_ini_as_pytest_finds_it(tmp_path: Path, name: str,
                                                          text: str) -> None:
    (tmp_path / name).write_text(text)
    below = tmp_path / "a" / "b"
    below.mkdir(parents=True)
    assert cli.default_db(below) == tmp_path / "runs" / "h.db"


def test_default_db_without_an_ini_value(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text("[tox]\nenvlist = py\n")  # not pytest's config
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert cli.default_db(tmp_path) == tmp_path / history.DEFAULT_PATH
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -q\n")  # pytest's, no value
    assert cli.default_db(tmp_path) == tmp_path / history.DEFAULT_PATH


def test_an_empty_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "h.db"
    history.prepare(empty)
    assert run(capsys, "history", "--db", str(empty)) == (0, f"no runs recorded in {empty}\n", "")
