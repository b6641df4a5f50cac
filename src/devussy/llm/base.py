"""The one contract every engine implements.

A provider turns a :class:`ChatRequest` into an async stream of :class:`ChatDelta`. Closing the
iterator (``aclose()``, or leaving an ``async for`` early) must cancel the upstream request.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from devussy.models import Usage
from devussy.stages.inputs import StageInput

# The ProviderError code of a server that refuses a request carrying ``json_schema`` (HTTP 400).
STRUCTURED_OUTPUT_REFUSED = "structured_output_refused"


@dataclass(frozen=True)
class Capabilities:
    streaming: bool = True
    json_schema: bool = False  # accepts a JSON schema for structured output
    usage_in_stream: bool = False  # reports token usage at the end of a stream
    max_context: int | None = None  # tokens, when known
    offline: bool = False  # needs no network and no key


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class ChatRequest:
    messages: list[ChatMessage]
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    json_schema: dict[str, Any] | None = None  # {"name": ..., "schema": {...}}; used if supported
    # The stage input this request asks about (``task.stage`` names the stage). LLM providers ignore
    # it and read the messages; the built-in offline engine answers from it.
    task: StageInput | None = None


@dataclass(frozen=True)
class ChatDelta:
    text: str = ""
    usage: Usage | None = None  # set on the final delta when the provider reports usage
    finish_reason: str | None = None


@runtime_checkable
class LLMProvider(Protocol):
    name: str
    capabilities: Capabilities

    def stream(self, request: ChatRequest) -> AsyncGenerator[ChatDelta, None]: ...
