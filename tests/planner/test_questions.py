"""Open questions: what the brief leaves undecided, with the steps each one blocks."""

from __future__ import annotations

from devussy.models import ProjectBrief
from devussy.planner.engine import design_requirements, plan_analysis
from devussy.planner.questions import open_questions
from devussy.planner.requirement_map import build_map
from tests.planner.conftest import run_pipeline


def questions_for(summary: str) -> dict[str, tuple[str, ...]]:
    brief = ProjectBrief(name="Probe", summary=summary)
    run = run_pipeline(brief)
    requirements = design_requirements(brief)
    analysis = plan_analysis(brief, requirements)
    return {q.text: q.blocks for q in open_questions(analysis, build_map(requirements), run.details)}


def test_an_unknown_service_and_an_unnamed_database_are_asked_with_the_steps_they_block() -> None:
    questions = questions_for("A web app where members book yoga classes and pay with Adyen.")
    adyen = next(blocks for text, blocks in questions.items() if text.startswith("Adyen is not in"))
    assert adyen  # the spike and the integration step
    assert any(text.startswith("Which database?") for text in questions)


def test_constraints_ask_what_the_plan_cannot_guess() -> None:
    questions = questions_for(
        "A read-only reporting dashboard over our existing MySQL order database: sales by region and top "
        "products. Sign-in through the company's Okta SSO."
    )
    assert any(text.startswith("How to reach the existing database") for text in questions)
    assert any(text.startswith("The identity provider's client registration") for text in questions)
    assert not any(text.startswith("Which database?") for text in questions)


def test_features_in_the_brief_s_words_ask_for_their_rules() -> None:
    questions = questions_for("A Django app where members swap climbing shoes with each other.")
    assert any("who may do it, what are its limits" in text for text in questions)


def test_a_complete_brief_asks_little() -> None:
    questions = questions_for(
        "A Rust command-line tool that converts markdown files to HTML, published on crates.io."
    )
    assert len(questions) <= 1


def test_an_existing_database_asks_where_the_records_live() -> None:
    questions = questions_for(
        "A Flask API where vets record visits and prescriptions. The clinic's existing PostgreSQL database "
        "must not be changed."
    )
    reach = next(text for text in questions if text.startswith("How to reach the existing database"))
    assert "only the rights the features need" in reach  # writes are allowed, schema changes are not
    assert any(text.startswith("Which of Visit and Prescription are already tables") for text in questions)
