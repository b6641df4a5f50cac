"""The project design the offline planner builds from a brief."""

from __future__ import annotations

import pytest

from devussy.models import ProjectBrief, ProjectDesign
from devussy.planner import OfflinePlanner
from devussy.planner.analysis import analyze_brief
from devussy.planner.design import MAX_RISKS, assumptions, tech_stack_entries
from devussy.planner.knowledge import knowledge

FASTAPI = ProjectBrief(
    name="inventory-api",
    summary="A REST API for tracking warehouse inventory items and stock movements.",
    goals=["Track stock", "Audit movements"],
    languages=["python"],
    frameworks=["fastapi", "sqlalchemy"],
    data_stores=["pg"],
    constraints=["Must run on a single VM"],
    deployment="Fly.io using Docker",
)
NO_STACK = ProjectBrief(
    name="Tool Library",
    summary=(
        "A web app where neighbours lend and borrow tools, with an admin dashboard for the organisers and "
        "payments for deposits."
    ),
)
RUST_CLI = ProjectBrief(
    name="mdconv",
    summary="A tiny command-line tool in Rust that converts markdown files to HTML.",
    team_size=1,
)
GAME = ProjectBrief(
    name="Quest", summary="A 2D platformer game where a snail races through a forest collecting shells."
)


def design_of(brief: ProjectBrief) -> ProjectDesign:
    return OfflinePlanner().design(brief)


def section(architecture: str, heading: str) -> list[str]:
    """The bullet lines under ``heading`` in the architecture text."""
    lines = architecture.split("\n")
    if heading not in lines:
        return []
    start = lines.index(heading) + 1
    result = []
    for line in lines[start:]:
        if not line.startswith("- "):
            break
        result.append(line[2:])
    return result


# -- objectives -----------------------------------------------------------------------------------


def test_objectives_are_the_goals_then_the_briefs_features_then_delivery_and_verification() -> None:
    assert design_of(FASTAPI).objectives == [
        "Track stock",
        "Audit movements",
        "Deliver inventory and stock (tracking warehouse inventory items and stock movements)",
        "Ship a deployed HTTP service with a documented API contract",
        "Every step verified by a command (`pytest`) that runs in CI",
    ]
    assert design_of(NO_STACK).objectives == [
        "Deliver: neighbours lend and borrow tools",
        "Deliver payments and admin dashboard (admin dashboard for the organisers and payments for deposits)",
        "Ship a deployed web application reachable over HTTPS",
        "Every step verified by a command (`npm test`) that runs in CI",
    ]


def test_design_carries_the_brief_the_complexity_and_a_summary_naming_the_stack() -> None:
    design = design_of(RUST_CLI)
    assert design.project_name == "mdconv"
    assert design.brief == RUST_CLI
    assert design.complexity is not None and design.complexity.level == "minimal"
    assert design.summary.startswith(RUST_CLI.summary + "\n\n")
    assert design.summary.endswith(
        f"mdconv is planned as a command-line tool (minimal complexity, score {design.complexity.score}/100) "
        "using Rust and clap."
    )


def test_the_summary_puts_an_before_a_project_type_starting_with_a_vowel() -> None:
    brief = ProjectBrief(
        name="Greenhouse Sensor", summary="Firmware for an ESP32 board that reads soil moisture"
    )
    design = design_of(brief)
    assert " is planned as an embedded / iot device (" in design.summary


def test_a_long_idea_is_summarised_in_the_design_not_echoed() -> None:
    idea = "A recipe app for families to share dinners. " * 250  # about 11,000 characters
    brief = ProjectBrief(name="Recipes", summary=idea.strip())
    design = design_of(brief)
    opening = design.summary.split("\n\n")[0]
    assert len(opening) <= 600 and opening.endswith("…")
    assert opening.startswith("A recipe app for families to share dinners.")
    assert design.brief is not None and design.brief.summary == idea.strip()


# -- tech stack -----------------------------------------------------------------------------------


def test_tech_stack_is_what_the_brief_names_and_what_that_implies() -> None:
    assert design_of(FASTAPI).tech_stack == [
        "PostgreSQL",
        "SQLAlchemy",
        "Fly.io",
        "Docker",
        "Python",
        "pytest",  # implied by Python
        "FastAPI",
    ]
    assert design_of(RUST_CLI).tech_stack == ["Rust", "clap"]  # clap: the idiom for a Rust CLI


def test_tech_stack_keeps_names_the_knowledge_base_does_not_know() -> None:
    brief = ProjectBrief(
        name="HR",
        summary="A web app where managers approve staff leave requests.",
        languages=["go"],
        data_stores=["SQL Server"],
        integrations=["BambooHR"],
    )
    stack = tech_stack_entries(analyze_brief(brief))
    assert stack[-2:] == ["SQL Server", "BambooHR"]
    assert "Go" in stack
    design = design_of(brief)
    assert design.data_model.startswith("Stored in SQL Server. Entities:")
    assert "Also named in the brief: SQL Server, BambooHR" in design.architecture
    assert "Confirm and integrate BambooHR (not in the built-in knowledge base)" in design.objectives


