"""review.md: what was checked, found, corrected and left open."""

from __future__ import annotations

from devussy.artifacts import render_artifacts
from devussy.artifacts.review import render_review
from devussy.models import DesignReview, ReviewFinding
from tests import samples

MISSING = ReviewFinding(
    source="rules", rule="requirement_not_addressed", requirement="R2", message="R2 is not addressed: export"
)
REVIEWER = ReviewFinding(source="reviewer", rule="reviewer", message="Say how tasks are assigned.")


def test_a_clean_review_says_so() -> None:
    text = render_review(DesignReview(), "TaskFlow")
    assert text.startswith("# TaskFlow — Design review\n")
    assert "_None: the design passed every check._" in text and "## Correction" not in text


def test_a_corrected_review_lists_findings_and_what_is_still_open() -> None:
    review = DesignReview(findings=[MISSING, REVIEWER], reviewer=True, corrected=True, remaining=[MISSING])
    text = render_review(review, "TaskFlow")
    assert "- **Requirement not addressed (R2):** R2 is not addressed: export" in text
    assert "- **Reviewer:** Say how tasks are assigned." in text
    assert "An LLM reviewer read the design as well." in text
    assert "One correction round rewrote the design" in text
    assert text.split("## Still open")[1].count("- **") == 1


def test_an_uncorrected_review_gives_the_reason() -> None:
    review = DesignReview(findings=[MISSING], remaining=[MISSING], note="rule checks only (no --review)")
    assert "No correction: rule checks only (no --review)." in render_review(review, "TaskFlow")


def test_review_md_is_part_of_the_artifacts_only_with_a_review() -> None:
    plan = samples.plan(2)
    assert "review.md" not in render_artifacts(samples.design(), plan, None)
    files = render_artifacts(samples.design(), plan, None, review=DesignReview(findings=[REVIEWER]))
    assert files["review.md"].startswith("# TaskFlow — Design review")
