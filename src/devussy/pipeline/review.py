"""The design review: rule checks, an optional LLM reviewer, and one correction round.

:func:`review_design` always runs the rule checks (``devussy.review.check_design``: code, no
request). With ``reviewer=True`` the LLM reviewer (``stages/review.py``) reads the design too, and
every finding of both is sent back to the design's engine in ONE correction request (the design
prompt, the design as written, the findings); the corrected design replaces the first one when it
parses, and the rule checks run once more on it (``DesignReview.remaining``). An offline engine has
no reviewer and rewrites nothing: its findings are reported only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from devussy.llm.base import ChatMessage
from devussy.models import DesignReview, ProjectDesign, ReviewFinding, Usage
from devussy.pipeline.base import StageSettings
from devussy.pipeline.generation import build_request, describe_failure, generate, read_answer, stream_answer
from devussy.review import check_design
from devussy.stages import design as design_stage
from devussy.stages import review as review_stage
from devussy.stages.design import design_input, render_design
from devussy.stages.inputs import DesignInput, ReviewInput
from devussy.stages.prompts import format_spec, render_prompt
from devussy.streaming import StreamingHandler


@dataclass
class ReviewResult:
    design: ProjectDesign  # corrected, or the one reviewed
    review: DesignReview
    usage: Usage
    text: str = ""  # the corrected design's text, when there was a correction


def rules_only(design: ProjectDesign) -> DesignReview:
    """The review without a reviewer: rule findings, reported only (nothing is rewritten)."""
    findings = check_design(design)
    note = "rule checks only (no --review): nothing was rewritten" if findings else None
    return DesignReview(findings=findings, remaining=findings, note=note)


async def review_design(
    design: ProjectDesign,
    *,
    reviewer: StageSettings | None,
    corrector: StageSettings | None,
    sink: StreamingHandler,
) -> ReviewResult:
    """Review ``design``; ``reviewer`` (the LLM reviewer's settings) and ``corrector`` (the design
    stage's) are None for a rules-only review."""
    findings = check_design(design)
    usage = Usage()
    ran_reviewer = False
    if reviewer is not None and not reviewer.provider.capabilities.offline:
        stage_input = ReviewInput(design=design, rule_findings=[f.message for f in findings])
        notes = await generate(review_stage.STAGE, reviewer, stage_input, sink)
        usage = usage + notes.usage
        ran_reviewer = True
        findings += [
            ReviewFinding(source="reviewer", rule="reviewer", message=item) for item in notes.value.findings
        ]
    review = DesignReview(findings=findings, reviewer=ran_reviewer, remaining=findings)
    if not findings:
        return ReviewResult(design, review, usage)
    if reviewer is None or corrector is None:
        return ReviewResult(design, rules_only(design), usage)
    if corrector.provider.capabilities.offline:
        note = "the offline engine does not rewrite designs: settle these findings by hand"
        return ReviewResult(design, review.model_copy(update={"note": note}), usage)

    corrected, text, correction_usage, problem = await correct(design, findings, corrector, sink)
    usage = usage + correction_usage
    if corrected is None:
        note = f"the correction could not be read ({problem}); the design as first written stands"
        return ReviewResult(design, review.model_copy(update={"note": note[:500]}), usage)
    remaining = check_design(corrected)
    review = review.model_copy(update={"corrected": True, "remaining": remaining})
    return ReviewResult(corrected, review, usage, text)


async def correct(
    design: ProjectDesign, findings: list[ReviewFinding], settings: StageSettings, sink: StreamingHandler
) -> tuple[ProjectDesign | None, str, Usage, str]:
    """One correction request; returns the corrected design (or None), its text, usage and what
    went wrong."""
    assert design.brief is not None, "a design to correct carries its brief"
    stage_input = (
        DesignInput(brief=design.brief, complexity=design.complexity)
        if design.complexity is not None
        else design_input(design.brief)
    )
    written = render_design(design.model_copy(update={"brief": None, "complexity": None}))
    request = build_request(design_stage.STAGE, settings, stage_input)
    prompt = render_prompt(
        "design_correction",
        findings="\n".join(f"- {finding.message}" for finding in findings),
        format=format_spec("design"),
    )
    messages = [*request.messages, ChatMessage("assistant", written), ChatMessage("user", prompt)]
    answer = await stream_answer(settings, replace(request, messages=messages), sink)
    try:
        corrected = read_answer(design_stage.STAGE, answer, stage_input)
    except (ValueError, TypeError) as exc:
        return None, answer.text, answer.usage, "; ".join(describe_failure(answer, exc)[:3])
    await sink.on_completion_async(answer.text)
    return corrected, answer.text, answer.usage, ""
