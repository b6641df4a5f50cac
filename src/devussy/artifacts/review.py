"""``review.md``: what the design review checked, found, corrected and left open."""

from __future__ import annotations

from devussy.artifacts.escape import inline
from devussy.models import DesignReview, ReviewFinding

RULE_TITLES = {
    "requirement_not_addressed": "Requirement not addressed",
    "requirement_contradicted": "Requirement contradicted",
    "brief_technology_missing": "Technology from the brief missing",
    "technology_conflict": "Technology conflicts with the brief",
    "unjustified_service": "Service without a reason",
    "reviewer": "Reviewer",
}
CHECKS = (
    "every feature, integration and quality requirement is addressed somewhere in the design",
    "no constraint or non-goal is contradicted by the tech stack or the architecture",
    "the technologies the brief names are used, and no database or web framework replaces them",
    "every cache, queue, search engine or orchestrator is asked for by the brief or explained by the design",
)


def render_review(review: DesignReview, project_name: str) -> str:
    lines = [f"# {inline(project_name)} — Design review", ""]
    lines += ["Rule checks (in code):", "", *(f"- {check}" for check in CHECKS), ""]
    if review.reviewer:
        lines += ["An LLM reviewer read the design as well.", ""]
    lines += ["## Findings", ""]
    lines += [_finding(finding) for finding in review.findings] or ["_None: the design passed every check._"]
    lines.append("")
    if review.findings:
        lines += ["## Correction", ""]
        if review.corrected:
            lines.append("One correction round rewrote the design to settle these; design.md is the result.")
        else:
            lines.append(f"No correction: {inline(review.note or 'none was asked for')}.")
        lines.append("")
        lines += ["## Still open", ""]
        still = [_finding(finding) for finding in review.remaining]
        lines += still or ["_Nothing: every rule check passes now._"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _finding(finding: ReviewFinding) -> str:
    title = RULE_TITLES.get(finding.rule, finding.rule.replace("_", " ").capitalize())
    where = f" ({finding.requirement})" if finding.requirement else ""
    return f"- **{title}{where}:** {inline(finding.message)}"
