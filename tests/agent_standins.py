"""Stand-in executables for the agent tools the built-in adapters run (``claude-mpm``,
``claude``, ``aider``, ``codex``, ``gemini``): each prints what the real tool documents printing,
in working order (``STANDIN_MODE=ok``, the default) or as the tool does when it cannot work
(``broken``), and appends what it was given (argv, cwd and its files, environment, stdin) to the
JSON-lines file ``STANDIN_LOG``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CODE = "def add(a, b):\n    return a + b\n"
ANSWER = f"Here it is:\n```python\n{CODE}```\n"

PRELUDE = '''
import json, os, sys
task = sys.stdin.read()
if "--message-file" in sys.argv:
    task = open(sys.argv[sys.argv.index("--message-file") + 1]).read()
mode = os.environ.get("STANDIN_MODE", "ok")
log = os.environ.get("STANDIN_LOG")
if log:
    files = {n: open(n).read() for n in sorted(os.listdir("."))}
    with open(log, "a") as f:
        f.write(json.dumps({"tool": TOOL, "argv": sys.argv, "cwd": os.getcwd(), "files": files,
                            "env": dict(os.environ), "task": task}) + "\\n")
ANSWER = ANSWER_TEXT
'''

BODIES = {
    "claude-mpm": '''
if mode == "ok":
    print(ANSWER)
else:
    print("Claude CLI not found")  # and exit 0, as claude-mpm 5.9 does
''',
    "claude": '''
usage = {"input_tokens": 100, "cache_creation_input_tokens": 20,
         "cache_read_input_tokens": 30, "output_tokens": 40}
if mode == "ok":
    print(json.dumps({"type": "result", "subtype": "success", "is_error": False,
                      "duration_ms": 1200, "num_turns": 1, "result": ANSWER,
                      "session_id": "s1", "total_cost_usd": 0.0123, "usage": usage,
                      "modelUsage": {"claude-sonnet-4-5": {"inputTokens": 100}}}))
else:
    print(json.dumps({"type": "result", "subtype": "success", "is_error": True,
                      "result": "Invalid API key · Please run /login", "session_id": "s1",
                      "total_cost_usd": 0, "usage": usage}))
    sys.exit(1)
''',
    "aider": '''
print("Aider v0.86.1\\nModel: gpt-4o with whole edit format\\nGit repo: none\\n")
if mode == "ok":
    print("add.py\\n```python\\n" + ANSWER.split("```python\\n")[1].split("```")[0] + "```\\n")
    print("Tokens: 1.2k sent, 345 received. Cost: $0.0050 message, $0.0050 session.")
    print("Did not apply edit to add.py (--dry-run)")
else:
    print("litellm.AuthenticationError: OpenAIException - Incorrect API key provided")
''',
    "codex": '''
events = [{"type": "thread.started", "thread_id": "t1"}, {"type": "turn.started"}]
if mode == "ok":
    events += [{"type": "item.completed", "item": {"id": "i0", "type": "reasoning",
                                                  "text": "thinking"}},
               {"type": "item.completed", "item": {"id": "i1", "type": "agent_message",
                                                  "text": ANSWER}},
               {"type": "turn.completed", "usage": {"input_tokens": 500,
                                                    "cached_input_tokens": 100,
                                                    "output_tokens": 80}}]
else:
    events += [{"type": "error", "message": "unexpected status 401 Unauthorized"},
               {"type": "turn.failed", "error": {"message": "unexpected status 401"}}]
for event in events:
    print(json.dumps(event))
sys.exit(0 if mode == "ok" else 1)
''',
    "gemini": '''
if mode == "ok":
    print(json.dumps({"response": ANSWER, "stats": {"models": {"gemini-2.5-pro": {
        "api": {"totalRequests": 1, "totalErrors": 0, "totalLatencyMs": 900},
        "tokens": {"prompt": 200, "candidates": 50, "total": 260, "cached": 0,
                   "thoughts": 10, "tool": 0}}}}}))
else:
    print(json.dumps({"error": {"type": "Error", "code": 41, "message":
                                "When using Gemini API, you must specify the GEMINI_API_KEY "
                                "environment variable."}}))
    sys.exit(41)
''',
}


def install(bin_dir: Path, answer: str = ANSWER) -> None:
    """Write every stand-in into ``bin_dir`` (put it first on PATH)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool, body in BODIES.items():
        path = bin_dir / tool
        path.write_text(f"#!{sys.executable}\nTOOL = {tool!r}\nANSWER_TEXT = {answer!r}\n"
                        + PRELUDE + body)
        path.chmod(0o755)


def calls(log: Path) -> list[dict[str, Any]]:
    """What the stand-ins were given, one entry per call."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]
