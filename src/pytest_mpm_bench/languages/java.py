"""Java: the solution, ``drivers/MpmDriver.java`` and generated glue, built with ``javac``.

Conventions (documented for suite authors and agents):

- The solution is one compilation unit in the default package; it may declare one public
  top-level type (the file is named after it) and any number of package-private ones.
- ``"kind": "function"``: ``entry_point`` names a method of a top-level class of the solution
  (static, or an instance method of a class with a no-argument constructor, LeetCode style);
  JSON arguments are converted by reflection into its parameter types (primitives, boxed
  types, String, arrays, List/Set/Queue/Map with generic element types, Optional).
- ``"kind": "class"``: ``entry_point`` names a class; ``__init__`` calls its public
  constructor with that many arguments, later calls its methods by name.
- ``code``: the snippet is the body of a ``java.util.function.Supplier<Object>``, compiled
  next to the solution with ``java.util.*``, ``java.util.function.*``, ``java.util.stream.*``,
  ``java.util.concurrent.*`` and ``java.util.concurrent.atomic.*`` imported.
- Imports: Java SE only (``java.*``, ``javax.*``, ...); another import is a compile error,
  "imports X, which this benchmark does not provide". How each JSON value is handed to each
  parameter type, and each result written back: docs/values.md.
- Results: arrays and collections become lists, maps objects, records objects of their
  components, enums their names, Optional its value or null; ``double`` stays a float.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, ClassVar

from pytest_mpm_bench.languages.compiled import CompiledExecutor

_TYPE = re.compile(r"^(?:(?:public|final|abstract|sealed|non-sealed|static|strictfp)\s+)*"
                   r"(class|interface|record|enum)\s+([A-Za-z_]\w*)", re.MULTILINE)
_PUBLIC = re.compile(r"^public\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\s+)*"
                     r"(?:class|interface|record|enum)\s+([A-Za-z_]\w*)", re.MULTILINE)
IMPORTS = ("java.util.*", "java.util.function.*", "java.util.stream.*",
           "java.util.concurrent.*", "java.util.concurrent.atomic.*")
#: javac's and the analysers' JVM sizes: without a memory cgroup (not root) the address space is
#: the only bound, and a JVM's default reservations (1 GiB of class space alone) pass it.
TOOL_JVM_SIZES = ("-Xmx512m", "-XX:CompressedClassSpaceSize=64m", "-XX:ReservedCodeCacheSize=64m",
                  "-XX:MaxMetaspaceSize=256m")
#: -Xbatch: a method is compiled before it runs on, not in a background thread while the
#: interpreter goes on; how much ran interpreted then no longer depends on how soon that thread
#: got a core, which moved a run's CPU time by 20-40% on a busy 2-core machine (performance
#: scores stable in all three runs of benchmarks/stability.py: 5-8 of 12 Java cases without
#: it, 11-12 of 12 with it).
JVM_FLAGS = ("-XX:+UseSerialGC", "-Xbatch", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
             "-XX:-UsePerfData", "-Xss16m", "-Xmx512m", "-XX:MaxMetaspaceSize=128m",
             "-XX:ReservedCodeCacheSize=64m", "-XX:CompressedClassSpaceSize=64m",
             "-XX:ActiveProcessorCount=2", "-XX:MaxDirectMemorySize=64m")


_IMPORT = re.compile(r"^\s*import\s+(?:static\s+)?([\w.]+?)(?:\.\*)?\s*;", re.MULTILINE)
#: The packages of Java SE (and the JDK's own): what a solution may import.
JAVA_SE = ("java.", "javax.", "jdk.", "org.w3c.", "org.xml.", "org.ietf.", "com.sun.")


def foreign_imports(source: str) -> list[str]:
    """The imported names outside Java SE (``org.apache.commons...``, ``com.google...``)."""
    return [name for name in _IMPORT.findall(source) if not name.startswith(JAVA_SE)]


def java_home_bin(tool: str) -> str | None:
    return shutil.which(tool)


class JavaExecutor(CompiledExecutor):
    language: ClassVar[str] = "java"
    fence_tags: ClassVar[tuple[str, ...]] = ("java",)
    source_name: ClassVar[str] = "Solution.java"
    driver_name: ClassVar[str] = "MpmDriver.java"
    requires: ClassVar[tuple[str, ...]] = ("javac", "java")
    install_hint: ClassVar[str] = "scripts/install-toolchains java"
    # Measured with JVM_FLAGS (Java 17): a JVM that has just started maps about 1 GiB (the
    # 512 MiB heap, class space, code cache, the modules image, a 16 MiB stack per thread),
    # almost none of it used; JVM_FLAGS bound the heap, metaspace, code and direct buffers.
    reserved_address_space: ClassVar[int] = 768 << 20
    # glibc reserves 64 MiB of address space per malloc arena, up to 8 per core.
    run_env: ClassVar[dict[str, str]] = {"MALLOC_ARENA_MAX": "2"}

    def defines_entry_point(self, source: str, entry_point: str) -> bool:
        name = re.escape(entry_point)
        return re.search(rf"\b(class|record|interface|enum)\s+{name}\b|\b{name}\s*\(",
                         source) is not None

    def screen(self, solution: str) -> str | None:
        foreign = foreign_imports(solution)
        if foreign:
            return (f"{self.file_name(solution)} imports {foreign[0]}, which this benchmark does "
                    "not provide (Java solutions may import Java SE only)")
        return None

    def toolchain_version(self) -> str | None:
        javac = java_home_bin("javac")
        if javac is None:
            return None
        out = subprocess.run([javac, "-version"], capture_output=True, text=True,
                             check=False, timeout=60)
        return (out.stdout or out.stderr).strip() or None

    def file_name(self, solution: str) -> str:
        public = _PUBLIC.search(solution)
        name = f"{public.group(1)}.java" if public else self.source_name
        return self.source_name if name in (self.driver_name, "MpmCodes.java") else name

    def build_files(self, solution: str, spec: dict[str, Any]) -> dict[str, str]:
        classes = [m.group(2) for m in _TYPE.finditer(solution)]
        return {self.file_name(solution): solution, self.driver_name: self.driver_source(),
                "MpmCodes.java": self.codes_file(spec, classes)}

    def codes_file(self, spec: dict[str, Any], classes: list[str]) -> str:
        tests = [json.loads(t) for t in spec.get("tests", [])]
        snippets = sorted({t["code"] for t in tests if "code" in t})
        lines = ["// Generated by pytest-mpm-bench: the solution's classes and code snippets."]
        lines += [f"import {name};" for name in IMPORTS]
        lines += ["", "final class MpmCodes {",
                  "    static final String[] CLASSES = {"
                  + ", ".join(json.dumps(c) for c in classes) + "};",
                  "    static final Map<String, Supplier<Object>> CODES = new HashMap<>();",
                  "    static {"]
        for snippet in snippets:
            key = json.dumps(snippet, ensure_ascii=False)
            lines.append(f"        CODES.put({key}, () -> {{\n{snippet}\n        }});")
        lines += ["    }", "}"]
        return "\n".join(lines) + "\n"

    def build_argv(self, srcdir: Path, outdir: Path) -> list[str]:
        sources = sorted(p.name for p in srcdir.glob("*.java")) if srcdir.is_dir() else []
        return [java_home_bin("javac") or "javac", "-J-XX:+UseSerialGC",
                "-J-XX:TieredStopAtLevel=1", "-J-Xshare:auto", *(f"-J{f}" for f in TOOL_JVM_SIZES),
                "-proc:none", "-encoding", "UTF-8",
                "-nowarn", "-Xmaxerrs", "20", "-d", str(outdir), *sources]

    def command(self, workdir: Path) -> list[str]:
        return [java_home_bin("java") or "java", *JVM_FLAGS,
                "--add-opens=java.base/java.io=ALL-UNNAMED", "-cp", str(workdir), "MpmDriver"]
