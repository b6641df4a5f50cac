"""The coverage check (DESIGN §6): code, not a prompt.

``check_coverage(plan)`` tells, for every requirement the plan carries, whether a step covers it
(features, integrations, quality targets) or whether a step contradicts it (constraints, non-goals),
and lists the steps that lack acceptance criteria, a test command or a ``Covers:`` line. It runs
after the basic plan (phases without steps yet: a requirement cited by such a phase is ``planned``)
and after each phase detail, for every engine.
"""

from __future__ import annotations

from collections.abc import Iterable

from devussy.models import (
    GUARDED_KINDS,
    CoverageReport,
    CoverageStatus,
    DevPlan,
    GapKind,
    Requirement,
    RequirementCoverage,
    Step,
    StepGap,
    Violation,
)
from devussy.requirements.rules import NEGATION, mentions_phrase, non_goal_subject, rules_for

GENERIC_NON_GOAL = "non_goal"


def check_coverage(plan: DevPlan, requirements: Iterable[Requirement] | None = None) -> CoverageReport:
    """Coverage of ``requirements`` (default: the plan's own) by the plan's phases and steps."""
    wanted = list(plan.requirements if requirements is None else requirements)
    steps = [step for phase in plan.phases for step in phase.steps]
    pending = [phase.number for phase in plan.phases if not phase.steps]
    violations = [v for requirement in wanted for v in find_violations(requirement, steps)]
    violated_by: dict[str, list[str]] = {}
    for violation in violations:
        violated_by.setdefault(violation.requirement, []).append(violation.step)

    entries = []
    status: CoverageStatus
    for requirement in wanted:
        covering = [step.id for step in steps if requirement.id in step.covers]
        citing = [phase.number for phase in plan.phases if requirement.id in phase.requirements]
        if requirement.kind in GUARDED_KINDS:
            bad = violated_by.get(requirement.id, [])
            status = "violated" if bad else "respected"
            shown = bad or covering
        elif covering:
            status, shown = "covered", covering
        elif any(number in pending for number in citing):
            status, shown = "planned", []
        else:
            status, shown = "uncovered", []
        entries.append(
            RequirementCoverage(
                id=requirement.id, kind=requirement.kind, status=status, steps=shown, phases=citing
            )
        )
    return CoverageReport(
        requirements=entries,
        violations=violations,
        gaps=step_gaps(steps, expect_covers=bool(wanted)),
        pending_phases=pending,
    )


def find_violations(requirement: Requirement, steps: Iterable[Step]) -> list[Violation]:
    """Steps that contradict a constraint or non-goal (nothing for other kinds)."""
    found: list[Violation] = []
    for step in steps:
        fired = contradiction(requirement, step.title, step.details)
        if fired is not None:
            found.append(_violation(requirement, step, *fired))
    return found


def contradiction(requirement: Requirement, title: str, details: str = "") -> tuple[str, str] | None:
    """``(rule, message)`` when a text (a step's, or a phase's title and summary) contradicts a
    constraint or non-goal; None otherwise and for other kinds."""
    if requirement.kind not in GUARDED_KINDS:
        return None
    rules = rules_for(requirement)
    text = f"{title}.\n{details}"
    for rule in rules:
        if rule.contradiction(text) is not None:
            return rule.name, rule.message
    if not rules and requirement.kind == "non_goal" and names_non_goal(requirement, title):
        return GENERIC_NON_GOAL, f"the brief rules this out: {requirement.text}"
    return None


def names_non_goal(requirement: Requirement, title: str) -> bool:
    """The generic rule: a title names what the non-goal rules out (and does not negate it)."""
    words = non_goal_subject(requirement.text)
    return mentions_phrase(words, title) and not NEGATION.search(title)


def step_gaps(steps: Iterable[Step], *, expect_covers: bool) -> list[StepGap]:
    gaps = []
    for step in steps:
        missing: list[GapKind] = []
        if not step.acceptance_criteria:
            missing.append("acceptance_criteria")
        if step.test_command is None:
            missing.append("test_command")
        if expect_covers and not step.covers:
            missing.append("covers")
        if missing:
            gaps.append(StepGap(step=step.id, missing=missing))
    return gaps


def _violation(requirement: Requirement, step: Step, rule: str, message: str) -> Violation:
    return Violation(requirement=requirement.id, step=step.id, rule=rule, message=message[:500])


def summary_line(report: CoverageReport) -> str:
    """One line for the CLI and the top of devplan.md: '7/8 … covered; uncovered: R4; violated: …'."""
    counted = [entry for entry in report.requirements if entry.kind not in GUARDED_KINDS]
    covered = sum(entry.status == "covered" for entry in counted)
    parts = [f"{covered}/{len(counted)} requirements covered by a step"]
    planned = [entry.id for entry in report.with_status("planned")]
    if planned:
        parts.append(f"planned, not detailed yet: {', '.join(planned)}")
    uncovered = [entry.id for entry in report.with_status("uncovered")]
    if uncovered:
        parts.append(f"uncovered: {', '.join(uncovered)}")
    if report.violations:
        shown = ", ".join(f"{v.requirement} by step {v.step}" for v in report.violations[:6])
        more = len(report.violations) - 6
        parts.append(f"violated: {shown}" + (f" and {more} more" if more > 0 else ""))
    missing_tests = sum("test_command" in gap.missing for gap in report.gaps)
    if missing_tests:
        parts.append(f"{missing_tests} step(s) without a test command")
    missing_criteria = sum("acceptance_criteria" in gap.missing for gap in report.gaps)
    if missing_criteria:
        parts.append(f"{missing_criteria} step(s) without acceptance criteria")
    return "; ".join(parts)
