"""The dashboard in a real browser: headless Chromium loads the file, runs its script, and runs
nothing a solution wrote. Skips only when Chromium is not installed
(``scripts/install-toolchains chromium``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import bench, make_case, make_suite, parse_html, replies

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Headless as root on a machine without network: no sandbox (root), no GPU, and none of the
# background connections Chromium makes at start-up.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0")
PWN = 'document.documentElement.setAttribute("data-pwned", "{}")'
HOSTILE = (f"</script><script>{PWN.format('script')}</script>"
           f"<img src=x onerror='{PWN.format('img')}'>")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed; install it with: "
                       "scripts/install-toolchains chromium"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def dump_dom(page: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                           page.resolve().as_uri()],
                          capture_output=True, text=True, timeout=180, check=False)


def test_dashboard_runs_its_script_and_nothing_else(pytester: pytest.Pytester,  # type: ignore[no-untyped-def]
                                                   write_suite, tmp_path: Path) -> None:
    suite = write_suite(make_suite(make_case("c1", name=f"Add {HOSTILE}"), make_case("c2")))
    wrong = ("def add(a, b):\n"
             f"    # {HOSTILE}\n"
             "    if a > 10**6:\n"
             f"        return {HOSTILE!r}\n"
             "    return a + b\n")
    root = replies(tmp_path, c1="def add(a, b):\n    return a + b\n", c2=wrong)
    page = tmp_path / "dash.html"
    bench(pytester, suite, "--mpm-backend", "replay", "--mpm-replay-dir", str(root),
          "--mpm-html", str(page)).assert_outcomes(passed=1, failed=1)

    shown = dump_dom(page, tmp_path / "profile")
    assert shown.returncode == 0, shown.stderr[-3000:]
    dom = parse_html(shown.stdout)
    document = dom.find("html")
    assert document.attrs.get("data-mpm-ready") == "ok", document.attrs
    assert "data-mpm-error" not in document.attrs
    assert "data-pwned" not in document.attrs  # no solution text ran
    console = [line for line in shown.stderr.splitlines() if ":CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "Security Policy" in line], \
        console

    leaderboard = dom.find("table", id="leaderboard")
    row = leaderboard.find("tr", data_agent="py_agent")
    assert row.find("td", data_key="pass_rate").text().endswith("50.0%")
    assert "hidden" not in dom.find("div", class_="controls").attrs  # the script showed them
    assert dom.find("span", id="case-count").text() == "2 of 2 cases shown"
    assert dom.find("details", data_test_id="c2").find("pre", data_field="actual").text() == (
        HOSTILE)
