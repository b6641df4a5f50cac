"""Markdown renderers for ``devplan.md``, ``phaseN.md``, ``design.md`` and ``handoff.md``.

Each renderer is a pure function of the models: same input, same bytes. Every piece of model text
goes through :mod:`devussy.artifacts.escape` on the way in.
"""

from __future__ import annotations

from collections.abc import Iterable

from devussy.artifacts.escape import block, cell, code_block, inline
from devussy.artifacts.progress import ANCHORS, EMPTY_PROGRESS_LOG
from devussy.models import (
    GUARDED_KINDS,
    CoverageReport,
    DevPlan,
    Handoff,
    Phase,
    ProjectDesign,
    Requirement,
    Step,
)

NEXT_TASK_GROUP_SIZE = 5
_NONE = "—"


def phase_filename(number: int) -> str:
    return f"phase{number}.md"


def _phase_link(number: int) -> str:
    return f"[{phase_filename(number)}]({phase_filename(number)})"


def _bullets(items: Iterable[str]) -> list[str]:
    return [f"- {inline(item)}" for item in items]


def _anchored(section: str, body: str) -> list[str]:
    start, end = ANCHORS[section]
    return [start, body, end]


def next_task_group(
    plan: DevPlan, done: Iterable[str] = (), limit: int = NEXT_TASK_GROUP_SIZE, start_step: str | None = None
) -> str:
    """The next ``limit`` unchecked steps, in phase order, as a markdown checklist.

    Starts at ``start_step`` when given (e.g. the handoff's), otherwise at the first step. Phases
    that have no steps yet (a basic plan) are listed as whole phases instead.
    """
    finished = set(done)
    lines: list[str] = []
    started = start_step is None
    for phase in sorted(plan.phases, key=lambda p: p.number):
        if not phase.steps:
            if started and len(lines) < limit:
                title = inline(phase.title)
                lines.append(f"- [ ] **Phase {phase.number}: {title}** — {_phase_link(phase.number)}")
            continue
        for step in phase.steps:
            started = started or step.id == start_step
            if started and step.id not in finished and len(lines) < limit:
                lines.append(f"- [ ] **{step.id} {inline(step.title)}** — {_phase_link(phase.number)}")
    if not lines and start_step is not None:
        return next_task_group(plan, finished, limit)
    return "\n".join(lines) if lines else "_Every step is done._"


def coverage_warnings(report: CoverageReport | None, requirements: list[Requirement]) -> list[str]:
    """Bullets for what the coverage check found wrong; empty when the plan is sound."""
    if report is None:
        return []
    texts = {r.id: r.text for r in requirements}
    lines = []
    for entry in report.with_status("uncovered"):
        if entry.kind not in GUARDED_KINDS and entry.kind != "quality":
            lines.append(f"- **{entry.id} is not covered by any step:** {inline(texts.get(entry.id, ''))}")
    for violation in report.violations:
        lines.append(
            f"- **Step {violation.step} contradicts {violation.requirement}** "
            f"({inline(texts.get(violation.requirement, ''))}): {inline(violation.message)}"
        )
    for kind, label in (("test_command", "a test command"), ("acceptance_criteria", "acceptance criteria")):
        ids = [gap.step for gap in report.gaps if kind in gap.missing]
        if ids:
            lines.append(f"- **Steps without {label}:** {', '.join(ids)} (gaps to fill before starting)")
    return lines


def render_requirements_table(requirements: list[Requirement], report: CoverageReport | None) -> list[str]:
    if not requirements:
        return []
    status = {entry.id: entry for entry in report.requirements} if report else {}
    lines = ["## Requirements", "", "| ID | Requirement | Kind | Covered by | Status |"]
    lines.append("|---|---|---|---|---|")
    for requirement in requirements:
        entry = status.get(requirement.id)
        steps = ", ".join(entry.steps) if entry and entry.steps else _NONE
        if entry and entry.status == "planned":
            steps = ", ".join(f"phase {n}" for n in entry.phases)
        shown: str = entry.status if entry else "not checked"
        if shown in ("uncovered", "violated"):
            shown = f"**{shown.upper()}**"
        kind = requirement.kind.replace("_", "-")
        lines.append(f"| {requirement.id} | {cell(requirement.text)} | {kind} | {steps} | {shown} |")
    return [*lines, ""]


def render_devplan(
    plan: DevPlan,
    design: ProjectDesign | None = None,
    handoff: Handoff | None = None,
    coverage: CoverageReport | None = None,
) -> str:
    lines = [f"# {inline(plan.project_name)} — Development plan", "", block(plan.summary), ""]
    warnings = coverage_warnings(coverage, plan.requirements)
    if warnings:
        lines += ["> [!WARNING]", "> The coverage check found problems in this plan:", ">"]
        lines += [f"> {line}" for line in warnings] + [""]
    complexity = plan.complexity or (design.complexity if design else None)
    if complexity:
        lines += [
            f"**Complexity:** {complexity.level} (score {complexity.score}/100) · "
            f"{len(plan.phases)} phases · {sum(len(p.steps) for p in plan.phases)} steps",
            "",
        ]

    lines += render_requirements_table(plan.requirements, coverage)
    lines += ["## Phases", "", "| # | Phase | Steps | Depends on | File |", "|---|---|---|---|---|"]
    for phase in plan.phases:
        depends = ", ".join(str(n) for n in phase.depends_on) or _NONE
        link = _phase_link(phase.number)
        lines.append(f"| {phase.number} | {cell(phase.title)} | {len(phase.steps)} | {depends} | {link} |")
    lines.append("")

    lines += ["## Progress log", "", *_anchored("progress_log", EMPTY_PROGRESS_LOG), ""]
    start_step = handoff.start_step if handoff else None
    upcoming = next_task_group(plan, start_step=start_step)
    lines += ["## Next task group", "", *_anchored("next_task_group", upcoming), ""]

    tech_stack = design.tech_stack if design else plan.tech_stack
    if tech_stack or design:
        lines += ["## Design highlights", ""]
    if tech_stack:
        lines += ["### Tech stack", "", *_bullets(tech_stack), ""]
    if design:
        lines += ["### Risks", "", *_risk_rows(design)]
        lines += ["", "Full design: [design.md](design.md)", ""]

    lines += ["## Phase overview", ""]
    for phase in plan.phases:
        lines += [f"### Phase {phase.number}: {inline(phase.title)}", "", block(phase.summary), ""]
    return "\n".join(lines).rstrip() + "\n"


