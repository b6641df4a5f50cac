"""Reads a Devussy stage prompt back into a stage input, as a model would understand it.

The prompts quote only what each stage needs (``devussy.stages.context``), as markdown, so a fake
model answering them with the offline planner (``stage_responder.py``) rebuilds the input from what
the prompt says: the design prompt's brief, the plan prompt's design (its own format, parsed by the
design stage's parser), the detail prompt's phase, requirements, outline, stack, architecture and data
model, the handoff prompt's outline and starting phase. Whatever a prompt does not quote (another
phase's summary, the brief behind a plan) is not invented beyond what the models require; the
offline planner then works from what the prompt gives, as a model would.
"""

from __future__ import annotations

import re

from devussy.models import (
    ComplexityProfile,
    DevPlan,
    Phase,
    ProjectBrief,
    ProjectDesign,
    Requirement,
    Risk,
    Step,
)
from devussy.stages.context import BRIEF_FIELDS, LIST_SEPARATOR
from devussy.stages.design import parse_design
from devussy.stages.detail import parse_phase_detail
from devussy.stages.inputs import DesignInput, DetailInput, HandoffInput, PlanInput
from devussy.stages.plan import phase_heading, phase_numbers

REQUIREMENT = re.compile(r"^- (R\d+) \((feature|integration|constraint|non-goal|quality)\): (.+)$")
OUTLINE_PHASE = re.compile(r"^- Phase (\d+): (.+?)(?: \(((?:R\d+(?:, )?)+)\))?(?:  ← this phase)?$")
OUTLINE_STEP = re.compile(r"^  - Step (\d+\.\d+): (.+?) \((?:test: `(.*)`|no test command yet)\)$")
_LABELS = {label: field for field, label in BRIEF_FIELDS}
_NOT_QUOTED = "(not quoted in the prompt)"


def sections(text: str) -> tuple[str, dict[str, str]]:
    """The text before the first ``## `` heading, and each heading's body. A revision (``## Revise``,
    quoting the previous version) is left out: a fake model answers the task itself."""
    text = text.split("\n## Revise\n", 1)[0]
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    bodies: dict[str, str] = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        bodies.setdefault(heading.strip(), body.strip())
    return parts[0].strip(), bodies


def section(bodies: dict[str, str], prefix: str) -> tuple[str, str]:
    """The first section whose heading starts with ``prefix`` (heading, body); empty if none."""
    return next(((key, body) for key, body in bodies.items() if key.startswith(prefix)), ("", ""))


def quoted_name(line: str) -> str:
    found = re.search(r'for "(.+?)"(?:\.| with| in)', line)
    if not found:
        raise ValueError(f"no quoted project name in {line!r}")
    return found.group(1)


def requirements(block: str) -> list[Requirement]:
    found = []
    for line in block.splitlines():
        match = REQUIREMENT.match(line.strip())
        if match:
            kind = match.group(2).replace("-", "_")
            found.append(Requirement(id=match.group(1), kind=kind, text=match.group(3)))  # type: ignore[arg-type]
    return found


def complexity(phase_count: int, depth: int = 5) -> ComplexityProfile:
    return ComplexityProfile(score=50, level="standard", phase_count=phase_count, depth=depth)


def read_design_prompt(user: str) -> DesignInput:
    head, bodies = sections(user)
    name = quoted_name(head)
    sized = re.search(r'sized "(\w+)".*?about (\d+) phases', head, re.DOTALL)
    lines = bodies["Brief"].splitlines()
    stated: list[Requirement] = []
    if any(line.startswith("Requirements stated so far") for line in lines):
        cut = next(i for i, line in enumerate(lines) if line.startswith("Requirements stated so far"))
        stated = requirements("\n".join(lines[cut:]))
        lines = lines[:cut]
    fields: dict[str, object] = {}
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and (label := lines[-1].split(":", 1)[0]) in {*_LABELS, "Deployment", "Team size"}:
        value = lines.pop().split(":", 1)[1].strip()
        if label == "Deployment":
            fields["deployment"] = value
        elif label == "Team size":
            fields["team_size"] = int(value)
        else:
            fields[_LABELS[label]] = value.split(LIST_SEPARATOR)
    brief = ProjectBrief(name=name, summary="\n".join(lines).strip(), requirements=stated, **fields)  # type: ignore[arg-type]
    profile = complexity(int(sized.group(2)) if sized else 4)
    if sized:
        profile = profile.model_copy(update={"level": sized.group(1)})
    return DesignInput(brief=brief, complexity=profile)


def read_plan_prompt(user: str) -> PlanInput:
    first = user.split("\n", 1)[0]
    count = re.search(r"with (\d+) phases", first)
    body = user[user.index("# Project Design:") :]
    body = body.split("\n## Revise\n", 1)[0]
    design = parse_design(body)
    profile = complexity(int(count.group(1)) if count else 4)
    return PlanInput(design=design.model_copy(update={"complexity": profile}))


