from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from devussy.errors import ProviderError, StageError
from devussy.events import RepairRequested
from devussy.llm.base import ChatMessage, ChatRequest, LLMProvider
from devussy.llm.builtin import BuiltinProvider
from devussy.llm.chunks import chunk_text, estimate_tokens
from devussy.models import ChatTurn, DevPlan, ProjectBrief, ProjectDesign
from devussy.pipeline.base import StageSettings
from devussy.pipeline.generators import (
    BasicDevPlanGenerator,
    DetailedDevPlanGenerator,
    HandoffPromptGenerator,
    InterviewGenerator,
    ProjectDesignGenerator,
)
from devussy.pipeline.runner import PipelineRunner
from devussy.stages.inputs import DesignInput, DetailInput, HandoffInput, PlanInput
from devussy.stages.plan import render_plan
from devussy.streaming import CollectingStreamingHandler
from tests import samples


def provider(**kwargs: object) -> BuiltinProvider:
    return BuiltinProvider(samples.SamplePlanner(), **kwargs)  # type: ignore[arg-type]


def test_contract_and_capabilities() -> None:
    engine = provider()
    assert isinstance(engine, LLMProvider)
    assert engine.name == "builtin"
    assert engine.capabilities.offline and engine.capabilities.streaming


@pytest.mark.parametrize("text", ["", "one", "  lead and trail  ", "a b\n\nc\td  e\n", "x " * 50])
def test_chunks_join_back_exactly(text: str) -> None:
    chunks = chunk_text(text, 3)
    assert "".join(chunks) == text
    assert all(len(chunk.split()) <= 3 for chunk in chunks)


async def test_streams_rendered_plan_in_small_chunks_with_usage() -> None:
    design = samples.design()
    request = ChatRequest(
        messages=[ChatMessage("system", "Devussy stage: basic_plan"), ChatMessage("user", "plan it")],
        task=PlanInput(design=design),
    )
    deltas = [delta async for delta in provider().stream(request)]
    text = "".join(d.text for d in deltas)
    assert text == render_plan(samples.plan(3))
    assert len(deltas) > 10
    assert all(len(d.text.split()) <= 3 for d in deltas)
    final = deltas[-1]
    assert final.text == "" and final.finish_reason == "stop" and final.usage is not None
    assert final.usage.completion_tokens == estimate_tokens(text)
    assert final.usage.prompt_tokens == estimate_tokens("Devussy stage: basic_planplan it")


async def test_request_without_task_is_a_clear_bad_request() -> None:
    with pytest.raises(ProviderError) as caught:
        async for _ in provider().stream(ChatRequest(messages=[ChatMessage("user", "hi")])):
            pass
    assert caught.value.code == "provider_bad_request"
    assert "no stage task" in caught.value.message


class RefusingPlanner(samples.SamplePlanner):
    def design(self, brief: ProjectBrief) -> ProjectDesign:
        raise ValueError("no design for an empty idea")

    def basic_plan(self, design_: ProjectDesign) -> DevPlan:
        return DevPlan.model_validate({"projectName": design_.project_name, "summary": "", "phases": []})


async def test_an_input_the_planner_cannot_use_is_a_bad_request_not_a_traceback() -> None:
    engine = BuiltinProvider(RefusingPlanner())
    request = ChatRequest(messages=[], task=DesignInput(brief=samples.BRIEF, complexity=samples.COMPLEXITY))
    with pytest.raises(ProviderError, match="cannot answer this design request: no design") as caught:
        async for _ in engine.stream(request):
            pass
    assert caught.value.code == "provider_bad_request"
    request = ChatRequest(messages=[], task=PlanInput(design=samples.design()))
    refused = r"cannot answer this basic_plan request: summary: .*; \.\.\. and 1 more"
    with pytest.raises(ProviderError, match=refused):
        async for _ in engine.stream(request):
            pass


async def test_an_unknown_phase_is_the_stage_error_of_the_one_check() -> None:
    request = ChatRequest(messages=[], task=DetailInput(plan=samples.plan(2), phase_number=9))
    with pytest.raises(StageError, match=r"phase 9 is not in the plan \(phases: 1, 2\)") as caught:
        async for _ in BuiltinProvider().stream(request):
            pass
    assert caught.value.code == "unknown_phase"


async def test_chunk_delay_paces_the_stream_and_closing_stops_it() -> None:
    request = ChatRequest(
        messages=[],
        task=HandoffInput(design=samples.design(), plan=samples.plan()),
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    received = []
    stream = provider(chunk_delay=0.01).stream(request)
    async with aclosing(stream):
        async for delta in stream:
            received.append(delta)
            if len(received) == 5:
                break
    assert len(received) == 5
    assert loop.time() - started >= 0.04
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()  # closed: nothing more comes


async def test_every_stage_through_the_generators() -> None:
    settings = StageSettings(provider=provider(), model="builtin")
    sink = CollectingStreamingHandler()
    reply = await InterviewGenerator(settings).generate([ChatTurn(role="user", content="hi")], "done", sink)
    assert reply.value.brief == samples.BRIEF
    design = (await ProjectDesignGenerator(settings).generate(samples.BRIEF, sink)).value
    assert design.complexity is not None and design.brief == samples.BRIEF
    plan = (await BasicDevPlanGenerator(settings).generate(design, sink)).value
    assert plan.complexity == design.complexity and plan.tech_stack == design.tech_stack
    phase = (await DetailedDevPlanGenerator(settings).generate(plan, 2, sink)).value
    assert phase == samples.detailed(plan.phase(2))
    handoff = (await HandoffPromptGenerator(settings).generate(design, plan, sink)).value
    assert handoff == samples.handoff()
    assert [e for e in sink.progress if isinstance(e, RepairRequested)] == []


async def test_offline_planner_end_to_end() -> None:
    planner = pytest.importorskip("devussy.planner")
    if not hasattr(planner, "OfflinePlanner"):
        pytest.skip("devussy.planner.OfflinePlanner has not landed yet")
    settings = StageSettings(provider=BuiltinProvider(), model="builtin")
    runner = PipelineRunner(lambda stage: settings, concurrency=3)
    result = await asyncio.wait_for(runner.run(samples.BRIEF), 30)
    assert result.plan.phases and all(phase.steps for phase in result.plan.phases)
    assert result.handoff.project_name == samples.BRIEF.name
    assert result.usage.completion_tokens > 0
