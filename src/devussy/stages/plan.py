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
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from devussy.events import PhaseAnnounced
from devussy.llm.base import ChatMessage
from devussy.models import DevPlan, Phase, ProjectDesign
from devussy.stages.context import revision_block
from devussy.stages.design import render_design
from devussy.stages.inputs import PlanInput
from devussy.stages.parsing import (
    DASH_CLASS,
    SEPARATOR_CLASS,
    FormatError,
    clean_output,
    first_title,
    heading_like,
    labelled_value,
    requirement_line,
    strip_emphasis,
    strip_title_prefix,
    styled_mentions,
    tidy_title,
)
from devussy.stages.prompts import appended, stage_messages
from devussy.stages.spec import Amendment, StageSpec
from devussy.stages.trace import (
    amend_phases,
    amend_plan_prompt,
    known_citations,
    plan_coverage,
    plan_problems,
)
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
# "**Phase 3: Title** — summary on the same line" (also as a list item: "1. **Phase 3: Title** — …")
_BOLD_LEAD = re.compile(
    rf"^\s*(?:(?:[-*+•]|\d{{1,2}}[.)])\s+)?\*\*((?:phase|stage|milestone)\s*\d{{1,2}}[^*]*?)\*\*\s*(?:{_SEP}\s*)?(\S.*)$",
    re.IGNORECASE,
)
# A list item whose text is a bold phase heading: "1. **Phase 3: Title**", "- **Phase 3 – Title**".
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+(?=\*\*|__)")
# "## Phase 3" with no title: the title is on the next line.
_UNTITLED_PHASE = re.compile(
    rf"^(?:phase|stage|milestone)\s*(\d{{1,2}})(?!\.\d)\s*{_SEP}?\s*$", re.IGNORECASE
)
# What a phase heading starts with, however it is written: used to find headings that were not read.
_PHASE_MENTION = re.compile(r"^(?:phase|stage|milestone)\s*(\d{1,2})(?!\.\d)\b", re.IGNORECASE)
# Fallback when the answer has no phase headings at all: a top-level numbered list "1. Setup — …".
_LIST_PHASE = re.compile(r"^(\d{1,2})[.)]\s+(.+)$")


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
    line = _LIST_MARKER.sub("", line)
    shape = heading_like(line)
    if shape.styled:
        untitled = _UNTITLED_PHASE.match(shape.text)
        if untitled:
            return PhaseHeading(int(untitled.group(1)), "", "")
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


def _list_blocks(lines: list[str]) -> list[tuple[PhaseHeading | None, list[str]]]:
    """Phases written as a top-level numbered list (``1. Setup — repository and CI``, details
    indented below): only tried when the answer has no phase heading at all."""
    blocks: list[tuple[PhaseHeading | None, list[str]]] = [(None, [])]
    in_code = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        match = None if in_code or line[:1].isspace() else _LIST_PHASE.match(line)
        if match:
            text = strip_emphasis(match.group(2))
            parts = re.split(rf"\s*(?::|\s[{DASH_CLASS}])\s+", text, maxsplit=1)
            title, rest = (parts[0], parts[1]) if len(parts) == 2 else (text, "")
            heading = PhaseHeading(int(match.group(1)), tidy_title(title), rest)
            blocks.append((heading, [rest] if rest else []))
        else:
            blocks[-1][1].append(line)
    return blocks


def parse_phase_block(heading: PhaseHeading, body: list[str]) -> Phase:
    """One phase. A heading without a title takes the first line below it as the title; a phase
    without a summary is summarised by its title (the plan needs only numbered, titled phases)."""
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
    title = heading.title
    if not title:
        first = next((index for index, line in enumerate(summary_lines) if line.strip()), None)
        if first is None or len(summary_lines[first].strip()) > 120:
            number = heading.number
            raise FormatError(f"phase {number} has no title: write '## Phase {number}: <title>'")
        title = tidy_title(summary_lines.pop(first).lstrip("#").strip())
    lead = [summary_lines.pop(0)] if heading.inline and summary_lines else []  # the text beside the title
    summary = "\n".join([*lead, textwrap.dedent("\n".join(summary_lines))]).strip() or title
    return Phase(
        number=heading.number,
        title=title,
        summary=summary,
        depends_on=[n for n in depends if n != heading.number],
        requirements=cited,
    )


