"""Basic devplan stage: design → :class:`DevPlan` with phases (no steps yet).

Format (``render_plan``)::

    # Development Plan: <name>

    <summary>

    ## Phase 1: <title>

    <summary>

    Depends on: none

Phases are announced while the answer streams: a phase is complete when the next phase heading
has arrived (or the stream ended), and is then sent as a ``PhaseAnnounced`` event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from devussy.events import PhaseAnnounced
from devussy.llm.base import ChatMessage
from devussy.models import DevPlan, Phase, ProjectDesign
from devussy.stages.inputs import PlanInput
from devussy.stages.parsing import (
    SEPARATOR_CLASS,
    FormatError,
    clean_output,
    first_title,
    heading_like,
    labelled_value,
    requirement_line,
    strip_emphasis,
    strip_title_prefix,
    tidy_title,
)
from devussy.stages.prompts import input_json, stage_messages
from devussy.stages.spec import StageSpec
from devussy.streaming import StreamingHandler

TITLE_PREFIXES = ("development plan", "dev plan", "devplan", "project plan", "plan")
DEPENDS_LABELS = ("depends on", "dependencies", "depends", "prerequisites", "requires")
_NONE = re.compile(r"^[\s*_]*(none|n/?a|nothing|no dependencies|-+|—|–)?[\s*_.]*$", re.IGNORECASE)

_SEP = SEPARATOR_CLASS
# "Phase 3: Title", "Phase 3 - Title", "Phase 3. Title", "Stage 3) Title", "Phase 3 Title"
_NAMED_PHASE = re.compile(
    rf"^(?:phase|stage|milestone)\s*(\d{{1,2}})(?!\.\d)\s*(?:{_SEP}\s*|\s+)(.*)$", re.IGNORECASE
)
# The same on a plain (unstyled) line needs a separator: "Phase 3: Title".
_PLAIN_PHASE = re.compile(
    rf"^(?:phase|stage|milestone)\s*(\d{{1,2}})(?!\.\d)\s*{_SEP}\s*(.*)$", re.IGNORECASE
)
# "3. Title" / "3) Title" / "3: Title" — only accepted as a heading or a bold line.
_BARE_PHASE = re.compile(rf"^(\d{{1,2}})(?!\.\d)\s*{_SEP}\s*(.+)$")
# "**Phase 3: Title** — summary on the same line"
_BOLD_LEAD = re.compile(
    rf"^\s*(?:[-*]\s+)?\*\*((?:phase|stage)\s*\d{{1,2}}[^*]*?)\*\*\s*(?:{_SEP}\s*)?(\S.*)$", re.IGNORECASE
)


@dataclass(frozen=True)
class PhaseHeading:
    number: int
    title: str
    inline: str  # text after a bold lead-in on the same line


def phase_heading(line: str) -> PhaseHeading | None:
    """Recognise a phase heading in any of the styles models use (see the corpus tests)."""
    if not line.strip():
        return None
    lead = _BOLD_LEAD.match(line)
    if lead:
        inner = _NAMED_PHASE.match(lead.group(1).strip().rstrip(":"))
        if inner and inner.group(2).strip():
            return PhaseHeading(int(inner.group(1)), tidy_title(inner.group(2)), lead.group(2).strip())
    shape = heading_like(line)
    if shape.styled:
        match = _NAMED_PHASE.match(shape.text) or _BARE_PHASE.match(shape.text)
    else:
        match = _PLAIN_PHASE.match(strip_emphasis(line))
    if not match or not tidy_title(match.group(2)):
        return None
    return PhaseHeading(int(match.group(1)), tidy_title(match.group(2)), "")


def _blocks(lines: list[str]) -> Iterator[tuple[PhaseHeading | None, list[str]]]:
    """The preamble and then each phase heading with its body lines (code blocks respected)."""
    heading: PhaseHeading | None = None
    body: list[str] = []
    in_code = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        found = None if in_code else phase_heading(line)
        if found:
            yield heading, body
            heading, body = found, ([found.inline] if found.inline else [])
        else:
            body.append(line)
    yield heading, body


def parse_phase_block(heading: PhaseHeading, body: list[str]) -> Phase:
    depends: list[int] = []
    cited: list[str] = []
    summary_lines = []
    for line in body:
        value = labelled_value(line, DEPENDS_LABELS)
        if value is not None:
            depends.extend(phase_numbers(value))
        elif (ids := requirement_line(line)) is not None:
            cited.extend(ids)
        else:
            summary_lines.append(line)
    summary = "\n".join(summary_lines).strip()
    if not summary:
        raise FormatError(f"phase {heading.number} ('{heading.title}') has no summary")
    return Phase(
        number=heading.number,
        title=heading.title,
        summary=summary,
        depends_on=[n for n in depends if n != heading.number],
        requirements=cited,
    )


def phase_numbers(value: str) -> list[int]:
    if _NONE.match(value):
        return []
    return [int(n) for n in re.findall(r"(?<![\d.])(\d{1,2})(?![\d.]*\d)", value)]


def render_plan(plan: DevPlan) -> str:
    out = [f"# Development Plan: {plan.project_name}", "", plan.summary, ""]
    for phase in plan.phases:
        out += [render_phase_summary(phase), ""]
    return "\n".join(out)


def render_phase_summary(phase: Phase) -> str:
    depends = ", ".join(str(n) for n in phase.depends_on) or "none"
    out = f"## Phase {phase.number}: {phase.title}\n\n{phase.summary}\n\n"
    if phase.requirements:
        out += f"Requirements: {', '.join(phase.requirements)}\n\n"
    return out + f"Depends on: {depends}"


def parse_plan(text: str, *, project_name: str | None = None, summary: str | None = None) -> DevPlan:
    """Parse a plan; ``project_name``/``summary`` fill in a missing title/introduction."""
    blocks = list(_blocks(clean_output(text).split("\n")))
    _, preamble = blocks[0]
    if len(blocks) < 2:
        raise FormatError("no phases found: start each phase with a heading '## Phase <n>: <title>'")
    title, rest = first_title(preamble, TITLE_PREFIXES)
    name = strip_title_prefix(title, TITLE_PREFIXES) if title else project_name
    if not name:
        raise FormatError("missing title line '# Development Plan: <project name>'")
    intro = "\n".join(rest).strip() or summary
    if not intro:
        raise FormatError("missing plan summary between the title and the first phase")
    phases = []
    errors = []
    for heading, body in blocks[1:]:
        assert heading is not None
        try:
            phases.append(parse_phase_block(heading, body))
        except (FormatError, ValidationError) as exc:
            errors.append(f"phase {heading.number}: {exc}")
    if errors:
        raise FormatError(errors)
    known = {phase.number for phase in phases}
    phases = [p.model_copy(update={"depends_on": [d for d in p.depends_on if d in known]}) for p in phases]
    return DevPlan(project_name=name, summary=intro, phases=phases)


class PhaseAnnouncer:
    """Watches the raw plan stream and announces each phase (``PhaseAnnounced``) once it is complete."""

    def __init__(self, sink: StreamingHandler) -> None:
        self.sink = sink
        self.announced: dict[int, Phase] = {}  # kept across the first answer and a repair
        self._complete_upto = 0

    async def feed(self, text: str) -> None:
        end = text.rfind("\n") + 1
        if end == self._complete_upto:  # no new complete line: nothing can have changed
            return
        self._complete_upto = end
        lines = clean_output(_drop_open_fence(text[:end]), drop_chatter=False).split("\n")
        blocks = list(_blocks(lines))
        # The last block may still be growing; every earlier one is followed by a heading.
        for heading, body in blocks[1:-1]:
            assert heading is not None
            try:
                phase = parse_phase_block(heading, _without_chatter(body))
            except (FormatError, ValidationError):
                continue
            await self.announce(phase)

    def restart(self) -> None:
        self._complete_upto = 0

    async def finish(self, plan: DevPlan) -> None:
        for phase in plan.phases:
            await self.announce(phase)

    async def announce(self, phase: Phase) -> None:
        if self.announced.get(phase.number) != phase:
            self.announced[phase.number] = phase
            await self.sink.on_progress_async(PhaseAnnounced(phase=phase))


def _drop_open_fence(text: str) -> str:
    """A stream that opened with a code fence has not closed it yet; look inside meanwhile."""
    stripped = text.lstrip()
    if re.match(r"^(```|~~~)\s*(markdown|md)?\s*\n", stripped, re.IGNORECASE) and stripped.count("```") == 1:
        return stripped.split("\n", 1)[1]
    return text


def _without_chatter(body: list[str]) -> list[str]:
    return clean_output("\n".join(body)).split("\n")


def plan_messages(stage_input: PlanInput) -> list[ChatMessage]:
    design = stage_input.design
    phase_count = design.complexity.phase_count if design.complexity else None
    return stage_messages(
        "basic_plan",
        project_name=design.project_name,
        phase_count=phase_count or "4 to 8",
        input_json=input_json(stage_input),
    )


def cited_only(phases: list[Phase], design: ProjectDesign) -> list[Phase]:
    """Phases citing only requirement ids the design has (a model may cite one it made up)."""
    known = {r.id for r in design.requirements}
    return [p.model_copy(update={"requirements": [r for r in p.requirements if r in known]}) for p in phases]


def plan_for(text: str, stage_input: PlanInput) -> DevPlan:
    """The plan of this design: its name, the design's tech stack, brief, complexity and the requirements
    its phases and steps cite (DESIGN §6)."""
    design = stage_input.design
    plan = parse_plan(text, project_name=design.project_name, summary=design.summary)
    return plan.model_copy(
        update={
            "project_name": design.project_name,
            "tech_stack": list(design.tech_stack),
            "brief": design.brief,
            "complexity": design.complexity,
            "requirements": list(design.requirements),
            "phases": cited_only(plan.phases, design),
        }
    )


STAGE = StageSpec(
    name="basic_plan",
    input_model=PlanInput,
    output_model=DevPlan,
    render=render_plan,
    parse=plan_for,
    messages=plan_messages,
    watch=PhaseAnnouncer,
)
