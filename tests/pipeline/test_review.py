"""The design review in the pipeline: rule checks, the LLM reviewer, one correction round."""

from __future__ import annotations

import asyncio
from pathlib import Path

from devussy.llm.base import Capabilities, ChatRequest
from devussy.llm.mock import MockProvider
from devussy.models import ReviewNotes
from devussy.pipeline.base import StageSettings
from devussy.pipeline.checkpoint import CheckpointStore
from devussy.pipeline.review import review_design
from devussy.stages.design import render_design
from devussy.stages.inputs import DesignInput, ReviewInput
from devussy.stages.review import render_review_notes
from devussy.streaming import CollectingStreamingHandler
from tests import samples
from tests.pipeline.scripted import Scripted, stage_of, stage_requests
from tests.pipeline.test_runner import TIMEOUT, RecordingObserver, answer, runner_for

# The sample design misses TypeScript (which the sample brief names) and adds an unexplained Redis.
FIRST = samples.design().model_copy(
    update={"tech_stack": [*samples.design().tech_stack, "Redis"], "brief": samples.BRIEF,
            "complexity": samples.COMPLEXITY}
)  # fmt: skip
STACK = ["Python 3.12 — FastAPI backend", "PostgreSQL 16", "React + Vite front end in TypeScript"]
FIXED = samples.design().model_copy(update={"tech_stack": STACK})
NOTES = ReviewNotes(project_name="TaskFlow", findings=["The data model has no due dates."])


def reviewing(correction: str = render_design(FIXED)) -> Scripted:
    def script(request: ChatRequest) -> str:
        if isinstance(request.task, ReviewInput):
            return render_review_notes(NOTES)
        if isinstance(request.task, DesignInput) and len(request.messages) > 2:
            return correction  # the correction request: the design prompt, the design, the findings
        return answer(3)(request)

    return Scripted(script)


async def test_findings_of_rules_and_reviewer_are_applied_in_one_correction_round() -> None:
    provider = reviewing()
    sink = CollectingStreamingHandler()
    settings = provider.settings()
    result = await review_design(FIRST, reviewer=settings, corrector=settings, sink=sink)

    assert [f.rule for f in result.review.findings] == [
        "brief_technology_missing",
        "unjustified_service",
        "reviewer",
    ]
    assert result.review.reviewer and result.review.corrected and result.review.remaining == []
    assert result.design.tech_stack == FIXED.tech_stack
    assert result.design.brief == samples.BRIEF and result.design.complexity == samples.COMPLEXITY
    review_request, correction = provider.requests
    assert isinstance(review_request.task, ReviewInput)
    assert "the brief names TypeScript" in review_request.messages[1].content  # not to be repeated
    assert [m.role for m in correction.messages] == ["system", "user", "assistant", "user"]
    assert "Redis" in correction.messages[2].content  # the design as first written
    findings = correction.messages[3].content
    assert "TypeScript" in findings and "Redis" in findings and "no due dates" in findings
    assert result.usage.completion_tokens > 0


async def test_an_unreadable_correction_keeps_the_design_and_says_why() -> None:
    provider = reviewing(correction="Sorry, I cannot do that.")
    result = await review_design(
        FIRST, reviewer=provider.settings(), corrector=provider.settings(), sink=CollectingStreamingHandler()
    )
    assert result.design == FIRST and not result.review.corrected
    assert result.review.note is not None and "could not be read" in result.review.note
    assert result.review.remaining == result.review.findings


async def test_an_offline_engine_reports_rule_findings_and_rewrites_nothing() -> None:
    offline = StageSettings(
        provider=MockProvider(lambda request: "unused", capabilities=Capabilities(offline=True))
    )
    sink = CollectingStreamingHandler()
    result = await review_design(FIRST, reviewer=offline, corrector=offline, sink=sink)
    assert [f.rule for f in result.review.findings] == ["brief_technology_missing", "unjustified_service"]
    assert not result.review.reviewer and not result.review.corrected
    assert result.review.note is not None and "offline engine" in result.review.note
    assert offline.provider.requests == []  # type: ignore[attr-defined]


async def test_without_review_the_runner_checks_the_design_and_asks_nothing_more(tmp_path: Path) -> None:
    provider = Scripted(answer(2))
    runner = runner_for(provider, checkpoint_dir=str(tmp_path))
    result = await asyncio.wait_for(runner.run(samples.BRIEF), TIMEOUT)
    assert result.review is not None
    assert [f.rule for f in result.review.findings] == ["brief_technology_missing"]
    assert result.review.note is not None and "no --review" in result.review.note
    assert stage_requests(provider, "design_review") == [] and len(stage_requests(provider, "design")) == 1
    saved = CheckpointStore(tmp_path).load()
    assert saved is not None and saved.review == result.review


async def test_with_review_the_runner_corrects_the_design_before_the_plan(tmp_path: Path) -> None:
    provider = reviewing()
    observer = RecordingObserver()
    runner = runner_for(provider, checkpoint_dir=str(tmp_path), observer=observer, review=True)
    result = await asyncio.wait_for(runner.run(samples.BRIEF), TIMEOUT)

    assert result.design.tech_stack == FIXED.tech_stack
    assert result.review is not None and result.review.corrected
    stages = [stage_of(r) for r in provider.requests]
    assert stages[:4] == ["design", "design_review", "design", "basic_plan"]
    plan_request = stage_requests(provider, "basic_plan")[0]
    assert "in TypeScript" in plan_request.messages[1].content  # written from the corrected design
    assert ("design_review", None, "finished") in observer.log
    assert [u.stage for u in result.units][:3] == ["design", "design_review", "basic_plan"]

    again = reviewing()
    resumed = await asyncio.wait_for(
        runner_for(again, checkpoint_dir=str(tmp_path), review=True).run(samples.BRIEF, resume=True), TIMEOUT
    )
    assert again.requests == [] and resumed.review == result.review  # reused, not reviewed twice
