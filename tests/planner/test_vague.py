"""Briefs the offline planner refuses: too short, no feature, not English."""

from __future__ import annotations

import pytest

from devussy.models import ProjectBrief
from devussy.planner.vague import CODE, NOT_ENGLISH, BriefTooVague, assess_brief, reads_as_english
from devussy.requirements.extract import extract_requirements


def assess(summary: str) -> str | None:
    brief = ProjectBrief(name="x", summary=summary)
    vague = assess_brief(brief, extract_requirements(brief))
    return None if vague is None else vague.reason


@pytest.mark.parametrize(
    ("summary", "reason"),
    [
        ("todo", "too_short"),
        ("An app for my business", "too_short"),
        ("A web app for our team, built with Django and PostgreSQL", "no_features"),
        ("Una aplicación para reservar clases de yoga con pagos en línea", "not_english"),
        ("Eine App, mit der Mitglieder Kurse buchen und online bezahlen", "not_english"),
        ("予約アプリ", "not_english"),
        ("A Django app where members book climbing gym classes and pay with Stripe", None),
        ("Recipe box: save recipes and search them by ingredient", None),
    ],
)
def test_assess_brief(summary: str, reason: str | None) -> None:
    assert assess(summary) == reason


def test_a_named_service_for_a_feature_is_enough() -> None:
    assert assess("Stripe payments for our shop") is None


def test_the_error_carries_code_reason_and_numbered_questions() -> None:
    error = BriefTooVague(NOT_ENGLISH)
    assert error.code == CODE == "brief_too_vague"
    assert error.reason == "not_english" and error.questions == NOT_ENGLISH.questions
    assert "  1. " in str(error) and "  3. " in str(error)


def test_reads_as_english() -> None:
    assert reads_as_english("A tool that syncs dotfiles between machines")
    assert reads_as_english("todo")  # too short to tell: other checks decide
    assert not reads_as_english("Una herramienta que sincroniza archivos entre las máquinas")
