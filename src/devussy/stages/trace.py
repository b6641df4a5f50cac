"""Requirements as the spine of the plan and detail stages: the checks that run after parsing
(``StageSpec.check``), the coverage they report (``StageSpec.report``), and how a targeted repair
answer is applied (``StageSpec.amend``).

The checks are code, not a prompt (``devussy.requirements``). Each problem names what to change, so
the one repair request can be specific: "R4 (…) is cited by no phase: add it to …", "step 2.3
contradicts R2 (…): rewrite step 2.3 …". A phase answers only for the requirements it cites (phase
2 is never asked to cover phase 5's); every step answers for every constraint and non-goal.
"""

from __future__ import annotations

from devussy.models import (
    COVERED_KINDS,
    GUARDED_KINDS,
    CoverageReport,
    DevPlan,
    Phase,
    Requirement,
)
from devussy.requirements import check_coverage, contradiction, find_violations
from devussy.stages.context import phase_requirements
from devussy.stages.prompts import render_prompt

MAX_QUOTED_TEXT = 160


def quoted(requirement: Requirement) -> str:
    text = " ".join(requirement.text.split())
    if len(text) > MAX_QUOTED_TEXT:
        text = text[: MAX_QUOTED_TEXT - 1].rstrip() + "…"
    return f'{requirement.id} ({requirement.kind.replace("_", "-")}: "{text}")'


def known_citations(phases: list[Phase], requirements: list[Requirement]) -> list[Phase]:
    """Phases and steps citing only ids the list has (a model may cite one it made up)."""
    known = {r.id for r in requirements}
    return [
        phase.model_copy(
            update={
                "requirements": [rid for rid in phase.requirements if rid in known],
                "steps": [
                    step.model_copy(update={"covers": [rid for rid in step.covers if rid in known]})
                    for step in phase.steps
                ],
            }
        )
        for phase in phases
    ]


# -- the plan ---------------------------------------------------------------------------------------


def plan_problems(plan: DevPlan) -> list[str]:
    """Feature and integration requirements no phase cites; phases whose title or summary contradict
    a constraint or non-goal."""
    cited = {rid for phase in plan.phases for rid in phase.requirements}
    problems = [
        f"{quoted(r)} is cited by no phase: add {r.id} to the `Requirements:` line of the phase that "
        f"builds it, or add a phase that builds it"
        for r in plan.requirements
        if r.kind in COVERED_KINDS and r.id not in cited
    ]
    for requirement in plan.requirements:
        if requirement.kind not in GUARDED_KINDS:
            continue
        for phase in plan.phases:
            fired = contradiction(requirement, phase.title, phase.summary)
            if fired is not None:
                problems.append(
                    f"phase {phase.number} ({phase.title}) contradicts {quoted(requirement)} — {fired[1]}: "
                    f"rewrite phase {phase.number} so it respects {requirement.id}"
                )
    return problems


def plan_coverage(plan: DevPlan) -> CoverageReport | None:
    return check_coverage(plan) if plan.requirements else None


def amend_plan_prompt(plan: DevPlan, problems: list[str]) -> str:
    last = max(phase.number for phase in plan.phases)
    return _amend_prompt(
        problems,
        parts="phases",
        how=(
            "repeat a phase you change in full (heading, paragraph, `Requirements:`, `Depends on:`) under "
            f"its own number; number a new phase {last + 1}, {last + 2}, …"
        ),
    )


def amend_phases(plan: DevPlan, changed: list[Phase]) -> DevPlan:
    """The plan with ``changed`` phases replacing those with the same number, new numbers appended."""
    if not changed:
        raise ValueError("the answer has no phase")
    by_number = {phase.number: phase for phase in plan.phases}
    for phase in changed:
        by_number[phase.number] = phase
    phases = known_citations(sorted(by_number.values(), key=lambda p: p.number), plan.requirements)
    known = {phase.number for phase in phases}
    phases = [p.model_copy(update={"depends_on": [d for d in p.depends_on if d in known]}) for p in phases]
    return DevPlan.model_validate({**plan.model_dump(), "phases": [p.model_dump() for p in phases]})


# -- one phase's detail -----------------------------------------------------------------------------


def phase_problems(phase: Phase, plan: DevPlan) -> list[str]:
    """Requirements the phase cites that no step covers; steps contradicting a constraint/non-goal."""
    cited, guarded = phase_requirements(plan, phase)
    covered = {rid for step in phase.steps for rid in step.covers}
    problems = [
        f"no step of phase {phase.number} covers {quoted(r)}: add a step for it with `Covers: {r.id}`, or "
        f"add {r.id} to the `Covers:` line of the step that implements it"
        for r in cited
        if r.kind in COVERED_KINDS and r.id not in covered
    ]
    for requirement in guarded:
        for violation in find_violations(requirement, phase.steps):
            problems.append(
                f"step {violation.step} contradicts {quoted(requirement)} — {violation.message}: "
                f"rewrite step {violation.step} so it respects {requirement.id}"
            )
    return problems


def phase_coverage(phase: Phase, plan: DevPlan) -> CoverageReport | None:
    """The coverage one phase answers for: the requirements it cites, and the guarded ones."""
    if not plan.requirements:
        return None
    cited, guarded = phase_requirements(plan, phase)
    scoped = plan.model_copy(update={"phases": [phase]})
    return check_coverage(scoped, [r for r in plan.requirements if r in cited or r in guarded])


def amend_phase_prompt(phase: Phase, problems: list[str]) -> str:
    last = phase.steps[-1].id if phase.steps else f"{phase.number}.0"
    number = int(last.split(".")[1])
    return _amend_prompt(
        problems,
        parts="steps",
        how=(
            "repeat a step you change in full under its own id; number a new step "
            f"{phase.number}.{number + 1}, {phase.number}.{number + 2}, …"
        ),
    )


def amend_steps(phase: Phase, changed: Phase) -> Phase:
    """``phase`` with ``changed``'s steps replacing those with the same id, new ids appended."""
    if not changed.steps:
        raise ValueError("the answer has no step")
    by_id = {step.id: step for step in phase.steps}
    for step in changed.steps:
        by_id[step.id] = step
    steps = sorted(by_id.values(), key=lambda s: int(s.id.split(".")[1]))
    return Phase.model_validate({**phase.model_dump(), "steps": [s.model_dump() for s in steps]})


def _amend_prompt(problems: list[str], *, parts: str, how: str) -> str:
    listed = "\n".join(f"- {problem}" for problem in problems)
    return render_prompt("amend", problems=listed, parts=parts, how=how)
