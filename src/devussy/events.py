"""Progress events: the structured milestones a stage or the pipeline runner reports to its sink.

One pydantic model per event, told apart by ``event``; every one carries ``type: "progress"``, so
its JSON is exactly what the HTTP API sends as a ``progress`` Server-Sent Event::

    {"type": "progress", "event": "phase", "phase": {...}}     a plan phase parsed while streaming
    {"type": "progress", "event": "repair", "errors": [...]}   the answer did not parse; one repair
    {"type": "progress", "event": "coverage", "coverage": {...}, "repaired": false, "unresolved": []}

A stage emits ``StageProgress`` (the API streams these); the runner adds ``RunProgress`` for each
unit of work (the CLI views show them). ``ProgressEvent`` is either.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from devussy.models import CoverageReport, DevussyModel, Phase, Usage


class WireModel(BaseModel):
    """camelCase JSON like the domain models, but text is kept exactly as given (tokens keep their
    spaces)."""

    model_config = ConfigDict(**{**DevussyModel.model_config, "str_strip_whitespace": False})


class EventModel(WireModel):
    """An event of a stage's stream; ``type`` is the Server-Sent Event's type (``event:`` line)."""

    type: str

    def wire_json(self) -> dict[str, Any]:
        """The event's JSON for the ``data:`` line: camelCase, top-level nulls left out."""
        data = self.model_dump(mode="json", by_alias=True)
        return {key: value for key, value in data.items() if value is not None}


class _Progress(EventModel):
    type: Literal["progress"] = "progress"


class PhaseAnnounced(_Progress):
    """The plan stream has yielded a complete phase (sent as soon as it parses, before the plan ends)."""

    event: Literal["phase"] = "phase"
    phase: Phase


class RepairRequested(_Progress):
    """The answer did not parse (or failed the stage's check): one repair request follows. With
    ``structured``, the repair did not parse either and the request asks for JSON matching the
    stage's schema (engines with structured output only)."""

    event: Literal["repair"] = "repair"
    errors: list[str]
    structured: bool = False


class CoverageChecked(_Progress):
    """The coverage check of a plan or phase detail, after the repair round if one ran: what is still
    uncovered or violated is listed, never hidden."""

    event: Literal["coverage"] = "coverage"
    coverage: CoverageReport = Field(
        description="For the plan: every requirement. For a phase detail: the requirements that phase "
        "cites, and the constraints and non-goals (which every step must respect)."
    )
    repaired: bool = Field(description="A targeted repair request was sent for the problems the check found.")
    unresolved: list[str] = Field(
        default_factory=list, description="The problems still there (after the repair, when one ran)."
    )


class UnitStarted(_Progress):
    event: Literal["start"] = "start"


class UnitFinished(_Progress):
    event: Literal["finished"] = "finished"
    usage: Usage


class UnitFailed(_Progress):
    event: Literal["failed"] = "failed"
    code: str
    message: str


class PhaseOutline(WireModel):
    number: int
    title: str


class UnitSkipped(_Progress):
    """A unit reused from a checkpoint; a reused plan lists its phases so a view can still name them."""

    event: Literal["skipped"] = "skipped"
    reason: Literal["checkpoint"] = "checkpoint"
    phases: list[PhaseOutline] = Field(default_factory=list)


StageProgress = Annotated[PhaseAnnounced | RepairRequested | CoverageChecked, Field(discriminator="event")]
RunProgress = Annotated[UnitStarted | UnitFinished | UnitFailed | UnitSkipped, Field(discriminator="event")]
ProgressEvent = Annotated[
    PhaseAnnounced
    | RepairRequested
    | CoverageChecked
    | UnitStarted
    | UnitFinished
    | UnitFailed
    | UnitSkipped,
    Field(discriminator="event"),
]
