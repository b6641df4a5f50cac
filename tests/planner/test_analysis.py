"""Brief analysis: project types, technologies (synonyms, misspellings, word boundaries), features."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devussy.models import ProjectBrief
from devussy.planner import analysis as analysis_module
from devussy.planner.analysis import (
    analyze_brief,
    analyze_text,
    analyzer,
    outermost_entries,
    resolve_toolchain,
)
from devussy.requirements.extract import extract_requirements

# A hang detector, not a timing: these inputs take well under a second now and took hours before.
HANG_SECONDS = 120


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


# -- linear time on hostile input (issue 12) ---------------------------------------------------------

hit_lists = st.lists(
    st.tuples(st.sampled_from("abc"), st.integers(0, 12), st.integers(1, 6)).map(
        lambda t: analysis_module._Hit(t[0], t[1], t[1] + t[2])
    ),
    max_size=12,
)


@given(hits=hit_lists)
def test_outermost_entries_keeps_what_no_longer_name_of_another_entry_contains(
    hits: list[analysis_module._Hit],
) -> None:
    pairwise = {
        h.entry
        for h in hits
        if not any(
            o.entry != h.entry and o.start <= h.start and h.end <= o.end and o.end - o.start > h.end - h.start
            for o in hits
        )
    }
    assert outermost_entries(hits) == pairwise


def test_containment_check_reads_each_hit_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    # Comparing every pair of hits made a 1 MB interview keep a core busy for minutes. Counting how often
    # the check reads a hit's fields shows the growth without timing anything.
    reads = 0

    class CountingHit(analysis_module._Hit):
        def __getattribute__(self, name: str) -> object:
            nonlocal reads
            if name in ("entry", "start", "end"):
                reads += 1
            return object.__getattribute__(self, name)

    monkeypatch.setattr(analysis_module, "_Hit", CountingHit)
    text = "react native postgres redis stripe " * 600
    hits = len(analyzer().find_entries_with_spans(text)[2])
    assert hits >= 2400
    assert reads < 40 * hits


HOSTILE_SHAPES = {
    # Each made one regex backtrack quadratically: minutes for 64 000 characters, hours for these.
    "database negation then blanks": "we do not need " + " " * 200_000 + "x",
    "numbers separated by commas": "1," * 100_000,
    "numbers separated by dots": "1." * 100_000,
    "the letter C then blanks": "written in C" + " " * 200_000 + "x",
    "a scale figure then blanks": "9" + " " * 200_000 + "x",
}


def test_analysis_of_hostile_shapes_finishes() -> None:
    # A subprocess, so that a regression (hours of backtracking) is killed rather than left running.
    script = (
        "import sys, json\n"
        "from devussy.planner.analysis import analyzer\n"
        "from devussy.planner.interview import _FINISH\n"
        "shapes = json.loads(sys.stdin.read())\n"
        "for name, text in shapes.items():\n"
        "    analyzer().analyze(text)\n"
        "    print(name, flush=True)\n"
        "_FINISH.match('done' + ' ' * 200_000 + 'x')  # the interview's 'done' check on every answer\n"
        "print('interview finish words then blanks', flush=True)\n"
    )
    finished: list[str] = []
    try:
        result = subprocess.run(
            [sys.executable, "-c", script],
            input=json.dumps(HOSTILE_SHAPES),
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS,
        )
        finished = result.stdout.split("\n")
        assert result.returncode == 0, result.stderr[-2000:]
    except subprocess.TimeoutExpired as exc:
        done = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        pytest.fail(f"analysis hung after {HANG_SECONDS}s; finished only: {done.splitlines()}")
    assert "interview finish words then blanks" in finished


@pytest.mark.parametrize(
    ("summary", "absent"),
    [
        ("Train a model that predicts demand; compare it against a seasonal baseline.", "Against"),
        ("Go package implementing a token-bucket rate limiter backed by Redis.", "Backed"),
        ("Go package implementing a token-bucket rate limiter backed by Redis.", "Package"),
        ("Kotlin Android app that records GPS tracks fully offline.", "Fully"),
        ("An iPhone app to log attacks quickly from a widget.", "Quickly"),
        ("An iOS app where members log the routes they've sent.", "They"),
        ("Split the invoicing module out of our monolith.", "Invoicing"),
    ],
)
def test_records_are_nouns_not_adverbs_pronouns_prepositions_or_the_product(
    summary: str, absent: str
) -> None:
    entities = analyze_brief(ProjectBrief(name="Probe", summary=summary)).entities
    assert absent not in entities


def test_a_data_job_measures_sign_ups_and_purchases_without_building_them() -> None:
    summary = (
        "A dbt project on BigQuery that models our Segment events into retention cohorts and a funnel from "
        "signup to first purchase."
    )
    features = analyze_brief(ProjectBrief(name="Probe", summary=summary)).features
    assert "payments" not in features and "user_accounts" not in features


def test_a_feature_named_with_its_vendor_leaves_the_vendor_a_technology() -> None:
    analysis = analyze_brief(
        ProjectBrief(name="Probe", summary="A SaaS with payments and subscriptions via Stripe.")
    )
    assert "subscriptions" in analysis.features
    assert "stripe" in analysis.explicit


@pytest.mark.parametrize(
    ("summary", "stack", "not_stack"),
    [
        (
            "We run a Postgres database of orders that a legacy PHP app writes to. "
            "Build a read-only dashboard "
            "in Next.js showing daily revenue.",
            {"nextjs", "postgres"},
            {"php"},
        ),
        ("A Django app that imports data from our Rails monolith every night.", {"django"}, {"rails"}),
        ("Migrate our legacy PHP monolith for claims to a Spring Boot service.", {"spring_boot"}, {"php"}),
        ("Split the orders tables out of our Rails monolith's MySQL database.", {"rails", "mysql"}, set()),
    ],
)
def test_context_technologies_are_not_the_stack(summary: str, stack: set[str], not_stack: set[str]) -> None:
    found = set(analyze_brief(ProjectBrief(name="Demo", summary=summary)).stack)
    assert stack <= found
    assert not (not_stack & found), found


def test_the_opening_is_the_first_sentence_that_is_not_context() -> None:
    brief = ProjectBrief(
        name="Demo",
        summary="We run a Postgres database of orders that a legacy PHP app writes to. Build a read-only "
        "dashboard in Next.js showing daily revenue. Deploy on our Kubernetes cluster.",
    )
    assert analyze_brief(brief).project_type == "web_app"


@pytest.mark.parametrize(
    ("summary", "project_type"),
    [
        ("Build a Rust tool that detects bots by request rate and writes a daily report.", "cli"),
        (
            "A nightly Airflow pipeline that pulls ad spend from the Google Ads API and the Meta Marketing "
            "API and loads a daily table into Snowflake.",
            "data_pipeline",
        ),
    ],
)
def test_a_type_word_that_only_mentions_something_does_not_type_the_project(
    summary: str, project_type: str
) -> None:
    assert analyze_brief(ProjectBrief(name="Demo", summary=summary)).project_type == project_type


@pytest.mark.parametrize(
    ("summary", "stack", "not_stack"),
    [
        (
            "An iOS app in Swift that uploads receipts to our existing Laravel REST API.",
            {"swift"},
            {"laravel", "php"},
        ),
        ("A Kotlin Android app that syncs notes to our current Django API.", {"kotlin"}, {"django"}),
    ],
)
def test_an_existing_api_is_not_the_stack_even_as_an_integration(
    summary: str, stack: set[str], not_stack: set[str]
) -> None:
    requirements = extract_requirements(ProjectBrief(name="Demo", summary=summary))
    named = tuple(r.text for r in requirements if r.kind == "integration")
    found = set(analyze_text(summary, named).stack)
    assert stack <= found
    assert not (not_stack & found), found


@pytest.mark.parametrize(
    "summary",
    [
        "Write a weekly job that pulls invoices from Xero and uploads a CSV to our S3 bucket.",
        "Our finance team reconciles by hand. Build a nightly job that copies payouts from Stripe into S3.",
    ],
)
def test_a_scheduled_job_named_as_the_product_is_a_data_job(summary: str) -> None:
    assert analyze_brief(ProjectBrief(name="Demo", summary=summary)).project_type == "data_pipeline"


@pytest.mark.parametrize(
    "summary",
    [
        "Replace the cron scripts on our single VPS with a small Go service that takes nightly backups of "
        "our MySQL database to S3 and restores a chosen backup with one command.",
        "A Rust daemon that syncs our Postgres tables to BigQuery every hour.",
        "A small worker which cleans up expired uploads from S3 daily.",
    ],
)
def test_a_service_that_runs_scheduled_work_is_a_job_not_a_web_app(summary: str) -> None:
    assert analyze_brief(ProjectBrief(name="Demo", summary=summary)).project_type == "data_pipeline"


@pytest.mark.parametrize(
    "summary",
    [
        "A small Go service on our single VPS that takes nightly backups of our MySQL database to S3.",
        "A Flask app for our club's bookings, running on our own server, with photos kept in S3.",
    ],
)
def test_a_brief_that_runs_on_its_own_server_gets_no_cloud_from_a_service_it_uses(summary: str) -> None:
    analysis = analyze_brief(ProjectBrief(name="Demo", summary=summary))
    assert "s3" in analysis.stack
    assert "aws" not in analysis.stack


def test_a_named_cloud_stays_even_on_a_server_of_our_own() -> None:
    summary = "A Go service on our VPS that copies backups to S3, and a status page deployed on AWS."
    assert "aws" in analyze_brief(ProjectBrief(name="Demo", summary=summary)).stack


def test_an_api_mentioned_late_does_not_outweigh_a_scheduled_job() -> None:
    summary = (
        "Build a weekly job that copies tickets into our Snowflake warehouse and classifies them with a "
        "local model; ticket text must never be sent to an external API."
    )
    assert analyze_brief(ProjectBrief(name="Demo", summary=summary)).project_type == "data_pipeline"


def test_a_product_word_in_a_given_does_not_type_the_product() -> None:
    summary = (
        "A Flutter app for allotment holders: record harvests with a photo. "
        "Members log in with the logins they already use on the society website."
    )
    assert analyze_brief(ProjectBrief(name="Demo", summary=summary)).project_type == "mobile_app"
