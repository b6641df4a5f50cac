from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from devussy.errors import CheckpointError, CheckpointWriteError, DevussyError, ProviderError
from devussy.events import PhaseAnnounced, ProgressEvent, UnitFailed, UnitFinished
from devussy.llm.base import ChatRequest
from devussy.pipeline import checkpoint as checkpoint_module
from devussy.pipeline.checkpoint import CheckpointStore, saved_units
from devussy.pipeline.runner import PhaseDetailsFailed, PipelineRunner
from devussy.stages.design import render_design
from devussy.stages.detail import render_phase_detail
from devussy.stages.handoff import render_handoff
from devussy.stages.inputs import DetailInput, HandoffInput
from devussy.stages.plan import render_plan
from devussy.streaming import CollectingStreamingHandler
from tests import samples
from tests.fakes.full_disk import FullDisk
from tests.pipeline.scripted import Scripted, stage_of, stage_requests

TIMEOUT = 10


class RecordingObserver:
    def __init__(self) -> None:
        self.log: list[tuple[str, int | None, str]] = []
        self.sinks: dict[tuple[str, int | None], list[CollectingStreamingHandler]] = {}

    def sink(self, stage: str, phase: int | None) -> CollectingStreamingHandler:
        observer = self

        class Sink(CollectingStreamingHandler):
            async def on_progress_async(self, event: ProgressEvent) -> None:
                await super().on_progress_async(event)
                observer.log.append((stage, phase, event.event))

        sink = Sink()
        self.sinks.setdefault((stage, phase), []).append(sink)
        return sink

    def events(self, name: str) -> list[tuple[str, int | None]]:
        return [(stage, phase) for stage, phase, event in self.log if event == name]


def answer(plan_phases: int = 3, fail_phases: frozenset[int] = frozenset()):
    def script(request: ChatRequest) -> str:
        stage = stage_of(request)
        task = request.task
        if stage == "design":
            return render_design(samples.listed_design())
        if stage == "basic_plan":
            return render_plan(samples.plan(plan_phases))
        if stage == "phase_detail":
            assert isinstance(task, DetailInput)
            if task.phase_number in fail_phases:
                raise ProviderError(f"phase {task.phase_number} upstream down", code="provider_unavailable")
            return render_phase_detail(samples.detailed(task.phase))
        if stage == "handoff":
            return render_handoff(samples.handoff())
        raise AssertionError(stage)

    return script


def runner_for(provider: Scripted, **kwargs: Any) -> PipelineRunner:
    return PipelineRunner(lambda stage: provider.settings(), **kwargs)


async def test_run_chains_all_stages_in_order() -> None:
    provider = Scripted(answer(3))
    observer = RecordingObserver()
    result = await asyncio.wait_for(runner_for(provider, observer=observer).run(samples.BRIEF), TIMEOUT)

    assert result.design.brief == samples.BRIEF
    assert result.plan.brief == samples.BRIEF and result.plan.tech_stack == samples.design().tech_stack
    assert [p.number for p in result.plan.phases] == [1, 2, 3]
    assert all(len(p.steps) == 2 for p in result.plan.phases)
    assert result.handoff == samples.handoff()
    assert result.usage.prompt_tokens == 10 * 6  # design, plan, 3 details, handoff

    starts = observer.events("start")
    finished = observer.events("finished")
    assert starts[0] == ("design", None) and starts.count(("handoff", None)) == 1
    assert finished.index(("design", None)) < starts.index(("basic_plan", None))
    # the handoff needs the final plan and the start phase's first steps, not every detail
    assert finished.index(("basic_plan", None)) < finished.index(("handoff", None))
    assert observer.events("failed") == []
    # the plan's sink got a phase event for each phase
    plan_sink = observer.sinks[("basic_plan", None)][0]
    assert [e.phase.number for e in plan_sink.progress if isinstance(e, PhaseAnnounced)] == [1, 2, 3]
    detail_sink = observer.sinks[("phase_detail", 2)][0]
    finished = detail_sink.progress[-1]
    assert isinstance(finished, UnitFinished) and finished.usage.prompt_tokens == 10


