"""The built-in offline engine behind the provider contract.

It answers a request's typed stage input (``request.task``, not its messages) with the deterministic
:class:`devussy.planner.OfflinePlanner`, renders the result in the stage's canonical text format
(the same ``render_*`` functions the parsers round-trip), and streams it a few words at a time, so
the UI, CLI and SSE layer behave exactly as with a remote model.

Usage is an estimate, since there is no tokenizer: ``ceil(characters / 4)`` tokens for the prompt
(all message contents) and for the completion, the usual rule of thumb for English text with BPE
tokenizers. It is reported in the final delta like a remote provider's usage.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Protocol

from pydantic import ValidationError

from devussy.errors import ProviderError
from devussy.llm.base import Capabilities, ChatDelta, ChatRequest
from devussy.llm.chunks import chunk_text, estimate_tokens
from devussy.models import (
    ChatTurn,
    DevPlan,
    Handoff,
    InterviewReply,
    Phase,
    ProjectBrief,
    ProjectDesign,
    Usage,
)
from devussy.stages.design import render_design
from devussy.stages.detail import render_phase_detail
from devussy.stages.handoff import render_handoff
from devussy.stages.inputs import (
    DesignInput,
    DetailInput,
    HandoffInput,
    InterviewInput,
    PlanInput,
    StageInput,
)
from devussy.stages.interview import render_interview
from devussy.stages.plan import render_plan
from devussy.validation import describe_errors


class Planner(Protocol):
    def interview(self, history: list[ChatTurn], user_input: str) -> InterviewReply: ...
    def design(self, brief: ProjectBrief) -> ProjectDesign: ...
    def basic_plan(self, design: ProjectDesign) -> DevPlan: ...
    def phase_detail(self, plan: DevPlan, phase_number: int, *, plan_complete: bool = True) -> Phase: ...
    def handoff(self, design: ProjectDesign, plan: DevPlan) -> Handoff: ...


class BuiltinProvider:
    name = "builtin"
    capabilities = Capabilities(streaming=True, json_schema=False, usage_in_stream=True, offline=True)
    default_model = "builtin"
    key_env: str | None = None

    def __init__(
        self, planner: Planner | None = None, *, chunk_delay: float = 0.0, words_per_chunk: int = 3
    ) -> None:
        if planner is None:
            from devussy.planner import OfflinePlanner

            planner = OfflinePlanner()
        self.planner = planner
        self.chunk_delay = chunk_delay  # seconds between chunks, for demos
        self.words_per_chunk = max(1, words_per_chunk)

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatDelta, None]:
        text = self.answer(request)
        for piece in chunk_text(text, self.words_per_chunk):
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
            yield ChatDelta(text=piece)
        prompt_tokens = estimate_tokens("".join(message.content for message in request.messages))
        yield ChatDelta(
            usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=estimate_tokens(text)),
            finish_reason="stop",
        )

    def answer(self, request: ChatRequest) -> str:
        """The full rendered text for the request's task (raises ProviderError for a bad task)."""
        task = request.task
        if task is None:
            raise ProviderError(
                "the builtin engine answers Devussy pipeline stages only; this request has no stage task",
                code="provider_bad_request",
            )
        try:
            return self._render(task)
        except ValidationError as exc:
            raise ProviderError(
                f"the builtin engine cannot answer this {task.stage} request: "
                + describe_errors(exc, limit=1),
                code="provider_bad_request",
            ) from None
        except (KeyError, ValueError) as exc:
            raise ProviderError(
                f"the builtin engine cannot answer this {task.stage} request: {exc}",
                code="provider_bad_request",
            ) from None

    def _render(self, task: StageInput) -> str:
        """Answer the stage input with the planner; render it in the stage's own text format."""
        planner = self.planner
        match task:
            case InterviewInput():
                return render_interview(planner.interview(task.history, task.user_input))
            case DesignInput():
                return render_design(planner.design(task.brief))
            case PlanInput():
                return render_plan(planner.basic_plan(task.design))
            case DetailInput():
                phase = planner.phase_detail(task.plan, task.phase_number, plan_complete=task.plan_complete)
                return render_phase_detail(phase)
            case HandoffInput():
                return render_handoff(planner.handoff(task.design, task.plan))
            case _:
                raise ProviderError(
                    f"the builtin engine has no stage {task.stage!r}", code="provider_bad_request"
                )
