"""What a solution may import (docs/values.md, "Imports"): per language, a solution using what
is provided passes, and one importing a package that is not provided gets a status and a message
that say so ("imports X, which this benchmark does not provide"), never a bare runtime error."""

from __future__ import annotations

import pytest

from pytest_mpm_bench import statuses
from pytest_mpm_bench.languages import executor_for
from pytest_mpm_bench.observe.run import CaseOutcome
from tests.helpers import run_solution

ADD = [{"args": [1, 2], "expected": 3}]

PROVIDED = {
    "python": ("import itertools\nfrom collections import Counter\n\n"
               "def add(a, b):\n    return sum(Counter(itertools.chain([a], [b])).elements())\n",
               "add"),
    "go": ('package main\n\nimport (\n\t"math/big"\n\t"strings" // not github.com/x\n)\n\n'
           "func Add(a, b int) int {\n\t_ = strings.TrimSpace\n"
           "\tsum := new(big.Int).Add(big.NewInt(int64(a)), big.NewInt(int64(b)))\n"
           "\treturn int(sum.Int64())\n}\n",
           "Add"),
    "java": ("import java.util.*;\nimport java.util.stream.IntStream;\n"
             "import static java.lang.Math.addExact;\n\n"
             "class Solution {\n    public int add(int a, int b) { return addExact(a, b); }\n}\n",
             "add"),
    "rust": ("use std::collections::HashMap;\nenum Op { Plus }\nuse Op::*;\n\n"
             "fn add(a: i64, b: i64) -> i64 {\n    let _m: HashMap<i64, i64> = HashMap::new();\n"
             "    match Plus { Plus => a + b }\n}\n", "add"),
    "php": "<?php\nfunction add(int $a, int $b): int { return array_sum([$a, $b]); }\n",
    "typescript": ("import _ from 'lodash';\nimport { createHash } from 'node:crypto';\n\n"
                   "export function add(a: number, b: number): number {\n"
                   "  createHash('md5');\n  return _.sum([a, b]);\n}\n"),
    "ruby": ("require 'set'\nrequire 'prime'\n\n"
             "def add(a, b)\n  Set[a, b].sum + (a == b ? a : 0)\nend\n"),
}

MISSING = {
    "python": ("import numpy as np\n\ndef add(a, b):\n    return int(np.add(a, b))\n", "add",
               statuses.RUNTIME_ERROR, "imports numpy, which this benchmark does not provide"),
    "go": ('package main\n\nimport (\n\t"fmt"\n\t"github.com/stretchr/testify/assert"\n)\n\n'
           "func Add(a, b int) int { _ = assert.New; _ = fmt.Sprint; return a + b }\n", "Add",
           statuses.COMPILE_ERROR,
           "imports github.com/stretchr/testify/assert, which this benchmark does not provide"),
    "java": ("import org.apache.commons.lang3.math.NumberUtils;\n\nclass Solution {\n"
             "    public int add(int a, int b) { return NumberUtils.max(a + b); }\n}\n", "add",
             statuses.COMPILE_ERROR,
             "imports org.apache.commons.lang3.math.NumberUtils, which this benchmark does not"),
    "rust": ("use rand::Rng;\n\nfn add(a: i64, b: i64) -> i64 { a + b }\n", "add",
             statuses.COMPILE_ERROR, "imports rand, which this benchmark does not provide"),
    "php": ("<?php\nuse Illuminate\\Support\\Collection;\n\nfunction add($a, $b) {\n"
            "    return Collection::make([$a, $b])->sum();\n}\n", "add", statuses.RUNTIME_ERROR,
            "imports Illuminate\\Support\\Collection, which this benchmark does not provide"),
    "typescript": ("import { z } from 'zod';\n\n"
                   "export function add(a: number, b: number): number {\n"
                   "  return z.number().parse(a) + b;\n}\n", "add", statuses.COMPILE_ERROR,
                   "imports 'zod', which this benchmark does not provide"),
    "ruby": ("require 'nokogiri'\n\ndef add(a, b)\n  a + b\nend\n", "add",
             statuses.RUNTIME_ERROR, "requires nokogiri, which this benchmark does not provide"),
}


def run(language: str, source: str, entry: str) -> CaseOutcome:
    executor = executor_for(language)
    if executor.missing():
        pytest.skip(str(executor.missing()))
    return run_solution(executor, f"{language}_engineer", source, ADD, entry, level="none")


@pytest.mark.parametrize("language", sorted(PROVIDED))
def test_what_is_provided_can_be_imported(language: str) -> None:
    provided = PROVIDED[language]
    source, entry = provided if isinstance(provided, tuple) else (provided, "add")
    outcome = run(language, source, entry)
    assert outcome.status == statuses.PASSED, outcome


@pytest.mark.parametrize("language", sorted(MISSING))
def test_a_missing_package_is_named(language: str) -> None:
    source, entry, status, message = MISSING[language]
    outcome = run(language, source, entry)
    assert outcome.status == status, outcome
    said = f"{outcome.message} {outcome.tests[0].error if outcome.tests else ''}"
    assert message in said, said


def test_python_import_inside_the_function_fails_that_test_with_the_message() -> None:
    source = "def add(a, b):\n    import pandas\n    return a + b\n"
    outcome = run("python", source, "add")
    assert outcome.status == statuses.RUNTIME_ERROR
    assert outcome.tests[0].error == (
        "imports pandas, which this benchmark does not provide")


def test_php_composer_autoloader_is_named() -> None:
    source = ("<?php\nrequire __DIR__ . '/vendor/autoload.php';\n"
              "function add($a, $b) { return $a + $b; }\n")
    outcome = run("php", source, "add")
    assert outcome.status == statuses.RUNTIME_ERROR
    assert "imports vendor/autoload.php (Composer packages), which this benchmark does not " \
        "provide" in outcome.message


def test_php_own_namespace_missing_class_is_a_plain_error() -> None:
    source = "<?php\nnamespace App;\nfunction add($a, $b) { return new Missing(); }\n"
    outcome = run("php", source, "add")
    assert outcome.status == statuses.RUNTIME_ERROR
    assert 'Class "App\\Missing" not found' in outcome.tests[0].error
