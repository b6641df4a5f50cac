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


def test_a_feature_in_the_brief_s_words_gets_a_core_step_and_a_screen_in_those_words() -> None:
    words = words_of("Members swap climbing shoes with each other")
    core, screen = domain_templates(words, analysis_of("A Django web app where members swap climbing shoes."))
    assert core.title == "Members swap climbing shoes with each other" and core.phase == "core"
    assert "ClimbingShoe" in core.details or "Shoe" in core.details  # the record it keeps, from its words
    assert core.command == "{test:swap_climbing_shoes}"
    assert screen.phase == "ui" and screen.title == "Screen: members swap climbing shoes with each other"


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
