"""Refine by asking, for engines that answer from the typed input (the offline planner).

A model reads the instruction and the previous version in its prompt. The offline planner reads no
prose instruction; instead the instruction becomes requirement(s) added to the list (source
``interview``, found by the same deterministic extraction as a brief's), and the stage regenerates
from the longer list: the design carries them, the plan must cite them, and a phase detail gets them
as its own (so its steps cover them).
"""

from __future__ import annotations

from typing import TypeVar

from devussy.models import MAX_REQUIREMENTS, ProjectBrief, Requirement
from devussy.requirements.extract import extract_requirements
from devussy.stages.inputs import DesignInput, DetailInput, PlanInput, StageInput

InT = TypeVar("InT", bound=StageInput)


def instruction_requirements(
    existing: list[Requirement], instruction: str, project_name: str = "project"
) -> list[Requirement]:
    """``existing`` plus the requirements extracted from the instruction (``requirements.extract``:
    features, named technologies, constraints, non-goals), numbered after the last one; when it names
    none that is new, the instruction itself as one feature. Nothing is added to a full list."""
    text = " ".join(instruction.split())[:500]
    if len(existing) >= MAX_REQUIREMENTS:
        return list(existing)
    asked = ProjectBrief(name=project_name, summary=text, requirements=existing)
    found = extract_requirements(asked, source="interview")
    if len(found) > len(existing):
        return found
    if any(r.text.casefold() == text.casefold() for r in existing):
        return list(existing)
    number = max((int(r.id[1:]) for r in existing), default=0) + 1
    return [*existing, Requirement(id=f"R{number}", text=text, kind="feature", source="interview")]


def offline_refinement(stage_input: InT) -> InT:
    """The input with its instruction turned into requirements (unchanged without an instruction)."""
    instruction = getattr(stage_input, "instruction", None)
    if not instruction:
        return stage_input
    if isinstance(stage_input, DesignInput):
        brief = stage_input.brief
        added = instruction_requirements(design_requirements(stage_input), instruction, brief.name)
        return stage_input.model_copy(update={"brief": brief.model_copy(update={"requirements": added})})
    if isinstance(stage_input, PlanInput):
        design = stage_input.design
        added = instruction_requirements(design.requirements, instruction, design.project_name)
        return stage_input.model_copy(update={"design": design.model_copy(update={"requirements": added})})
    if isinstance(stage_input, DetailInput):
        plan = stage_input.plan
        added = instruction_requirements(plan.requirements, instruction, plan.project_name)
        new_ids = [r.id for r in added[len(plan.requirements) :]]
        phase = stage_input.phase
        ids = sorted({*phase.requirements, *new_ids}, key=_number)
        cited = phase.model_copy(update={"requirements": ids})
        widened = plan.with_phase(cited).model_copy(update={"requirements": added})
        return stage_input.model_copy(update={"plan": widened})
    return stage_input


def design_requirements(stage_input: DesignInput) -> list[Requirement]:
    """The list a design refinement starts from: the brief's own, else the previous design's (a
    client may send only the idea and the design it revises), else the ones found in the brief."""
    if stage_input.brief.requirements:
        return stage_input.brief.requirements
    if stage_input.previous is not None and stage_input.previous.requirements:
        return stage_input.previous.requirements
    return extract_requirements(stage_input.brief)


def _number(requirement_id: str) -> int:
    return int(requirement_id[1:])