def outline(block: str, known: set[str]) -> list[Phase]:
    phases = []
    for line in block.splitlines():
        match = OUTLINE_PHASE.match(line)
        if match:
            cited = [rid for rid in (match.group(3) or "").split(", ") if rid in known]
            title = match.group(2)
            phases.append(Phase(number=int(match.group(1)), title=title, summary=title, requirements=cited))
    return phases


def quoted_design(name: str, bodies: dict[str, str], summary: str = _NOT_QUOTED) -> ProjectDesign:
    stack = [line[2:] for line in bodies.get("Tech stack", "").splitlines() if line.startswith("- ")]
    return ProjectDesign(
        project_name=name,
        summary=summary or _NOT_QUOTED,
        objectives=[_NOT_QUOTED],
        tech_stack=stack or [_NOT_QUOTED],
        architecture=bodies.get("Architecture") or _NOT_QUOTED,
        data_model=bodies.get("Data model") or _NOT_QUOTED,
        risks=[Risk(risk=_NOT_QUOTED, mitigation=_NOT_QUOTED)],
        testing_strategy=bodies.get("Testing strategy") or _NOT_QUOTED,
    )


def read_detail_prompt(user: str) -> DetailInput:
    first, rest = user.split("\n", 1)
    task = re.match(r'^Detail Phase (\d+): .+ of "(.+)" in about (\d+|3 to 8) steps\.$', first)
    if task is None:
        raise ValueError(f"not a detail prompt: {first!r}")
    number, name = int(task.group(1)), task.group(2)
    depth = int(task.group(3)) if task.group(3).isdigit() else 5
    _, bodies = sections(rest)
    phase_heading_line, phase_body = section(bodies, f"Phase {number}:")
    stated = requirements(section(bodies, "Requirements this phase covers")[1]) + requirements(
        section(bodies, "Constraints and non-goals")[1]
    )
    known = {r.id for r in stated}
    phase = _phase_from_block(f"## {phase_heading_line}\n\n{phase_body}", known)
    outline_heading, outline_body = section(bodies, "Plan outline")
    phases = [phase if p.number == number else p for p in outline(outline_body, known)]
    plan_complete = "still being written" not in outline_heading
    stack = [line[2:] for line in bodies.get("Tech stack", "").splitlines() if line.startswith("- ")]
    count = re.search(r"of about (\d+)", outline_heading)
    plan = DevPlan(
        project_name=name,
        summary=f"Development plan for {name}.",
        phases=phases,
        tech_stack=stack,
        requirements=sorted(stated, key=lambda r: int(r.id[1:])),
        complexity=complexity(int(count.group(1)) if count else len(phases), depth),
    )
    design = quoted_design(name, bodies) if "Architecture" in bodies else None
    return DetailInput(plan=plan, phase_number=number, plan_complete=plan_complete, design=design)


def _phase_from_block(block: str, known: set[str]) -> Phase:
    lines = block.strip().splitlines()
    heading = phase_heading(lines[0])
    assert heading is not None
    summary, depends, cited = [], [], []
    for line in lines[1:]:
        if line.startswith("Requirements: "):
            cited = [rid for rid in line.split(": ", 1)[1].split(", ") if rid in known]
        elif line.startswith("Depends on: "):
            depends = phase_numbers(line.split(": ", 1)[1])
        else:
            summary.append(line)
    return Phase(
        number=heading.number,
        title=heading.title,
        summary="\n".join(summary).strip(),
        depends_on=depends,
        requirements=cited,
    )


def read_handoff_prompt(user: str) -> HandoffInput:
    first, rest = user.split("\n", 1)
    name = quoted_name(first)
    head, bodies = sections(rest)
    phases: list[Phase] = []
    plan_heading, plan_body = section(bodies, "Plan")
    for line in plan_body.splitlines():
        if (match := OUTLINE_PHASE.match(line)) is not None:
            title = match.group(2)
            phases.append(Phase(number=int(match.group(1)), title=title, summary=title))
        elif (step := OUTLINE_STEP.match(line)) is not None and phases:
            current = phases[-1]
            title = step.group(2)
            added = Step(id=step.group(1), title=title, details=title, test_command=step.group(3))
            phases[-1] = current.model_copy(update={"steps": [*current.steps, added]})
    start = parse_phase_detail(rest.split("## Where to start", 1)[1].split("\n## Requirements check", 1)[0])
    start = start.model_copy(update={"requirements": []})
    phases = [start if p.number == start.number else p for p in phases]
    numbers = {p.number for p in phases}
    phases = [p.model_copy(update={"depends_on": [d for d in p.depends_on if d in numbers]}) for p in phases]
    plan = DevPlan(project_name=name, summary=head or name, phases=phases)
    complete = "still being detailed" not in plan_heading
    return HandoffInput(design=quoted_design(name, bodies, head), plan=plan, details_complete=complete)
