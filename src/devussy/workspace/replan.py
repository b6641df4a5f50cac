"""Re-planning without losing work: ``devussy replan DIR "what changed"``.

The change becomes a requirement of the brief (and a line of its summary, so engines that read the
idea see it too); the design and the phase outline are made again with it. Then, phase by phase
(phases are matched by title):

- **kept**: same title and summary as before, so its steps stay as they were (renumbered if the
  phase moved), with their ticks, notes and blocks;
- **regenerated**: a new phase, or one whose summary changed: its steps are made again. A step that
  keeps its title keeps its tick, notes and block; a *done* step the new steps no longer have is
  carried over at the end of the phase, still done, never dropped;
- **removed**: a phase the new outline no longer has. If any of its steps was done, the phase stays
  (at the end, holding only its done steps), so no finished work disappears.

The result is the new set of files with the progress log carried over and one dated entry that
records the change. Nothing is written here: the caller shows the diff first (``ReplanOutcome.diff``).
"""

from __future__ import annotations

import asyncio
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from devussy.artifacts import read_section, render_artifacts, replace_section
from devussy.artifacts.markdown import phase_filename
from devussy.errors import WorkspaceError
from devussy.models import DevPlan, Handoff, Phase, ProjectBrief, ProjectDesign, Requirement, Step
from devussy.workspace import checklist
from devussy.workspace.anchors import repair_anchors
from devussy.workspace.snapshot import DEVPLAN, PLAN_JSON, Snapshot, StepInfo
from devussy.workspace.update import refresh, timestamp

MAX_CHANGE = 500
DETAIL_CONCURRENCY = 3


class ReplanEngine(Protocol):
    """The stages a re-plan runs (any engine: see ``replan_engine.pipeline_engine``)."""

    async def design(self, brief: ProjectBrief) -> ProjectDesign: ...
    async def plan(self, design: ProjectDesign) -> DevPlan: ...
    async def detail(self, plan: DevPlan, phase_number: int) -> Phase: ...
    async def handoff(self, design: ProjectDesign, plan: DevPlan) -> Handoff: ...


@dataclass
class ReplanOutcome:
    files: dict[str, str]  # every plan file after the re-plan
    deleted: list[str]  # phase files of the old plan the new one no longer has
    changed: list[str]  # names whose text differs from before (deleted ones included)
    diff: str  # unified diff of the markdown files
    summary: list[str]  # what happened, one line each
    entry: str  # the progress log entry
    kept: list[int] = field(default_factory=list)  # new phase numbers
    regenerated: list[int] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # titles of old phases dropped (no done step)
    carried: list[str] = field(default_factory=list)  # "old id → new id" for done steps moved


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


@dataclass
class _State:
    done: bool
    blocked_reason: str | None
    notes: list[str]


def _state(info: StepInfo) -> _State:
    return _State(info.done, info.blocked_reason, list(info.item.notes) if info.item else [])


def changed_brief(snapshot: Snapshot, change: str) -> ProjectBrief:
    text = " ".join(change.split())
    if not text:
        raise WorkspaceError(
            'say what changed, e.g. devussy replan DIR "add Stripe payments"', code="invalid_input"
        )
    if len(text) > MAX_CHANGE:
        raise WorkspaceError(f"the change is longer than {MAX_CHANGE} characters", code="invalid_input")
    plan, design = snapshot.plan, snapshot.design
    brief = (design.brief if design else None) or plan.brief
    if brief is None:
        brief = ProjectBrief(name=plan.project_name, summary=plan.summary)
    used = [r.id for r in (*brief.requirements, *plan.requirements)]
    next_id = max((int(rid[1:]) for rid in used), default=0) + 1
    added = Requirement(id=f"R{next_id}", text=text, kind="feature", source="brief")
    return brief.model_copy(
        update={
            "summary": f"{brief.summary.rstrip()}\n\nChange to the plan: {text}",
            "requirements": [*brief.requirements, added],
        }
    )


def _requirement_map(old: DevPlan, new: DevPlan) -> dict[str, str]:
    """Old requirement id → new id, for requirements whose text is the same."""
    by_text = {_key(r.text): r.id for r in new.requirements}
    return {r.id: by_text[_key(r.text)] for r in old.requirements if _key(r.text) in by_text}


