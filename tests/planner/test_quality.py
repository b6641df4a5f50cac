"""The plan-quality measures bench/plan_quality.py and the corpus tests compute."""

from __future__ import annotations

from devussy.models import DevPlan, Phase, ProjectBrief, ProjectDesign, Requirement, Step
from devussy.planner.engine import design_requirements, plan_analysis
from devussy.planner.quality import (
    boilerplate_titles,
    made_up_capabilities,
    made_up_entities,
    normalise_title,
    recalled,
    stack_mismatches,
    unrelated_covers,
)
from tests import samples


def req(text: str, kind: str) -> Requirement:
    return Requirement(id="R1", text=text, kind=kind)  # type: ignore[arg-type]


def test_recalled_matches_content_words_up_to_endings_within_a_kind_family() -> None:
    extracted = [req("Members book climbing gym classes", "feature")]
    assert recalled("booking gym classes", "feature", extracted)
    assert recalled("book classes", "integration", extracted)  # same family (what gets built)
    assert not recalled("book classes", "integration", extracted, strict=True)
    assert not recalled("book classes", "constraint", extracted)
    assert not recalled("cancel classes", "feature", extracted)


def design_with(data_model: str) -> ProjectDesign:
    return samples.design().model_copy(update={"data_model": data_model})


def test_made_up_entities_are_records_the_brief_never_mentions() -> None:
    brief = ProjectBrief(name="Crux", summary="Members book climbing gym classes and pay with Stripe.")
    design = design_with(
        "Stored in PostgreSQL. Entities:\n- GymClass: name\n- Booking: member\n- Order: total\n"
    )
    assert made_up_entities(design, brief) == ["Order"]
    listed = design_with(
        "No server database: state lives on the device.\nRecords it keeps: GymClass, Invoice."
    )
    assert made_up_entities(listed, brief) == ["Invoice"]


def test_a_record_named_by_a_word_that_names_nothing_is_made_up() -> None:
    brief = ProjectBrief(
        name="Trailer", summary="Members book the trailer; the committee sees who booked what."
    )
    design = design_with("Stored in PostgreSQL. Entities:\n- Trailer: name\n- What: member\n")
    assert made_up_entities(design, brief) == ["What"]  # a word of the brief, but no record


def test_stack_mismatches_are_tools_of_a_language_the_plan_does_not_use() -> None:
    brief = ProjectBrief(
        name="mdconv", summary="A Rust command-line tool that converts markdown files to HTML."
    )
    analysis = plan_analysis(brief, design_requirements(brief))
    commands = ["cargo test --test convert", "pytest tests/test_convert.py", "FOO=1 npm test && cargo test"]
    assert stack_mismatches(commands, analysis) == commands[1:]


def plan(name: str, *titles: str) -> DevPlan:
    steps = [
        Step(id=f"1.{n}", title=t, details="d", acceptance_criteria=["c"], test_command="make test")
        for n, t in enumerate(titles, start=1)
    ]
    return DevPlan(
        project_name=name, summary="s", phases=[Phase(number=1, title="P", summary="s", steps=steps)]
    )


def test_boilerplate_titles_ignore_the_project_name() -> None:
    plans = [plan("Shop", "CI for Shop", "Checkout"), plan("Crux", "CI for crux", "Book classes")]
    assert boilerplate_titles(plans, share=0.5) == {"ci for {name}"}
    assert normalise_title("  CI  for Shop ", "Shop") == "ci for {name}"


def test_entities_from_words_that_name_no_thing_are_made_up() -> None:
    brief = ProjectBrief(
        name="Rota",
        summary="Members book the rotavator (gzip files too); the committee sees who has booked what.",
    )
    design = design_with("Entities:\n- Rotavator: name\n- What: x\n- Too: y\n- Booked: z\n- CheckUp: w\n")
    assert made_up_entities(design, brief) == ["What", "Too", "Booked", "CheckUp"]
    checkups = ProjectBrief(name="Dent", summary="Patients book check-ups.")
    assert made_up_entities(design_with("Entities:\n- CheckUp: when\n"), checkups) == []


def test_capabilities_no_word_of_the_brief_asks_for_are_made_up() -> None:
    dashboard = ProjectBrief(name="Dash", summary="A read-only dashboard showing daily revenue and refunds.")
    built = plan(
        "Dash",
        "Checkout with the payment provider",
        "Show daily revenue",
        "Docker Compose for local dependencies",
    )
    assert made_up_capabilities(built, dashboard) == [
        "Checkout with the payment provider",
        "Docker Compose for local dependencies",
    ]
    shop = ProjectBrief(name="Shop", summary="Customers pay with Stripe and run it with Docker.")
    assert made_up_capabilities(built, shop) == []


def test_a_step_citing_a_feature_it_never_mentions_is_unrelated() -> None:
    built = plan("Dash", "Show refunds", "Adapters for the payment provider")
    built = built.model_copy(
        update={
            "requirements": [Requirement(id="R1", text="Show refunds", kind="feature")],
            "phases": [
                built.phases[0].model_copy(
                    update={"steps": [s.model_copy(update={"covers": ["R1"]}) for s in built.phases[0].steps]}
                )
            ],
        }
    )
    assert unrelated_covers(built) == ["1.2→R1"]