_GAP = "_None given: a gap to fill before this step starts._"


def _render_step(step: Step) -> list[str]:
    depends = ", ".join(step.depends_on) or "none"
    criteria = _bullets(step.acceptance_criteria) or [_GAP]
    command = code_block(step.test_command, "bash") if step.test_command is not None else _GAP
    lines = [f"### {step.id} {inline(step.title)}", "", block(step.details), ""]
    if step.covers:
        lines += [f"**Covers:** {', '.join(step.covers)}", ""]
    return [
        *lines,
        "**Acceptance criteria**",
        "",
        *criteria,
        "",
        "**Test command**",
        "",
        command,
        "",
        f"**Depends on:** {depends}",
        "",
    ]


def render_phase(phase: Phase, plan: DevPlan) -> str:
    titles = {p.number: p.title for p in plan.phases}
    depends = (
        ", ".join(f"Phase {n}: {inline(titles.get(n, '?'))} ({_phase_link(n)})" for n in phase.depends_on)
        or "none"
    )
    lines = [
        f"# Phase {phase.number}: {inline(phase.title)}",
        "",
        f"Part of [{inline(plan.project_name)}](devplan.md).",
        "",
        "## Summary",
        "",
        block(phase.summary),
        "",
        f"**Depends on:** {depends}",
        "",
    ]
    if phase.requirements:
        texts = {r.id: r.text for r in plan.requirements}
        lines += ["**Requirements:**", ""]
        for rid in phase.requirements:
            lines.append(f"- {rid}: {inline(texts[rid])}" if rid in texts else f"- {rid}")
        lines.append("")
    lines += ["## Steps", ""]
    if not phase.steps:
        lines += ["_This phase has not been detailed yet._", ""]
    lines += [f"- [ ] **{step.id} {inline(step.title)}**" for step in phase.steps]
    if phase.steps:
        lines += ["", "## Step details", ""]
        for step in phase.steps:
            lines += _render_step(step)
    return "\n".join(lines).rstrip() + "\n"


_NOT_GIVEN = "_Not given in the design._"


def _risk_rows(design: ProjectDesign) -> list[str]:
    if not design.risks:
        return ["_No risks named in the design._"]
    rows = ["| Risk | Mitigation |", "|---|---|"]
    return rows + [
        f"| {cell(r.risk)} | {cell(r.mitigation) if r.mitigation else _NONE} |" for r in design.risks
    ]


def render_design(design: ProjectDesign) -> str:
    """design.md; a part the design does not have says so instead of being left out or made up."""
    lines = [f"# {inline(design.project_name)} — Design", "", block(design.summary), ""]
    lines += ["## Objectives", "", *(_bullets(design.objectives) or [_NOT_GIVEN]), ""]
    lines += ["## Tech stack", "", *(_bullets(design.tech_stack) or [_NOT_GIVEN]), ""]
    lines += ["## Architecture", "", block(design.architecture) if design.architecture else _NOT_GIVEN, ""]
    lines += ["## Data model", "", block(design.data_model) if design.data_model else _NOT_GIVEN, ""]
    lines += ["## Risks and mitigations", "", *_risk_rows(design)]
    testing = block(design.testing_strategy) if design.testing_strategy else _NOT_GIVEN
    lines += ["", "## Testing strategy", "", testing, ""]
    if design.complexity:
        c = design.complexity
        lines += [
            "## Complexity",
            "",
            f"**{c.level}** (score {c.score}/100): {c.phase_count} phases, about {c.depth} steps each.",
            "",
        ]
        if c.factors:
            lines += ["| Factor | Points | Reason |", "|---|---|---|"]
            lines += [f"| {cell(f.name)} | {f.points} | {cell(f.reason)} |" for f in c.factors]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_handoff(
    handoff: Handoff, coverage: CoverageReport | None = None, requirements: list[Requirement] | None = None
) -> str:
    prompt = block(handoff.prompt)
    title = f"# Handoff — {inline(handoff.project_name)}"
    if prompt.startswith("# "):  # the prompt brings its own title: keep it as the file's title
        title, _, prompt = prompt.partition("\n")
        prompt = prompt.strip("\n")
    lines = [title, ""]
    if handoff.start_phase is not None or handoff.start_step is not None:
        phase = handoff.start_phase or int(str(handoff.start_step).split(".")[0])
        where = f"Phase {phase}" + (f", step {handoff.start_step}" if handoff.start_step else "")
        lines += [f"**Start at:** {where} ({_phase_link(phase)})", ""]
    lines += [prompt, ""]
    warnings = coverage_warnings(coverage, requirements or [])
    if warnings:
        lines += ["## Coverage warnings", "", "The plan's coverage check found these; settle them first:", ""]
        lines += [*warnings, ""]
    return "\n".join(lines).rstrip() + "\n"
