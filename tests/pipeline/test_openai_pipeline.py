"""The real pipeline over HTTP: PipelineRunner → OpenAIProvider → loopback FakeOpenAIServer
answering with tests/fakes/stage_responder.py."""

from __future__ import annotations

import asyncio

import pytest

from devussy.llm.openai import OpenAIProvider
from devussy.pipeline.base import StageSettings
from devussy.pipeline.runner import PhaseDetailsFailed, PipelineRunner
from tests import samples
from tests.fakes.openai_server import FakeOpenAIServer, cut_after
from tests.fakes.stage_responder import StageResponder
from tests.pipeline.test_runner import RecordingObserver


def settings_for(server: FakeOpenAIServer) -> StageSettings:
    return StageSettings(
        provider=OpenAIProvider(base_url=server.base_url, api_key="sk-fake", model="fake-model")
    )


async def test_full_run_over_http_with_pipelined_details() -> None:
    with FakeOpenAIServer(responder=StageResponder(samples.SamplePlanner(4))) as server:
        observer = RecordingObserver()
        settings = settings_for(server)
        runner = PipelineRunner(lambda stage: settings, concurrency=2, observer=observer)
        result = await asyncio.wait_for(runner.run(samples.BRIEF), 30)
        bodies = [r.body for r in server.chat_requests()]
    assert len(result.plan.phases) == 4 and all(len(p.steps) == 2 for p in result.plan.phases)
    assert result.handoff == samples.handoff()
    assert result.usage.completion_tokens > 0
    stages = [b["messages"][0]["content"].splitlines()[0] for b in bodies if b]
    assert stages[0] == "Devussy stage: design" and stages.count("Devussy stage: handoff") == 1
    assert stages.count("Devussy stage: phase_detail") == 4
    assert observer.events("failed") == []


async def test_phase_cut_mid_stream_fails_only_that_phase() -> None:
    with FakeOpenAIServer(responder=StageResponder(samples.SamplePlanner(3))) as server:
        # "Detail Phase 2:" appears only in phase 2's detail prompt; cut its stream after 5 chunks
        server.add_rule(r"Detail Phase 2:", cut_after(5), times=10)
        settings = settings_for(server)
        runner = PipelineRunner(lambda stage: settings, concurrency=3)
        with pytest.raises(PhaseDetailsFailed) as caught:
            await asyncio.wait_for(runner.run(samples.BRIEF), 30)
    assert list(caught.value.failures) == [2]
    assert caught.value.code == "provider_interrupted"
