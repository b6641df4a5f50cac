"""The runner's critical path and bookkeeping: the handoff starts once the plan and the start phase's
detail exist; unreadable answers are kept next to the checkpoint; usage is recorded per unit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from devussy.errors import StageError
from devussy.llm.base import ChatRequest
from devussy.models import Requirement
from devussy.pipeline.checkpoint import CheckpointStore
from devussy.pipeline.runner import PhaseDetailsFailed
from devussy.stages.design import render_design
from devussy.stages.detail import render_phase_detail
from devussy.stages.inputs import DetailInput, HandoffInput
from devussy.stages.plan import render_phase_summary, render_plan
from tests import samples
from tests.pipeline.scripted import Scripted, stage_of, stage_requests
from tests.pipeline.test_runner import TIMEOUT, answer, runner_for


async def test_the_handoff_starts_once_the_start_phase_is_detailed_not_every_phase() -> None:
    handoff_started = asyncio.Event()

    async def hold_phase_3(request: ChatRequest, index: int) -> None:
        await asyncio.sleep(0)
        if isinstance(request.task, HandoffInput):
            handoff_started.set()
        if isinstance(request.task, DetailInput) and request.task.phase_number == 3:
            await asyncio.wait_for(handoff_started.wait(), TIMEOUT)  # phase 3 ends only after that

    provider = Scripted(answer(3), before_chunk=hold_phase_3)
    result = await asyncio.wait_for(runner_for(provider, concurrency=3).run(samples.BRIEF), TIMEOUT)

    (handoff_request,) = stage_requests(provider, "handoff")
    task = handoff_request.task
    assert isinstance(task, HandoffInput)
    assert task.plan.phase(1).steps  # where work starts: detailed
    assert not task.plan.phase(3).steps  # still being detailed when the handoff started
    assert [len(p.steps) for p in result.plan.phases] == [2, 2, 2]  # the result has every phase
    assert result.handoff == samples.handoff()


async def test_the_handoff_starts_from_the_start_phases_first_complete_step() -> None:
    handoff_started = asyncio.Event()

    text = render_phase_detail(samples.detailed(samples.plan(3).phase(1)))
    last_chunk = (len(text.split(" ")) - 1) // 2  # Scripted streams two words per chunk

    async def hold_phase_1_before_its_end(request: ChatRequest, index: int) -> None:
        await asyncio.sleep(0)
        if isinstance(request.task, HandoffInput):
            handoff_started.set()
        task = request.task
        if isinstance(task, DetailInput) and task.phase_number == 1 and index == last_chunk:
            await asyncio.wait_for(handoff_started.wait(), TIMEOUT)  # phase 1 ends after the handoff starts

    provider = Scripted(answer(3), before_chunk=hold_phase_1_before_its_end)
    result = await asyncio.wait_for(runner_for(provider, concurrency=3).run(samples.BRIEF), TIMEOUT)
    (handoff_request,) = stage_requests(provider, "handoff")
    task = handoff_request.task
    assert isinstance(task, HandoffInput) and task.details_complete is False
    assert [step.id for step in task.plan.phase(1).steps] == ["1.1"]  # what was complete in the stream
    assert "still being detailed" in handoff_request.messages[1].content
    assert result.handoff.start_step == "1.1" and len(result.plan.phase(1).steps) == 2


async def test_a_repair_that_changes_the_first_step_redoes_the_handoff() -> None:
    first = render_phase_detail(samples.detailed(samples.plan(3).phase(1)))
    broken = first.replace("### Step 1.2", "### Step 1.3")  # a gap: repaired below
    repaired = first.replace("Step 1 of Part 1 – build", "Scaffold the repository")
    answers = iter([broken, repaired])

    def script(request: ChatRequest) -> str:
        if isinstance(request.task, DetailInput) and request.task.phase_number == 1:
            return next(answers)
        return answer(3)(request)

    provider = Scripted(script)
    result = await asyncio.wait_for(runner_for(provider, concurrency=3).run(samples.BRIEF), TIMEOUT)
    handoffs = stage_requests(provider, "handoff")
    assert result.plan.phase(1).steps[0].title == "Scaffold the repository"
    last = handoffs[-1].task
    assert isinstance(last, HandoffInput) and last.plan.phase(1).steps[0].title == "Scaffold the repository"
    assert len(handoffs) == 2  # started from the first answer's step 1.1, then redone


async def test_no_handoff_when_the_start_phase_fails() -> None:
    provider = Scripted(answer(3, fail_phases=frozenset({1})))
    with pytest.raises(PhaseDetailsFailed) as caught:
        await asyncio.wait_for(runner_for(provider).run(samples.BRIEF), TIMEOUT)
    assert list(caught.value.failures) == [1]
    assert stage_requests(provider, "handoff") == []


async def test_an_unreadable_stage_keeps_its_raw_answers_and_resume_retries_it_alone(tmp_path: Path) -> None:
    garbage = iter(["Sure! Which database?", "Still no design, sorry."])

    def script(request: ChatRequest) -> str:
        if stage_of(request) == "design":
            return next(garbage)
        return answer(2)(request)

    provider = Scripted(script)
    with pytest.raises(StageError) as caught:
        await asyncio.wait_for(runner_for(provider, checkpoint_dir=str(tmp_path)).run(samples.BRIEF), TIMEOUT)
    raw = CheckpointStore(tmp_path).raw_path("design")
    assert caught.value.code == "parse_failed"
    assert caught.value.message.startswith("Design stage: the answer could not be read")
    assert "no design sections found" in caught.value.message
    assert str(raw) in caught.value.message and "--resume" in caught.value.message
    assert "Sure! Which database?" in raw.read_text() and "Still no design, sorry." in raw.read_text()

    again = Scripted(answer(2))
    result = await asyncio.wait_for(
        runner_for(again, checkpoint_dir=str(tmp_path)).run(samples.BRIEF, resume=True), TIMEOUT
    )
    assert result.design.architecture == samples.design().architecture
    assert not raw.exists()  # the stage succeeded: its old raw answers are gone


async def test_usage_is_recorded_per_unit_and_reused_units_are_marked(tmp_path: Path) -> None:
    provider = Scripted(answer(2, fail_phases=frozenset({2})))
    with pytest.raises(PhaseDetailsFailed):
        await asyncio.wait_for(runner_for(provider, checkpoint_dir=str(tmp_path)).run(samples.BRIEF), TIMEOUT)

    again = Scripted(answer(2))
    result = await asyncio.wait_for(
        runner_for(again, checkpoint_dir=str(tmp_path)).run(samples.BRIEF, resume=True), TIMEOUT
    )
    units = [(u.stage, u.phase, u.reused) for u in result.units]
    assert units == [
        ("design", None, True),
        ("basic_plan", None, True),
        ("phase_detail", 1, True),
        ("phase_detail", 2, False),
        ("handoff", None, True),
    ]
    assert all(u.usage.completion_tokens > 0 for u in result.units)
    assert result.usage == result.units[3].usage  # this run spent only phase 2's
    report = result.usage_report
    assert report.total.completion_tokens == sum(u.usage.completion_tokens for u in result.units)


async def test_a_plan_repair_changing_the_start_phases_requirements_restarts_it_before_the_handoff() -> None:
    export = Requirement(id="R2", text="Export tasks as CSV", kind="feature", source="design")
    listed = [*samples.LISTED_REQUIREMENTS, export]
    design = samples.listed_design().model_copy(update={"requirements": listed})
    cited = samples.phase_outline(1).model_copy(update={"requirements": ["R2"]})
    plans = iter([render_plan(samples.plan(3)), render_phase_summary(cited)])  # the amend cites R2 in phase 1
    base = answer(3)

    def script(request: ChatRequest) -> str:
        task = request.task
        if stage_of(request) == "design":
            return render_design(design)
        if stage_of(request) == "basic_plan":
            return next(plans)
        if isinstance(task, DetailInput):
            steps = samples.detailed(task.phase).steps
            steps[0] = steps[0].model_copy(update={"covers": list(task.phase.requirements)})
            return render_phase_detail(task.phase.model_copy(update={"steps": steps}))
        return base(request)

    provider = Scripted(script)
    result = await asyncio.wait_for(runner_for(provider, concurrency=3).run(samples.BRIEF), TIMEOUT)

    assert result.plan.phase(1).requirements == ["R2"] and result.plan.phase(1).steps[0].covers == ["R2"]
    seen = [
        r.task.phase.requirements
        for r in stage_requests(provider, "phase_detail")
        if isinstance(r.task, DetailInput) and r.task.phase_number == 1
    ]
    assert seen[-1] == ["R2"] and seen.count(["R2"]) == 1  # restarted once, for the changed line
    (handoff_request,) = stage_requests(provider, "handoff")  # never started from the stale detail
    task = handoff_request.task
    assert isinstance(task, HandoffInput) and task.plan.phase(1).requirements == ["R2"]
    assert task.plan.phase(1).steps[0].covers == ["R2"]
