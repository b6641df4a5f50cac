"""Helpers for provider tests: recorded-style transcripts served through ``httpx.MockTransport``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from devussy.errors import DevussyError
from devussy.llm.base import ChatDelta, ChatMessage, ChatRequest, LLMProvider

TRANSCRIPTS = Path(__file__).parent / "transcripts"
SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8"}


def transcript(name: str) -> bytes:
    return (TRANSCRIPTS / name).read_bytes()


def split_events(raw: bytes) -> list[bytes]:
    """A transcript as the network would deliver it: one piece per SSE event."""
    separator = b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n"
    return [piece + separator for piece in raw.split(separator) if piece.strip()]


class ScriptedStream(httpx.AsyncByteStream):
    """A response body: bytes are sent, numbers are pauses (seconds), exceptions are raised."""

    def __init__(self, script: Iterable[bytes | float | BaseException]) -> None:
        self.script = list(script)
        self.sent = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for item in self.script:
            if isinstance(item, BaseException):
                raise item
            if isinstance(item, int | float):
                await asyncio.sleep(item)
                continue
            self.sent += 1
            yield item

    async def aclose(self) -> None:
        self.closed = True


def sse(script: bytes | Iterable[bytes | float | BaseException], status: int = 200) -> httpx.Response:
    pieces = split_events(script) if isinstance(script, bytes) else script
    return httpx.Response(status, headers=SSE_HEADERS, stream=ScriptedStream(pieces))


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=payload, headers=headers)


@dataclass
class Upstream:
    """A MockTransport that answers each request with the next scripted response and records requests."""

    responses: list[httpx.Response | Callable[[httpx.Request], httpx.Response]]
    requests: list[httpx.Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.responses:
            raise AssertionError(f"unexpected extra request #{len(self.requests)}")
        response = self.responses.pop(0)
        return response(request) if callable(response) else response

    def body(self, index: int = -1) -> dict[str, Any]:
        return json.loads(self.requests[index].content)


@dataclass
class Sleeps:
    """An injectable sleep that records how long the retry layer asked to wait."""

    calls: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def chat(*texts: str, system: str | None = None, **options: Any) -> ChatRequest:
    messages = [ChatMessage("system", system)] if system else []
    messages += [ChatMessage("user", text) for text in texts]
    return ChatRequest(messages=messages, **options)


async def collect(provider: LLMProvider, request: ChatRequest) -> tuple[list[ChatDelta], DevussyError | None]:
    """Every delta the provider yielded, and the error that ended the stream (if any)."""
    deltas: list[ChatDelta] = []
    try:
        async for delta in provider.stream(request):
            deltas.append(delta)
    except DevussyError as exc:
        return deltas, exc
    return deltas, None


def text_of(deltas: Sequence[ChatDelta]) -> str:
    return "".join(delta.text for delta in deltas)
