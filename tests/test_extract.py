from __future__ import annotations

from pytest_mpm_bench.extract import code_blocks, extract_code
from pytest_mpm_bench.languages import executor_for

PY = executor_for("python")


def extract(reply: str) -> str | None:
    return extract_code(reply, PY.fence_tags, lambda s: PY.defines_entry_point(s, "solve"))


def test_prefers_the_language_tag_and_the_block_defining_the_entry_point() -> None:
    reply = ("Here:\n```bash\npip install nothing\n```\n"
             "```python\ndef solve(x):\n    return x\n```\n"
             "Usage, longer than the solution:\n```python\nprint(solve(1))\nprint(solve(2))\n"
             "print(solve(3))\n```\n")
    assert extract(reply) == "def solve(x):\n    return x\n"


def test_untagged_block_and_unterminated_fence() -> None:
    assert extract("```\ndef solve():\n    pass\n```") == "def solve():\n    pass\n"
    assert extract("Sure!\n```python\ndef solve():\n    return 1\n") == \
        "def solve():\n    return 1\n"


def test_no_code() -> None:
    assert extract("I cannot help with that.") is None
    assert extract("") is None
    assert code_blocks("```python\n\n```") == []


def test_bare_code_reply_is_accepted_only_when_it_is_the_solution() -> None:
    assert extract("def solve():\n    return 2\n") == "def solve():\n    return 2\n"
    assert extract("Just call solve() and you are done.") is None
