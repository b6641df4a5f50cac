"""The handoff prompt: where the next agent starts and how it works through the plan."""

from __future__ import annotations

from devussy.models import DevPlan, Handoff, Phase, ProjectBrief, ProjectDesign, Risk, Step
from devussy.planner import OfflinePlanner
from devussy.planner.analysis import analyze_brief
from devussy.planner.handoff import build_handoff
from devussy.planner.synthesis import build_context

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
    analysis = analyze_brief(brief)
    ctx = build_context(analysis, brief.name, brief.deployment)
    return build_handoff(design, plan or basic, first, analysis, ctx)


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
    assert "- Run the whole suite (`cargo test`) before moving to the next step and keep CI green." in rules
    assert "- Commit once per step with the step id in the message (e.g. `2.1: parse headings`)." in rules
    npm = section(handoff_for(NO_STACK, start_phase(2)).prompt, "How to work")
    assert "- Run the whole suite (`npm test`) before moving to the next step and keep CI green." in npm


def test_phases_list_shows_dependencies_and_detailed_phases() -> None:
    _, plan = planned(RUST_CLI)
    detailed = plan.with_phase(start_phase(2).model_copy(update={"title": plan.phases[1].title}))
    phases = section(handoff_for(RUST_CLI, start_phase(2), detailed).prompt, "Phases")
    assert phases == [
        f"1. **{plan.phases[0].title}**: {plan.phases[0].summary}",
        f"2. **{plan.phases[1].title}** (after 1), 2 steps detailed: Convert markdown to HTML.",
        f"3. **{plan.phases[2].title}** (after 2): {plan.phases[2].summary}",
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


def test_assumptions_to_confirm_repeat_the_designs_assumptions() -> None:
    design, _ = planned(NO_STACK)
    assumed = [
        line for line in design.architecture.split("\n") if line.startswith("- ") and "assum" in line.lower()
    ]
    assert assumed, "the test needs a design with assumptions"
    confirm = section(handoff_for(NO_STACK, start_phase()).prompt, "Assumptions to confirm")
    assert confirm == assumed
    # A design without the planner's wording (an LLM's) still gets a reminder when the language was assumed.
    bare = handoff_for(NO_STACK, start_phase(), architecture="A server and a browser client.").prompt
    assert section(bare, "Assumptions to confirm") == [
        "- The language was assumed; confirm it before writing code."
    ]
    assert "## Assumptions to confirm" not in handoff_for(RUST_CLI, start_phase()).prompt


def test_long_design_summaries_are_clipped_in_the_prompt() -> None:
    handoff = handoff_for(RUST_CLI, start_phase(), summary="word " * 2000)
    building = "\n".join(section(handoff.prompt, "What we are building"))
    assert len(building) <= 4000 and building.endswith("…")


def test_prompt_points_at_the_artifacts_and_the_progress_log() -> None:
    prompt = handoff_for(RUST_CLI, start_phase(2)).prompt
    assert "devplan.md" in prompt
    assert "phase2.md" in prompt
    assert "plan.json" in prompt
    assert "progress log" in prompt.lower()
