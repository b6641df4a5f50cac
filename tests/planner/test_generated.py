"""Steps written from the brief's own words: features the knowledge base lacks, unknown technologies,
quality targets, phases whose title matches nothing."""

from __future__ import annotations

from devussy.models import ProjectBrief
from devussy.planner.analysis import Analysis
from devussy.planner.domain import words_of
from devussy.planner.engine import design_requirements, plan_analysis
from devussy.planner.generated import (
    UNKNOWN_MARK,
    custom_templates,
    domain_templates,
    quality_template,
    safe,
    unknown_templates,
)


def analysis_of(summary: str) -> Analysis:
    brief = ProjectBrief(name="Crux", summary=summary)
    return plan_analysis(brief, design_requirements(brief))


def test_a_feature_in_the_brief_s_words_gets_its_action_rules_and_screen_in_short_imperative_titles() -> None:
    words = words_of("Members swap climbing shoes with each other")
    core, rules, screen = domain_templates(
        words, analysis_of("A Django web app where members swap climbing shoes.")
    )
    assert core.title == "Swap climbing shoes" and core.phase == "core"
    assert "members swap climbing shoes with each other" in core.details  # the brief's sentence, in the body
    assert "ClimbingShoe" in core.details or "Shoe" in core.details  # the record it keeps, from its words
    assert core.command == "{test:swap_climbing_shoes}"
    assert rules.title == "Rules for swapping climbing shoes" and rules.phase == "core"
    assert "at once" in rules.details and rules.command == "{test:swap_climbing_shoes_rules}"
    assert screen.phase == "ui" and screen.title == "Screen to swap climbing shoes"


def test_work_behind_the_scenes_gets_no_screen_and_reading_gets_no_rules() -> None:
    analysis = analysis_of("A Flask app where members book the shared trailer; email a reminder to members.")
    reminder = domain_templates(words_of("Email a reminder the evening before a booking"), analysis)
    assert [s.phase for s in reminder] == ["core"]  # no "Screen: email a reminder", no booking rules
    assert reminder[0].title == "Email a reminder"
    listing = domain_templates(words_of("Committee see who has booked what each month as a CSV"), analysis)
    assert [s.title for s in listing] == ["See who has booked what", "Screen to see who has booked what"]


def test_no_screen_without_a_ui_and_no_write_path_when_read_only() -> None:
    analysis = analysis_of(
        "A read-only command-line tool over our existing MySQL database that lists late invoices."
    )
    steps = domain_templates(words_of("Lists late invoices"), analysis)
    assert [s.phase for s in steps] == ["core"]
    assert "no write path" in steps[0].details


def test_an_unknown_technology_gets_a_spike_and_an_integration_step_marked_as_unknown() -> None:
    spike, integrate = unknown_templates("Magento store API", words_of("browse the catalog from Magento"))
    assert spike.phase == "foundation" and spike.title.startswith("Spike: Magento store API")
    assert UNKNOWN_MARK in spike.details and UNKNOWN_MARK in integrate.title
    assert "docs/spikes/magento-store-api.md" in spike.details
    assert integrate.command == "{test:magento_store_api}"


def test_a_quality_target_becomes_a_check_in_ci() -> None:
    step = quality_template(words_of("Pages load in under 200 ms"))
    assert step.phase == "hardening" and "runs in CI" in step.acceptance[0]


def test_a_phase_title_that_matches_nothing_is_specified_built_and_verified() -> None:
    titles = [t.title for t in custom_templates("Onboarding {wizard} for new gyms")]
    assert titles[0] == "Specify: Onboarding (wizard) for new gyms"  # braces cannot reach str.format
    assert titles[1].startswith("Implement: ")


def test_safe_clips_and_neutralises_braces() -> None:
    assert safe("a {b}") == "a (b)"
    assert safe("x" * 200, 20) == "x" * 19 + "…"


def test_a_message_people_receive_gets_no_screen_whatever_triggers_it() -> None:
    analysis = analysis_of("A Vue web app for a school library where students reserve books.")
    steps = domain_templates(words_of("Overdue books trigger an email to the student each Monday"), analysis)
    assert [s.phase for s in steps] == ["core"]


def test_the_core_step_names_every_record_it_keeps_and_reading_keeps_none() -> None:
    analysis = analysis_of("A Flask app where members book the shared rotavator and trailer.")
    book = domain_templates(
        words_of("Members book the shared rotavator and trailer by the half day"), analysis
    )
    assert "It keeps Rotavator and Trailer records" in book[0].details
    see = domain_templates(words_of("Committee see who has booked what each month as a CSV"), analysis)
    assert "stores nothing of its own" in see[0].details