def check_numbering(kind: str, numbers: list[int], *, prefix: str = "", gaps: bool = True) -> list[str]:
    """Problems with a numbering that must run 1, 2, 3, … once each (a gap may be a phase or step
    the parser could not read, so it is never accepted silently). ``gaps=False``: only repeats (a
    targeted repair answer sends some steps or phases, not all)."""
    problems = []
    seen: set[int] = set()
    for number in numbers:
        if number in seen:
            problems.append(f"{kind} {prefix}{number} appears more than once")
        seen.add(number)
    if not gaps:
        return problems
    missing = [n for n in range(1, max(numbers, default=0) + 1) if n not in seen]
    if missing:
        listed = ", ".join(f"{prefix}{n}" for n in missing)
        what = f"{kind} {listed} is" if len(missing) == 1 else f"{kind}s {listed} are"
        problems.append(
            f"{kind}s are numbered {', '.join(f'{prefix}{n}' for n in numbers)}: {what} missing "
            f"(number them 1, 2, 3, … without gaps)"
        )
    return problems


def unread_phase_headings(lines: list[str], read: set[int]) -> list[str]:
    """Lines styled like a phase heading ("Phase N") whose phase was not read: a phase must never
    vanish from the plan without an error."""
    return [
        f"this line looks like the heading of phase {mention.group(1)} but could not be read as one: "
        f"{line.strip()[:100]!r} (write '## Phase {mention.group(1)}: <title>')"
        for line, mention in styled_mentions(lines, _PHASE_MENTION)
        if int(mention.group(1)) not in read
    ]


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
    """Parse a plan; ``project_name``/``summary`` fill in a missing title/introduction.

    Phases may be headings of any level, bold lines, bold list items, plain ``Phase N: title``
    lines or, when there is no phase heading at all, a top-level numbered list. Numbering with gaps
    or repeats, and a line styled like a phase heading that could not be read, are errors (the
    repair round asks again): a phase is never dropped silently.
    """
    lines = clean_output(text).split("\n")
    blocks = list(_blocks(lines))
    if len(blocks) < 2:
        blocks = _list_blocks(lines)
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
    numbers = [heading.number for heading, _ in blocks[1:] if heading is not None]
    errors += check_numbering("phase", numbers)
    errors += unread_phase_headings(lines, set(numbers))
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
    """The design in its own format (its numbered requirements included) and the phase count; a
    revision quotes the previous plan and the instruction."""
    design = stage_input.design
    phase_count = design.complexity.phase_count if design.complexity else None
    cite_note = (
        " Cite on each phase the requirements it builds; every feature and integration requirement needs a "
        "phase, and no phase may contradict a constraint or non-goal."
        if design.requirements
        else ""
    )
    previous = render_plan(stage_input.previous) if stage_input.previous else None
    return stage_messages(
        "basic_plan",
        project_name=design.project_name,
        phase_count=phase_count or "4 to 8",
        cite_note=cite_note,
        design=render_design(design).strip(),
        revision=appended(revision_block(stage_input.instruction, previous, "plan")),
    )


def plan_for(text: str, stage_input: PlanInput) -> DevPlan:
    """The plan of this design: its name, and the design's tech stack, requirements (citations of ids
    it does not have are dropped), brief and complexity."""
    design = stage_input.design
    plan = parse_plan(text, project_name=design.project_name, summary=design.summary)
    return with_design_context(plan, design)


def with_design_context(plan: DevPlan, design: ProjectDesign) -> DevPlan:
    return plan.model_copy(
        update={
            "project_name": design.project_name,
            "tech_stack": list(design.tech_stack),
            "requirements": list(design.requirements),
            "phases": known_citations(plan.phases, design.requirements),
            "brief": design.brief,
            "complexity": design.complexity,
        }
    )


def changed_phases(text: str) -> list[Phase]:
    """The phases a targeted repair answer sends (it may have no title or introduction)."""
    blocks = list(_blocks(clean_output(text).split("\n")))
    phases = []
    for heading, body in blocks[1:]:
        assert heading is not None
        phases.append(parse_phase_block(heading, body))
    return phases


def amend_plan(text: str, plan: DevPlan, stage_input: PlanInput) -> DevPlan:
    """The repair answer's phases applied to the first plan; an answer with the plan's title line
    ("# Development Plan: …") is a complete plan (it may also drop or merge phases) and replaces it."""
    lines = clean_output(text).split("\n")
    title, _ = first_title(list(next(_blocks(lines))[1]), TITLE_PREFIXES)
    if title is not None and strip_title_prefix(title, TITLE_PREFIXES) != title.strip():
        return plan_for(text, stage_input)
    amended = amend_phases(plan, changed_phases(text))
    problems = check_numbering("phase", [phase.number for phase in amended.phases])
    if problems:  # e.g. a new phase numbered past the next free number: not applied
        raise FormatError(problems)
    return amended


STAGE = StageSpec(
    name="basic_plan",
    input_model=PlanInput,
    output_model=DevPlan,
    render=render_plan,
    parse=plan_for,
    messages=plan_messages,
    check=lambda plan, stage_input: plan_problems(plan),
    amend=Amendment(prompt=amend_plan_prompt, apply=amend_plan),
    report=lambda plan, stage_input: plan_coverage(plan),
    watch=PhaseAnnouncer,
)
