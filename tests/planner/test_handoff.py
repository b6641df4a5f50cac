"""The handoff prompt: where the next agent starts and how it works through the plan."""

from __future__ import annotations

from devussy.models import DevPlan, Handoff, Phase, ProjectBrief, ProjectDesign, Risk, Step
from devussy.planner import OfflinePlanner
from devussy.planner.engine import _basis_for_plan
from devussy.planner.handoff import build_handoff

RUST_CLI = ProjectBrief(
    name="mdconv", summary="A tiny command-line tool in Rust that converts markdown files to HTML."
)
NO_STACK = ProjectBrief(
    name="Tool Library",
    summary="A web app where neighbours lend and borrow tools, with payments for deposits.",
)


def planned(brief: ProjectBrief) -> tuple[ProjectDesign, DevPlan]:
    planner = OfflinePlanner()
    design = planner.design(brief)
    return design, planner.basic_plan(design)


def start_phase(number: int = 2) -> Phase:
    return Phase(
        number=number,
        title="Core conversion",
        summary="Convert markdown to HTML.",
        depends_on=[1] if number > 1 else [],
        steps=[
            Step(
                id=f"{number}.1",
                title="Parse Headings",
                details="Parse ATX headings into an AST.",
                acceptance_criteria=["`# x` becomes an h1 node", "Unclosed markers are literal text"],
                test_command="cargo test headings",
            ),
            Step(
                id=f"{number}.2",
                title="Render HTML",
                details="Render the AST.",
                acceptance_criteria=["Output is escaped"],
                test_command="cargo test render",
                depends_on=[f"{number}.1"],
            ),
        ],
    )


def handoff_for(
    brief: ProjectBrief, first: Phase, plan: DevPlan | None = None, **design_changes: object
) -> Handoff:
    design, basic = planned(brief)
    design = design.model_copy(update=design_changes)
    basis, _ = _basis_for_plan(plan or basic)
    return build_handoff(design, plan or basic, first, basis)


def section(prompt: str, heading: str) -> list[str]:
    """The lines of one ``## heading`` section, without blank lines."""
    lines = prompt.split("\n")
    start = lines.index(f"## {heading}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return [line for line in lines[start:end] if line]


def test_start_phase_and_step_are_the_given_first_phase_and_its_first_step() -> None:
    handoff = handoff_for(RUST_CLI, start_phase(2))
    assert (handoff.project_name, handoff.start_phase, handoff.start_step) == ("mdconv", 2, "2.1")


def test_prompt_names_the_first_step_its_criteria_and_its_test_command() -> None:
    prompt = handoff_for(RUST_CLI, start_phase(2)).prompt
    assert prompt.startswith("# Handoff: mdconv\n")
    assert section(prompt, "Start here") == [
        "Phase 2: **Core conversion**, step 2.1: **Parse Headings**.",
        "Parse ATX headings into an AST.",
        "Done when:",
        "- `# x` becomes an h1 node",
        "- Unclosed markers are literal text",
        "Verify with: `cargo test headings`",
    ]
    assert "Render HTML" not in section(prompt, "Start here")


def test_how_to_work_uses_the_stacks_test_command_and_the_step_id() -> None:
    rules = section(handoff_for(RUST_CLI, start_phase(2)).prompt, "How to work")
    assert "- Run the whole suite (`cargo test`) before moving on and keep CI green." in rules
    assert "- Commit once per step with the step id in the message (e.g. `2.1: parse headings`)." in rules
    npm = section(handoff_for(NO_STACK, start_phase(2)).prompt, "How to work")
    assert "- Run the whole suite (`npm test`) before moving on and keep CI green." in npm


def test_phases_list_shows_dependencies_and_the_requirements_each_serves() -> None:
    _, plan = planned(RUST_CLI)
    phases = section(handoff_for(RUST_CLI, start_phase(2)).prompt, "Phases")
    assert phases == [
        f"1. **{plan.phases[0].title}** [{', '.join(plan.phases[0].requirements)}]",
        f"2. **{plan.phases[1].title}** (after 1) [{', '.join(plan.phases[1].requirements)}]",
        f"3. **{plan.phases[2].title}** (after 2) [{', '.join(plan.phases[2].requirements)}]",
    ]


def test_stack_comes_from_the_plan_or_else_the_design() -> None:
    _, plan = planned(RUST_CLI)
    assert section(handoff_for(RUST_CLI, start_phase()).prompt, "Stack") == ["- Rust", "- clap"]
    own = plan.model_copy(update={"tech_stack": ["Rust 1.80", "pulldown-cmark"]})
    assert section(handoff_for(RUST_CLI, start_phase(), own).prompt, "Stack") == [
        "- Rust 1.80",
        "- pulldown-cmark",
    ]
    empty = plan.model_copy(update={"tech_stack": []})
    assert section(handoff_for(RUST_CLI, start_phase(), empty).prompt, "Stack") == ["- Rust", "- clap"]


def test_watch_out_for_lists_the_first_five_risks() -> None:
    risks = [Risk(risk=f"Risk {n}", mitigation=f"Mitigation {n}") for n in range(1, 8)]
    watch = section(handoff_for(RUST_CLI, start_phase(), risks=risks).prompt, "Watch out for")
    assert watch == [f"- Risk {n}: Mitigation {n}" for n in range(1, 6)]
    assert "## Watch out for" not in handoff_for(RUST_CLI, start_phase(), risks=[]).prompt


def test_decisions_that_block_steps_come_first_with_the_steps_they_block() -> None:
    brief = ProjectBrief(
        name="Brew Ahead",
        summary="A React Native app for a coffee chain: order ahead and pay with Adyen. Backend in NestJS.",
    )
    planner = OfflinePlanner()
    design = planner.design(brief)
    plan = planner.basic_plan(design)
    for phase in plan.phases:
        plan = plan.with_phase(planner.phase_detail(plan, phase.number))
    prompt = planner.handoff(design, plan).prompt
    decide = section(prompt, "Decide before you start")
    adyen = next(line for line in decide if line.startswith("- Adyen is not in the built-in knowledge base"))
    spike = next(s for p in plan.phases for s in p.steps if s.title.startswith("Spike: Adyen"))
    assert spike.id in adyen
    assert prompt.index("## Decide before you start") < prompt.index("## Start here")


def test_constraints_are_restated_for_the_agent() -> None:
    brief = ProjectBrief(name="Lens", summary="A read-only dashboard of sales by region. No accounts.")
    planner = OfflinePlanner()
    design = planner.design(brief)
    prompt = planner.handoff(design, planner.basic_plan(design)).prompt
    assert section(prompt, "Constraints no step may break") == [
        "- R1: Read-only dashboard",
        "- R3: No accounts",
    ]


def test_the_brief_is_summarised_not_quoted_at_length() -> None:
    long_brief = RUST_CLI.model_copy(update={"summary": RUST_CLI.summary + " It handles tables." * 200})
    design, plan = planned(long_brief)
    basis, _ = _basis_for_plan(plan)
    handoff = build_handoff(design, plan, start_phase(), basis)
    building = "\n".join(section(handoff.prompt, "What we are building"))
    assert len(building) <= 600 and building.endswith("…")


def test_prompt_points_at_the_artifacts_and_the_progress_log() -> None:
    prompt = handoff_for(RUST_CLI, start_phase(2)).prompt
    assert "devplan.md" in prompt
    assert "phase2.md" in prompt
    assert "plan.json" in prompt
    assert "progress log" in prompt.lower()
