"""Every stage spec: its declarations agree, and its render is what its parse reads."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from devussy.models import InterviewReply, ReviewNotes
from devussy.planner.complexity import assess_complexity
from devussy.stages.inputs import (
    DesignInput,
    DetailInput,
    HandoffInput,
    InterviewInput,
    PlanInput,
    ReviewInput,
)
from devussy.stages.names import STAGES
from devussy.stages.specs import SPECS
from tests import samples

INPUTS: dict[str, Any] = {
    "interview": InterviewInput(user_input="done"),
    "design": DesignInput(brief=samples.BRIEF, complexity=assess_complexity(samples.BRIEF)),
    "design_review": ReviewInput(design=samples.design(), rule_findings=["the brief names TypeScript"]),
    "basic_plan": PlanInput(design=samples.design()),
    "phase_detail": DetailInput(plan=samples.plan(3), phase_number=2),
    "handoff": HandoffInput(design=samples.design(), plan=samples.plan(2)),
}
OUTPUTS: dict[str, Any] = {
    "interview": InterviewReply(reply="Thanks, here is your brief.", brief=samples.BRIEF),
    "design": samples.listed_design(),
    "design_review": ReviewNotes(project_name="TaskFlow", findings=["Say how tasks are assigned."]),
    "basic_plan": samples.plan(3),
    "phase_detail": samples.detailed(samples.plan(3).phase(2)),
    "handoff": samples.handoff(),
}


def test_one_spec_per_stage_in_pipeline_order() -> None:
    assert tuple(SPECS) == STAGES
    for name, spec in SPECS.items():
        assert spec.name == name and spec.input_model.stage == name


@pytest.mark.parametrize("stage", STAGES)
def test_the_prompt_names_the_stage_and_parse_reads_render(stage: str) -> None:
    spec = SPECS[stage]  # type: ignore[index]
    messages = spec.messages(INPUTS[stage])
    assert messages[0].role == "system" and messages[0].content.startswith(f"Devussy stage: {stage}")
    parsed = spec.parse(spec.render(OUTPUTS[stage]), INPUTS[stage])
    assert isinstance(parsed, spec.output_model)
    assert spec.render(parsed) == spec.render(OUTPUTS[stage])


@pytest.mark.parametrize("stage", STAGES)
def test_json_schema_is_the_output_models_schema(stage: str) -> None:
    spec = SPECS[stage]  # type: ignore[index]
    schema = spec.json_schema
    assert schema["name"] == stage
    jsonschema.Draft202012Validator(schema["schema"]).validate(OUTPUTS[stage].to_json_dict())
