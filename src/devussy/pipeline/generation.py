"""The generic stage runner: any ``StageSpec``, streamed, parsed, checked and repaired once.

:func:`generate` runs every stage the same way:

1. build the request from the spec's prompt (``spec.messages``) with the stage input as its task;
2. stream it; every text delta goes to ``sink.on_token_async`` as it arrives, and to the spec's
   stream watcher if it has one (the plan stage announces phases while the stream is running);
3. parse the complete text (``spec.parse``), then run the spec's ``check`` if it has one (the
   coverage check of a plan or phase detail);
4. if parsing failed, send ONE repair request that quotes the raw output and the problems and
   repeats the format (progress event ``RepairRequested``; its tokens stream too);
5. if the check found problems (and the engine is a model: the offline planner is never asked), send
   ONE targeted repair request instead: the first answer stays in the conversation and the model
   sends only the parts it adds or rewrites (``spec.amend``), applied to the first result;
6. if the repaired answer does not parse either, raise ``StageError(code="parse_failed")`` carrying
   both raw texts. (After a failed check, an unusable repair keeps the first, parsed answer.)
7. the spec's ``report`` (coverage) goes to the sink as ``CoverageChecked``, listing the problems
   still there after the repair: what stayed uncovered is reported, never hidden.

Provider errors propagate unchanged; the partial text is whatever the sink already received.
"""

from __future__ import annotations

from contextlib import aclosing
from dataclasses import replace
from typing import TypeVar

from devussy.errors import StageError
from devussy.events import CoverageChecked, RepairRequested
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
        problems = error_lines(exc)
    else:
        problems = check_problems(spec, first, stage_input)
        if not problems or settings.provider.capabilities.offline:
            return await _finish(spec, stage_input, first, first_text, usage, sink, watcher, problems)
        if spec.amend is not None:
            first_answer = (first, first_text, problems)
            return await _amend(spec, settings, stage_input, request, first_answer, usage, sink, watcher)

    await sink.on_progress_async(RepairRequested(errors=problems))
    repair = replace(
        request,
        messages=[
            *request.messages,
            ChatMessage("user", repair_prompt(spec.name, first_text, problems, unreadable=first is None)),
        ],
    )
    if watcher is not None:
        watcher.restart()
    second_text, second_usage = await stream_text(settings, repair, sink, watcher)
    usage = usage + second_usage
    try:
        second = spec.parse(second_text, stage_input)
    except (ValueError, TypeError) as exc:
        if first is not None:  # only the check had problems: the first answer stands
            return await _finish(spec, stage_input, first, first_text, usage, sink, watcher, problems, True)
        second_errors = error_lines(exc)
        raise StageError(
            f"The {spec.name.replace('_', ' ')} output could not be parsed, even after a repair request: "
            + "; ".join(second_errors[:5]),
            raw_text=first_text + REPAIR_SEPARATOR + second_text,
            code="parse_failed",
        ) from None
    left, repaired = check_problems(spec, second, stage_input), first is not None
    return await _finish(spec, stage_input, second, second_text, usage, sink, watcher, left, repaired)


def check_problems(spec: StageSpec[InT, OutT], value: OutT, stage_input: InT) -> list[str]:
    return spec.check(value, stage_input) if spec.check is not None else []


async def _amend(
    spec: StageSpec[InT, OutT],
    settings: StageSettings,
    stage_input: InT,
    request: ChatRequest,
    first_answer: tuple[OutT, str, list[str]],
    usage: Usage,
    sink: StreamingHandler,
    watcher: StreamWatcher[OutT] | None,
) -> StageResult[OutT]:
    """The check's targeted repair: the first answer stays in the conversation, the model sends only
    what it adds or rewrites, and that is applied to the first result. The result with fewer
    problems wins (the repaired one on a tie); what is left is reported, never hidden."""
    assert spec.amend is not None
    first, first_text, problems = first_answer
    await sink.on_progress_async(RepairRequested(errors=problems))
    amend = replace(
        request,
        messages=[
            *request.messages,
            ChatMessage("assistant", first_text),
            ChatMessage("user", spec.amend.prompt(first, problems)),
        ],
    )
    if watcher is not None:
        watcher.restart()
    second_text, second_usage = await stream_text(settings, amend, sink, watcher)
    usage = usage + second_usage
    value, left = first, problems
    try:
        amended = spec.amend.apply(second_text, first, stage_input)
    except (ValueError, TypeError):
        pass  # nothing usable in the answer: the first result stands, its problems reported
    else:
        amended_problems = check_problems(spec, amended, stage_input)
        if len(amended_problems) <= len(problems):
            value, left = amended, amended_problems
    text = first_text if value is first else spec.render(value)
    return await _finish(spec, stage_input, value, text, usage, sink, watcher, left, True)


async def _finish(
    spec: StageSpec[InT, OutT],
    stage_input: InT,
    value: OutT,
    text: str,
    usage: Usage,
    sink: StreamingHandler,
    watcher: StreamWatcher[OutT] | None,
    unresolved: list[str],
    repaired: bool = False,
) -> StageResult[OutT]:
    if watcher is not None:
        await watcher.finish(value)
    if spec.report is not None:
        coverage = spec.report(value, stage_input)
        if coverage is not None:
            await sink.on_progress_async(
                CoverageChecked(coverage=coverage, repaired=repaired, unresolved=unresolved)
            )
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
