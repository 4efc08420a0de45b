"""Any server that speaks OpenAI's chat-completions API: a local ollama or vLLM, or a hosted
API. Not a command: the harness POSTs the task itself (``agents/chat_api.py``), with the base
URL, model and API-key variable from the ini (``mpm_openai_base_url``, ``mpm_openai_model``,
``mpm_openai_key_env``)."""

from __future__ import annotations

from pytest_mpm_bench.agents.adapters.base import Adapter

ADAPTER = Adapter(
    name="openai-compatible",
    tool="an OpenAI-compatible endpoint",
    install="a server: ollama serve (base URL http://127.0.0.1:11434/v1), vllm serve MODEL "
            "(http://127.0.0.1:8000/v1), or a hosted API (https://api.openai.com/v1)",
)
