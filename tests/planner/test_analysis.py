"""Brief analysis: project types, technologies (synonyms, misspellings, word boundaries), features."""

from __future__ import annotations

import pytest

from devussy.models import ProjectBrief
from devussy.planner.analysis import analyze_brief, analyzer, resolve_toolchain


def techs(text: str) -> list[str]:
    return analyzer().find_entries(text)[0]


def features(text: str) -> list[str]:
    return analyzer().find_entries(text)[1]


@pytest.mark.parametrize(
    ("text", "tech"),
    [
        ("backed by postgres", "postgres"),
        ("uses pg for storage", "postgres"),
        ("PostgreSQL 16", "postgres"),
        ("a postgress database", "postgres"),
        ("nextjs frontend", "nextjs"),
        ("Next.js app", "nextjs"),
        ("next js site", "nextjs"),
        ("written in golang", "go"),
        ("a Go service", "go"),
        ("in Go.", "go"),
        ("k8s cluster", "kubernetes"),
        ("node.js backend", "javascript"),
        ("C# and .NET", "csharp"),
        ("mongo for documents", "mongodb"),
        ("Spring Boot API", "spring_boot"),
        ("Ruby on Rails", "rails"),
        ("firmware in C for a sensor", "c"),
        ("c++20 engine", "cpp"),
        ("deployed to fly.io", "fly_io"),
    ],
)
def test_recognises_synonyms_and_misspellings(text: str, tech: str) -> None:
    assert tech in techs(text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("we will upgrade the app", "postgres"),
        ("going to build a site", "go"),
        ("Go to market fast", "go"),
        ("let's go live in May", "go"),
        ("a go-to tool for cooks", "go"),
        ("trust but verify", "rust"),
        ("react to sensor changes", "react"),
        ("express interest in events", "express"),
        ("the spring season", "spring_boot"),
        ("a React Native app", "react"),
        ("cargo tracking", "rust"),
        ("no Docker please", "docker"),
        ("without Stripe", "stripe"),
    ],
)
def test_word_boundaries_context_and_negation(text: str, absent: str) -> None:
    assert absent not in techs(text)


def test_features_recognised_and_negated() -> None:
    assert features("payments, real-time chat, an admin dashboard and offline sync") == [
        "payments",
        "realtime_chat",
        "admin_dashboard",
        "offline_sync",
    ]
    assert "realtime_updates" not in features("real-time chat")  # part of the longer name
    assert "user_accounts" not in features("no login needed")


@pytest.mark.parametrize(
    ("summary", "project_type"),
    [
        ("A command-line tool to resize images", "cli"),
        ("A Python library for parsing dates", "library"),
        ("A REST API for a bookshop", "web_api"),
        ("A web app for booking rooms", "web_app"),
        ("A multi-tenant SaaS for invoicing", "saas"),
        ("An iOS and Android app for runners", "mobile_app"),
        ("An ETL pipeline into the warehouse", "data_pipeline"),
        ("A machine learning model serving fraud scores", "ml_service"),
        ("A Chrome extension that blocks trackers", "browser_extension"),
        ("A roguelike game", "game"),
        ("Firmware for a soil moisture sensor", "embedded"),
        ("Infrastructure as code for our cloud accounts", "infrastructure"),
        ("Something with Django", "web_app"),  # inferred from the framework
    ],
)
def test_project_types(summary: str, project_type: str) -> None:
    analysis = analyze_brief(ProjectBrief(name="x", summary=summary))
    assert analysis.project_type == project_type


def test_structured_fields_and_unknown_names() -> None:
    brief = ProjectBrief(
        name="x",
        summary="An API for orders",
        languages=["go"],
        frameworks=["Encore"],
        data_stores=["SQL Server"],
        integrations=["BambooHR"],
    )
    analysis = analyze_brief(brief)
    assert "go" in analysis.explicit
    assert analysis.unknown == ("Encore", "SQL Server", "BambooHR")
    assert analysis.unknown_stores == ("SQL Server",) and analysis.unknown_services == ("BambooHR",)
    assert {"integrations_present", "has_data"} <= analysis.flags
    plain = analyze_brief(brief.model_copy(update={"integrations": []}))
    assert "integrations_present" not in plain.flags


def test_default_language_is_assumed_only_when_none_is_named() -> None:
    silent = analyze_brief(ProjectBrief(name="x", summary="A command-line tool to rename files"))
    assert silent.assumed == ("python",)
    named = analyze_brief(ProjectBrief(name="x", summary="A command-line tool in Rust to rename files"))
    assert named.assumed == () and "clap" in named.implied


def test_negated_database_removes_persistence() -> None:
    analysis = analyze_brief(ProjectBrief(name="x", summary="A web API that converts units. No database."))
    assert "has_data" not in analysis.flags


def test_typescript_replaces_implied_javascript() -> None:
    analysis = analyze_brief(ProjectBrief(name="x", summary="A React web app in TypeScript"))
    assert "typescript" in analysis.stack and "javascript" not in analysis.stack


def test_toolchain_sides() -> None:
    analysis = analyze_brief(ProjectBrief(name="x", summary="A web app: Django API with a React front end"))
    assert resolve_toolchain(analysis)["test"] == "pytest"
    assert resolve_toolchain(analysis, side="frontend")["test"] == "npm test"


def test_entities_come_from_the_idea() -> None:
    analysis = analyze_brief(ProjectBrief(name="x", summary="An app to track expenses and split bills"))
    assert analysis.entities[:2] == ("Expense", "Bill")
