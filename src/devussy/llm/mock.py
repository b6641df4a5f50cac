"""``MockProvider``: a provider driven by a function, as httpx's ``MockTransport`` is for HTTP.

The handler gets each :class:`ChatRequest` and returns the answer, or an awaitable of it:

- a ``str``: streamed a few words per delta, then a final delta with an estimated usage;
- an iterable or async iterable of ``str`` pieces and :class:`ChatDelta` objects, streamed as they
  come (a ``ChatDelta`` with ``usage`` replaces the estimate); an async generator can pause between
  pieces, or raise part-way like an upstream that breaks;
- raising (e.g. :class:`~devussy.errors.ProviderError`) fails the request before any text.

``requests`` records every request received. Closing the stream closes the handler's iterator.

    provider = MockProvider(lambda request: render_design(my_design))
    result = await generate(design.STAGE, StageSettings(provider), design_input(brief), sink)
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Iterable
from contextlib import aclosing

from devussy.llm.base import Capabilities, ChatDelta, ChatRequest
from devussy.llm.chunks import chunk_text, estimate_tokens
from devussy.models import Usage

MockPiece = str | ChatDelta
MockAnswer = str | Iterable[MockPiece] | AsyncIterable[MockPiece]
MockHandler = Callable[[ChatRequest], MockAnswer | Awaitable[MockAnswer]]


class MockProvider:
    key_env: str | None = None

    def __init__(
        self,
        handler: MockHandler,
        *,
        name: str = "mock",
        default_model: str | None = "mock",
        capabilities: Capabilities | None = None,
        words_per_chunk: int = 3,
    ) -> None:
        self.handler = handler
        self.name = name
        self.default_model = default_model
        self.capabilities = capabilities or Capabilities(streaming=True, usage_in_stream=True, offline=True)
        self.words_per_chunk = max(1, words_per_chunk)
        self.requests: list[ChatRequest] = []

    def __repr__(self) -> str:
        return f"MockProvider(name={self.name!r})"

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatDelta, None]:
        self.requests.append(request)
        answer = self.handler(request)
        if inspect.isawaitable(answer):
            answer = await answer
        text: list[str] = []
        usage_sent = False
        async with aclosing(self._pieces(answer)) as pieces:
            async for piece in pieces:
                delta = ChatDelta(text=piece) if isinstance(piece, str) else piece
                text.append(delta.text)
                usage_sent = usage_sent or delta.usage is not None
                yield delta
        if not usage_sent:
            prompt = "".join(message.content for message in request.messages)
            completion = estimate_tokens("".join(text))
            usage = Usage(prompt_tokens=estimate_tokens(prompt), completion_tokens=completion)
            yield ChatDelta(usage=usage, finish_reason="stop")

    async def _pieces(self, answer: MockAnswer) -> AsyncGenerator[MockPiece, None]:
        if isinstance(answer, str):
            for text in chunk_text(answer, self.words_per_chunk):
                yield text
        elif isinstance(answer, AsyncIterable):
            iterator = aiter(answer)
            try:
                async for piece in iterator:
                    yield piece
            finally:
                close = getattr(iterator, "aclose", None)
                if close is not None:
                    await close()
        else:
            for item in answer:
                yield item
