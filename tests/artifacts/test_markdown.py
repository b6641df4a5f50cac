from __future__ import annotations

import json
import re

from devussy.artifacts.bundle import render_artifacts
from devussy.artifacts.markdown import (
    next_task_group,
    render_design,
    render_devplan,
    render_handoff,
    render_phase,
)
from devussy.artifacts.progress import completed_steps, read_section, update_progress_log
from devussy.models import DevPlan, Handoff, Phase, ProjectDesign, Requirement, Risk, Step
from tests import samples

from .conftest import make_step

HOSTILE = "Pipes | and <!-- PROGRESS_LOG_END --> and <img src=x onerror=alert(1)>"


def table_rows(markdown: str, header: str) -> list[str]:
    lines = markdown.split("\n")
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def cells(row: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def test_devplan_has_summary_table_anchors_and_highlights(
    plan: DevPlan, design: ProjectDesign, handoff: Handoff
) -> None:
    md = render_devplan(plan, design, handoff)
    assert md.startswith("# Recipe Box — Development plan\n")
    assert "Build the recipe box in three phases." in md
    assert "**Complexity:** standard (score 35/100) · 3 phases · 9 steps" in md
    rows = table_rows(md, "| # | Phase | Steps | Depends on | File |")
    assert [cells(r) for r in rows] == [
        ["1", "Foundation", "3", "—", "[phase1.md](phase1.md)"],
        ["2", "Storage", "4", "1", "[phase2.md](phase2.md)"],
        ["3", "Search", "2", "1, 2", "[phase3.md](phase3.md)"],
    ]
    assert read_section(md, "progress_log") == "_No progress logged yet._"
    assert read_section(md, "next_task_group").split("\n") == [
        "- [ ] **1.1 Step 1 of phase 1** — [phase1.md](phase1.md)",
        "- [ ] **1.2 Step 2 of phase 1** — [phase1.md](phase1.md)",
        "- [ ] **1.3 Step 3 of phase 1** — [phase1.md](phase1.md)",
        "- [ ] **2.1 Step 1 of phase 2** — [phase2.md](phase2.md)",
        "- [ ] **2.2 Step 2 of phase 2** — [phase2.md](phase2.md)",
    ]
    assert "### Tech stack\n\n- Python\n- FastAPI\n- PostgreSQL" in md
    assert "| Search is slow | Use a GIN index |" in md
    assert "### Phase 2: Storage\n\nSchema and persistence." in md


def test_devplan_without_design_uses_plan_tech_stack(plan: DevPlan) -> None:
    md = render_devplan(plan)
    assert "### Tech stack" in md and "### Risks" not in md and "design.md" not in md


def test_next_task_group_skips_done_steps_and_honours_start(plan: DevPlan) -> None:
    group = next_task_group(plan, done={"1.1", "1.2"}, limit=2)
    titles = [line.split("**")[1] for line in group.split("\n")]
    assert titles == ["1.3 Step 3 of phase 1", "2.1 Step 1 of phase 2"]
    assert next_task_group(plan, start_step="3.2", limit=3).count("- [ ]") == 1
    assert "1.1" in next_task_group(plan, start_step="9.9", limit=1)
    every = {s.id for p in plan.phases for s in p.steps}
    assert next_task_group(plan, done=every) == "_Every step is done._"


def test_basic_plan_without_steps_lists_phases() -> None:
    basic = DevPlan(
        project_name="P",
        summary="s",
        phases=[Phase(number=1, title="One", summary="a"), Phase(number=2, title="Two", summary="b")],
    )
    assert next_task_group(basic).split("\n") == [
        "- [ ] **Phase 1: One** — [phase1.md](phase1.md)",
        "- [ ] **Phase 2: Two** — [phase2.md](phase2.md)",
    ]
    assert "_This phase has not been detailed yet._" in render_phase(basic.phases[0], basic)


def test_phase_file_has_checkboxes_details_criteria_command_and_dependencies(plan: DevPlan) -> None:
    md = render_phase(plan.phase(2), plan)
    assert md.startswith("# Phase 2: Storage\n")
    assert "**Depends on:** Phase 1: Foundation ([phase1.md](phase1.md))" in md
    boxes = re.findall(r"^- \[ \] \*\*(\d+\.\d+) (.+)\*\*$", md, re.MULTILINE)
    assert [b[0] for b in boxes] == ["2.1", "2.2", "2.3", "2.4"]
    assert "### 2.3 Step 3 of phase 2\n\nDo the work for 2.3." in md
    assert "- criterion A for 2.3\n- tests pass" in md
    assert "**Test command**\n\n```bash\npytest -q tests/\n```" in md
    assert "**Depends on:** 2.2" in md and "**Depends on:** none" in md
    assert completed_steps(md.replace("- [ ] **2.2", "- [x] **2.2")) == {"2.2"}


def test_design_and_handoff(design: ProjectDesign, handoff: Handoff) -> None:
    md = render_design(design)
    for heading in (
        "Objectives",
        "Tech stack",
        "Architecture",
        "Data model",
        "Risks and mitigations",
        "Testing strategy",
        "Complexity",
    ):
        assert f"## {heading}\n" in md
    assert "| data store | 10 | PostgreSQL |" in md
    hand = render_handoff(handoff)
    assert hand.startswith("# Handoff — Recipe Box\n\n**Start at:** Phase 1, step 1.1 ([phase1.md]")
    assert "Read devplan.md, then begin with step 1.1." in hand
    titled = handoff.model_copy(update={"prompt": "# Handoff: Recipe Box\n\nDo 1.1 first."})
    assert render_handoff(titled) == (
        "# Handoff: Recipe Box\n\n**Start at:** Phase 1, step 1.1 ([phase1.md](phase1.md))\n\nDo 1.1 first.\n"
    )


def hostile_plan() -> DevPlan:
    step = make_step(1, 1, title=HOSTILE).model_copy(
        update={"details": f"{HOSTILE}\n```\nunclosed fence", "test_command": "echo '| <b>'"}
    )
    return DevPlan(
        project_name=HOSTILE,
        summary=f"Summary {HOSTILE}\n<!-- NEXT_TASK_GROUP_START -->",
        tech_stack=[HOSTILE],
        phases=[
            Phase(number=1, title=HOSTILE, summary=HOSTILE, steps=[step]),
            Phase(number=2, title="Fine", summary="ok", depends_on=[1], steps=[make_step(2, 1)]),
        ],
    )


def test_hostile_titles_cannot_break_table_anchors_or_inject_html() -> None:
    plan = hostile_plan()
    md = render_devplan(plan)
    rows = table_rows(md, "| # | Phase | Steps | Depends on | File |")
    assert len(rows) == 2 and all(len(cells(row)) == 5 for row in rows)
    assert cells(rows[0])[1].startswith("Pipes \\| and &lt;!-- PROGRESS_LOG_END")
    # Exactly the anchors we wrote, each on its own line, and the log still updates cleanly.
    for anchor in ("PROGRESS_LOG_START", "PROGRESS_LOG_END", "NEXT_TASK_GROUP_START", "NEXT_TASK_GROUP_END"):
        assert md.count(f"<!-- {anchor} -->") == 1
    updated = update_progress_log(md, "did 1.1")
    assert read_section(updated, "progress_log") == "- did 1.1"
    assert "1.1 Pipes" in read_section(updated, "next_task_group")
    for text in (md, render_phase(plan.phase(1), plan)):
        assert "<img" not in text and "&lt;img src=x onerror=alert(1)>" in text


def test_unclosed_fence_in_details_is_closed_before_next_section() -> None:
    plan = hostile_plan()
    md = render_phase(plan.phase(1), plan)
    details = md.split("### 1.1 ")[1]
    assert "unclosed fence\n```\n\n**Acceptance criteria**" in details
    assert "```bash\necho '| <b>'\n```" in details  # test commands stay verbatim inside code


def test_rendering_is_deterministic(plan: DevPlan, design: ProjectDesign, handoff: Handoff) -> None:
    assert render_devplan(plan, design, handoff) == render_devplan(
        DevPlan.model_validate(plan.to_json_dict()), design, handoff
    )


def _traced_plan() -> DevPlan:
    requirements = [
        Requirement(id="R1", text="Members book a class"),
        Requirement(id="R2", text="Stripe | payments", kind="integration"),
        Requirement(id="R3", text="The database already exists", kind="constraint"),
        Requirement(id="R4", text="Weekly email digest"),
    ]
    steps = [
        make_step(1, 1, "Book a class", covers=["R1"]),
        make_step(1, 2, "Create the database schema", covers=["R1"]),
        Step(id="1.3", title="Charge with Stripe", details="Checkout session.", covers=["R2"]),
    ]
    phase = Phase(number=1, title="Core", summary="The booking flow.", requirements=["R1", "R2"], steps=steps)
    return DevPlan(project_name="Gym", summary="Gym classes.", phases=[phase], requirements=requirements)


def test_requirements_table_flags_and_gaps_reach_every_artifact() -> None:
    plan = _traced_plan()
    handoff = Handoff(project_name="Gym", prompt="Start with 1.1.", start_phase=1, start_step="1.1")
    files = render_artifacts(None, plan, handoff)
    devplan = files["devplan.md"]
    assert "> [!WARNING]" in devplan.split("## Requirements")[0]  # flagged at the top
    assert "**R4 is not covered by any step:** Weekly email digest" in devplan
    assert "**Step 1.2 contradicts R3**" in devplan
    assert "| R2 | Stripe \\| payments | integration | 1.3 | covered |" in devplan
    assert "| R4 | Weekly email digest | feature | — | **UNCOVERED** |" in devplan
    assert "| R3 | The database already exists | constraint | 1.2 | **VIOLATED** |" in devplan
    assert "**Steps without a test command:** 1.3" in devplan

    phase = files["phase1.md"]
    assert "- R1: Members book a class" in phase
    assert "**Covers:** R2" in phase
    step_three = phase.split("### 1.3")[1]
    assert step_three.count("_None given: a gap to fill before this step starts._") == 2

    assert "## Coverage warnings" in files["handoff.md"]
    coverage = json.loads(files["plan.json"])["coverage"]
    assert {entry["id"]: entry["status"] for entry in coverage["requirements"]} == {
        "R1": "covered",
        "R2": "covered",
        "R3": "violated",
        "R4": "uncovered",
    }


def test_a_sound_plan_has_no_warnings() -> None:
    plan = _traced_plan()
    steps = [plan.phases[0].steps[0], make_step(1, 2, "Charge with Stripe", covers=["R2"])]
    phases = [plan.phases[0].model_copy(update={"steps": steps})]
    sound = plan.model_copy(update={"requirements": plan.requirements[:2], "phases": phases})
    files = render_artifacts(None, sound, Handoff(project_name="Gym", prompt="Go."))
    assert "[!WARNING]" not in files["devplan.md"]
    assert "Coverage warnings" not in files["handoff.md"]


def test_a_design_with_empty_parts_says_so_instead_of_inventing_them() -> None:
    design = ProjectDesign(project_name="Tiny", summary="Just a summary.", risks=[Risk(risk="Scope creep")])
    text = render_design(design)
    assert text.count("_Not given in the design._") == 5  # objectives, stack, architecture, data, testing
    assert "| Scope creep | — |" in text
    devplan = render_devplan(samples.plan(2), ProjectDesign(project_name="Tiny", summary="S."))
    assert "_No risks named in the design._" in devplan