def test_an_assumed_language_is_marked_and_an_unknown_one_is_left_open() -> None:
    assert design_of(NO_STACK).tech_stack == ["TypeScript (assumed: the brief names no language)"]
    assert design_of(GAME).tech_stack == [
        "Language and engine to be chosen in phase 1 (the brief names none)"
    ]


# -- assumptions ----------------------------------------------------------------------------------


def test_assumptions_are_stated_when_the_brief_names_no_stack() -> None:
    design = design_of(NO_STACK)
    notes = section(design.architecture, "Assumptions (the brief did not say):")
    assert notes == assumptions(analyze_brief(NO_STACK), NO_STACK)
    assert [note.split(":")[0] for note in notes] == [
        "Language",
        "Data store",
        "Authentication",
        "Payments",
        "Deployment",
    ]
    assert notes[0].startswith("Language: TypeScript, the usual choice for a web application")
    assert "Payments: no provider named; steps refer to 'the payment provider'." in notes


def test_no_language_and_no_engine_means_make_targets() -> None:
    notes = assumptions(analyze_brief(GAME), GAME)
    assert any(note.startswith("Language/engine: not named") and "`make test`" in note for note in notes)
    assert "Until a language is chosen, `make test` is the single entry point for tests." in (
        design_of(GAME).testing_strategy
    )


def test_a_fully_specified_brief_needs_no_assumptions() -> None:
    design = design_of(FASTAPI)
    assert assumptions(analyze_brief(FASTAPI), FASTAPI) == []
    assert "Assumptions" not in design.architecture
    assert section(design.architecture, "Constraints the plan respects:") == [
        "R4 (constraint): Must run on a single VM"
    ]


def test_constraints_are_listed_with_what_their_rule_forbids() -> None:
    brief = ProjectBrief(
        name="Lens",
        summary="A read-only dashboard over our existing MySQL database: sales by region. No accounts.",
    )
    lines = section(design_of(brief).architecture, "Constraints the plan respects:")
    assert lines[0].startswith("R1 (constraint): Read-only dashboard — access is read-only")
    assert lines[-1] == (
        "R5 (out of scope): No accounts — the brief rules out user accounts — no sign-up, login or passwords"
    )


def test_open_questions_name_what_the_brief_leaves_undecided() -> None:
    questions = section(
        design_of(NO_STACK).architecture, "Open questions (answer before the steps that need them):"
    )
    assert any(q.startswith("Is TypeScript right?") for q in questions)
    assert "Which database? The brief names none." in questions
    assert "Which payment provider?" in questions
    assert any(q.startswith('"Neighbours lend and borrow tools": who may do it') for q in questions)


NOTES = ProjectBrief(
    name="Notes", summary="A web app where I write daily notes, with no database, written in Go."
)


def test_a_database_the_brief_rules_out_is_an_assumption_and_no_data_model() -> None:
    design = design_of(NOTES)
    assert "No database: the brief rules it out, so the plan has no persistence phase." in section(
        design.architecture, "Assumptions (the brief did not say):"
    )
    assert design.data_model.startswith("No server database (the brief rules a database out): state lives")


def test_a_cli_or_a_game_gets_no_server_database_unless_it_names_one() -> None:
    assert design_of(RUST_CLI).data_model.startswith("No server database: state lives in files")
    assert design_of(GAME).data_model.startswith("No server database: state lives in local save files")
    named = ProjectBrief(name="notes", summary="A Rust CLI that keeps my reading notes in PostgreSQL.")
    assert design_of(named).data_model.startswith("Stored in PostgreSQL.")


def test_architecture_of_a_database_free_brief_has_no_database() -> None:
    brief = NOTES
    overview = design_of(brief).architecture.split("\n\n")[0]
    assert "→ the database" not in overview


# -- data model -----------------------------------------------------------------------------------


def test_data_model_lists_the_briefs_own_records_in_the_named_store_with_feature_notes() -> None:
    assert design_of(FASTAPI).data_model == (
        "Stored in PostgreSQL. Entities:\n"
        "- InventoryItem: id, timestamps (created/updated), and its domain fields\n"
        "- StockMovement: id, timestamps (created/updated), and its domain fields"
    )
    generic = design_of(NO_STACK).data_model
    assert generic.startswith("Stored in the database. Entities:\n- Tool:")
    assert "- Money as integer minor units plus currency; a payment status machine; provider ids." in generic
    assert generic.endswith("The brief names no database; choose one before the data phase.")


