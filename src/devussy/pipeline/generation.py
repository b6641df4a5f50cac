"""The generic stage runner: any ``StageSpec``, streamed, parsed, checked and repaired once.

:func:`generate` runs every stage the same way:

1. build the request from the spec's prompt (``spec.messages``) with the stage input as its task;
2. stream it; every text delta goes to ``sink.on_token_async`` as it arrives, and to the spec's
   stream watcher if it has one (the plan stage announces phases while the stream is running);
3. parse the complete text (``spec.parse``), then run the spec's ``check`` if it has one;
4. if parsing failed (or the check found problems), send ONE repair request that quotes the raw
   output and the problems and repeats the format (progress event ``RepairRequested``; its tokens
   stream too);
5. if the repaired answer does not parse either, raise ``StageError(code="parse_failed")`` carrying
   both raw texts. (After a failed check, an unparseable repair keeps the first, parsed answer.)

Provider errors propagate unchanged; the partial text is whatever the sink already received.
"""

from __future__ import annotations

from contextlib import aclosing
from typing import TypeVar

from devussy.errors import StageError
from devussy.events import RepairRequested
from devussy.llm.base import ChatMessage, ChatRequest
from devussy.models import DevussyModel, Usage
from devussy.pipeline.base import StageResult, StageSettings
from devussy.stages.inputs import StageInput
from devussy.stages.parsing import error_lines
from devussy.stages.prompts import format_spec, render_prompt
from devussy.stages.spec import StageSpec, StreamWatcher
from devussy.streaming import StreamingHandler

InT = TypeVar("InT", bound=StageInput)
OutT = TypeVar("OutT", bound=DevussyModel)

# How much of a bad answer the repair prompt quotes; the rest is elided in the middle.
MAX_QUOTED_CHARS = 24_000
REPAIR_SEPARATOR = "\n\n----- repair attempt -----\n\n"


def build_request(spec: StageSpec[InT, OutT], settings: StageSettings, stage_input: InT) -> ChatRequest:
    return ChatRequest(
        messages=spec.messages(stage_input),
        model=settings.model,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        task=stage_input,
    )


async def stream_text(
    settings: StageSettings,
    request: ChatRequest,
    sink: StreamingHandler,
    watcher: StreamWatcher[OutT] | None = None,
) -> tuple[str, Usage]:
    """Stream one request into the sink; returns the full text and the usage reported."""
    parts: list[str] = []
    usage = Usage()
    async with aclosing(settings.provider.stream(request)) as deltas:
        async for delta in deltas:
            if delta.text:
                parts.append(delta.text)
                await sink.on_token_async(delta.text)
                if watcher is not None:
                    await watcher.feed("".join(parts))
            if delta.usage is not None:
                usage = usage + delta.usage
    return "".join(parts), usage


async def generate(
    spec: StageSpec[InT, OutT], settings: StageSettings, stage_input: InT, sink: StreamingHandler
) -> StageResult[OutT]:
    """Run one stage; see the module docstring."""
    request = build_request(spec, settings, stage_input)
    watcher = spec.watch(sink) if spec.watch is not None else None
    first_text, usage = await stream_text(settings, request, sink, watcher)
    first: OutT | None = None
    try:
        first = spec.parse(first_text, stage_input)
    except (ValueError, TypeError) as exc:  # pydantic.ValidationError is a ValueError
        problems, unreadable = error_lines(exc), True
    else:
        problems, unreadable = (spec.check(first, stage_input) if spec.check else []), False
        if not problems:
            return await _finish(first, first_text, usage, sink, watcher)

    await sink.on_progress_async(RepairRequested(errors=problems))
    repair = ChatRequest(
        messages=[
            *request.messages,
            ChatMessage("user", repair_prompt(spec.name, first_text, problems, unreadable=unreadable)),
        ],
        model=request.model,
        temperature=request.temperature,
        max_tokens=request.max_tokens,
        json_schema=request.json_schema,
        task=request.task,
    )
    if watcher is not None:
        watcher.restart()
    second_text, second_usage = await stream_text(settings, repair, sink, watcher)
    usage = usage + second_usage
    try:
        second = spec.parse(second_text, stage_input)
    except (ValueError, TypeError) as exc:
        if first is not None:  # only the check had problems: the first answer stands
            return await _finish(first, first_text, usage, sink, watcher)
        second_errors = error_lines(exc)
        raise StageError(
            f"The {spec.name.replace('_', ' ')} output could not be parsed, even after a repair request: "
            + "; ".join(second_errors[:5]),
            raw_text=first_text + REPAIR_SEPARATOR + second_text,
            code="parse_failed",
        ) from None
    return await _finish(second, second_text, usage, sink, watcher)


async def _finish(
    value: OutT, text: str, usage: Usage, sink: StreamingHandler, watcher: StreamWatcher[OutT] | None
) -> StageResult[OutT]:
    if watcher is not None:
        await watcher.finish(value)
    await sink.on_completion_async(text)
    return StageResult(value=value, text=text, usage=usage)


def repair_prompt(stage: str, raw_text: str, errors: list[str], *, unreadable: bool = True) -> str:
    quoted = raw_text
    if len(quoted) > MAX_QUOTED_CHARS:
        half = MAX_QUOTED_CHARS // 2
        quoted = (
            f"{quoted[:half]}\n[… {len(raw_text) - MAX_QUOTED_CHARS} characters omitted …]\n{quoted[-half:]}"
        )
    return render_prompt(
        "repair",
        problem="could not be read" if unreadable else "needs fixing",
        raw_output=quoted or "(empty answer)",
        errors="\n".join(f"- {line}" for line in errors) or "- (no details)",
        format=format_spec(stage),
    )
