"""The built-in offline engine behind the provider contract.

It answers a request's typed stage input (``request.task``, not its messages) with the deterministic
:class:`devussy.planner.OfflinePlanner`, renders the result in the stage's canonical text format
(the same ``render_*`` functions the parsers round-trip), and streams it a few words at a time, so
the UI, CLI and SSE layer behave exactly as with a remote model.

Usage is an estimate, since there is no tokenizer: ``ceil(characters / 4)`` tokens for the prompt
(all message contents) and for the completion, the usual rule of thumb for English text with BPE
tokenizers. It is reported in the final delta like a remote provider's usage.

The planner is synchronous CPU work, so it runs in a worker thread (:func:`off_the_loop`): the event
loop stays free for the SSE heartbeat and the disconnect watch, and a cancelled stream stops at once
(the thread finishes its answer, bounded by the input limits below, and the answer is dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, Callable
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError

from devussy.errors import InputTooLarge, ProviderError
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

T = TypeVar("T")
R = TypeVar("R")

# What the offline engine reads of an interview. It asks at most six questions, so 40 turns leave
# plenty of room; 100 000 characters is twice the longest project idea a brief can hold.
MAX_INTERVIEW_TURNS = 40
MAX_INTERVIEW_CHARS = 100_000


def check_interview_input(history: list[ChatTurn], user_input: str) -> None:
    """Raise :class:`InputTooLarge` naming the limit when an interview is more than the engine reads."""
    turns = len(history) + 1
    chars = sum(len(turn.content) for turn in history) + len(user_input)
    if turns > MAX_INTERVIEW_TURNS or chars > MAX_INTERVIEW_CHARS:
        raise InputTooLarge(
            f"the offline engine reads at most {MAX_INTERVIEW_TURNS} interview turns and "
            f"{MAX_INTERVIEW_CHARS} characters; this interview has {turns} turns and {chars} characters"
        )


async def off_the_loop(function: Callable[[T], R], argument: T) -> R:
    """``function(argument)`` in a daemon thread, awaited without blocking the event loop.

    Not ``asyncio.to_thread``: its default executor is joined when ``asyncio.run`` ends, so an API
    request whose client left would still wait for the engine to finish. Here a cancelled caller
    returns at once; the thread runs to the end of its call and its result is dropped.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[R] = loop.create_future()

    def deliver(result: Any, error: BaseException | None) -> None:
        if future.done():  # the caller was cancelled: nobody wants the answer
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def work() -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = function(argument)
        except BaseException as exc:  # handed to the awaiting task, which re-raises it
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting any more
            loop.call_soon_threadsafe(deliver, result, error)

    threading.Thread(target=work, name="devussy-builtin-engine", daemon=True).start()
    return await future


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
        text = await off_the_loop(self.answer, request)
        for piece in chunk_text(text, self.words_per_chunk):
            await asyncio.sleep(self.chunk_delay)  # even 0 lets the heartbeat and the disconnect watch run
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
                check_interview_input(task.history, task.user_input)  # the API and the CLI check first
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
