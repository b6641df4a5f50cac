"""The built-in offline engine behind the provider contract.

It answers a request's :class:`StageTask` (not its messages) with the deterministic
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
import math
import re
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError

from devussy.errors import InputTooLarge, ProviderError
from devussy.llm.base import Capabilities, ChatDelta, ChatRequest
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

_WORD_WITH_SPACE = re.compile(r"\s*\S+\s*|\s+")
T = TypeVar("T")
R = TypeVar("R")

# What the offline engine reads of an interview. It asks at most six questions, so 40 turns leave
# plenty of room; 100 000 characters is twice the longest project idea a brief can hold.
MAX_INTERVIEW_TURNS = 40
MAX_INTERVIEW_CHARS = 100_000


class Planner(Protocol):
    def interview(self, history: list[ChatTurn], user_input: str) -> InterviewReply: ...
    def design(self, brief: ProjectBrief) -> ProjectDesign: ...
    def basic_plan(self, design: ProjectDesign) -> DevPlan: ...
    def phase_detail(self, plan: DevPlan, phase_number: int, *, plan_complete: bool = True) -> Phase: ...
    def handoff(self, design: ProjectDesign, plan: DevPlan) -> Handoff: ...


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


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def chunk_text(text: str, words_per_chunk: int = 3) -> list[str]:
    """Split into pieces of a few words; ``"".join(chunk_text(t)) == t``."""
    words = _WORD_WITH_SPACE.findall(text)
    return ["".join(words[i : i + words_per_chunk]) for i in range(0, len(words), words_per_chunk)]


class BuiltinProvider:
    name = "builtin"
    capabilities = Capabilities(streaming=True, json_schema=False, usage_in_stream=True, offline=True)
    default_model = "builtin"

    def __init__(
        self, planner: Planner | None = None, *, chunk_delay: float = 0.0, words_per_chunk: int = 3
    ) -> None:
        if planner is None:
            from devussy.planner import OfflinePlanner

            planner = OfflinePlanner()
        self.planner = planner
        self.chunk_delay = chunk_delay  # seconds between chunks, for demos
        self.words_per_chunk = max(1, words_per_chunk)

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatDelta]:
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
        handler = self._handlers().get(task.stage)
        if handler is None:
            raise ProviderError(
                f"the builtin engine has no stage {task.stage!r}", code="provider_bad_request"
            )
        try:
            return handler(task.payload)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ProviderError(
                f"invalid {task.stage} input for the builtin engine: {where}: {first['msg']}",
                code="provider_bad_request",
            ) from None
        except (KeyError, ValueError) as exc:
            raise ProviderError(
                f"the builtin engine cannot answer this {task.stage} request: {exc}",
                code="provider_bad_request",
            ) from None

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], str]]:
        # Imported here: the stage modules import the LLM layer, not the other way round.
        from devussy.pipeline.basic_devplan import render_plan
        from devussy.pipeline.detailed_devplan import render_phase_detail
        from devussy.pipeline.handoff_prompt import render_handoff
        from devussy.pipeline.interview import render_interview
        from devussy.pipeline.project_design import render_design

        planner = self.planner

        def interview(payload: dict[str, Any]) -> str:
            history = [ChatTurn.model_validate(turn) for turn in payload.get("history") or []]
            user_input = str(payload.get("userInput", ""))
            check_interview_input(history, user_input)  # the API and the CLI check first; a backstop
            return render_interview(planner.interview(history, user_input))

        def design(payload: dict[str, Any]) -> str:
            return render_design(planner.design(ProjectBrief.model_validate(payload["brief"])))

        def basic_plan(payload: dict[str, Any]) -> str:
            return render_plan(planner.basic_plan(ProjectDesign.model_validate(payload["design"])))

        def phase_detail(payload: dict[str, Any]) -> str:
            plan = DevPlan.model_validate(payload["plan"])
            plan_complete = payload.get("planComplete", True) is not False
            phase = planner.phase_detail(plan, int(payload["phaseNumber"]), plan_complete=plan_complete)
            return render_phase_detail(phase)

        def handoff(payload: dict[str, Any]) -> str:
            design_model = ProjectDesign.model_validate(payload["design"])
            return render_handoff(planner.handoff(design_model, DevPlan.model_validate(payload["plan"])))

        return {
            "interview": interview,
            "design": design,
            "basic_plan": basic_plan,
            "phase_detail": phase_detail,
            "handoff": handoff,
        }
