from __future__ import annotations

import pytest

from devussy.errors import StageError
from devussy.stages.inputs import DetailInput, require_phase
from tests import samples


def test_require_phase_is_the_one_unknown_phase_check() -> None:
    plan = samples.plan(3)
    assert require_phase(plan, 2) == plan.phases[1]
    with pytest.raises(StageError, match=r"^phase 7 is not in the plan \(phases: 1, 2, 3\)$") as caught:
        require_phase(plan, 7)
    assert caught.value.code == "unknown_phase"


def test_detail_input_names_its_phase_and_quotes_as_camel_case() -> None:
    stage_input = DetailInput(plan=samples.plan(2), phase_number=2, plan_complete=False)
    assert stage_input.stage == "phase_detail" and stage_input.phase.number == 2
    assert {"plan", "phaseNumber", "planComplete"} <= set(stage_input.to_json_dict())
    with pytest.raises(StageError):
        DetailInput(plan=samples.plan(2), phase_number=5).phase  # noqa: B018