async def test_phase_detail_starts_before_the_plan_stream_ends() -> None:
    detail_requested = asyncio.Event()
    plan_finished_after_detail: list[bool] = []
    base = answer(4)

    def script(request: ChatRequest) -> str:
        if stage_of(request) == "phase_detail":
            detail_requested.set()
        return base(request)

    async def before_chunk(request: ChatRequest, index: int) -> None:
        await asyncio.sleep(0)
        if stage_of(request) == "basic_plan" and index == last_plan_chunk:
            # the plan cannot finish until a detail request has been made
            await asyncio.wait_for(detail_requested.wait(), TIMEOUT)
            plan_finished_after_detail.append(True)

    plan_text = render_plan(samples.plan(4))
    last_plan_chunk = (len(plan_text.split(" ")) + 1) // 2 - 1
    provider = Scripted(script, before_chunk=before_chunk)
    result = await asyncio.wait_for(runner_for(provider).run(samples.BRIEF), TIMEOUT)
    assert plan_finished_after_detail == [True]
    assert len(result.plan.phases) == 4
    # early details saw the plan as known so far: phase 1's request knew fewer phases than the plan
    first_detail = stage_requests(provider, "phase_detail")[0].task
    assert isinstance(first_detail, DetailInput)
    assert len(first_detail.plan.phases) < 4
    assert first_detail.plan_complete is False
    assert "the phases known so far" in stage_requests(provider, "phase_detail")[0].messages[1].content


@pytest.mark.parametrize("limit", [1, 2, 3])
async def test_concurrency_limit_is_honoured(limit: int) -> None:
    async def slow(request: ChatRequest, index: int) -> None:
        await asyncio.sleep(0.001 if stage_of(request) == "phase_detail" else 0)

    provider = Scripted(answer(6), before_chunk=slow)
    result = await asyncio.wait_for(runner_for(provider, concurrency=limit).run(samples.BRIEF), TIMEOUT)
    assert len(result.plan.phases) == 6
    assert provider.max_by_stage["phase_detail"] == limit
    assert len(stage_requests(provider, "phase_detail")) == 6


async def test_failed_phase_does_not_stop_others_and_resume_redoes_only_it(tmp_path: Path) -> None:
    provider = Scripted(answer(3, fail_phases=frozenset({2})))
    observer = RecordingObserver()
    with pytest.raises(PhaseDetailsFailed) as caught:
        await asyncio.wait_for(
            runner_for(provider, checkpoint_dir=str(tmp_path), observer=observer).run(samples.BRIEF), TIMEOUT
        )
    assert isinstance(caught.value, DevussyError)
    assert list(caught.value.failures) == [2]
    assert "phase(s) 2" in caught.value.message and caught.value.code == "provider_unavailable"
    assert ("phase_detail", 2, "failed") in observer.log
    # the handoff needed only phase 1 (where work starts): it ran next to the details
    assert len(stage_requests(provider, "handoff")) == 1

    saved = CheckpointStore(tmp_path).load()
    assert saved is not None and saved.design is not None and saved.plan is not None
    assert sorted(saved.phases) == [1, 3] and saved.handoff is not None

    again = Scripted(answer(3))
    observer = RecordingObserver()
    result = await asyncio.wait_for(
        runner_for(again, checkpoint_dir=str(tmp_path), observer=observer).run(samples.BRIEF, resume=True),
        TIMEOUT,
    )
    assert [stage_of(r) for r in again.requests] == ["phase_detail"]
    redone = again.requests[0].task
    assert isinstance(redone, DetailInput) and redone.phase_number == 2
    assert redone.plan_complete is True  # resumed from the complete plan
    skipped = observer.events("skipped")
    assert ("design", None) in skipped and ("basic_plan", None) in skipped
    assert ("phase_detail", 1) in skipped and ("phase_detail", 3) in skipped
    assert all(len(p.steps) == 2 for p in result.plan.phases)
    final = CheckpointStore(tmp_path).load()
    assert final is not None and final.handoff == samples.handoff()


async def test_cancelled_run_leaves_consistent_checkpoint_and_resumes(tmp_path: Path) -> None:
    never = asyncio.Event()
    saved_two = asyncio.Event()

    async def block_phase_3(request: ChatRequest, index: int) -> None:
        await asyncio.sleep(0)
        if isinstance(request.task, HandoffInput):
            await never.wait()  # the handoff (started once phase 1 was done) is cut by the cancel too
        if isinstance(request.task, DetailInput) and request.task.phase_number == 3:
            store = CheckpointStore(tmp_path).load()
            if store is not None and len(store.phases) == 2:
                saved_two.set()
            await never.wait()

    provider = Scripted(answer(3), before_chunk=block_phase_3)
    run = asyncio.create_task(
        runner_for(provider, checkpoint_dir=str(tmp_path), concurrency=3).run(samples.BRIEF)
    )
    while not saved_two.is_set():
        store = CheckpointStore(tmp_path).load()
        if store is not None and len(store.phases) == 2:
            break
        await asyncio.sleep(0.005)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(run, TIMEOUT)
    assert provider.active == 0  # every stream was closed

    checkpoint_file = tmp_path / ".devussy" / "checkpoint.json"
    data = json.loads(checkpoint_file.read_text())
    assert sorted(data["phases"]) == ["1", "2"] and data["handoff"] is None
    assert list((tmp_path / ".devussy").iterdir()) == [checkpoint_file]  # no temp files left

    again = Scripted(answer(3))
    result = await asyncio.wait_for(
        runner_for(again, checkpoint_dir=str(tmp_path)).run(samples.BRIEF, resume=True), TIMEOUT
    )
    assert sorted(stage_of(r) for r in again.requests) == ["handoff", "phase_detail"]
    assert len(result.plan.phases) == 3


