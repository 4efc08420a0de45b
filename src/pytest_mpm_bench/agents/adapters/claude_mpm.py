"""claude-mpm (the default): Claude Code behind claude-mpm's multi-agent framework.

It prints the answer as plain text. Without the Claude CLI it prints "Claude CLI not found" and
exits 0, so its failure lines must be told apart from an answer without code.
"""

from __future__ import annotations

from pytest_mpm_bench.agents.adapters.base import ERROR_LINE, Adapter

ADAPTER = Adapter(
    name="claude-mpm",
    tool="claude-mpm",
    install="pip install claude-mpm  (it drives Claude Code: npm install -g "
            "@anthropic-ai/claude-code, then claude login)",
    command=("claude-mpm run --non-interactive --input {task_file} --no-hooks "
             "--launch-method subprocess"),
    failures=(r"Claude CLI not found", ERROR_LINE, r"command not found",
              r"^Traceback \(most recent call last\)"),
)
