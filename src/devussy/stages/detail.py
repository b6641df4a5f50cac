"""Phase detail stage: plan + one phase number → that :class:`Phase` with its :class:`Step`s.

Format (``render_phase_detail``)::

    ## Phase 2: <title>

    <summary>

    Depends on: 1

    ### Step 2.1: <title>

    <details>

    Acceptance criteria:
    - <criterion>

    Test: `<command>`

    Depends on: none
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError

from devussy.llm.base import ChatMessage
from devussy.models import Phase, Step
from devussy.stages.context import (
    bullet_list,
    design_context_block,
    detail_requirements_block,
    plan_outline,
    revision_block,
    sections,
)
from devussy.stages.inputs import DetailInput
from devussy.stages.parsing import (
    DASH_CLASS,
    SEPARATOR_CLASS,
    FormatError,
    clean_output,
    heading_like,
    labelled_value,
    parse_bullets,
    requirement_line,
    strip_emphasis,
    styled_mentions,
    tidy_title,
)
from devussy.stages.plan import (
    DEPENDS_LABELS,
    PhaseHeading,
    check_numbering,
    phase_heading,
    phase_numbers,
    render_phase_summary,
)
from devussy.stages.prompts import appended, stage_messages
from devussy.stages.spec import Amendment, StageSpec
from devussy.stages.trace import (
    amend_phase_prompt,
    amend_steps,
    known_citations,
    phase_coverage,
    phase_problems,
)

CRITERIA_LABELS = ("acceptance criteria", "acceptance", "done when", "definition of done", "success criteria")
TEST_LABELS = ("test command", "test", "verify", "verification", "how to test")
DETAILS_LABELS = ("details", "description", "what to do", "tasks")

_SEP = SEPARATOR_CLASS
_STEP_WORD = re.compile(
    rf"^step\s*(?:(\d{{1,2}})\.)?(\d{{1,2}})(?!\.\d)\s*(?:{_SEP}\s*|\s+)(.+)$", re.IGNORECASE
)
_STEP_WORD_PLAIN = re.compile(
    rf"^step\s*(?:(\d{{1,2}})\.)?(\d{{1,2}})(?!\.\d)\s*{_SEP}\s*(.+)$", re.IGNORECASE
)
_DOTTED = re.compile(rf"^(\d{{1,2}})\.(\d{{1,2}})(?!\.\d)\s*(?:{_SEP}\s*|\s+)(.+)$")
# The original Devussy's "2.1: Create the schema" as a plain line (not indented).
_DOTTED_PLAIN = re.compile(rf"^\s{{0,3}}(\d{{1,2}})\.(\d{{1,2}})(?!\.\d)\s*{_SEP}\s+(\S.*)$")
_BARE = re.compile(r"^(\d{1,2})(?!\.\d)\s*[:.)]\s*(.+)$")
_BOLD_NUMBER = re.compile(
    rf"^\s*(?:[-*+•]\s+)?\*\*(?:step\s*)?(\d{{1,2}})\.(\d{{1,2}})\s*{_SEP}?\*\*\s*(?:{_SEP}\s*)?(.+)$",
    re.IGNORECASE,
)
# What a step heading starts with, however it is written: used to find headings that were not read.
_STEP_MENTION = re.compile(
    r"^(?:step\s*(?:\d{1,2}\.)?(\d{1,2})|(?:\d{1,2})\.(\d{1,2}))(?![\d.]*\d)", re.IGNORECASE
)
# Fallback when the answer has no step headings at all: a top-level numbered list "1. Create …".
_LIST_STEP = re.compile(r"^(\d{1,2})[.)]\s+(\S.*)$")


@dataclass(frozen=True)
class StepHeading:
    phase: int | None  # None when the model wrote only the step number
    number: int
    title: str


def step_heading(line: str) -> StepHeading | None:
    """``### Step 2.3: Title``, ``**Step 2.3 – Title**``, ``#### 2.3 Title``, ``**2.3** Title``,
    ``Step 3: Title`` (plain line), ``### 3. Title``."""
    if not line.strip():
        return None
    bold = _BOLD_NUMBER.match(line)
    if bold:
        return StepHeading(int(bold.group(1)), int(bold.group(2)), tidy_title(bold.group(3)))
    shape = heading_like(line)
    if shape.styled:
        match = _STEP_WORD.match(shape.text) or _DOTTED.match(shape.text)
        if match:
            phase = match.group(1)
            return StepHeading(int(phase) if phase else None, int(match.group(2)), tidy_title(match.group(3)))
        bare = _BARE.match(shape.text)
        if bare and 3 <= shape.level <= 6:  # "### 3. Title"; a bold "**3. x**" is more often a list item
            return StepHeading(None, int(bare.group(1)), tidy_title(bare.group(2)))
        return None
    plain = strip_emphasis(line.strip())
    match = _STEP_WORD_PLAIN.match(plain)
    if match:
        phase = match.group(1)
        return StepHeading(int(phase) if phase else None, int(match.group(2)), tidy_title(match.group(3)))
    dotted = _DOTTED_PLAIN.match(line) and _DOTTED_PLAIN.match(plain)
    if dotted:
        return StepHeading(int(dotted.group(1)), int(dotted.group(2)), tidy_title(dotted.group(3)))
    return None


