from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from devussy.errors import InputTooLarge, ProviderError, StageError
from devussy.events import RepairRequested
from devussy.llm.base import ChatDelta, ChatMessage, ChatRequest, LLMProvider
from devussy.llm.builtin import (
    MAX_INTERVIEW_CHARS,
    MAX_INTERVIEW_TURNS,
    BuiltinProvider,
    check_interview_input,
)
from devussy.llm.chunks import chunk_text, estimate_tokens
from devussy.models import ChatTurn, DevPlan, InterviewReply, ProjectBrief, ProjectDesign
from devussy.pipeline.base import StageSettings
from devussy.pipeline.generators import (
    BasicDevPlanGenerator,
    DetailedDevPlanGenerator,
    HandoffPromptGenerator,
    InterviewGenerator,
    ProjectDesignGenerator,
)
from devussy.pipeline.runner import PipelineRunner
from devussy.stages.inputs import DesignInput, DetailInput, HandoffInput, InterviewInput, PlanInput
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


# -- the planner runs off the event loop; the interview input it reads is bounded (issue 12) ----------


class BlockingPlanner(samples.SamplePlanner):
    """Its interview blocks until the test releases it (or 10 s pass): long synchronous planner work."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()
        self.released_in_time: bool | None = None

    def interview(self, history: list[ChatTurn], user_input: str) -> InterviewReply:
        self.entered.set()
        self.released_in_time = self.release.wait(10)
        return super().interview(history, user_input)


def interview_request(history: list[ChatTurn] | None = None, user_input: str = "done") -> ChatRequest:
    return ChatRequest(messages=[], task=InterviewInput(history=history or [], user_input=user_input))


async def test_planner_work_leaves_the_event_loop_free() -> None:
    planner = BlockingPlanner()
    consumer = asyncio.create_task(collect(BuiltinProvider(planner).stream(interview_request())))
    # Only a free loop gets here while the planner works: this coroutine is what releases it.
    await asyncio.to_thread(planner.entered.wait, 10)
    planner.release.set()
    deltas = await consumer
    assert planner.released_in_time is True
    assert "".join(delta.text for delta in deltas)


async def test_cancelling_the_stream_does_not_wait_for_the_planner() -> None:
    planner = BlockingPlanner()
    consumer = asyncio.create_task(collect(BuiltinProvider(planner).stream(interview_request())))
    await asyncio.to_thread(planner.entered.wait, 10)
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer
    assert planner.released_in_time is None  # the stream is gone while the planner is still at work
    planner.release.set()


async def collect(stream: AsyncIterator[ChatDelta]) -> list[ChatDelta]:
    return [delta async for delta in stream]


def test_interview_limits_name_themselves() -> None:
    turns = [ChatTurn(role="user", content="x")] * (MAX_INTERVIEW_TURNS - 1)
    check_interview_input(turns, "y")  # exactly at the limit
    with pytest.raises(InputTooLarge) as caught:
        check_interview_input([*turns, ChatTurn(role="assistant", content="q")], "y")
    assert caught.value.code == "input_too_large"
    limits = f"at most {MAX_INTERVIEW_TURNS} interview turns and {MAX_INTERVIEW_CHARS} characters"
    assert limits in str(caught.value)
    long = [ChatTurn(role="user", content="x" * 20_000)] * (MAX_INTERVIEW_CHARS // 20_000)
    check_interview_input(long, "")
    with pytest.raises(InputTooLarge, match=f"{MAX_INTERVIEW_CHARS + 1} characters"):
        check_interview_input(long, "z")


async def test_the_engine_refuses_an_interview_over_its_limits() -> None:
    history = [ChatTurn(role="user", content="x" * 20_000)] * 6
    with pytest.raises(InputTooLarge, match="reads at most"):
        await collect(provider().stream(interview_request(history)))


def test_a_cancelled_stream_does_not_keep_its_event_loop_waiting_for_the_planner() -> None:
    # An API request runs its stage with asyncio.run; when the client leaves, asyncio.run must end at
    # once, not when the engine's call returns (asyncio.to_thread's executor would be joined there).
    planner = BlockingPlanner()

    async def leave_mid_work() -> None:
        consumer = asyncio.create_task(collect(BuiltinProvider(planner).stream(interview_request())))
        await asyncio.to_thread(planner.entered.wait, 10)
        consumer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer

    asyncio.run(leave_mid_work())
    assert planner.released_in_time is None  # asyncio.run returned while the planner was still at work
    planner.release.set()