def test_no_entity_is_invented_when_the_brief_names_none() -> None:
    brief = ProjectBrief(name="Crux", summary="A Django web app for booking climbing gym classes.")
    data_model = design_of(brief).data_model
    assert "- GymClass:" in data_model and "- Booking:" in data_model
    assert "Order" not in data_model and "TimeSlot" not in data_model
    vague = ProjectBrief(name="Pulse", summary="A web app that shows how the team is feeling this week.")
    assert "The brief names no records yet" in design_of(vague).data_model


# -- risks ----------------------------------------------------------------------------------------


def test_risks_come_from_the_knowledge_base_with_their_mitigations() -> None:
    kb = knowledge()
    analysis = analyze_brief(NO_STACK)
    design = design_of(NO_STACK)
    pairs = [(r.risk, r.mitigation) for r in design.risks]
    expected = [
        *((t.risk, t.mitigation) for t in kb.project_types["web_app"].risks),
        *((t.risk, t.mitigation) for f in analysis.features for t in kb.features[f].risks),
        *((t.risk, t.mitigation) for t in kb.technologies["typescript"].risks),
        ("Scope grows faster than the plan", "Keep each phase shippable and move new ideas to a backlog"),
    ]
    assert pairs == expected
    assert all(r.risk.strip() and r.mitigation.strip() for r in design.risks)


def test_risks_for_a_solo_developer_and_unknown_technologies() -> None:
    solo = [r.risk for r in design_of(RUST_CLI).risks]
    assert "A single developer is a single point of failure" in solo
    assert "A single developer is a single point of failure" not in [r.risk for r in design_of(FASTAPI).risks]
    brief = ProjectBrief(
        name="HR", summary="A web app to approve leave requests.", languages=["go"], integrations=["BambooHR"]
    )
    unknown = next(r for r in design_of(brief).risks if "no specific knowledge" in r.risk)
    assert "(BambooHR)" in unknown.risk
    assert unknown.mitigation == "Spike each one early with a throwaway script before building on it"


def test_risks_are_capped_and_unique() -> None:
    brief = ProjectBrief(
        name="Everything",
        summary=(
            "A multi-tenant SaaS with user accounts, payments and subscriptions via Stripe, real-time chat, "
            "notifications via SendGrid, offline sync, booking, an admin dashboard and audit logs; Django, "
            "React, PostgreSQL, Redis, Celery, Kubernetes, Terraform on AWS."
        ),
    )
    risks = [r.risk for r in design_of(brief).risks]
    assert len(risks) == MAX_RISKS
    assert len(set(risks)) == len(risks)


# -- testing strategy -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("brief", "first_line", "check"),
    [
        (RUST_CLI, "- Unit and integration tests run with `cargo test`;", "- Static checks: `cargo clippy"),
        (FASTAPI, "- Unit and integration tests run with `pytest`;", "- Static checks: `ruff check .`."),
        (
            NO_STACK,
            "- Unit and integration tests run with `npm test`;",
            "- Static checks: `npx tsc --noEmit`.",
        ),
        (GAME, "- Unit and integration tests run with `make test`;", "- Static checks: `make check`."),
    ],
)
def test_testing_strategy_names_the_detected_test_tool(
    brief: ProjectBrief, first_line: str, check: str
) -> None:
    lines = design_of(brief).testing_strategy.split("\n")
    assert lines[0].startswith(first_line)
    assert any(line.startswith(check) for line in lines)


def test_testing_strategy_follows_the_stack() -> None:
    brief = ProjectBrief(
        name="Shop",
        summary=(
            "An online shop where customers buy handmade soap, with Django and React, tested end to end with "
            "Playwright."
        ),
        data_stores=["PostgreSQL"],
        integrations=["Stripe"],
    )
    strategy = design_of(brief).testing_strategy.split("\n")
    assert "- Front-end tests run with `npm test`." in strategy  # the UI has its own toolchain
    assert "- End-to-end tests of the critical journeys with Playwright." in strategy
    assert "- Data tests run against a real PostgreSQL instance, not a mock." in strategy
    assert any(
        line.startswith("- Third-party services are faked at the adapter boundary") for line in strategy
    )
    cli = design_of(RUST_CLI).testing_strategy
    assert "Front-end" not in cli and "End-to-end" not in cli and "Data tests" not in cli


def test_risks_the_constraints_rule_out_are_left_out() -> None:
    brief = ProjectBrief(
        name="Vet",
        summary=(
            "A Flask API where vets record visits. "
            "The clinic's existing PostgreSQL database must not be changed."
        ),
    )
    risks = [r.risk for r in design_of(brief).risks]
    assert risks and not any("migration" in r.lower() for r in risks)
    free = design_of(
        ProjectBrief(name="Vet", summary="A Flask API with PostgreSQL where vets record visits.")
    )
    assert any("migration" in r.risk.lower() for r in free.risks)
