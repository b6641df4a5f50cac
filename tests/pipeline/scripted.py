"""Scripted answers for the real stage runner: a ``MockProvider`` handler that streams what a script
returns for each request, a few words per delta, and counts the streams that are open."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from devussy.llm.base import Capabilities, ChatDelta, ChatRequest
from devussy.llm.mock import MockProvider
from devussy.models import Usage
from devussy.pipeline.base import StageSettings

# A script gets the request and returns the text to stream (or raises).
Script = Callable[[ChatRequest], str | Awaitable[str]]


def stage_of(request: ChatRequest) -> str:
    return request.task.stage if request.task else "?"


class Scripted:
    """``provider`` answers with ``script``; usage is 10 prompt tokens and one per word."""

    def __init__(
        self,
        script: Script,
        *,
        words_per_chunk: int = 2,
        # Called before each chunk: (request, chunk index) → awaitable; lets a test pause a stream.
        before_chunk: Callable[[ChatRequest, int], Awaitable[None]] | None = None,
    ) -> None:
        self.script = script
        self.words_per_chunk = words_per_chunk
        self.before_chunk = before_chunk
        self.provider = MockProvider(
            self.answer,
            name="scripted",
            default_model="scripted-model",
            capabilities=Capabilities(usage_in_stream=True),
        )
        self.active = 0
        self.max_active = 0
        self.active_by_stage: dict[str, int] = {}
        self.max_by_stage: dict[str, int] = {}
        self.closed = 0

    @property
    def requests(self) -> list[ChatRequest]:
        return self.provider.requests

    def settings(self) -> StageSettings:
        return StageSettings(provider=self.provider, model="scripted-model")

    async def answer(self, request: ChatRequest) -> AsyncIterator[str | ChatDelta]:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        stage = stage_of(request)
        self.active_by_stage[stage] = self.active_by_stage.get(stage, 0) + 1
        self.max_by_stage[stage] = max(self.max_by_stage.get(stage, 0), self.active_by_stage[stage])
        try:
            text = self.script(request)
            if not isinstance(text, str):
                text = await text
            words = text.split(" ")
            step = self.words_per_chunk
            for index, start in enumerate(range(0, len(words), step)):
                if self.before_chunk is not None:
                    await self.before_chunk(request, index)
                else:
                    await asyncio.sleep(0)
                yield " ".join(words[start : start + step]) + (" " if start + step < len(words) else "")
            yield ChatDelta(usage=Usage(prompt_tokens=10, completion_tokens=len(words)), finish_reason="stop")
        finally:
            self.active -= 1
            self.active_by_stage[stage] -= 1
            self.closed += 1


def stage_requests(scripted: Scripted, stage: str) -> list[ChatRequest]:
    return [r for r in scripted.requests if stage_of(r) == stage]
