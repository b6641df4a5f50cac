"""The generic stage runner: any ``StageSpec``, streamed, parsed, checked and repaired once.

:func:`generate` runs every stage the same way:

1. build the request from the spec's prompt (``spec.messages``) with the stage input as its task;
2. stream it; every text delta goes to ``sink.on_token_async`` as it arrives, and to the spec's
   stream watcher if it has one (the plan stage announces phases while the stream is running);
3. parse the complete text (``spec.parse``), then run the spec's ``check`` if it has one;
4. if parsing failed (or the check found problems), send ONE repair request that quotes the raw
   output and the problems and repeats the format (progress event ``RepairRequested``; its tokens
   stream too);
5. if the repaired answer does not parse either and the engine takes a JSON schema (see
   ``StageSettings.uses_structured_output``), ask ONCE more for the stage's output as JSON matching
   ``spec.json_schema`` (``RepairRequested(structured=True)``); the JSON is validated with the
   output model, written in the stage's canonical format and parsed like any answer, so the input's
   context and the parser's checks apply to it too;
6. if nothing could be read, raise ``StageError(code="parse_failed")`` naming the stage and what was
   missing, carrying every raw answer. (After a failed check, an unreadable repair keeps the first,
   parsed answer.)

Provider errors propagate unchanged; the partial text is whatever the sink already received.
"""

from __future__ import annotations

import json
import re
from contextlib import aclosing
from dataclasses import dataclass, replace
from typing import TypeVar

from devussy.errors import ProviderError, StageError
from devussy.events import RepairRequested
from devussy.llm.base import STRUCTURED_OUTPUT_REFUSED, ChatMessage, ChatRequest
from devussy.llm.pricing import with_cost
from devussy.models import DevussyModel, Usage
from devussy.pipeline.base import StageResult, StageSettings
from devussy.stages.inputs import StageInput
from devussy.stages.parsing import FormatError, error_lines, strip_think
from devussy.stages.prompts import format_spec, render_prompt
from devussy.stages.spec import StageSpec, StreamWatcher
from devussy.streaming import StreamingHandler

InT = TypeVar("InT", bound=StageInput)
OutT = TypeVar("OutT", bound=DevussyModel)

# How much of a bad answer the repair prompt quotes; the rest is elided in the middle.
MAX_QUOTED_CHARS = 24_000
REPAIR_SEPARATOR = "\n\n----- repair attempt -----\n\n"
STRUCTURED_SEPARATOR = "\n\n----- structured output attempt -----\n\n"


@dataclass(frozen=True)
class Answer:
    """One streamed answer: its text, the usage reported and why the engine stopped."""

    text: str
    usage: Usage
    finish_reason: str | None = None

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


def build_request(spec: StageSpec[InT, OutT], settings: StageSettings, stage_input: InT) -> ChatRequest:
    return ChatRequest(
        messages=spec.messages(stage_input),
        model=settings.model,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        task=stage_input,
    )


async def stream_answer(
    settings: StageSettings,
    request: ChatRequest,
    sink: StreamingHandler,
    watcher: StreamWatcher[OutT] | None = None,
) -> Answer:
    """Stream one request into the sink; returns the full text, usage and finish reason."""
    parts: list[str] = []
    usage = Usage()
    finish_reason = None
    async with aclosing(settings.provider.stream(request)) as deltas:
        async for delta in deltas:
            if delta.text:
                parts.append(delta.text)
                await sink.on_token_async(delta.text)
                if watcher is not None:
                    await watcher.feed("".join(parts))
            if delta.usage is not None:
                usage = usage + delta.usage
            finish_reason = delta.finish_reason or finish_reason
    return Answer("".join(parts), with_cost(usage, settings.price), finish_reason)


async def generate(
    spec: StageSpec[InT, OutT], settings: StageSettings, stage_input: InT, sink: StreamingHandler
) -> StageResult[OutT]:
    """Run one stage; see the module docstring."""
    request = build_request(spec, settings, stage_input)
    watcher = spec.watch(sink) if spec.watch is not None else None
    answer = await stream_answer(settings, request, sink, watcher)
    usage = answer.usage
    first: OutT | None = None
    try:
        first = read_answer(spec, answer, stage_input)
    except (ValueError, TypeError) as exc:  # pydantic.ValidationError is a ValueError
        problems, unreadable = describe_failure(answer, exc), True
    else:
        problems, unreadable = (spec.check(first, stage_input) if spec.check else []), False
        if not problems:
            return await _finish(first, answer.text, usage, sink, watcher)

    await sink.on_progress_async(RepairRequested(errors=problems))
    repair = replace(
        request,
        messages=[
            *request.messages,
            ChatMessage("user", repair_prompt(spec.name, answer.text, problems, unreadable=unreadable)),
        ],
    )
    if watcher is not None:
        watcher.restart()
    second = await stream_answer(settings, repair, sink, watcher)
    usage = usage + second.usage
    try:
        repaired = read_answer(spec, second, stage_input)
    except (ValueError, TypeError) as exc:
        if first is not None:  # only the check had problems: the first answer stands
            return await _finish(first, answer.text, usage, sink, watcher)
        errors = describe_failure(second, exc)
    else:
        return await _finish(repaired, second.text, usage, sink, watcher)

    raw_text = answer.text + REPAIR_SEPARATOR + second.text
    attempts = "a repair request"
    if settings.uses_structured_output:
        value, errors, structured_usage, json_text = await _structured(
            spec, settings, stage_input, request, second.text, errors, sink, watcher
        )
        usage = usage + structured_usage
        if value is not None:
            return await _finish(value, spec.render(value), usage, sink, watcher)
        raw_text += STRUCTURED_SEPARATOR + json_text
        attempts = "a repair request and a request for JSON"
    raise StageError(
        f"{stage_title(spec.name)} stage: the answer could not be read, even after {attempts}: "
        + "; ".join(errors[:5]),
        raw_text=raw_text,
        code="parse_failed",
    )


