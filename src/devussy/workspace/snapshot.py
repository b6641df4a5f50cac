"""A plan folder's files read into one consistent picture: structure from ``plan.json``, state from
the ``phaseN.md`` checklists, dependencies as they stand in the phase files.

Pure: :meth:`Snapshot.from_files` takes ``{file name: text}``, so the CLI (a folder on disk), the
MCP server and the stateless API (files in a request body) share every rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from devussy.artifacts.markdown import phase_filename
from devussy.artifacts.progress import EMPTY_PROGRESS_LOG, read_section
from devussy.errors import WorkspaceError
from devussy.models import DevPlan, Handoff, Phase, ProjectDesign, Step
from devussy.workspace.anchors import repair_anchors
from devussy.workspace.checklist import ChecklistItem, PhaseFile, parse_phase_file
from devussy.workspace.graph import CycleError, topological_order

PLAN_JSON = "plan.json"
DEVPLAN = "devplan.md"
HANDOFF = "handoff.md"


@dataclass
class StepInfo:
    step: Step  # from plan.json; made up from the checklist line for a step someone added by hand
    phase: int
    item: ChecklistItem | None  # None: plan.json has the step but the phase file has no checkbox for it
    depends_on: list[str]
    covers: list[str]
    markdown: str = ""

    @property
    def done(self) -> bool:
        return self.item is not None and self.item.done

    @property
    def blocked_reason(self) -> str | None:
        if self.item is None or self.item.done:
            return None
        return self.item.blocked_reason


@dataclass
class Snapshot:
    files: dict[str, str]
    plan: DevPlan
    design: ProjectDesign | None
    handoff: Handoff | None
    phase_depends: dict[int, list[int]]
    steps: dict[str, StepInfo]  # in phase order, then the phase file's order
    warnings: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ loading

    @classmethod
    def from_files(cls, files: Mapping[str, str]) -> Snapshot:
        document = _plan_document(files)
        plan = _validated(DevPlan, document.get("plan"), "plan")
        design = _optional(ProjectDesign, document, "design")
        handoff = _optional(Handoff, document, "handoff")
        if DEVPLAN not in files:
            raise WorkspaceError(f"{DEVPLAN} is missing next to {PLAN_JSON}", code="not_a_plan")
        warnings: list[str] = []
        phase_depends: dict[int, list[int]] = {}
        steps: dict[str, StepInfo] = {}
        for phase in sorted(plan.phases, key=lambda p: p.number):
            name = phase_filename(phase.number)
            if name not in files:
                if phase.steps:
                    raise WorkspaceError(
                        f"{name} is missing: phase {phase.number} has {len(phase.steps)} steps "
                        f"in {PLAN_JSON}",
                        code="missing_phase_file",
                    )
                phase_depends[phase.number] = list(phase.depends_on)
                continue
            parsed = parse_phase_file(files[name])
            phase_depends[phase.number] = _phase_depends(phase, parsed, plan, warnings)
            steps.update(_phase_steps(phase, parsed, warnings))
        snapshot = cls(dict(files), plan, design, handoff, phase_depends, steps, warnings)
        snapshot._check_dependencies()
        return snapshot

    def _check_dependencies(self) -> None:
        for info in self.steps.values():
            unknown = [dep for dep in info.depends_on if dep not in self.steps]
            if unknown:
                raise WorkspaceError(
                    f"step {info.step.id} depends on {', '.join(unknown)}, which "
                    f"{'is not a step' if len(unknown) == 1 else 'are not steps'} of this plan "
                    f"(see **Depends on:** in {phase_filename(info.phase)})",
                    code="unknown_dependency",
                )
        try:
            self.order()
        except CycleError as exc:
            shown = " → ".join(node.replace("phase:", "all of phase ") for node in exc.cycle)
            raise WorkspaceError(
                f"the dependencies form a cycle: {shown} (fix the **Depends on:** lines in the phase files)",
                code="dependency_cycle",
            ) from None

    # ------------------------------------------------------------------ structure

    def prerequisites(self) -> dict[str, list[str]]:
        """The dependency graph: each step needs its own dependencies and the phases its phase needs;
        a phase (node ``phase:N``) needs its steps and the phases it depends on."""
        graph: dict[str, list[str]] = {}
        by_phase: dict[int, list[str]] = {number: [] for number in self.phase_depends}
        for step_id, info in self.steps.items():
            by_phase.setdefault(info.phase, []).append(step_id)
            graph[step_id] = [*info.depends_on, *self._phase_nodes(info.phase)]
        for number, members in by_phase.items():
            graph[f"phase:{number}"] = [*members, *self._phase_nodes(number)]
        return graph

    def _phase_nodes(self, number: int) -> list[str]:
        return [f"phase:{n}" for n in self.phase_depends.get(number, [])]

    def order(self) -> list[str]:
        return topological_order(self.prerequisites())

    def step(self, step_id: str) -> StepInfo:
        text = step_id.strip()
        if text.lower().startswith("step "):
            text = text[5:].strip()
        if text not in self.steps:
            known = list(self.steps)
            hint = f" (steps run from {known[0]} to {known[-1]})" if known else " (the plan has no steps yet)"
            raise WorkspaceError(f"there is no step {step_id!r} in this plan{hint}", code="unknown_step")
        return self.steps[text]

    def phase_title(self, number: int) -> str:
        try:
            return self.plan.phase(number).title
        except KeyError:
            return f"Phase {number}"

    def progress_entries(self) -> list[str]:
        """The progress log's entries, oldest first (broken anchors are repaired in memory to read it)."""
        devplan, _ = repair_anchors(self.files[DEVPLAN])
        body = read_section(devplan, "progress_log").replace("\r\n", "\n")
        entries: list[str] = []
        for line in body.split("\n"):
            if not line.strip() or line.strip() == EMPTY_PROGRESS_LOG:
                continue
            if line.startswith(("- ", "* ")) or not entries:
                entries.append(line[2:].strip() if line.startswith(("- ", "* ")) else line.strip())
            else:
                entries[-1] += " " + line.strip()
        return entries


