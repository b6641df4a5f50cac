"""The structured-output fallback of ``generate``, over HTTP against the loopback fake server: when
the repair round fails, an engine that takes a JSON schema is asked once more for JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from devussy.config import Settings
from devussy.errors import StageError
from devussy.events import RepairRequested
from devussy.llm.base import Capabilities
from devussy.llm.openai import OpenAIProvider
from devussy.llm.structured import JsonSchemaPolicy
from devussy.pipeline.base import StageSettings
from devussy.pipeline.generation import STRUCTURED_SEPARATOR, generate, structured_value
from devussy.pipeline.settings import stage_settings
from devussy.stages import design as design_stage
from devussy.stages import detail as detail_stage
from devussy.stages import interview as interview_stage
from devussy.stages.design import render_design
from devussy.stages.inputs import DesignInput, DetailInput
from devussy.streaming import CollectingStreamingHandler
from tests import samples
from tests.fakes.openai_server import FakeOpenAIServer

GARBAGE = "I am sorry, I can only help with that after a quick question: which database do you use?"
DESIGN_INPUT = DesignInput(brief=samples.BRIEF, complexity=samples.COMPLEXITY)


def design_json(request: dict[str, object]) -> str:
    data = samples.design().to_json_dict()
    return json.dumps({key: value for key, value in data.items() if key not in ("brief", "complexity")})


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(responder=lambda request: GARBAGE, json_responder=design_json) as running:
        yield running


def settings_for(
    server: FakeOpenAIServer, *, capable: bool = True, learned: dict[str, set[str]] | None = None
) -> StageSettings:
    provider = OpenAIProvider(
        base_url=server.base_url,
        model="fake-model",
        capabilities=Capabilities(json_schema=capable, usage_in_stream=True),
        learned={} if learned is None else learned,
    )
    return StageSettings(provider=provider, model="fake-model")


async def test_a_failed_repair_is_recovered_with_the_stages_json_schema(server: FakeOpenAIServer) -> None:
    sink = CollectingStreamingHandler()
    result = await generate(design_stage.STAGE, settings_for(server), DESIGN_INPUT, sink)

    assert result.value.architecture == samples.design().architecture
    assert result.value.brief == samples.BRIEF  # the input's context applies to JSON answers too
    assert result.text == render_design(result.value.model_copy(update={"brief": None, "complexity": None}))
    first, repair, structured = server.chat_requests()
    assert first.body is not None and repair.body is not None and structured.body is not None
    assert "response_format" not in first.body and "response_format" not in repair.body
    response_format = structured.body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "design"
    assert set(response_format["json_schema"]["schema"]["properties"]) >= {"summary", "techStack", "risks"}
    assert "brief" not in response_format["json_schema"]["schema"]["properties"]
    assert "JSON" in structured.body["messages"][-1]["content"]
    repairs = [event for event in sink.progress if isinstance(event, RepairRequested)]
    assert [event.structured for event in repairs] == [False, True]
    assert sink.completions == [result.text]
    assert result.usage.completion_tokens > 0  # all three answers counted


async def test_a_server_that_refuses_the_schema_ends_with_a_clear_error_and_is_not_asked_again() -> None:
    learned: dict[str, set[str]] = {}
    with FakeOpenAIServer(responder=lambda request: GARBAGE, reject_response_format=True) as server:
        settings = settings_for(server, learned=learned)
        with pytest.raises(StageError) as caught:
            await generate(design_stage.STAGE, settings, DESIGN_INPUT, CollectingStreamingHandler())
        assert caught.value.code == "parse_failed"
        assert caught.value.message.startswith("Design stage: the answer could not be read")
        assert "refused the JSON request" in caught.value.message
        assert "no design sections found" in caught.value.message
        assert settings.provider.capabilities.json_schema is False
        assert not settings.uses_structured_output
        again = OpenAIProvider(base_url=server.base_url, model="fake-model", learned=learned)
        assert again.capabilities.json_schema is False
        with pytest.raises(StageError):
            await generate(design_stage.STAGE, settings, DESIGN_INPUT, CollectingStreamingHandler())
        assert len(server.chat_requests()) == 3 + 2  # the second run skips the JSON request


async def test_a_server_that_ignores_the_schema_ends_with_every_answer_kept() -> None:
    sink = CollectingStreamingHandler()
    with FakeOpenAIServer(responder=lambda request: GARBAGE) as server, pytest.raises(StageError) as caught:
        await generate(design_stage.STAGE, settings_for(server), DESIGN_INPUT, sink)
    assert "holds no JSON object" in caught.value.message
    assert caught.value.raw_text.count(GARBAGE) == 3
    assert STRUCTURED_SEPARATOR in caught.value.raw_text


async def test_without_the_capability_only_the_repair_round_runs(server: FakeOpenAIServer) -> None:
    settings = settings_for(server, capable=False)
    with pytest.raises(StageError) as caught:
        await generate(design_stage.STAGE, settings, DESIGN_INPUT, CollectingStreamingHandler())
    assert "even after a repair request:" in caught.value.message
    assert len(server.chat_requests()) == 2


async def test_the_policy_decides_per_model(server: FakeOpenAIServer) -> None:
    base = Settings(
        provider="openai", base_url=server.base_url, model="fake-model", openai_api_key=SecretStr("k")
    )
    for policy, expected in [("fake-model", True), ("other-model", False), ("off", False), ("on", True)]:
        settings = stage_settings(
            Settings(**{**base.__dict__, "json_schema": JsonSchemaPolicy.parse(policy)}), "design"
        )
        assert settings.uses_structured_output is expected, policy
    auto = stage_settings(base, "design")
    assert auto.uses_structured_output is False  # an unknown endpoint: not without being told


def test_json_answers_are_read_through_fences_and_validated() -> None:
    phase = samples.detailed(samples.plan(3).phase(2), steps=2)
    stage_input = DetailInput(plan=samples.plan(3), phase_number=2)
    fenced = "<think>ok</think>\n```json\n" + json.dumps(phase.to_json_dict()) + "\n```"
    assert structured_value(detail_stage.STAGE, fenced, stage_input) == phase
    broken = phase.to_json_dict()
    broken["steps"][1]["id"] = "2.1"
    with pytest.raises(ValueError, match="duplicate step ids"):
        structured_value(detail_stage.STAGE, json.dumps(broken), stage_input)
    with pytest.raises(ValueError, match="not valid JSON"):
        structured_value(detail_stage.STAGE, '{"number": 2,', stage_input)


def test_the_schema_leaves_out_the_context_the_pipeline_fills_in() -> None:
    design_schema = design_stage.STAGE.json_schema["schema"]
    assert "brief" not in design_schema["properties"] and "complexity" not in design_schema["properties"]
    assert set(design_schema["$defs"]) == {"Requirement", "Risk"}  # no unused definitions
    assert design_schema["required"] == ["projectName", "summary"]
    assert "brief" in interview_stage.STAGE.json_schema["schema"]["properties"]  # its own result