async def test_resume_with_a_different_brief_is_refused(tmp_path: Path) -> None:
    provider = Scripted(answer(2))
    await asyncio.wait_for(runner_for(provider, checkpoint_dir=str(tmp_path)).run(samples.BRIEF), TIMEOUT)
    other = samples.BRIEF.model_copy(update={"summary": "Something else entirely."})
    with pytest.raises(CheckpointError, match="different brief") as refused:
        await runner_for(provider, checkpoint_dir=str(tmp_path)).run(other, resume=True)
    assert refused.value.code == "checkpoint_mismatch"
    # without resume, a new brief simply starts over
    result = await asyncio.wait_for(runner_for(provider, checkpoint_dir=str(tmp_path)).run(other), TIMEOUT)
    assert result.design.brief == other


async def test_plan_changed_by_repair_restarts_details_that_were_based_on_it() -> None:
    first_plan = (
        "# Development Plan: TaskFlow\n\nIntro.\n\n## Phase 1: Old title\n\nOld summary.\n\n"
        "## Phase 3: B\n\nB.\n"
    )
    plans = [first_plan, render_plan(samples.plan(2))]
    base = answer(2)

    def script(request: ChatRequest) -> str:
        if stage_of(request) == "basic_plan":
            return plans.pop(0)
        return base(request)

    provider = Scripted(script)
    result = await asyncio.wait_for(runner_for(provider).run(samples.BRIEF), TIMEOUT)
    assert result.plan.phases[0].title == samples.phase_outline(1).title
    assert result.plan.phases[0].steps[0].title.endswith(samples.phase_outline(1).title)
    titles = [
        r.task.plan.phases[0].title
        for r in stage_requests(provider, "phase_detail")
        if isinstance(r.task, DetailInput) and r.task.phase_number == 1
    ]
    assert titles[0] == "Old title" and titles[-1] == samples.phase_outline(1).title


async def test_design_failure_is_reported_and_raised() -> None:
    def script(request: ChatRequest) -> str:
        raise ProviderError("no key", code="provider_auth")

    observer = RecordingObserver()
    with pytest.raises(ProviderError):
        await runner_for(Scripted(script), observer=observer).run(samples.BRIEF)
    assert observer.log == [("design", None, "start"), ("design", None, "failed")]
    failed = observer.sinks[("design", None)][0].progress[-1]
    assert failed == UnitFailed(code="provider_auth", message="no key")


def test_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError):
        PipelineRunner(lambda stage: None, concurrency=0)  # type: ignore[arg-type,return-value]


async def test_a_full_disk_stops_the_run_with_one_error_that_says_what_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = FullDisk(fail_from=3)  # saves 1 and 2 (design, plan) fit; the first phase detail's does not
    monkeypatch.setattr(checkpoint_module, "os", disk)
    provider = Scripted(answer(3))
    with pytest.raises(CheckpointWriteError) as caught:
        await asyncio.wait_for(
            runner_for(provider, checkpoint_dir=str(tmp_path), concurrency=1).run(samples.BRIEF), TIMEOUT
        )
    message = caught.value.message
    assert "No space left on device" in message and "the run stopped" in message
    # design and plan (or design and phase 1, should that detail finish before the plan stream does)
    assert "The checkpoint still holds the design and " in message
    # a handoff started from phase 1's first streamed steps is cancelled with the rest
    assert len(stage_requests(provider, "handoff")) <= 1
    assert len(stage_requests(provider, "phase_detail")) < 3 and provider.active == 0  # the rest cancelled
    checkpoint_file = tmp_path / ".devussy" / "checkpoint.json"
    assert list(checkpoint_file.parent.iterdir()) == [checkpoint_file]
    saved = CheckpointStore(tmp_path).load()
    assert saved is not None and saved.design is not None and saved.handoff is None
    assert saved_units(saved) in message

    disk.free()
    again = Scripted(answer(3))
    result = await asyncio.wait_for(
        runner_for(again, checkpoint_dir=str(tmp_path)).run(samples.BRIEF, resume=True), TIMEOUT
    )
    assert [stage_of(r) for r in again.requests].count("design") == 0 and len(result.plan.phases) == 3


async def test_a_full_disk_before_anything_is_saved_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint_module, "os", FullDisk(fail_from=1))
    with pytest.raises(CheckpointWriteError, match=r"The checkpoint still holds nothing yet$"):
        await runner_for(Scripted(answer(2)), checkpoint_dir=str(tmp_path)).run(samples.BRIEF)
