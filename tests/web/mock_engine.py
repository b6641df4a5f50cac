"""The server's engine in web and API tests: a ``MockProvider`` registered as ``mock`` (and chosen
with ``DEVUSSY_PROVIDER=mock``) that answers every stage with the web samples in the stage's own
format, so the endpoints run the real stage runner, parsers and SSE writer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from devussy.llm.base import Capabilities, ChatRequest
from devussy.llm.chunks import chunk_text
from devussy.llm.mock import MockProvider
from devussy.models import InterviewReply, ReviewNotes
from devussy.stages.design import render_design
from devussy.stages.detail import render_phase_detail
from devussy.stages.handoff import render_handoff
from devussy.stages.inputs import (
    DesignInput,
    DetailInput,
    HandoffInput,
    InterviewInput,
    PlanInput,
    ReviewInput,
    StageInput,
)
from devussy.stages.interview import render_interview
from devussy.stages.plan import render_plan
from devussy.stages.review import render_review_notes
from tests import samples

REVIEW_FINDING = "Say how tasks are assigned."  # what the LLM reviewer answers


@dataclass
class StageAnswers:
    words_per_chunk: int = 3
    delay: float = 0.0  # seconds before each piece after the first (an upstream that went quiet)
    error: Exception | None = None  # raised once the text has streamed
    interview_complete: bool = False
    streamed: int = 0  # pieces handed to the stage so far
    cancelled: bool = False  # a stream was closed before its end
    provider: MockProvider = field(init=False)

    def __post_init__(self) -> None:
        capabilities = Capabilities(usage_in_stream=True)  # not offline: configured models are offered
        self.provider = MockProvider(
            self.answer, name="mock", default_model="mock-model", capabilities=capabilities
        )

    @property
    def requests(self) -> list[ChatRequest]:
        return self.provider.requests

    @property
    def tasks(self) -> list[StageInput]:
        return [request.task for request in self.requests if request.task is not None]

    def text_for(self, task: StageInput) -> str:
        match task:
            case InterviewInput():
                brief = samples.BRIEF if self.interview_complete else None
                return render_interview(InterviewReply(reply="What should it do?", brief=brief))
            case DesignInput():
                return render_design(samples.listed_design())
            case PlanInput():
                return render_plan(samples.plan())
            case DetailInput():
                return render_phase_detail(samples.phase(task.phase_number, steps=2))
            case HandoffInput():
                return render_handoff(samples.handoff())
            case ReviewInput():
                return render_review_notes(ReviewNotes(project_name="TaskFlow", findings=[REVIEW_FINDING]))
        raise AssertionError(task)

    def pieces_for(self, task: StageInput) -> list[str]:
        return chunk_text(self.text_for(task), self.words_per_chunk)

    async def answer(self, request: ChatRequest) -> AsyncIterator[str]:
        assert request.task is not None
        pieces = self.pieces_for(request.task)
        finished = False
        try:
            for index, piece in enumerate(pieces):
                if index and self.delay:
                    await asyncio.sleep(self.delay)
                self.streamed += 1
                yield piece
            finished = True
        finally:
            self.cancelled = self.cancelled or not finished
        if self.error is not None:
            raise self.error


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> StageAnswers:
    from devussy.llm import registry

    answers = StageAnswers()
    monkeypatch.setitem(registry._FACTORIES, "mock", lambda settings, transport: answers.provider)
    monkeypatch.setenv("DEVUSSY_PROVIDER", "mock")
    return answers
