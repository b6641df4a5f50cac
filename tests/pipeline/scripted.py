"""A scriptable in-process provider for pipeline tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from devussy.llm.base import Capabilities, ChatDelta, ChatRequest
from devussy.models import Usage
from devussy.pipeline.base import StageSettings

# A script gets the request and returns the text to stream (or raises).
Script = Callable[[ChatRequest], str | Awaitable[str]]


def stage_of(request: ChatRequest) -> str:
    return request.task.stage if request.task else "?"


@dataclass
class ScriptedProvider:
    script: Script
    words_per_chunk: int = 2
    # Called before each chunk is yielded: (request, chunk index) → awaitable; lets a test pause a stream.
    before_chunk: Callable[[ChatRequest, int], Awaitable[None]] | None = None
    name: str = "scripted"
    capabilities: Capabilities = field(default_factory=lambda: Capabilities(usage_in_stream=True))
    requests: list[ChatRequest] = field(default_factory=list)
    active: int = 0
    max_active: int = 0
    active_by_stage: dict[str, int] = field(default_factory=dict)
    max_by_stage: dict[str, int] = field(default_factory=dict)
    closed: int = 0

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatDelta]:
        self.requests.append(request)
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
            pieces = [
                " ".join(words[i : i + self.words_per_chunk])
                + (" " if i + self.words_per_chunk < len(words) else "")
                for i in range(0, len(words), self.words_per_chunk)
            ]
            for index, piece in enumerate(pieces):
                if self.before_chunk is not None:
                    await self.before_chunk(request, index)
                else:
                    await asyncio.sleep(0)
                yield ChatDelta(text=piece)
            yield ChatDelta(usage=Usage(prompt_tokens=10, completion_tokens=len(words)), finish_reason="stop")
        finally:
            self.active -= 1
            self.active_by_stage[stage] -= 1
            self.closed += 1

    def settings(self) -> StageSettings:
        return StageSettings(provider=self, model="scripted-model")


def stage_requests(provider: ScriptedProvider, stage: str) -> list[ChatRequest]:
    return [r for r in provider.requests if stage_of(r) == stage]
