from __future__ import annotations

import dataclasses

import pytest

from devussy.errors import ProviderError, StageError
from devussy.events import RepairRequested
from devussy.llm.base import ChatRequest
from devussy.models import ProjectDesign
from devussy.pipeline.generation import REPAIR_SEPARATOR, generate, repair_prompt
from devussy.pipeline.generators import ProjectDesignGenerator
from devussy.stages import design as design_stage
from devussy.stages.design import render_design
from devussy.stages.inputs import DesignInput
from devussy.streaming import CollectingStreamingHandler
from tests import samples
from tests.pipeline.scripted import Scripted

BAD = "Happy to help with TaskFlow! Could you tell me more about the team first?"


def answers(*texts: str) -> Scripted:
    queue = list(texts)
    return Scripted(lambda request: queue.pop(0))


async def test_first_answer_valid_streams_every_token_and_no_repair() -> None:
    good = render_design(samples.design())
    provider = answers(good)
    sink = CollectingStreamingHandler()
    result = await ProjectDesignGenerator(provider.settings()).generate(samples.BRIEF, sink)
    assert sink.text == good == result.text
    assert sink.completions == [good]
    assert [e for e in sink.progress if isinstance(e, RepairRequested)] == []
    assert len(provider.requests) == 1
    assert result.value.architecture == samples.design().architecture
    assert result.usage.completion_tokens > 0


async def test_bad_then_good_repairs_once_quoting_output_and_errors() -> None:
    good = render_design(samples.design())
    provider = answers(BAD, good)
    sink = CollectingStreamingHandler()
    result = await ProjectDesignGenerator(provider.settings()).generate(samples.BRIEF, sink)

    assert result.value.objectives == samples.design().objectives
    assert result.text == good
    repair_events = [e for e in sink.progress if isinstance(e, RepairRequested)]
    assert len(repair_events) == 1
    assert any("no design sections found" in error for error in repair_events[0].errors)
    # both answers streamed to the user, in order
    assert sink.text == BAD + good
    assert len(provider.requests) == 2
    repair_request = provider.requests[1]
    assert repair_request.task == provider.requests[0].task
    last = repair_request.messages[-1].content
    assert "Could you tell me more about the team first?" in last  # quotes the raw output
    assert "no design sections found" in last  # and the errors
    assert "## Risks and Mitigations" in last  # and the format
    assert result.usage.prompt_tokens == 20  # both rounds counted


async def test_two_bad_answers_raise_stage_error_with_both_raw_texts() -> None:
    provider = answers(BAD, "still not a design")
    sink = CollectingStreamingHandler()
    with pytest.raises(StageError) as caught:
        await ProjectDesignGenerator(provider.settings()).generate(samples.BRIEF, sink)
    assert caught.value.code == "parse_failed"
    assert caught.value.raw_text == BAD + REPAIR_SEPARATOR + "still not a design"
    assert "no design sections found" in caught.value.message
    assert len(provider.requests) == 2
    assert sink.completions == []


async def test_provider_error_propagates_unchanged_after_partial_text() -> None:
    good = render_design(samples.design())

    async def fail_midway(request: ChatRequest, index: int) -> None:
        if index == 3:
            raise ProviderError("upstream went away", code="provider_interrupted", retryable=False)

    provider = Scripted(lambda request: good, before_chunk=fail_midway)
    sink = CollectingStreamingHandler()
    with pytest.raises(ProviderError) as caught:
        await ProjectDesignGenerator(provider.settings()).generate(samples.BRIEF, sink)
    assert caught.value.code == "provider_interrupted"
    assert len(sink.tokens) == 3 and good.startswith(sink.text)
    assert provider.closed == 1  # the stream was closed


def test_repair_prompt_elides_huge_answers() -> None:
    text = repair_prompt("design", "x" * 100_000, ["bad"])
    assert len(text) < 30_000
    assert "characters omitted" in text


def needs_three_objectives(design: ProjectDesign, stage_input: DesignInput) -> list[str]:
    short = 3 - len(design.objectives)
    return [f"list {short} more objective(s) under ## Objectives"] if short > 0 else []


CHECKED = dataclasses.replace(design_stage.STAGE, check=needs_three_objectives)
TWO_OBJECTIVES = render_design(samples.design())
THREE_OBJECTIVES = render_design(
    samples.design().model_copy(update={"objectives": [*samples.design().objectives, "Ship weekly"]})
)


async def test_a_check_that_finds_problems_asks_once_for_a_targeted_repair() -> None:
    provider = answers(TWO_OBJECTIVES, THREE_OBJECTIVES)
    sink = CollectingStreamingHandler()
    result = await generate(CHECKED, provider.settings(), design_stage.design_input(samples.BRIEF), sink)

    assert result.value.objectives[-1] == "Ship weekly" and result.text == THREE_OBJECTIVES
    assert sink.progress == [RepairRequested(errors=["list 1 more objective(s) under ## Objectives"])]
    repair = provider.requests[1].messages[-1].content
    assert repair.startswith("Your previous answer needs fixing.")
    assert "- list 1 more objective(s) under ## Objectives" in repair and TWO_OBJECTIVES.strip() in repair
    assert sink.completions == [THREE_OBJECTIVES]


async def test_an_unreadable_repair_after_a_check_keeps_the_first_answer() -> None:
    provider = answers(TWO_OBJECTIVES, "not a design at all")
    sink = CollectingStreamingHandler()
    result = await generate(CHECKED, provider.settings(), design_stage.design_input(samples.BRIEF), sink)
    assert result.text == TWO_OBJECTIVES and len(result.value.objectives) == 2
    assert sink.completions == [TWO_OBJECTIVES] and len(provider.requests) == 2
    assert result.usage.prompt_tokens == 20  # both rounds counted


async def test_a_clean_check_sends_no_repair() -> None:
    provider = answers(THREE_OBJECTIVES)
    sink = CollectingStreamingHandler()
    await generate(CHECKED, provider.settings(), design_stage.design_input(samples.BRIEF), sink)
    assert sink.progress == [] and len(provider.requests) == 1