def list_step(line: str) -> StepHeading | None:
    """A top-level numbered list item as a step (``1. **Create the schema** — tables for users``);
    the text after the title's separator starts the step's details (see ``_title_and_rest``)."""
    if line[:1].isspace():
        return None
    match = _LIST_STEP.match(line)
    if not match:
        return None
    return StepHeading(None, int(match.group(1)), match.group(2).strip())


def _title_and_rest(text: str) -> tuple[str, str]:
    """``**Create schema** — define tables`` → (``Create schema``, ``define tables``)."""
    bold = re.match(r"^(\*\*|__)(.+?)\1\s*(?:[:.]|[" + DASH_CLASS + r"])?\s*(.*)$", text)
    if bold:
        return tidy_title(bold.group(2)), bold.group(3).strip()
    parts = re.split(rf"\s*(?::|\s[{DASH_CLASS}])\s+", strip_emphasis(text), maxsplit=1)
    return (tidy_title(parts[0]), parts[1].strip()) if len(parts) == 2 else (tidy_title(text), "")


@dataclass
class _StepDraft:
    heading: StepHeading
    details: list[str] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)
    test: list[str] = field(default_factory=list)
    depends: list[str] = field(default_factory=list)
    covers: list[str] = field(default_factory=list)


def render_phase_detail(phase: Phase) -> str:
    out = [f"## Phase {phase.number}: {phase.title}", "", phase.summary, ""]
    if phase.requirements:
        out += [f"Requirements: {', '.join(phase.requirements)}", ""]
    out += [f"Depends on: {', '.join(str(n) for n in phase.depends_on) or 'none'}", ""]
    for step in phase.steps:
        out += [render_step(step), ""]
    return "\n".join(out)


def render_step(step: Step) -> str:
    out = [f"### Step {step.id}: {step.title}", "", step.details, ""]
    if step.acceptance_criteria:
        out += ["Acceptance criteria:", *(f"- {item}" for item in step.acceptance_criteria), ""]
    if step.test_command is not None:
        ticks = "``" if "`" in step.test_command else "`"
        pad = " " if ticks == "``" else ""
        out += [f"Test: {ticks}{pad}{step.test_command}{pad}{ticks}", ""]
    if step.covers:
        out += [f"Covers: {', '.join(step.covers)}", ""]
    out.append(f"Depends on: {', '.join(step.depends_on) or 'none'}")
    return "\n".join(out)


def parse_phase_detail(text: str, *, phase: Phase | None = None, fragment: bool = False) -> Phase:
    """Parse one detailed phase. With ``phase`` (from the plan), the phase heading is optional and
    steps numbered ``Step 1`` or with the wrong phase prefix are renumbered into that phase. A
    ``fragment`` (a targeted repair's changed and added steps) need not number its steps from 1."""
    lines = clean_output(text).split("\n")
    header_lines, drafts, heading = _read_steps(lines, step_heading)
    if not drafts:  # no step headings at all: a numbered list of steps, as the original asked for
        header_lines, drafts, heading = _read_steps(lines, list_step)
        for draft in drafts:
            title, rest = _title_and_rest(draft.heading.title)
            draft.heading = StepHeading(None, draft.heading.number, title)
            draft.details = [rest, *textwrap.dedent("\n".join(draft.details)).split("\n")]
    if not drafts:
        raise FormatError("no steps found: start each step with a heading '### Step <phase>.<n>: <title>'")
    if heading is None and phase is None:
        raise FormatError("missing phase heading '## Phase <n>: <title>'")
    number = phase.number if phase is not None else heading.number  # type: ignore[union-attr]

    summary_lines, depends, cited = [], [], []
    for line in header_lines:
        value = labelled_value(line, DEPENDS_LABELS)
        if value is not None:
            depends.extend(phase_numbers(value))
        elif (ids := requirement_line(line)) is not None:
            cited.extend(ids)
        else:
            summary_lines.append(line)
    summary = "\n".join(summary_lines).strip()
    if phase is not None:
        title, summary, depends = phase.title, phase.summary, list(phase.depends_on)
        cited = cited or list(phase.requirements)
    else:
        assert heading is not None
        title = heading.title
        if not title:
            raise FormatError(f"phase {number} has no title: write '## Phase {number}: <title>'")
        summary = summary or title

    prefixes = {d.heading.phase for d in drafts if d.heading.phase is not None}
    renumber = phase is not None and (
        not prefixes or (prefixes == {next(iter(prefixes))} and number not in prefixes)
    )
    errors: list[str] = []
    steps: list[Step] = []
    for draft in drafts:
        _split_step_body(draft)
        prefix = number if renumber or draft.heading.phase is None else draft.heading.phase
        step_id = f"{prefix}.{draft.heading.number}"
        try:
            steps.append(_build_step(step_id, draft, number))
        except (FormatError, ValidationError) as exc:
            errors.append(f"step {step_id}: {exc}")
    numbers = [draft.heading.number for draft in drafts]
    errors += check_numbering("step", numbers, prefix=f"{number}.", gaps=not fragment)
    errors += unread_step_headings(lines, set(numbers))
    if errors:
        raise FormatError(errors)
    return Phase(
        number=number,
        title=title,
        summary=summary,
        depends_on=[n for n in depends if n != number],
        requirements=cited,
        steps=steps,
    )


