from __future__ import annotations

from typing import get_args

from devussy.stages.names import STAGE_LABELS, STAGES, StageLabel, env_names


def test_every_stage_has_one_label_and_the_labels_are_the_wire_vocabulary() -> None:
    assert list(STAGE_LABELS) == list(STAGES)
    assert sorted(STAGE_LABELS.values()) == sorted(get_args(StageLabel))


def test_env_spellings_put_the_short_label_first() -> None:
    assert env_names("basic_plan") == ("PLAN", "BASIC_PLAN")
    assert env_names("phase_detail") == ("DETAIL", "PHASE_DETAIL")
    assert env_names("design") == ("DESIGN",)
