"""MockProvider: a function answers each request, as httpx's MockTransport answers HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from devussy.errors import ProviderError
from devussy.llm.base import ChatDelta, ChatMessage, ChatRequest, LLMProvider
from devussy.llm.chunks import estimate_tokens
from devussy.llm.mock import MockProvider
from devussy.models import Usage

REQUEST = ChatRequest(messages=[ChatMessage("system", "be brief"), ChatMessage("user", "plan it")])


async def collect(provider: MockProvider, request: ChatRequest = REQUEST) -> list[ChatDelta]:
    return [delta async for delta in provider.stream(request)]


async def test_text_is_streamed_in_word_chunks_with_an_estimated_usage() -> None:
    provider = MockProvider(lambda request: "one two three four five", words_per_chunk=2)
    assert isinstance(provider, LLMProvider)
    deltas = await collect(provider)
    assert [d.text for d in deltas] == ["one two ", "three four ", "five", ""]
    prompt, completion = estimate_tokens("be briefplan it"), estimate_tokens("one two three four five")
    assert deltas[-1].usage == Usage(prompt_tokens=prompt, completion_tokens=completion)
    assert deltas[-1].finish_reason == "stop" and provider.requests == [REQUEST]


async def test_pieces_and_deltas_pass_through_and_a_given_usage_replaces_the_estimate() -> None:
    usage = Usage(prompt_tokens=7, completion_tokens=3)
    last = ChatDelta(usage=usage, finish_reason="length")
    provider = MockProvider(lambda request: ["a", ChatDelta(text="b"), last])
    deltas = await collect(provider)
    assert [d.text for d in deltas] == ["a", "b", ""]
    assert deltas[-1] == last


async def test_an_async_handler_may_await_and_return_text() -> None:
    async def handler(request: ChatRequest) -> str:
        await asyncio.sleep(0)
        return request.messages[-1].content.upper()

    assert "".join(d.text for d in await collect(MockProvider(handler))) == "PLAN IT"


async def test_errors_before_and_during_the_stream_reach_the_caller() -> None:
    def refuse(request: ChatRequest) -> str:
        raise ProviderError("no", code="provider_auth")

    with pytest.raises(ProviderError, match="no"):
        await collect(MockProvider(refuse))

    async def breaks(request: ChatRequest) -> AsyncIterator[str]:
        yield "partial "
        raise ProviderError("cut", code="provider_interrupted")

    received: list[str] = []
    with pytest.raises(ProviderError, match="cut"):
        async for delta in MockProvider(breaks).stream(REQUEST):
            received.append(delta.text)
    assert received == ["partial "]


async def test_closing_the_stream_closes_the_handlers_iterator() -> None:
    closed = asyncio.Event()

    async def endless(request: ChatRequest) -> AsyncIterator[str]:
        try:
            while True:
                yield "x "
                await asyncio.sleep(0)
        finally:
            closed.set()

    async with aclosing(MockProvider(endless).stream(REQUEST)) as stream:
        async for _ in stream:
            break
    assert closed.is_set()


def test_name_model_and_capabilities_are_settable() -> None:
    provider = MockProvider(lambda request: "", name="builtin", default_model=None)
    assert (provider.name, provider.default_model, provider.capabilities.offline) == ("builtin", None, True)
    assert repr(provider) == "MockProvider(name='builtin')"
