"""Handoff prompt: what blocks the first steps, where to start, and how to work."""

from __future__ import annotations

from devussy.models import DevPlan, Handoff, Phase, ProjectDesign
from devussy.planner.questions import open_questions
from devussy.planner.steps import Basis
from devussy.planner.synthesis import clip

SUMMARY_CHARS = 600


def build_handoff(design: ProjectDesign, plan: DevPlan, first: Phase, basis: Basis) -> Handoff:
    start = first.steps[0]
    brief_summary = design.brief.summary if design.brief is not None else design.summary
    questions = open_questions(basis.analysis, basis.rmap, plan.phases)
    lines = [
        f"# Handoff: {plan.project_name}",
        "",
        "You are picking up a planned project. Work through the devplan phase by phase, one step at a time.",
        "",
        "## What we are building",
        "",
        clip(brief_summary, SUMMARY_CHARS),
        "",
    ]
    if questions:
        lines += ["## Decide before you start", ""]
        lines += ["These are open in the brief; ask instead of guessing. Each names the steps it blocks.", ""]
        for question in questions:
            blocks = f" (blocks {', '.join(question.blocks)})" if question.blocks else ""
            lines.append(f"- {question.text}{blocks}")
        lines.append("")
    guarded = [r for r in plan.requirements if r.kind in ("constraint", "non_goal")]
    if guarded:
        lines += ["## Constraints no step may break", ""]
        lines += [f"- {r.id}: {r.text}" for r in guarded]
        lines.append("")
    lines += [
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
    ]
    ready = [s for s in first.steps[1:] if not s.depends_on][:4]
    if ready:
        lines += ["", "These steps of the same phase depend on nothing else and can run in parallel:"]
        lines += [f"- {s.id} {s.title}" for s in ready]
    lines += ["", "## Phases", ""]
    for phase in plan.phases:
        deps = f" (after {', '.join(str(d) for d in phase.depends_on)})" if phase.depends_on else ""
        cites = f" [{', '.join(phase.requirements)}]" if phase.requirements else ""
        lines.append(f"{phase.number}. **{phase.title}**{deps}{cites}")
    test = basis.ctx.values["test"]
    lines += [
        "",
        "## How to work",
        "",
        "- A step's `depends_on` lists what must be finished first; steps without one can start at once.",
        "- Before starting a step, write the test its acceptance criteria describe (the step names the "
        "file); "
        "finish only when its verification command passes.",
        f"- Run the whole suite (`{test}`) before moving on and keep CI green.",
        f"- Commit once per step with the step id in the message (e.g. `{start.id}: {start.title.lower()}`).",
        "- Every step cites the requirements it covers (`Covers: R…`); devplan.md has the table. Do not "
        "contradict a constraint listed above; if a step would, stop and update the plan.",
        f"- The plan lives in `devplan.md` (overview and next task group), one `phase<N>.md` per phase "
        f"(start with `phase{first.number}.md`) and `plan.json` for tools. After each step, tick its box "
        "and add a line to the progress log between devplan.md's `PROGRESS_LOG` anchors.",
    ]
    if design.risks:
        lines += ["", "## Watch out for", ""]
        lines += [f"- {r.risk}: {r.mitigation}" if r.mitigation else f"- {r.risk}" for r in design.risks[:5]]
    return Handoff(
        project_name=plan.project_name,
        prompt=clip("\n".join(lines), 50_000),
        start_phase=first.number,
        start_step=start.id,
    )