def _renumbered(step: Step, new_id: str, id_map: Mapping[str, str], covers: Mapping[str, str]) -> Step:
    return step.model_copy(
        update={
            "id": new_id,
            "depends_on": [id_map[dep] for dep in step.depends_on if dep in id_map],
            "covers": sorted({covers[rid] for rid in step.covers if rid in covers}, key=lambda r: int(r[1:])),
        }
    )


class _Merge:
    """Builds the new plan from the new outline, the regenerated details and the old state."""

    def __init__(self, snapshot: Snapshot, outline: DevPlan) -> None:
        self.snapshot = snapshot
        self.outline = outline
        self.old_by_title: dict[str, Phase] = {}
        for phase in sorted(snapshot.plan.phases, key=lambda p: p.number):
            self.old_by_title.setdefault(_key(phase.title), phase)
        self.match: dict[int, Phase] = {}  # new number -> old phase
        self.kept: list[int] = []
        self.regenerated: list[int] = []
        for phase in outline.phases:
            old = self.old_by_title.get(_key(phase.title))
            if old is not None and old.number not in {p.number for p in self.match.values()}:
                self.match[phase.number] = old
                if _key(old.summary) == _key(phase.summary) and self._steps_of(old.number):
                    self.kept.append(phase.number)
                    continue
            self.regenerated.append(phase.number)
        self.states: dict[str, _State] = {}  # new step id -> state carried
        self.carried: list[str] = []

    def context(self, covers: Mapping[str, str]) -> DevPlan:
        """The outline with the kept phases' steps, renumbered into their new phases (an engine that
        validates its input, such as the builtin one, refuses step 1.1 in phase 2)."""
        id_map = self._kept_ids()
        phases = [
            phase.model_copy(
                update={
                    "steps": [
                        _renumbered(info.step, id_map[info.step.id], id_map, covers)
                        for info in self._old_steps(phase.number)
                    ]
                }
            )
            if phase.number in self.kept
            else phase
            for phase in self.outline.phases
        ]
        return self.outline.model_copy(update={"phases": phases})

    def _kept_ids(self) -> dict[str, str]:
        id_map: dict[str, str] = {}
        for number in self.kept:
            for info in self._steps_of(self.match[number].number):
                id_map[info.step.id] = f"{number}.{info.step.id.split('.')[1]}"
        return id_map

    def _old_steps(self, new_number: int) -> list[StepInfo]:
        """The steps of the old phase matched to the new phase ``new_number``."""
        return self._steps_of(self.match[new_number].number)

    def _steps_of(self, number: int) -> list[StepInfo]:
        return [info for info in self.snapshot.steps.values() if info.phase == number]

    def build(self, details: Mapping[int, Phase], covers: Mapping[str, str]) -> tuple[DevPlan, list[str]]:
        id_map = self._kept_ids()  # first every kept step's new id, so dependencies can follow them
        phases: list[Phase] = []
        for phase in self.outline.phases:
            if phase.number in self.kept:
                steps = [
                    _renumbered(info.step, id_map[info.step.id], id_map, covers)
                    for info in self._steps_of(self.match[phase.number].number)
                ]
                for info in self._steps_of(self.match[phase.number].number):
                    self.states[id_map[info.step.id]] = _state(info)
                phases.append(phase.model_copy(update={"steps": steps}))
            else:
                phases.append(self._regenerated(details[phase.number], covers))
        removed_titles = []
        matched = {old.number for old in self.match.values()}
        for old in sorted(self.snapshot.plan.phases, key=lambda p: p.number):
            if old.number in matched:
                continue
            done = [info for info in self._steps_of(old.number) if info.done]
            if not done:
                removed_titles.append(old.title)
                continue
            number = len(phases) + 1
            steps = []
            for index, info in enumerate(done, 1):
                new_id = f"{number}.{index}"
                steps.append(_renumbered(info.step, new_id, {}, covers))
                self.states[new_id] = _state(info)
                self.carried.append(f"{info.step.id} → {new_id}")
            phases.append(
                Phase(
                    number=number,
                    title=old.title,
                    steps=steps,
                    summary=f"Kept from the previous plan for its done steps: {old.summary}"[:50_000],
                )
            )
        plan = self.outline.model_copy(update={"phases": phases})
        return DevPlan.model_validate(plan.model_dump()), removed_titles

    def _regenerated(self, detailed: Phase, covers: Mapping[str, str]) -> Phase:
        old = self.match.get(detailed.number)
        olds = self._steps_of(old.number) if old else []
        by_title = {_key(info.step.title): info for info in olds}
        used: set[str] = set()
        for step in detailed.steps:
            info = by_title.get(_key(step.title))
            if info is not None and info.step.id not in used:
                used.add(info.step.id)
                self.states[step.id] = _state(info)
        steps = list(detailed.steps)
        for info in olds:
            if info.done and info.step.id not in used:
                new_id = f"{detailed.number}.{len(steps) + 1}"
                steps.append(_renumbered(info.step, new_id, {}, covers))
                self.states[new_id] = _state(info)
                self.carried.append(f"{info.step.id} → {new_id}")
        return detailed.model_copy(update={"steps": steps})


