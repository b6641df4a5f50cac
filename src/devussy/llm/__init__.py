"""LLM providers behind one contract (``base.LLMProvider``), created by name from ``registry``.

``base`` (the contract), ``openai``, ``anthropic``, ``builtin`` (the offline planner), ``mock``
(a provider driven by a function, for tests and demos), ``registry``, ``resilience`` (retries and
timeouts), ``http`` and ``http_provider`` (what the HTTP adapters share). Import the module you
need: this package imports none of them, so using one never pays for the others (or for httpx).
"""
