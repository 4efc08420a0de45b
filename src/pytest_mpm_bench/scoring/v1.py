"""The original claude-mpm rubric (v1), kept for continuity with existing baselines.

Same numbers as the seed; the Python patterns are read from the syntax tree instead of
regexes, so ``[x for x in y]`` inside a string or comment no longer earns points.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from pytest_mpm_bench import statuses
from pytest_mpm_bench.observe.run import CaseOutcome

EXPECTED_SECONDS = {"easy": 0.1, "medium": 0.5, "hard": 2.0}
FAILED_STYLE = 4.0  # idiomaticity and best practices of a solution that did not pass
_LOOP_NAMES = {"i", "j", "k"}


def correctness(outcome: CaseOutcome) -> float:
    if outcome.passed:
        return 9.5
    if outcome.completed:  # every test ran: partial credit, as the seed gave
        return min(outcome.pass_rate * 10, 4.0)
    return 0.0


def performance(seconds: float, difficulty: str) -> float:
    ratio = seconds / EXPECTED_SECONDS.get(difficulty, 0.5)
    for bound, score in ((0.5, 9.5), (1.0, 8.5), (2.0, 6.5), (5.0, 4.0)):
        if ratio <= bound:
            return score
    return 2.0


def _tree(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def idiomaticity(source: str, language: str, passed: bool) -> float:
    if not passed:
        return FAILED_STYLE
    tree = _tree(source) if language == "python" else None
    if tree is None:
        return 7.0
    nodes = list(ast.walk(tree))
    score = 7.0
    score += 1.0 if any(isinstance(n, ast.ListComp) for n in nodes) else 0.0
    score += 0.5 if any(isinstance(n, ast.DictComp) for n in nodes) else 0.0
    score += 0.5 if any(isinstance(n, ast.With | ast.AsyncWith) for n in nodes) else 0.0
    hinted = any(
        isinstance(n, ast.AnnAssign)
        or (isinstance(n, ast.arg) and n.annotation is not None)
        or (isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.returns is not None)
        for n in nodes)
    score += 0.5 if hinted else 0.0
    calls_enumerate = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                          and n.func.id == "enumerate" for n in nodes)
    score += 0.5 if calls_enumerate else 0.0
    return min(score, 10.0)


def _has_comment(source: str, language: str) -> bool:
    if language != "python":
        return bool(re.search(r"//|/\*|#", source))
    try:
        return any(tok.type == tokenize.COMMENT
                   for tok in tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return False


def best_practices(source: str, language: str, passed: bool) -> float:
    if not passed:
        return FAILED_STYLE
    score = 7.0 + (1.0 if _has_comment(source, language) else 0.0)
    tree = _tree(source) if language == "python" else None
    if tree is not None:
        documented = [n for n in ast.walk(tree) if isinstance(
            n, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
        if any(ast.get_docstring(n) for n in documented):
            score += 1.0
        short = [n for n in ast.walk(tree) if isinstance(n, ast.Name)
                 and isinstance(n.ctx, ast.Load) and len(n.id) == 1 and n.id not in _LOOP_NAMES]
        if len(short) > 3:
            score -= 1.0
        magic = any(isinstance(n, ast.Compare) and any(isinstance(op, ast.Eq) for op in n.ops)
                    and any(isinstance(c, ast.Constant) and isinstance(c.value, int | float)
                            and not isinstance(c.value, bool) and abs(c.value) >= 10
                            for c in n.comparators)
                    for n in ast.walk(tree))
        if magic:
            score -= 0.5
    return max(0.0, min(score, 10.0))


def score(outcome: CaseOutcome, source: str, language: str, difficulty: str) -> dict[str, float]:
    """The four v1 dimensions for one judged solution."""
    if outcome.status in statuses.NOT_RUN:
        return dict.fromkeys(("correctness", "idiomaticity", "performance", "best_practices"), 0.0)
    return {
        "correctness": correctness(outcome),
        "idiomaticity": idiomaticity(source, language, outcome.passed),
        "performance": performance(outcome.run_seconds, difficulty),
        "best_practices": best_practices(source, language, outcome.passed),
    }
