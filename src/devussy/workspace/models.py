"""What a plan folder's state looks like as JSON (CLI ``--json``, the MCP tools, the API)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from devussy.models import DevussyModel, RequirementKind

StepStatus = Literal["done", "blocked", "ready", "waiting", "held"]
PhaseState = Literal["done", "in_progress", "ready", "waiting", "held", "not_detailed"]


class StepRef(DevussyModel):
    id: str
    title: str
    phase: int
    file: str = Field(description="The phase file that holds the step's checkbox, e.g. phase2.md.")


class StepView(StepRef):
    status: StepStatus = Field(
        description="done; blocked (a Blocked: marker); ready (every dependency done); waiting "
        "(dependencies still open); held (it waits, directly or not, on a blocked step)."
    )
    blocked_reason: str | None = None
    notes: list[str] = Field(default_factory=list, description="Lines indented under the step's checkbox.")
    depends_on: list[str] = Field(default_factory=list)
    waits_on: list[str] = Field(
        default_factory=list,
        description="Open steps it still waits for: its own dependencies and the open steps of the "
        "phases its phase depends on.",
    )
    covers: list[str] = Field(default_factory=list)


class StepDetail(StepView):
    details: str
    acceptance_criteria: list[str] = Field(default_factory=list)
    test_command: str | None = None
    markdown: str = Field(default="", description="The step's section of the phase file, as written there.")


class PhaseProgress(DevussyModel):
    number: int
    title: str
    file: str
    done: int
    total: int
    blocked: int
    state: PhaseState
    depends_on: list[int] = Field(default_factory=list)


class OpenRequirement(DevussyModel):
    id: str
    text: str
    kind: RequirementKind
    open_steps: list[str] = Field(
        default_factory=list, description="Steps not done yet that cover it (empty: no step does)."
    )


class WorkspaceStatus(DevussyModel):
    project_name: str
    done: int
    total: int
    phases: list[PhaseProgress]
    blocked: list[StepView] = Field(description="Blocked steps, with their reasons.")
    held: list[StepView] = Field(description="Steps that wait on a blocked step.")
    next_task_group: list[StepRef] = Field(description="What devplan.md's next task group lists.")
    waves: list[list[StepRef]] = Field(
        description="Open, unblocked steps in dependency waves: the steps of one wave can be done in "
        "parallel once the waves before it are done."
    )
    open_requirements: list[OpenRequirement] = Field(
        description="Feature, integration and quality requirements no done step covers yet."
    )
    recent_progress: list[str] = Field(description="The last entries of the progress log.")
    warnings: list[str] = Field(default_factory=list)


class NextSteps(DevussyModel):
    waves: list[list[StepRef]] = Field(description="Open, unblocked steps by dependency wave (1: start now).")
    blocked: list[StepView]
    held: list[StepView]


class StepUpdate(DevussyModel):
    """What a change did: the step as it is now, the log lines written, the files rewritten."""

    step: StepDetail
    logged: list[str] = Field(description="Progress log entries added to devplan.md.")
    changed_files: list[str]
    messages: list[str] = Field(default_factory=list, description="Worth knowing (anchors restored, order).")
    next_task_group: list[StepRef]


class ReplanResult(DevussyModel):
    applied: bool = Field(description="True when the files were written (apply=true).")
    summary: list[str] = Field(description="Phases kept, regenerated, removed; done steps kept or carried.")
    diff: str = Field(description="Unified diff of the plan's markdown files.")
    changed_files: list[str]
    deleted_files: list[str] = Field(default_factory=list)