def _apply_states(files: dict[str, str], states: Mapping[str, _State]) -> None:
    for step_id, state in states.items():
        name = phase_filename(int(step_id.split(".")[0]))
        text = files[name]
        if state.done:
            text = checklist.set_done(text, step_id, True)
        elif state.blocked_reason:
            text = checklist.set_blocked(text, step_id, state.blocked_reason)
        for note in state.notes:
            text = checklist.add_note(text, step_id, note, verbatim=True)
        files[name] = text


def unified_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    parts: list[str] = []
    for name in sorted(set(before) | set(after), key=lambda n: (n == PLAN_JSON, n)):
        if name == PLAN_JSON or before.get(name) == after.get(name):
            continue
        old = before.get(name, "").splitlines(keepends=True)
        new = after.get(name, "").splitlines(keepends=True)
        source = f"a/{name}" if name in before else "/dev/null"
        target = f"b/{name}" if name in after else "/dev/null"
        parts.extend(difflib.unified_diff(old, new, source, target))
    text = "".join(line if line.endswith("\n") else line + "\n" for line in parts)
    if before.get(PLAN_JSON) != after.get(PLAN_JSON):
        text += "plan.json: rewritten with the new design, plan and handoff\n"
    return text


async def replan(snapshot: Snapshot, change: str, engine: ReplanEngine, now: datetime) -> ReplanOutcome:
    brief = changed_brief(snapshot, change)
    design = await engine.design(brief)
    outline = await engine.plan(design)
    merge = _Merge(snapshot, outline)
    covers = _requirement_map(snapshot.plan, outline)
    context = merge.context(covers)  # the outline with the kept phases' steps, for the engine's prompts
    limit = asyncio.Semaphore(DETAIL_CONCURRENCY)

    async def detail(number: int) -> tuple[int, Phase]:
        async with limit:
            return number, await engine.detail(context, number)

    details = dict(await asyncio.gather(*(detail(n) for n in merge.regenerated)))
    plan, removed = merge.build(details, covers)
    handoff = await engine.handoff(design, plan)

    files = render_artifacts(design, plan, handoff)
    _apply_states(files, merge.states)
    old_log = read_section(repair_anchors(snapshot.files[DEVPLAN])[0], "progress_log")
    files[DEVPLAN] = replace_section(files[DEVPLAN], "progress_log", old_log)
    summary = _summary(merge, removed, plan)
    entry = f"{timestamp(now)} — Re-planned: {' '.join(change.split())} ({'; '.join(summary)})"
    refresh(files, [entry], [])
    old_phase_files = [name for name in snapshot.files if name.startswith("phase") and name not in files]
    before = dict(snapshot.files)
    after = {**{k: v for k, v in before.items() if k not in old_phase_files}, **files}
    changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
    return ReplanOutcome(
        files=files,
        deleted=sorted(old_phase_files),
        changed=changed,
        diff=unified_diff(before, after),
        summary=summary,
        entry=entry,
        kept=merge.kept,
        regenerated=merge.regenerated,
        removed=removed,
        carried=merge.carried,
    )


def _numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers)) or "none"


def _summary(merge: _Merge, removed: list[str], plan: DevPlan) -> list[str]:
    lines = [f"kept phases {_numbers(merge.kept)}", f"regenerated {_numbers(merge.regenerated)}"]
    if removed:
        lines.append("removed " + ", ".join(removed))
    done = sum(state.done for state in merge.states.values())
    lines.append(f"{done} done step(s) kept")
    if merge.carried:
        lines.append("done steps the new plan no longer has, carried over: " + ", ".join(merge.carried))
    lines.append(f"{len(plan.phases)} phases, {sum(len(p.steps) for p in plan.phases)} steps")
    return lines
