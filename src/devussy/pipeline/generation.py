"""Run one stage request: stream it into the sink, parse the text, repair once if needed.

Every stage goes through :func:`generate_validated`:

1. stream the request; every text delta goes to ``sink.on_token_async`` as it arrives, and to an
   optional watcher (the plan stage uses one to announce phases while the stream is running);
2. parse + validate the complete text;
3. if that fails, send ONE repair request that quotes the raw output and the errors and repeats
   the format (progress event ``{"event": "repair", "errors": [...]}``; its tokens stream too);
4. if the repair fails as well, raise ``StageError(code="parse_failed")`` carrying both raw texts.

Provider errors propagate unchanged; the partial text is whatever the sink already received.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import aclosing
from typing import Protocol, TypeVar

from devussy.errors import StageError
from devussy.llm.base import ChatMessage, ChatRequest, StageTask
from devussy.models import Usage
from devussy.pipeline.base import StageResult, StageSettings
from devussy.pipeline.parsing import error_lines
from devussy.pipeline.prompts import format_spec, render_prompt
from devussy.streaming import StreamingHandler

T = TypeVar("T")

# How much of a bad answer the repair prompt quotes; the rest is elided in the middle.
MAX_QUOTED_CHARS = 24_000
REPAIR_SEPARATOR = "\n\n----- repair attempt -----\n\n"


class StreamWatcher(Protocol):
    async def feed(self, text: str) -> None:
        """Called with the whole raw text received so far, after each delta."""


def build_request(settings: StageSettings, messages: list[ChatMessage], task: StageTask) -> ChatRequest:
    return ChatRequest(
        messages=messages,
        model=settings.model,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        task=task,
    )


async def stream_text(
    settings: StageSettings,
    request: ChatRequest,
    sink: StreamingHandler,
    watcher: StreamWatcher | None = None,
) -> tuple[str, Usage]:
    """Stream one request into the sink; returns the full text and the usage reported."""
    parts: list[str] = []
    usage = Usage()
    async with aclosing(settings.provider.stream(request)) as deltas:  # type: ignore[type-var]
        async for delta in deltas:
            if delta.text:
                parts.append(delta.text)
                await sink.on_token_async(delta.text)
                if watcher is not None:
                    await watcher.feed("".join(parts))
            if delta.usage is not None:
                usage = usage + delta.usage
    return "".join(parts), usage


async def generate_validated(
    settings: StageSettings,
    request: ChatRequest,
    parse: Callable[[str], T],
    sink: StreamingHandler,
    *,
    stage: str,
    watcher_factory: Callable[[], StreamWatcher] | None = None,
    on_valid: Callable[[T], Awaitable[None]] | None = None,
) -> StageResult[T]:
    """Stream, parse, repair once; see the module docstring."""
    first_text, usage = await stream_text(
        settings, request, sink, watcher_factory() if watcher_factory else None
    )
    try:
        value = parse(first_text)
    except (ValueError, TypeError) as exc:  # pydantic.ValidationError is a ValueError
        errors = error_lines(exc)
    else:
        return await _finish(value, first_text, usage, sink, on_valid)

    await sink.on_progress_async({"event": "repair", "errors": errors})
    repair = ChatRequest(
        messages=[
            *request.messages,
            ChatMessage("user", repair_prompt(stage, first_text, errors)),
        ],
        model=request.model,
        temperature=request.temperature,
        max_tokens=request.max_tokens,
        json_schema=request.json_schema,
        task=request.task,
    )
    second_text, second_usage = await stream_text(
        settings, repair, sink, watcher_factory() if watcher_factory else None
    )
    usage = usage + second_usage
    try:
        value = parse(second_text)
    except (ValueError, TypeError) as exc:
        second_errors = error_lines(exc)
        raise StageError(
            f"The {stage.replace('_', ' ')} output could not be parsed, even after a repair request: "
            + "; ".join(second_errors[:5]),
            raw_text=first_text + REPAIR_SEPARATOR + second_text,
            code="parse_failed",
        ) from None
    return await _finish(value, second_text, usage, sink, on_valid)


async def _finish(
    value: T,
    text: str,
    usage: Usage,
    sink: StreamingHandler,
    on_valid: Callable[[T], Awaitable[None]] | None,
) -> StageResult[T]:
    if on_valid is not None:
        await on_valid(value)
    await sink.on_completion_async(text)
    return StageResult(value=value, text=text, usage=usage)


def repair_prompt(stage: str, raw_text: str, errors: list[str]) -> str:
    quoted = raw_text
    if len(quoted) > MAX_QUOTED_CHARS:
        half = MAX_QUOTED_CHARS // 2
        quoted = (
            f"{quoted[:half]}\n[… {len(raw_text) - MAX_QUOTED_CHARS} characters omitted …]\n{quoted[-half:]}"
        )
    return render_prompt(
        "repair",
        raw_output=quoted or "(empty answer)",
        errors="\n".join(f"- {line}" for line in errors) or "- (no details)",
        format=format_spec(stage),
    )
