"""Handoff stage: design + detailed plan → :class:`Handoff`, the prompt for the next agent.

Format (``render_handoff``)::

    # Handoff: <project name>

    Start at: Phase 1, Step 1.1

    <markdown prompt>
"""

from __future__ import annotations

import re

from devussy.llm.base import ChatMessage
from devussy.models import DevPlan, Handoff
from devussy.stages.context import bullet_list, one_line, outline_line, sections, titled
from devussy.stages.detail import render_phase_detail
from devussy.stages.inputs import HandoffInput
from devussy.stages.parsing import FormatError, clean_output, first_title, strip_title_prefix
from devussy.stages.prompts import stage_messages
from devussy.stages.spec import StageSpec

TITLE_PREFIXES = ("handoff prompt", "handoff", "hand-off", "agent handoff")
_START_LINE = re.compile(
    r"^[\s>*_-]*(?:start(?:ing)?(?:\s+(?:at|here|with|from|point))?|begin(?:\s+(?:at|with))?)[*_\s]*:[*_\s]*(.*)$",
    re.IGNORECASE,
)


def render_handoff(handoff: Handoff) -> str:
    out = [f"# Handoff: {handoff.project_name}", ""]
    if handoff.start_phase is not None:
        start = f"Phase {handoff.start_phase}"
        if handoff.start_step:
            start += f", Step {handoff.start_step}"
        out += [f"Start at: {start}", ""]
    out += [handoff.prompt, ""]
    return "\n".join(out)


def parse_handoff(text: str, *, project_name: str | None = None) -> Handoff:
    lines = clean_output(text).split("\n")
    title, lines = first_title(lines, TITLE_PREFIXES)
    start_phase = start_step = None
    for index, line in enumerate(lines):
        match = _START_LINE.match(line)
        if match and re.search(r"phase\s*\d|step\s*\d", match.group(1), re.IGNORECASE):
            phase = re.search(r"phase\s*(\d{1,2})", match.group(1), re.IGNORECASE)
            step = re.search(r"step\s*(\d{1,2}\.\d{1,2})", match.group(1), re.IGNORECASE)
            start_phase = int(phase.group(1)) if phase else None
            start_step = step.group(1) if step else None
            if start_phase is None and start_step:
                start_phase = int(start_step.split(".")[0])
            del lines[index]
            break
    name = strip_title_prefix(title, TITLE_PREFIXES) if title else project_name
    if not name:
        raise FormatError("missing title line '# Handoff: <project name>'")
    prompt = "\n".join(lines).strip()
    if not prompt:
        raise FormatError("the handoff prompt is empty")
    return Handoff(project_name=name, prompt=prompt, start_phase=start_phase, start_step=start_step)


def default_start(plan: DevPlan) -> tuple[int, str | None]:
    """Where work starts when the model did not say: the first phase without dependencies."""
    phase = next((p for p in plan.phases if not p.depends_on), plan.phases[0])
    return phase.number, (phase.steps[0].id if phase.steps else None)


def plan_outline_with_steps(plan: DevPlan) -> str:
    lines = []
    for phase in plan.phases:
        lines.append(outline_line(phase))
        for step in phase.steps:
            test = f" (test: `{step.test_command}`)" if step.test_command else " (no test command yet)"
            lines.append(f"  - Step {step.id}: {step.title}{test}")
    return "\n".join(lines)


def coverage_block(plan: DevPlan, *, details_complete: bool = True) -> str:
    """What the coverage check flags, so the handoff can tell the next agent to settle it first.
    While phases are still being detailed (the early handoff) a requirement without a step yet may
    get one from a step still streaming, so only contradictions are flagged then."""
    if not plan.requirements:
        return ""
    from devussy.requirements import check_coverage, summary_line

    report = check_coverage(plan)
    by_id = {r.id: r for r in plan.requirements}
    contradictions = [
        f"- step {v.step} contradicts {v.requirement} ({one_line(by_id[v.requirement].text)}): {v.message}"
        for v in report.violations
    ]
    if not details_complete:
        if not contradictions:
            return ""
        return sections("## Requirements check (details still being written)", "\n".join(contradictions))
    uncovered = report.with_status("uncovered")
    flagged = [f"- {entry.id} is uncovered: {one_line(by_id[entry.id].text)}" for entry in uncovered]
    return sections(f"## Requirements check\n\n{summary_line(report)}", "\n".join(flagged + contradictions))


def handoff_messages(stage_input: HandoffInput) -> list[ChatMessage]:
    """The project in brief, the plan as an outline of steps with their tests, the phase to start
    with in full, and what the coverage check flags. While other phases are still being detailed
    (``details_complete=False``: the runner's early handoff) the outline says so."""
    design, plan = stage_input.design, stage_input.plan
    start, _ = default_start(plan)
    outline_note = (
        ""
        if stage_input.details_complete
        else " (the phases are still being detailed: these are the steps known so far; point the agent "
        "at the first step and at the phase files for the rest)"
    )
    context = sections(
        design.summary,
        titled("Tech stack", bullet_list(design.tech_stack)),
        titled("Testing strategy", design.testing_strategy),
        f"## Plan{outline_note}\n\n{plan_outline_with_steps(plan)}",
        f"## Where to start\n\n{render_phase_detail(plan.phase(start))}",
        coverage_block(plan, details_complete=stage_input.details_complete),
    )
    return stage_messages("handoff", project_name=design.project_name, context=context)


def handoff_for(text: str, stage_input: HandoffInput) -> Handoff:
    """The handoff keeps the design's name; without ``Start at:`` it starts where ``default_start`` says."""
    handoff = parse_handoff(text, project_name=stage_input.design.project_name)
    update: dict[str, object] = {"project_name": stage_input.design.project_name}
    if handoff.start_phase is None:
        update["start_phase"], update["start_step"] = default_start(stage_input.plan)
    return handoff.model_copy(update=update)


STAGE = StageSpec(
    name="handoff",
    input_model=HandoffInput,
    output_model=Handoff,
    render=render_handoff,
    parse=handoff_for,
    messages=handoff_messages,
)
