from __future__ import annotations

from string import Template

import pytest

from devussy.config import STAGES
from devussy.stages.prompts import appended, format_spec, load_prompt, render_prompt, stage_messages


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_a_recognisable_system_prompt_and_format(stage: str) -> None:
    system = render_prompt(f"{stage}_system", format=format_spec(stage))
    assert system.splitlines()[0] == f"Devussy stage: {stage}"
    assert format_spec(stage) in system


@pytest.mark.parametrize("stage", [s for s in STAGES if s != "interview"])
def test_user_prompts_fill_every_placeholder(stage: str) -> None:
    placeholders = {
        m.group("named") or m.group("braced")
        for m in Template.pattern.finditer(load_prompt(f"{stage}_user").template)
        if m.group("named") or m.group("braced")
    }
    values = {name: f"<{name}>" for name in placeholders}
    messages = stage_messages(stage, **values)
    assert [m.role for m in messages] == ["system", "user"]
    assert all(f"<{name}>" in messages[1].content for name in placeholders)
    assert "$" not in messages[1].content.replace("$$", "")


def test_appended_adds_a_blank_line_only_before_a_block() -> None:
    assert appended("") == ""
    assert appended("## Revise") == "\n\n## Revise"


def test_missing_value_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(KeyError):
        render_prompt("design_user", project_name="x")
    with pytest.raises(KeyError, match="no prompt template"):
        load_prompt("nope")