def complete_steps(text: str, phase: Phase) -> Phase | None:
    """The steps of a detail answer still streaming that are complete (another step heading follows
    them), as ``phase`` with those steps; None while there is none or they do not read."""
    lines = clean_output(text, drop_chatter=False).split("\n")
    headings = []
    in_code = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        elif not in_code and step_heading(line):
            headings.append(index)
    if len(headings) < 2:
        return None
    try:
        return parse_phase_detail("\n".join(lines[: headings[-1]]), phase=phase)
    except (FormatError, ValidationError):
        return None


def _read_steps(
    lines: list[str], find: Callable[[str], StepHeading | None]
) -> tuple[list[str], list[_StepDraft], PhaseHeading | None]:
    """Split the answer into the phase header lines, the step drafts (``find`` tells a step
    heading) and the phase heading, if any (code blocks respected)."""
    header_lines: list[str] = []
    drafts: list[_StepDraft] = []
    heading = None
    in_code = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        found = None if in_code else find(line)
        if found:
            drafts.append(_StepDraft(found))
        elif drafts:
            drafts[-1].details.append(line)
        else:
            ph = None if in_code or heading else phase_heading(line)
            if ph:
                heading = ph
                if ph.inline:
                    header_lines.append(ph.inline)
            else:
                header_lines.append(line)
    return header_lines, drafts, heading


def unread_step_headings(lines: list[str], read: set[int]) -> list[str]:
    """Lines styled like a step heading ("Step N" or "N.M") whose step was not read: a step must
    never vanish without an error."""
    problems = []
    for line, mention in styled_mentions(lines, _STEP_MENTION):
        number = int(mention.group(1) or mention.group(2))
        if number not in read:
            problems.append(
                f"this line looks like the heading of step {number} but could not be read as one: "
                f"{line.strip()[:100]!r} (write '### Step <phase>.{number}: <title>')"
            )
    return problems


def _split_step_body(draft: _StepDraft) -> None:
    """Sort the step's lines into details / acceptance criteria / test / depends on."""
    body, draft.details = draft.details, []
    mode = "details"
    in_code = False
    for line in body:
        is_fence = line.lstrip().startswith(("```", "~~~"))
        if in_code or (is_fence and mode == "test" and not draft.test):
            if is_fence:
                in_code = not in_code
                if mode == "test":
                    if not in_code:
                        mode = "details"
                    continue
            (draft.test if mode == "test" else draft.details).append(line)
            continue
        if is_fence:
            in_code = True
            draft.details.append(line)
            mode = "details"
            continue
        if (value := labelled_value(line, TEST_LABELS)) is not None:
            mode = "test"
            if value:
                draft.test.append(_inline_code(value))
                mode = "details"
            continue
        if (value := labelled_value(line, CRITERIA_LABELS)) is not None:
            mode = "criteria"
            if value:
                draft.criteria.append(f"- {value}")
            continue
        if (value := labelled_value(line, DEPENDS_LABELS)) is not None:
            draft.depends.append(value)
            mode = "details"
            continue
        if (ids := requirement_line(line)) is not None:
            draft.covers.extend(ids)
            mode = "details"
            continue
        if (value := labelled_value(line, DETAILS_LABELS)) is not None:
            mode = "details"
            if value:
                draft.details.append(value)
            continue
        if mode == "criteria":
            if (
                not line.strip()
                or re.match(r"^\s*(?:[-*+•]|\d+[.)])\s+", line)
                or line.startswith((" ", "\t"))
            ):
                draft.criteria.append(line)
                continue
            mode = "details"
        if mode == "test" and line.strip():
            draft.test.append(_inline_code(re.sub(r"^\s*(?:[-*+•]|\$)\s+", "", line)))
            mode = "details"
            continue
        draft.details.append(line)


