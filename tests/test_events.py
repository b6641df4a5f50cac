"""Progress events: one model per event, parsed back by ``event``, sent as the API's wire JSON."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from devussy.events import (
    PhaseAnnounced,
    PhaseOutline,
    ProgressEvent,
    RepairRequested,
    StageProgress,
    UnitFailed,
    UnitFinished,
    UnitSkipped,
    UnitStarted,
)
from devussy.models import Phase, Usage

PHASE = Phase(number=2, title="API", summary="Build the API.", depends_on=[1])


def test_stage_progress_is_the_wire_format_the_web_client_reads() -> None:
    assert PhaseAnnounced(phase=PHASE).wire_json() == {
        "type": "progress",
        "event": "phase",
        "phase": PHASE.to_json_dict(),
    }
    assert RepairRequested(errors=["missing section"]).wire_json() == {
        "type": "progress",
        "event": "repair",
        "errors": ["missing section"],
        "structured": False,
    }


@pytest.mark.parametrize(
    "event",
    [
        PhaseAnnounced(phase=PHASE),
        RepairRequested(errors=["a", " b "]),
        UnitStarted(),
        UnitFinished(usage=Usage(prompt_tokens=1, completion_tokens=2)),
        UnitFailed(code="provider_timeout", message="slow"),
        UnitSkipped(phases=[PhaseOutline(number=1, title="Setup")]),
    ],
)
def test_every_event_parses_back_by_its_event_name(event: object) -> None:
    adapter: TypeAdapter[ProgressEvent] = TypeAdapter(ProgressEvent)
    assert adapter.validate_json(adapter.dump_json(event)) == event


def test_stage_progress_refuses_runner_events_and_unknown_names() -> None:
    adapter: TypeAdapter[StageProgress] = TypeAdapter(StageProgress)
    repair = {"type": "progress", "event": "repair", "errors": []}
    assert adapter.validate_python(repair) == RepairRequested(errors=[])
    for data in ({"type": "progress", "event": "start"}, {"type": "progress", "event": "nope"}):
        with pytest.raises(ValidationError):
            adapter.validate_python(data)


def test_event_text_is_kept_exactly() -> None:
    assert RepairRequested(errors=["  indented "]).errors == ["  indented "]
    assert UnitFailed(code="x", message=" spaced ").wire_json()["message"] == " spaced "


def test_a_skipped_unit_defaults_to_the_checkpoint_reason_and_no_outline() -> None:
    skipped = {"type": "progress", "event": "skipped", "reason": "checkpoint", "phases": []}
    assert UnitSkipped().wire_json() == skipped