def stage_title(name: str) -> str:
    """``phase_detail`` → ``Phase detail``."""
    return name.replace("_", " ").capitalize()


CUT_OFF = (
    "the answer was cut off at the model's token limit (finish reason: length), so parts of it may be "
    "missing; allow more tokens (max tokens) or ask for less"
)


def read_answer(spec: StageSpec[InT, OutT], answer: Answer, stage_input: InT) -> OutT:
    """Parse an answer; one the engine cut off at its token limit is never taken as complete, even
    when what arrived parses (a plan cut after phase 3 of 6 would lose phases silently)."""
    value = spec.parse(answer.text, stage_input)
    if answer.truncated:
        raise FormatError(CUT_OFF)
    return value


def describe_failure(answer: Answer, exc: Exception) -> list[str]:
    """What could not be read, said plainly: an empty answer, or a cut one, is named as such."""
    if not answer.text.strip():
        return ["the answer was empty" + (" (cut off at the token limit)" if answer.truncated else "")]
    lines = error_lines(exc)
    if answer.truncated and CUT_OFF not in lines:
        lines = [CUT_OFF, *lines]
    return lines


async def _structured(
    spec: StageSpec[InT, OutT],
    settings: StageSettings,
    stage_input: InT,
    request: ChatRequest,
    last_text: str,
    errors: list[str],
    sink: StreamingHandler,
    watcher: StreamWatcher[OutT] | None,
) -> tuple[OutT | None, list[str], Usage, str]:
    """The last resort: the stage's output as JSON matching ``spec.json_schema``. Returns the value
    (or None), what went wrong, the usage and the raw JSON answer."""
    await sink.on_progress_async(RepairRequested(errors=errors, structured=True))
    schema = spec.json_schema
    prompt = render_prompt(
        "structured",
        stage=stage_title(spec.name).lower(),
        errors="\n".join(f"- {line}" for line in errors) or "- (no details)",
        raw_output=_quoted(last_text),
        schema_name=schema["name"],
    )
    messages = [*request.messages, ChatMessage("user", prompt)]
    structured = replace(request, messages=messages, json_schema=schema)
    if watcher is not None:
        watcher.restart()
    try:
        answer = await stream_answer(settings, structured, sink, watcher)
    except ProviderError as exc:
        if exc.code != STRUCTURED_OUTPUT_REFUSED:
            raise
        return None, [*errors, f"the engine refused the JSON request: {exc.message}"], Usage(), ""
    try:
        if answer.truncated:
            raise FormatError(CUT_OFF)
        return structured_value(spec, answer.text, stage_input), [], answer.usage, answer.text
    except (ValueError, TypeError) as exc:
        json_errors = [
            line if line.startswith("the JSON answer") else f"in the JSON answer: {line}"
            for line in describe_failure(answer, exc)
        ]
        return None, [*errors, *json_errors], answer.usage, answer.text


def structured_value(spec: StageSpec[InT, OutT], text: str, stage_input: InT) -> OutT:
    """A JSON answer → the stage's value: validated with the output model, then written in the
    canonical format and parsed for this input, exactly like a markdown answer."""
    body = strip_think(text).strip()
    fenced = re.fullmatch(r"```[\w-]*\s*\n(.*)\n```", body, re.DOTALL)
    if fenced:
        body = fenced.group(1)
    start, end = body.find("{"), body.rfind("}")
    if start < 0:
        raise ValueError("the JSON answer holds no JSON object")
    try:
        data = json.loads(body[start : end + 1] if end > start else body[start:])
    except ValueError as exc:
        raise ValueError(f"the JSON answer is not valid JSON: {exc}") from None
    value = spec.output_model.model_validate(data)
    return spec.parse(spec.render(value), stage_input)


async def _finish(
    value: OutT, text: str, usage: Usage, sink: StreamingHandler, watcher: StreamWatcher[OutT] | None
) -> StageResult[OutT]:
    if watcher is not None:
        await watcher.finish(value)
    await sink.on_completion_async(text)
    return StageResult(value=value, text=text, usage=usage)


def _quoted(raw_text: str) -> str:
    if len(raw_text) <= MAX_QUOTED_CHARS:
        return raw_text or "(empty answer)"
    half = MAX_QUOTED_CHARS // 2
    omitted = len(raw_text) - MAX_QUOTED_CHARS
    return f"{raw_text[:half]}\n[… {omitted} characters omitted …]\n{raw_text[-half:]}"


def repair_prompt(stage: str, raw_text: str, errors: list[str], *, unreadable: bool = True) -> str:
    return render_prompt(
        "repair",
        problem="could not be read" if unreadable else "needs fixing",
        raw_output=_quoted(raw_text),
        errors="\n".join(f"- {line}" for line in errors) or "- (no details)",
        format=format_spec(stage),
    )
