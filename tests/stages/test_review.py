"""The LLM reviewer's answer format: findings as bullets, "None." for nothing, prose tolerated."""

from __future__ import annotations

import pytest

from devussy.models import ReviewNotes
from devussy.stages import review
from devussy.stages.inputs import ReviewInput
from devussy.stages.parsing import FormatError
from devussy.stages.review import parse_review_notes, render_review_notes
from tests import samples


def test_render_and_parse_agree() -> None:
    for notes in [
        ReviewNotes(project_name="TaskFlow", findings=["Name the queue's consumer.", "R3 is not addressed."]),
        ReviewNotes(project_name="TaskFlow"),
    ]:
        assert parse_review_notes(render_review_notes(notes)) == notes


FENCED = "```markdown\n# Review: T\n\n**Findings**\n\n1. Redis is unexplained\n2. No backups\n```"
CHATTY = "Sure, here is my review:\n\n### Problems\n- Kafka is overkill\n\n### Gaps\n- No test command"
PROSE = "The data model lacks a tenant id.\n\nAuth is not described."


@pytest.mark.parametrize(
    ("text", "findings"),
    [
        ("# Design review: T\n\n## Findings\n\nNone.", []),
        ("No significant issues found. The design looks good.", []),
        (FENCED, ["Redis is unexplained", "No backups"]),
        (CHATTY, ["Kafka is overkill", "No test command"]),
        (PROSE, ["The data model lacks a tenant id.", "Auth is not described."]),
    ],
)
def test_reviews_are_read_liberally(text: str, findings: list[str]) -> None:
    assert parse_review_notes(text, project_name="T").findings == findings


def test_without_a_title_or_a_name_it_is_an_error() -> None:
    with pytest.raises(FormatError, match="missing title"):
        parse_review_notes("- something")


def test_the_review_prompt_quotes_the_brief_the_design_in_its_format_and_the_rule_findings() -> None:
    design = samples.listed_design().model_copy(update={"brief": samples.BRIEF})
    text = review.STAGE.messages(ReviewInput(design=design, rule_findings=["the brief names TypeScript"]))[1]
    prompt = text.content
    assert prompt.index("## Brief") < prompt.index("# Project Design: TaskFlow")
    assert prompt.count(samples.BRIEF.summary) == 1 and prompt.count("p95 API latency under 200 ms") == 2
    assert "- R1 (quality, design): p95 API latency" in prompt  # the design's list, with its ids
    rules = "## Already found by rule checks (do not repeat these)\n\n- the brief names TypeScript"
    assert prompt.endswith(rules)
    assert "```json" not in prompt and '"complexity"' not in prompt
