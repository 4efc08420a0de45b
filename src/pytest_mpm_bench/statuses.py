"""Result statuses (DESIGN.md): the agent's outcomes, and the harness's own."""

from __future__ import annotations

PASSED = "passed"
WRONG_ANSWER = "wrong_answer"
RUNTIME_ERROR = "runtime_error"
COMPILE_ERROR = "compile_error"
TIMEOUT = "timeout"
MEMORY_EXCEEDED = "memory_exceeded"
OUTPUT_EXCEEDED = "output_exceeded"
NO_CODE = "no_code"
AGENT_ERROR = "agent_error"
AGENT_TIMEOUT = "agent_timeout"
HARNESS_ERROR = "harness_error"  # our bug or a broken toolchain: the item errors
SKIPPED = "skipped"  # a missing toolchain, a prose-only case, no recorded reply

AGENT_OUTCOMES = (PASSED, WRONG_ANSWER, RUNTIME_ERROR, COMPILE_ERROR, TIMEOUT, MEMORY_EXCEEDED,
                  OUTPUT_EXCEEDED, NO_CODE, AGENT_ERROR, AGENT_TIMEOUT)
#: The solution never ran: scores are 0 on every dimension.
NOT_RUN = (NO_CODE, AGENT_ERROR, AGENT_TIMEOUT)
