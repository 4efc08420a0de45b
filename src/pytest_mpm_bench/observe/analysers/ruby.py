"""Ruby: rubocop, one run for both dimensions, with our ``rubocop.yml`` as its only config.

- idiomaticity: the Style, Layout and Naming departments (and any other but the two below);
- best_practices: Lint (likely bugs: useless assignments, shadowing, unreachable code, ...) and
  Security (``eval``, ``Kernel#open``, ``Marshal.load``, ...);
- Metrics is disabled: lizard scores complexity and length for every language.

Points by rubocop's severity: fatal and error 3, warning 2, convention and refactor 1; a
Security offence is 3 whatever its severity (rubocop files them as conventions). A style cop
repeated on many lines counts at most 3 points (``cap_repeats``). ``rubocop:disable`` and
``rubocop:todo`` comments in the solution are ignored; no .rubocop.yml but ours is read, and
nothing is cached. A file rubocop cannot parse (``Lint/Syntax``: no other cop ran) is a failure
of rubocop.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from pytest_mpm_bench.observe.analysers import Analyser, Finding, cap_repeats, tool_failure

CONFIG = "mpm-rubocop.yml"
POINTS = {"fatal": 3.0, "error": 3.0, "warning": 2.0, "convention": 1.0, "refactor": 1.0,
          "info": 0.0}
PRACTICES = ("Lint", "Security")


def prepare(workdir: Path, file_name: str) -> None:
    config = resources.files(__package__).joinpath("rubocop.yml").read_text(encoding="utf-8")
    (workdir / CONFIG).write_text(config, encoding="utf-8")


def parse(out: str, err: str) -> list[Finding]:
    findings: list[Finding] = []
    for report in json.loads(out)["files"]:
        for offence in report["offenses"]:
            cop = str(offence["cop_name"])
            if cop == "Lint/Syntax":
                return [tool_failure("rubocop", f"line {offence['location']['start_line']}: "
                                                f"{offence['message']}")]
            department = cop.split("/")[0]
            points = 3.0 if department == "Security" else POINTS.get(offence["severity"], 1.0)
            findings.append({"tool": "rubocop", "rule": cop,
                             "line": offence["location"]["start_line"],
                             "message": offence["message"], "points": points,
                             "dimension": "best_practices" if department in PRACTICES
                             else "idiomaticity"})
    return cap_repeats(findings)


ANALYSERS = [
    Analyser("rubocop", "idiomaticity", ("ruby",), "rubocop",
             lambda f: ["rubocop", "--cache", "false", "--format", "json", "--no-color",
                        "--ignore-disable-comments", "--config", CONFIG, f],
             parse, prepare=prepare, also=("best_practices",)),
]