def _plan_document(files: Mapping[str, str]) -> dict[str, Any]:
    if PLAN_JSON not in files:
        raise WorkspaceError(
            f"not a plan folder: {PLAN_JSON} is missing (a folder written by `devussy plan` has it)",
            code="not_a_plan",
        )
    try:
        document = json.loads(files[PLAN_JSON])
    except ValueError as exc:
        raise WorkspaceError(f"{PLAN_JSON} is not valid JSON: {exc}", code="invalid_plan") from None
    if not isinstance(document, dict) or not isinstance(document.get("plan"), dict):
        raise WorkspaceError(f'{PLAN_JSON} has no "plan" object', code="invalid_plan")
    version = document.get("schemaVersion", 1)
    if version != 1:
        raise WorkspaceError(
            f"{PLAN_JSON} has schemaVersion {version!r}; this devussy reads 1", code="invalid_plan"
        )
    return document


def _validated(model: type[Any], data: Any, name: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or name
        message = f"{PLAN_JSON}: invalid {name}: {where}: {first['msg']}"
        raise WorkspaceError(message, code="invalid_plan") from None


def _optional(model: type[Any], document: dict[str, Any], key: str) -> Any:
    return _validated(model, document[key], key) if document.get(key) else None


def _phase_depends(phase: Phase, parsed: PhaseFile, plan: DevPlan, warnings: list[str]) -> list[int]:
    if parsed.depends_on is None:
        return list(phase.depends_on)
    known = {p.number for p in plan.phases}
    unknown = [n for n in parsed.depends_on if n not in known]
    if phase.number in parsed.depends_on:
        raise WorkspaceError(
            f"{phase_filename(phase.number)} says phase {phase.number} depends on itself",
            code="dependency_cycle",
        )
    if unknown:
        raise WorkspaceError(
            f"{phase_filename(phase.number)} says phase {phase.number} depends on phase "
            f"{', '.join(map(str, unknown))}, which the plan does not have",
            code="unknown_dependency",
        )
    return parsed.depends_on


def _or(from_file: list[str] | None, from_plan: list[str]) -> list[str]:
    """What the phase file says when it says it, else what plan.json says."""
    return list(from_plan) if from_file is None else from_file


def _phase_steps(phase: Phase, parsed: PhaseFile, warnings: list[str]) -> dict[str, StepInfo]:
    name = phase_filename(phase.number)
    found: dict[str, StepInfo] = {}
    for step in phase.steps:
        section = parsed.sections.get(step.id)
        item = parsed.items.get(step.id)
        if item is None:
            line = f"- [ ] **{step.id} {step.title}**"
            warnings.append(f"step {step.id} has no checkbox in {name}; add `{line}` to its Steps list")
        found[step.id] = StepInfo(
            step=step,
            phase=phase.number,
            item=item,
            depends_on=_or(section.depends_on if section else None, step.depends_on),
            covers=_or(section.covers if section else None, step.covers),
            markdown=section.markdown if section else "",
        )
    for step_id, item in parsed.items.items():
        if step_id in found:
            continue
        if int(step_id.split(".")[0]) != phase.number:
            owner = step_id.split(".")[0]
            warnings.append(f"{name} lists step {step_id}, which belongs to phase {owner}; ignored")
            continue
        section = parsed.sections.get(step_id)
        added = Step(id=step_id, title=item.title or step_id, details=f"Added by hand in {name}.")
        found[step_id] = StepInfo(
            step=added,
            phase=phase.number,
            item=item,
            depends_on=_or(section.depends_on if section else None, []),
            covers=_or(section.covers if section else None, []),
            markdown=section.markdown if section else "",
        )
    return dict(sorted(found.items(), key=lambda pair: int(pair[0].split(".")[1])))
