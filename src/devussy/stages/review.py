"""Design review stage (the optional LLM reviewer): design → :class:`ReviewNotes`.

Format (``render_review_notes``)::

    # Design review: <name>

    ## Findings

    - <problem>

"None." (or no bullets and a "no problems" sentence) means nothing was found. The rule checks in
code (``devussy.review``) run whether or not the reviewer does; ``pipeline/review.py`` applies the
findings of both in one correction round.
"""

from __future__ import annotations

import re

from devussy.llm.base import ChatMessage
from devussy.models import ReviewNotes
from devussy.stages.context import brief_block, sections
from devussy.stages.design import render_design
from devussy.stages.inputs import ReviewInput
from devussy.stages.parsing import FormatError, clean_output, first_title, heading_like, parse_bullets
from devussy.stages.prompts import stage_messages
from devussy.stages.spec import StageSpec

TITLE_PREFIXES = ("design review", "review")
_NOTHING = re.compile(
    r"^[\s*_-]*(none|nothing|no (?:real |significant |major )?(?:problems?|issues?|findings?|concerns?)"
    r"(?: found)?|n/?a|the design (?:looks|is) (?:good|sound|fine|solid))\b",
    re.IGNORECASE,
)


def render_review_notes(notes: ReviewNotes) -> str:
    findings = [f"- {item}" for item in notes.findings] or ["None."]
    return "\n".join([f"# Design review: {notes.project_name}", "", "## Findings", "", *findings, ""])


def parse_review_notes(text: str, *, project_name: str | None = None) -> ReviewNotes:
    """Bullets anywhere below the title (headings group them); "None." means no findings; prose
    without bullets is one finding per paragraph."""
    lines = clean_output(text).split("\n")
    title, lines = first_title(lines, TITLE_PREFIXES)
    body = [line for line in lines if not (heading_like(line).styled and heading_like(line).level <= 6)]
    content = "\n".join(body).strip()
    name = _name(title) or project_name
    if not name:
        raise FormatError("missing title line '# Design review: <project name>'")
    if not content or _NOTHING.match(content):
        return ReviewNotes(project_name=name)
    if re.search(r"^\s*(?:[-*+•]|\d+[.)])\s+", content, re.MULTILINE):
        items = parse_bullets(content)
    else:
        items = [part.strip() for part in re.split(r"\n\s*\n", content) if part.strip()]
    findings = [item[:500] for item in items if not _NOTHING.match(item)]
    return ReviewNotes(project_name=name, findings=findings[:30])


def _name(title: str | None) -> str | None:
    if not title:
        return None
    match = re.match(r"^\s*(?:design review|review)\s*(?::|[-–—])\s*(.+)$", title, re.IGNORECASE)
    return match.group(1).strip() if match else None


def review_messages(stage_input: ReviewInput) -> list[ChatMessage]:
    """The brief the design was written for (its requirements are the design's, listed once), the
    design in its own format, and what the rule checks already found."""
    design = stage_input.design
    found = "\n".join(f"- {item}" for item in stage_input.rule_findings) or "- (nothing)"
    brief = (
        f"## Brief\n\n{brief_block(design.brief.model_copy(update={'requirements': []}))}"
        if design.brief is not None
        else ""
    )
    context = sections(
        brief,
        render_design(design.model_copy(update={"brief": None, "complexity": None})),
        f"## Already found by rule checks (do not repeat these)\n\n{found}",
    )
    return stage_messages("design_review", project_name=design.project_name, context=context)


STAGE = StageSpec(
    name="design_review",
    input_model=ReviewInput,
    output_model=ReviewNotes,
    render=render_review_notes,
    parse=lambda text, stage_input: parse_review_notes(
        text, project_name=stage_input.design.project_name
    ).model_copy(update={"project_name": stage_input.design.project_name}),
    messages=review_messages,
    schema_omits=(),
)
