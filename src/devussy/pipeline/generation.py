"""The generic stage runner: any ``StageSpec``, streamed, parsed, checked and repaired.

:func:`generate` runs every stage the same way:

1. build the request from the spec's prompt (``spec.messages``) with the stage input as its task;
2. stream it; every text delta goes to ``sink.on_token_async`` as it arrives, and to the spec's
   stream watcher if it has one (the plan stage announces phases while the stream is running);
3. parse the complete text (``spec.parse``); an answer cut off at the token limit is never taken as
   complete;
4. if parsing failed, send ONE repair request that quotes the raw output and the problems and
   repeats the format (progress event ``RepairRequested``; its tokens stream too);
5. if the repaired answer does not parse either and the engine takes a JSON schema (see
   ``StageSettings.uses_structured_output``), ask ONCE more for the stage's output as JSON matching
   ``spec.json_schema`` (``RepairRequested(structured=True)``); the JSON is validated with the
   output model, written in the stage's canonical format and parsed like any answer, so the input's
   context and the parser's checks apply to it too;
6. if nothing could be read, raise ``StageError(code="parse_failed")`` naming the stage and what was
   missing, carrying every raw answer;
7. on a parsed result (first answer, repair or JSON), run the spec's ``check`` if it has one (the
   coverage check of a plan or phase detail); if it finds problems and the engine is a model (the
   offline planner is never asked), send ONE targeted repair request: the answer stays in the
   conversation and the model sends only the parts it adds or rewrites (``spec.amend``), applied to
   the result (a spec without ``amend`` is asked for the whole answer again). The result with fewer
   problems wins (the repaired one on a tie); an unusable or cut-off repair keeps the result it was
   asked to fix;
8. the spec's ``report`` (coverage) goes to the sink as ``CoverageChecked``, listing the problems
   still there after the repair: what stayed uncovered is reported, never hidden.

So a stage sends at most four requests: the answer, the format repair, the JSON request and the
check's repair; each is sent only when the one before it left something to fix.

Provider errors propagate unchanged; the partial text is whatever the sink already received.
"""

from __future__ import annotations

import json
import re
from contextlib import aclosing
from dataclasses import dataclass, replace
from typing import TypeVar

from devussy.errors import ProviderError, StageError
from devussy.events import CoverageChecked, RepairRequested
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
    try:
        value = read_answer(spec, answer, stage_input)
    except (ValueError, TypeError) as exc:  # pydantic.ValidationError is a ValueError
        value, text, usage = await _recover(
            spec, settings, stage_input, request, answer, describe_failure(answer, exc), sink, watcher
        )
    else:
        text, usage = answer.text, answer.usage
    problems = check_problems(spec, value, stage_input)
    if not problems or settings.provider.capabilities.offline:
        return await _finish(spec, stage_input, value, text, usage, sink, watcher, problems)
    checked = (value, text, problems)
    return await _repair_check(spec, settings, stage_input, request, checked, usage, sink, watcher)


async def _recover(
    spec: StageSpec[InT, OutT],
    settings: StageSettings,
    stage_input: InT,
    request: ChatRequest,
    answer: Answer,
    problems: list[str],
    sink: StreamingHandler,
    watcher: StreamWatcher[OutT] | None,
) -> tuple[OutT, str, Usage]:
    """An unreadable answer: the repair round, then the request for JSON. Returns the value read, its
    text and the usage of every round, or raises ``StageError(code="parse_failed")``."""
    await sink.on_progress_async(RepairRequested(errors=problems))
    repair = replace(
        request,
        messages=[*request.messages, ChatMessage("user", repair_prompt(spec.name, answer.text, problems))],
    )
    if watcher is not None:
        watcher.restart()
    second = await stream_answer(settings, repair, sink, watcher)
    usage = answer.usage + second.usage
    try:
        return read_answer(spec, second, stage_input), second.text, usage
    except (ValueError, TypeError) as exc:
        errors = describe_failure(second, exc)

    raw_text = answer.text + REPAIR_SEPARATOR + second.text
    attempts = "a repair request"
    if settings.uses_structured_output:
        value, errors, structured_usage, json_text = await _structured(
            spec, settings, stage_input, request, second.text, errors, sink, watcher
        )
        usage = usage + structured_usage
        if value is not None:
            return value, spec.render(value), usage
        raw_text += STRUCTURED_SEPARATOR + json_text
        attempts = "a repair request and a request for JSON"
    raise StageError(
        f"{stage_title(spec.name)} stage: the answer could not be read, even after {attempts}: "
        + "; ".join(errors[:5]),
        raw_text=raw_text,
        code="parse_failed",
    )


def check_problems(spec: StageSpec[InT, OutT], value: OutT, stage_input: InT) -> list[str]:
    return spec.check(value, stage_input) if spec.check is not None else []


async def _repair_check(
    spec: StageSpec[InT, OutT],
    settings: StageSettings,
    stage_input: InT,
    request: ChatRequest,
    checked: tuple[OutT, str, list[str]],
    usage: Usage,
    sink: StreamingHandler,
    watcher: StreamWatcher[OutT] | None,
) -> StageResult[OutT]:
    """The check's one repair. With ``spec.amend`` it is targeted: the answer stays in the
    conversation, the model sends only what it adds or rewrites, and that is applied to the result;
    without, the whole answer is asked for again, quoting the problems. The result with fewer
    problems wins (the repaired one on a tie); an unusable or cut-off answer keeps the result it was
    asked to fix; what is left is reported, never hidden."""
    first, first_text, problems = checked
    await sink.on_progress_async(RepairRequested(errors=problems))
    if spec.amend is not None:
        ask = [ChatMessage("assistant", first_text), ChatMessage("user", spec.amend.prompt(first, problems))]
    else:
        ask = [ChatMessage("user", repair_prompt(spec.name, first_text, problems, unreadable=False))]
    repair = replace(request, messages=[*request.messages, *ask])
    if watcher is not None:
        watcher.restart()
    second = await stream_answer(settings, repair, sink, watcher)
    usage = usage + second.usage
    value, text, left = first, first_text, problems
    try:
        if second.truncated:  # a cut-off step or phase would replace a whole one
            raise FormatError(CUT_OFF)
        if spec.amend is not None:
            repaired = spec.amend.apply(second.text, first, stage_input)
            repaired_text = spec.render(repaired)  # parts applied: the whole result, in its format
        else:
            repaired, repaired_text = spec.parse(second.text, stage_input), second.text
    except (ValueError, TypeError):
        pass  # nothing usable in the answer: the first result stands, its problems reported
    else:
        repaired_problems = check_problems(spec, repaired, stage_input)
        if len(repaired_problems) <= len(problems):
            value, text, left = repaired, repaired_text, repaired_problems
    return await _finish(spec, stage_input, value, text, usage, sink, watcher, left, True)


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
