"""Handoff prompt: tells the next agent or developer exactly where to start and how to work."""

from __future__ import annotations

from devussy.models import DevPlan, Handoff, Phase, ProjectDesign
from devussy.planner.analysis import Analysis
from devussy.planner.synthesis import Context, clip


def build_handoff(
    design: ProjectDesign, plan: DevPlan, first: Phase, analysis: Analysis, ctx: Context
) -> Handoff:
    start = first.steps[0]
    lines = [
        f"# Handoff: {plan.project_name}",
        "",
        "You are picking up a planned project. Work through the devplan phase by phase, one step at a time.",
        "",
        "## What we are building",
        "",
        clip(design.summary, 4000),
        "",
        "## Stack",
        "",
        *(f"- {entry}" for entry in (plan.tech_stack or design.tech_stack)),
        "",
        "## Start here",
        "",
        f"Phase {first.number}: **{first.title}**, step {start.id}: **{start.title}**.",
        "",
        start.details,
        "",
        "Done when:",
        *(f"- {criterion}" for criterion in start.acceptance_criteria),
        "",
        f"Verify with: `{start.test_command}`",
        "",
        "## Phases",
        "",
    ]
    for phase in plan.phases:
        deps = f" (after {', '.join(str(d) for d in phase.depends_on)})" if phase.depends_on else ""
        status = f", {len(phase.steps)} steps detailed" if phase.steps else ""
        lines.append(f"{phase.number}. **{phase.title}**{deps}{status}: {phase.summary}")
    lines += [
        "",
        "## How to work",
        "",
        "- Do the steps in order; a step's `depends_on` lists what must be finished first.",
        "- Before starting a step, write or extend the test its acceptance criteria describe; "
        "finish only when "
        "its verification command passes.",
        f"- Run the whole suite (`{ctx.values['test']}`) before moving to the next step and keep CI green.",
        f"- Commit once per step with the step id in the message (e.g. `{start.id}: {start.title.lower()}`).",
        f"- The plan lives in `devplan.md` (overview and next task group), one `phase<N>.md` per phase "
        f"(start with `phase{first.number}.md`) and `plan.json` for tools. After each step, tick its box "
        "and add a line to the progress log between devplan.md's `PROGRESS_LOG` anchors.",
        "- If a step turns out wrong or too big, update the plan rather than silently diverging from it.",
    ]
    if design.risks:
        lines += ["", "## Watch out for", ""]
        lines += [f"- {r.risk}: {r.mitigation}" if r.mitigation else f"- {r.risk}" for r in design.risks[:5]]
    assumed = [
        line for line in design.architecture.splitlines() if line.startswith("- ") and "assum" in line.lower()
    ]
    if assumed or analysis.assumed:
        lines += ["", "## Assumptions to confirm", ""]
        lines += assumed or ["- The language was assumed; confirm it before writing code."]
    return Handoff(
        project_name=plan.project_name,
        prompt=clip("\n".join(lines), 50_000),
        start_phase=first.number,
        start_step=start.id,
    )
