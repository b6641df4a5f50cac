"""What a snapshot means: progress per phase, blocked steps, dependency waves, the next task group and
the requirements no done step covers yet."""

from __future__ import annotations

from devussy.artifacts.markdown import NEXT_TASK_GROUP_SIZE, phase_filename
from devussy.models import COVERED_KINDS
from devussy.requirements import check_coverage
from devussy.workspace.models import (
    OpenRequirement,
    PhaseProgress,
    PhaseState,
    StepDetail,
    StepRef,
    StepStatus,
    StepView,
    WorkspaceStatus,
)
from devussy.workspace.snapshot import Snapshot, StepInfo

RECENT_PROGRESS = 5
_OPEN_KINDS = (*COVERED_KINDS, "quality")


class Analysis:
    """Per-step status and wave number, computed once per snapshot."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        graph = snapshot.prerequisites()
        self.waits_on: dict[str, list[str]] = {}
        self.status: dict[str, StepStatus] = {}
        self.wave: dict[str, int] = {}
        held: set[str] = set()
        level: dict[str, int] = {}
        for node in snapshot.order():
            info = snapshot.steps.get(node)
            needs = graph.get(node, [])
            if info is not None and info.done:
                level[node] = 0
                self.status[node] = "done"
                continue
            is_held = any(dep in held for dep in needs)
            level[node] = max((level[dep] for dep in needs), default=0)
            if info is None:  # a phase node: complete when its steps are
                if is_held:
                    held.add(node)
                continue
            self.waits_on[node] = self._open_prerequisites(info)
            level[node] += 1
            if info.blocked_reason is not None:
                held.add(node)
                self.status[node] = "blocked"
            elif is_held:
                held.add(node)
                self.status[node] = "held"
            else:
                self.wave[node] = level[node]
                self.status[node] = "ready" if level[node] == 1 else "waiting"

    def _open_prerequisites(self, info: StepInfo) -> list[str]:
        """Its own open dependencies, then the open steps of the phases its phase depends on."""
        steps = self.snapshot.steps
        own = [dep for dep in info.depends_on if not steps[dep].done]
        phases = set(self.snapshot.phase_depends.get(info.phase, []))
        later = [s for s, other in steps.items() if other.phase in phases and not other.done and s not in own]
        return own + later

    def waves(self) -> list[list[str]]:
        count = max(self.wave.values(), default=0)
        grouped: list[list[str]] = [[] for _ in range(count)]
        for step_id in self.snapshot.steps:  # phase order, then file order
            if step_id in self.wave:
                grouped[self.wave[step_id] - 1].append(step_id)
        return [wave for wave in grouped if wave]

    def next_task_group(self, limit: int = NEXT_TASK_GROUP_SIZE) -> list[str]:
        return [step_id for wave in self.waves() for step_id in wave][:limit]


def step_ref(info: StepInfo) -> StepRef:
    return StepRef(id=info.step.id, title=info.step.title, phase=info.phase, file=phase_filename(info.phase))


def step_view(info: StepInfo, analysis: Analysis) -> StepView:
    step_id = info.step.id
    return StepView(
        **step_ref(info).model_dump(),
        status=analysis.status[step_id],
        blocked_reason=info.blocked_reason,
        notes=list(info.item.notes) if info.item else [],
        depends_on=info.depends_on,
        waits_on=analysis.waits_on.get(step_id, []),
        covers=info.covers,
    )


def step_detail(snapshot: Snapshot, step_id: str, analysis: Analysis | None = None) -> StepDetail:
    info = snapshot.step(step_id)
    view = step_view(info, analysis or Analysis(snapshot))
    return StepDetail(
        **view.model_dump(),
        details=info.step.details,
        acceptance_criteria=info.step.acceptance_criteria,
        test_command=info.step.test_command,
        markdown=info.markdown,
    )


def _phase_state(done: int, total: int, states: list[StepStatus], detailed: bool) -> PhaseState:
    if not detailed:
        return "not_detailed"
    if done == total:
        return "done"
    if done or "blocked" in states:
        return "in_progress"
    if "ready" in states:
        return "ready"
    return "held" if all(state == "held" for state in states) else "waiting"


def phase_progress(snapshot: Snapshot, analysis: Analysis) -> list[PhaseProgress]:
    rows = []
    for phase in sorted(snapshot.plan.phases, key=lambda p: p.number):
        members = [info for info in snapshot.steps.values() if info.phase == phase.number]
        states = [analysis.status[info.step.id] for info in members]
        done = states.count("done")
        rows.append(
            PhaseProgress(
                number=phase.number,
                title=phase.title,
                file=phase_filename(phase.number),
                done=done,
                total=len(members),
                blocked=states.count("blocked"),
                state=_phase_state(done, len(members), states, bool(members)),
                depends_on=snapshot.phase_depends.get(phase.number, []),
            )
        )
    return rows


def open_requirements(snapshot: Snapshot) -> list[OpenRequirement]:
    """Requirements the coverage check does not find covered when only done steps count."""
    plan = snapshot.plan
    if not plan.requirements:
        return []
    known = {r.id for r in plan.requirements}
    phases = []
    for phase in plan.phases:
        done_steps = [
            info.step.model_copy(update={"covers": [r for r in info.covers if r in known]})
            for info in snapshot.steps.values()
            if info.phase == phase.number and info.done
        ]
        phases.append(phase.model_copy(update={"steps": done_steps}))
    report = check_coverage(plan.model_copy(update={"phases": phases}))
    covered = {entry.id for entry in report.with_status("covered")}
    found = []
    for requirement in plan.requirements:
        if requirement.kind in _OPEN_KINDS and requirement.id not in covered:
            planned = [
                step_id
                for step_id, info in snapshot.steps.items()
                if not info.done and requirement.id in info.covers
            ]
            found.append(
                OpenRequirement(
                    id=requirement.id, text=requirement.text, kind=requirement.kind, open_steps=planned
                )
            )
    return found


def workspace_status(snapshot: Snapshot, analysis: Analysis | None = None) -> WorkspaceStatus:
    analysis = analysis or Analysis(snapshot)
    views = {step_id: step_view(info, analysis) for step_id, info in snapshot.steps.items()}
    done = sum(view.status == "done" for view in views.values())
    return WorkspaceStatus(
        project_name=snapshot.plan.project_name,
        done=done,
        total=len(views),
        phases=phase_progress(snapshot, analysis),
        blocked=[view for view in views.values() if view.status == "blocked"],
        held=[view for view in views.values() if view.status == "held"],
        next_task_group=[step_ref(snapshot.steps[s]) for s in analysis.next_task_group()],
        waves=[[step_ref(snapshot.steps[s]) for s in wave] for wave in analysis.waves()],
        open_requirements=open_requirements(snapshot),
        recent_progress=snapshot.progress_entries()[-RECENT_PROGRESS:],
        warnings=list(snapshot.warnings),
    )
