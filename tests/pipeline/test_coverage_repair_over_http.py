"""The repair round through the whole pipeline over HTTP: PipelineRunner → OpenAIProvider → loopback
FakeOpenAIServer answering as ``DefectiveModel`` (a model that leaves out Covers lines, leaves a
requirement out, or contradicts a constraint, then does what the repair names)."""

from __future__ import annotations

import asyncio

import pytest

from devussy.events import CoverageChecked, RepairRequested
from devussy.llm.openai import OpenAIProvider
from devussy.models import ProjectBrief, Requirement
from devussy.pipeline.base import StageSettings
from devussy.pipeline.runner import PipelineRunner
from devussy.requirements import check_coverage
from tests.fakes.defective_model import DEFECTS, Defect, DefectiveModel, Style
from tests.fakes.openai_server import FakeOpenAIServer
from tests.pipeline.test_runner import RecordingObserver

BRIEF = ProjectBrief(
    name="ClimbBook",
    summary="A Django web app for booking climbing gym classes with Stripe payments.",
    languages=["Python"],
    frameworks=["Django"],
    requirements=[
        Requirement(id="R1", text="Members book climbing classes"),
        Requirement(id="R2", text="Waitlist place when a class is full"),
        Requirement(id="R3", text="Stripe payments", kind="integration"),
        Requirement(id="R4", text="The Postgres database already exists", kind="constraint"),
    ],
)


async def run(defect: Defect, style: Style) -> tuple[DefectiveModel, RecordingObserver, object]:
    model = DefectiveModel(defect, style)
    with FakeOpenAIServer(responder=model) as server:
        provider = OpenAIProvider(base_url=server.base_url, api_key="sk-fake", model="fake-model")
        settings = StageSettings(provider=provider)
        observer = RecordingObserver()
        runner = PipelineRunner(lambda stage: settings, concurrency=4, observer=observer)
        result = await asyncio.wait_for(runner.run(BRIEF), 60)
    return model, observer, result


def progress(observer: RecordingObserver) -> list[object]:
    return [event for sinks in observer.sinks.values() for sink in sinks for event in sink.progress]


def checks(observer: RecordingObserver) -> list[CoverageChecked]:
    return [event for event in progress(observer) if isinstance(event, CoverageChecked)]


@pytest.mark.parametrize("defect", DEFECTS)
async def test_one_targeted_repair_recovers_each_kind_of_mistake(defect: Defect) -> None:
    model, observer, result = await run(defect, "targeted")
    assert model.injected, "the brief allows this defect"
    repairs = [event for event in progress(observer) if isinstance(event, RepairRequested)]
    assert repairs and len(model.repairs) == len(repairs)
    repaired = [check for check in checks(observer) if check.repaired]
    assert repaired and all(check.unresolved == [] for check in repaired)
    assert check_coverage(result.plan).ok  # type: ignore[attr-defined]


async def test_what_a_stubborn_model_leaves_is_reported_not_hidden() -> None:
    _, observer, result = await run("no_covers", "stubborn")
    repaired = [check for check in checks(observer) if check.repaired]
    assert repaired and all(check.unresolved for check in repaired)
    assert all(" covers R" in problem for check in repaired for problem in check.unresolved)
    report = check_coverage(result.plan)  # type: ignore[attr-defined]
    assert not report.ok and report.with_status("uncovered")