def _inline_code(value: str) -> str:
    span = re.search(r"(`+)\s?(.+?)\s?\1", value)
    return span.group(2).strip() if span else value.strip()


def _build_step(step_id: str, draft: _StepDraft, phase_number: int) -> Step:
    # A step given only as a title line is described by its title (nothing is made up).
    details = textwrap.dedent("\n".join(draft.details)).strip() or draft.heading.title
    criteria = parse_bullets("\n".join(draft.criteria))
    commands = [line.strip() for line in draft.test if line.strip() and not line.strip().startswith("#")]
    # Missing criteria or test command are gaps the artifacts and the coverage report flag.
    depends: list[str] = []
    for value in draft.depends:
        ids = re.findall(r"\d{1,2}\.\d{1,2}", value)
        if not ids and not re.search(r"phase", value, re.IGNORECASE):
            ids = [f"{phase_number}.{n}" for n in re.findall(r"\d{1,2}", value)]
        depends.extend(i for i in ids if i != step_id and i not in depends)
    return Step(
        id=step_id,
        title=draft.heading.title,
        details=details,
        acceptance_criteria=criteria,
        test_command=" && ".join(commands) or None,
        depends_on=depends,
        covers=draft.covers,
    )


# ----------------------------------------------------------------------------- stage


def detail_messages(stage_input: DetailInput) -> list[ChatMessage]:
    """This phase, what it must cover and respect, a one-line outline of the others, the tech stack and
    the design's architecture and data model. With ``plan_complete=False`` (the runner's early start,
    while the plan streams) the outline says that more phases will follow, so this one keeps to its
    own scope. A revision quotes the phase's current steps and the instruction."""
    plan, phase = stage_input.plan, stage_input.phase
    depth = plan.complexity.depth if plan.complexity else None
    expected = plan.complexity.phase_count if plan.complexity else None
    outline_note = (
        ""
        if stage_input.plan_complete
        else " (the plan is still being written: these are the phases known so far"
        + (f" of about {expected}" if expected else "")
        + "; later phases will cover the rest, so keep this phase to its own summary)"
    )
    revising = bool(stage_input.instruction and phase.steps)
    context = sections(
        detail_requirements_block(plan, phase),
        f"## Plan outline{outline_note}\n\n{plan_outline(plan, current=phase.number)}",
        f"## Tech stack\n\n{bullet_list(plan.tech_stack)}" if plan.tech_stack else "",
        design_context_block(stage_input.design),
    )
    previous = render_phase_detail(phase) if revising else None
    return stage_messages(
        "phase_detail",
        project_name=plan.project_name,
        phase_number=phase.number,
        phase_title=phase.title,
        step_count=depth or "3 to 8",
        phase=render_phase_summary(phase.model_copy(update={"steps": []})),
        context=context,
        revision=appended(revision_block(stage_input.instruction, previous, "steps")),
    )


def detail_for(text: str, stage_input: DetailInput, *, fragment: bool = False) -> Phase:
    """The phase as the plan has it (its ``Requirements:`` too), with the answer's steps (citations of
    unknown ids dropped)."""
    planned = stage_input.phase
    parsed = parse_phase_detail(text, phase=planned, fragment=fragment)
    phase = parsed.model_copy(update={"requirements": planned.requirements})
    if not stage_input.plan.requirements:
        return phase
    return known_citations([phase], stage_input.plan.requirements)[0]


def amend_detail(text: str, phase: Phase, stage_input: DetailInput) -> Phase:
    """The repair answer's steps applied to the first answer's; an answer that starts with the phase
    heading is a complete answer (it may also drop steps) and replaces the first."""
    if starts_with_phase_heading(text):
        return detail_for(text, stage_input)
    amended = amend_steps(phase, detail_for(text, stage_input, fragment=True))
    numbers = [int(step.id.split(".")[1]) for step in amended.steps]
    problems = check_numbering("step", numbers, prefix=f"{phase.number}.")
    if problems:  # e.g. a new step numbered past the next free id: not applied
        raise FormatError(problems)
    return amended


def starts_with_phase_heading(text: str) -> bool:
    """A phase heading comes before the first step heading (code blocks ignored)."""
    in_code = False
    for line in clean_output(text).split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            continue
        if step_heading(line) is not None:
            return False
        if phase_heading(line) is not None:
            return True
    return False


STAGE = StageSpec(
    name="phase_detail",
    input_model=DetailInput,
    output_model=Phase,
    render=render_phase_detail,
    parse=detail_for,
    messages=detail_messages,
    check=lambda phase, stage_input: phase_problems(phase, stage_input.plan),
    amend=Amendment(prompt=amend_phase_prompt, apply=amend_detail),
    report=lambda phase, stage_input: phase_coverage(phase, stage_input.plan),
)
