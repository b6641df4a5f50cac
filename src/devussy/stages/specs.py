"""Every stage's spec by name, in pipeline order (``SPECS["phase_detail"] is detail.STAGE``)."""

from __future__ import annotations

from typing import Any

from devussy.stages import design, detail, handoff, interview, plan, review
from devussy.stages.names import StageName
from devussy.stages.spec import StageSpec

SPECS: dict[StageName, StageSpec[Any, Any]] = {
    spec.name: spec
    for spec in (interview.STAGE, design.STAGE, review.STAGE, plan.STAGE, detail.STAGE, handoff.STAGE)
}
