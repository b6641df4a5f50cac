"""The stage vocabulary, in one place: pipeline stage names and the short labels used on the wire.

``StageName`` is what the settings (``DEVUSSY_<STAGE>_MODEL``), the runner, checkpoints and engine
requests use; ``StageLabel`` is what the HTTP API's ``start`` event and the CLI show (``plan`` for
``basic_plan``, ``detail`` for ``phase_detail``). Both are exported in the OpenAPI document.
"""

from __future__ import annotations

from typing import Literal, get_args

StageName = Literal["interview", "design", "design_review", "basic_plan", "phase_detail", "handoff"]
StageLabel = Literal["interview", "design", "review", "plan", "detail", "handoff"]

STAGES: tuple[StageName, ...] = get_args(StageName)
STAGE_LABELS: dict[StageName, StageLabel] = {
    "interview": "interview",
    "design": "design",
    "design_review": "review",
    "basic_plan": "plan",
    "phase_detail": "detail",
    "handoff": "handoff",
}


def env_names(stage: StageName) -> tuple[str, ...]:
    """Spellings of ``stage`` in ``DEVUSSY_<STAGE>_MODEL``: the short label first, then the name."""
    return tuple(dict.fromkeys((STAGE_LABELS[stage].upper(), stage.upper())))
