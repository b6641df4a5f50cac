"""What each stage's prompt quotes: only the context that stage needs, as compact markdown.

Stage inputs carry much more than a prompt should repeat (a detail input holds the whole plan with
the brief and the complexity profile; a handoff input holds the design and every step). Each block
below renders the part one stage works from, once:

- design: the brief (idea, stated fields, numbered requirements);
- plan: the design in its own format (requirements included);
- detail: this phase, the requirements it must cover, the constraints and non-goals every step must
  respect, a one-line outline of the other phases, the tech stack, the architecture and data model;
- handoff: the plan's steps as an outline, the starting phase in full, what the coverage check flags;
- a refinement: the instruction and the previous version, between markers.

Requirement lines keep one shape everywhere (``- R3 (constraint): the database already exists``), so
a model sees the ids it must cite exactly as it must write them.
"""

from __future__ import annotations

from collections.abc import Iterable

from devussy.models import (
    COVERED_KINDS,
    GUARDED_KINDS,
    DevPlan,
    Phase,
    ProjectBrief,
    ProjectDesign,
    Requirement,
)

LIST_SEPARATOR = "; "
# The labels of a brief's structured fields, in the order the brief block lists them.
BRIEF_FIELDS: tuple[tuple[str, str], ...] = (
    ("goals", "Goals"),
    ("languages", "Languages"),
    ("frameworks", "Frameworks"),
    ("data_stores", "Data stores"),
    ("integrations", "Integrations"),
    ("constraints", "Constraints"),
)


def one_line(text: str) -> str:
    return " ".join(text.split())


def requirement_line(requirement: Requirement) -> str:
    return f"- {requirement.id} ({requirement.kind.replace('_', '-')}): {one_line(requirement.text)}"


def requirement_lines(requirements: Iterable[Requirement]) -> str:
    return "\n".join(requirement_line(r) for r in requirements)


def brief_block(brief: ProjectBrief) -> str:
    """The brief as the design prompt quotes it: the idea, then each stated field on one line."""
    lines = [brief.summary.strip(), ""]
    for field, label in BRIEF_FIELDS:
        values: list[str] = getattr(brief, field)
        if values:
            lines.append(f"{label}: {LIST_SEPARATOR.join(one_line(v) for v in values)}")
    if brief.deployment:
        lines.append(f"Deployment: {one_line(brief.deployment)}")
    if brief.team_size is not None:
        lines.append(f"Team size: {brief.team_size}")
    if brief.requirements:
        lines += ["", "Requirements stated so far (keep their ids):", requirement_lines(brief.requirements)]
    return "\n".join(lines).strip()


def phase_requirements(plan: DevPlan, phase: Phase) -> tuple[list[Requirement], list[Requirement]]:
    """What one phase answers for: the requirements it cites (to cover with steps), and every
    constraint and non-goal of the plan (no step anywhere may contradict them)."""
    by_id = {r.id: r for r in plan.requirements}
    cited = [by_id[rid] for rid in phase.requirements if rid in by_id]
    cited = [r for r in cited if r.kind not in GUARDED_KINDS]
    guarded = [r for r in plan.requirements if r.kind in GUARDED_KINDS]
    return cited, guarded


def outline_line(phase: Phase, *, current: int | None = None) -> str:
    cites = f" ({', '.join(phase.requirements)})" if phase.requirements else ""
    marker = "  ← this phase" if phase.number == current else ""
    return f"- Phase {phase.number}: {phase.title}{cites}{marker}"


def plan_outline(plan: DevPlan, *, current: int | None = None) -> str:
    return "\n".join(outline_line(p, current=current) for p in plan.phases)


def detail_requirements_block(plan: DevPlan, phase: Phase) -> str:
    cited, guarded = phase_requirements(plan, phase)
    blocks = []
    if cited:
        must = [r for r in cited if r.kind in COVERED_KINDS]
        note = (
            "Each of these needs a step whose `Covers:` line cites it."
            if must
            else "Cite them on the steps that serve them (`Covers:`)."
        )
        blocks.append(f"## Requirements this phase covers\n\n{requirement_lines(cited)}\n\n{note}")
    if guarded:
        blocks.append(
            "## Constraints and non-goals (no step may contradict them)\n\n" + requirement_lines(guarded)
        )
    return "\n\n".join(blocks)


def design_context_block(design: ProjectDesign | None) -> str:
    """The architecture and data model a detail works within (when the design is known)."""
    if design is None:
        return ""
    return sections(titled("Architecture", design.architecture), titled("Data model", design.data_model))


def titled(heading: str, body: str) -> str:
    """A ``## heading`` section, or nothing when the body is empty (a design's parts may be)."""
    return f"## {heading}\n\n{body.strip()}" if body.strip() else ""


def bullet_list(items: Iterable[str]) -> str:
    return "\n".join(f"- {one_line(item)}" for item in items)


def revision_block(instruction: str | None, previous: str | None, what: str) -> str:
    """Asks to revise ``previous`` (rendered in the stage's format) following ``instruction``."""
    if not instruction:
        return ""
    quoted = f"\n\n<<<previous {what}\n{previous.strip()}\nprevious {what}>>>" if previous else ""
    return (
        f"## Revise\n\nRevise the {what} following this instruction, and keep whatever it does not ask "
        f"to change:\n\n> {one_line(instruction)}{quoted}"
    )


def sections(*blocks: str) -> str:
    """Non-empty blocks separated by blank lines."""
    return "\n\n".join(block.strip() for block in blocks if block and block.strip())
