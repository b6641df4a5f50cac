"""The offline interview: one missing question at a time, stateless, finishes with a brief."""

from __future__ import annotations

import pytest

from devussy.models import ChatTurn, InterviewReply
from devussy.planner import OfflinePlanner
from devussy.planner.analysis import analyze_text
from devussy.planner.interview import MAX_VAGUE_REPLIES, QUESTIONS, derive_name

QUESTION_TEXTS = {q.key: q.text for q in QUESTIONS}


def asked(reply: InterviewReply) -> list[str]:
    return [key for key, text in QUESTION_TEXTS.items() if text in reply.reply]


def converse(opening: str, answers: dict[str, str], limit: int = 12) -> tuple[list[str], InterviewReply]:
    """Answer each question from `answers` (by key) until the planner returns a brief."""
    planner = OfflinePlanner()
    history: list[ChatTurn] = []
    user_input = opening
    keys: list[str] = []
    for _ in range(limit):
        reply = planner.interview(history, user_input)
        if reply.brief is not None:
            return keys, reply
        [key] = asked(reply)  # exactly one question per turn
        keys.append(key)
        history += [
            ChatTurn(role="user", content=user_input),
            ChatTurn(role="assistant", content=reply.reply),
        ]
        user_input = answers.get(key, "no preference")
    raise AssertionError(f"interview did not finish within {limit} turns: {keys}")


def test_complete_idea_needs_no_questions() -> None:
    reply = OfflinePlanner().interview(
        [], "A Django web app with Postgres where users log in to track expenses, deployed on Fly.io"
    )
    assert reply.brief is not None
    assert reply.brief.frameworks == ["Django"]
    assert reply.brief.data_stores == ["PostgreSQL"]
    assert reply.brief.deployment == "Fly.io"


def test_asks_only_missing_questions_one_at_a_time() -> None:
    keys, final = converse(
        "A web app where neighbours lend and borrow tools",
        {
            "features": "borrowing requests and email reminders",
            "language": "Django",
            "data_store": "postgres",
            "auth": "email and password",
            "deployment": "Fly.io",
        },
    )
    assert keys == ["features", "language", "data_store", "auth", "deployment"]
    assert len(keys) == len(set(keys))
    brief = final.brief
    assert brief is not None
    assert "Django" in brief.frameworks and "PostgreSQL" in brief.data_stores
    assert brief.deployment == "Fly.io"
    assert "borrowing requests" in brief.goals
    assert "Users sign in with email and password" in brief.goals  # sign-in is a feature, not a constraint


def test_questions_already_answered_by_the_idea_are_not_asked() -> None:
    keys, _ = converse("A REST API in Go with PostgreSQL for a bookshop's orders; users sign in", {})
    assert "language" not in keys and "data_store" not in keys and "auth" not in keys


def test_negative_answers_change_the_plan() -> None:
    _, final = converse(
        "A web app that shows the weather for your city",
        {"features": "search for a city", "data_store": "no", "auth": "no", "deployment": "Vercel"},
    )
    brief = final.brief
    assert brief is not None
    planner = OfflinePlanner()
    plan = planner.basic_plan(planner.design(brief))
    titles = " ".join(p.title for p in plan.phases)
    assert "Data model" not in titles and "Accounts" not in titles


def test_skip_or_done_finishes_early_with_a_brief() -> None:
    planner = OfflinePlanner()
    idea = "A web app where neighbours lend and borrow tools"
    first = planner.interview([], idea)
    assert first.brief is None
    history = [ChatTurn(role="user", content=idea), ChatTurn(role="assistant", content=first.reply)]
    for word in ("skip", "done", "Done."):
        final = planner.interview(history, word)
        assert final.brief is not None
        assert final.brief.summary == idea


def test_stateless_same_history_same_reply() -> None:
    planner = OfflinePlanner()
    history = [
        ChatTurn(role="user", content="A mobile app for runners"),
        ChatTurn(role="assistant", content=planner.interview([], "A mobile app for runners").reply),
    ]
    assert planner.interview(history, "route tracking") == OfflinePlanner().interview(
        history, "route tracking"
    )


def test_greeting_asks_for_the_idea_first() -> None:
    reply = OfflinePlanner().interview([], "hi")
    assert asked(reply) == ["idea"]
    keys, final = converse("hi", {"idea": "A command-line tool in Rust that renames photos by date"})
    assert keys[0] == "idea"
    assert final.brief is not None and final.brief.languages == ["Rust"]


def test_unknown_answers_are_kept_verbatim() -> None:
    _, final = converse(
        "An internal REST API for timesheets",
        {"language": "Zig", "data_store": "FoundationDB", "auth": "company SSO"},
    )
    assert final.brief is not None
    assert final.brief.languages == ["Zig"] and final.brief.data_stores == ["FoundationDB"]


def test_everything_unknown_still_finishes_and_says_it_is_too_vague() -> None:
    keys, final = converse("something", {}, limit=12)
    assert final.brief is not None
    # The usual questions, then what users must be able to do, asked again up to MAX_VAGUE_REPLIES times.
    assert len(keys) <= 6 + MAX_VAGUE_REPLIES
    assert keys[-MAX_VAGUE_REPLIES:] == ["features"] * MAX_VAGUE_REPLIES
    assert "still too vague for the offline planner" in final.reply


def test_a_vague_idea_is_asked_for_features_and_the_answer_makes_requirements() -> None:
    _, final = converse(
        "An internal REST API for timesheets",
        {"features": "staff log hours per project, managers approve timesheets", "auth": "no"},
    )
    assert final.brief is not None and "still too vague" not in final.reply
    requirements = final.brief.requirements
    assert {r.source for r in requirements} == {"interview"}
    assert {"Staff log hours per project", "Managers approve timesheets"} <= {r.text for r in requirements}


def test_a_non_english_idea_is_answered_in_english_and_asked_again() -> None:
    planner = OfflinePlanner()
    spanish = "Una aplicación para reservar clases de yoga con pagos en línea"
    reply = planner.interview([], spanish)
    assert reply.brief is None and reply.reply.startswith("I can only read English")
    assert asked(reply) == ["idea"]
    history = [ChatTurn(role="user", content=spanish), ChatTurn(role="assistant", content=reply.reply)]
    follow_up = planner.interview(history, "A booking app where members book yoga classes and pay online")
    assert not follow_up.reply.startswith("I can only read English")  # the English answer is the idea now


@pytest.mark.parametrize(
    ("idea", "name"),
    [
        ("An expense tracker called Pennywise", "Pennywise"),
        ("I want to build a recipe box with search", "Recipe Box"),
        ("A SaaS for team task tracking with Postgres and Stripe billing", "Team Task Tracking SaaS"),
        ("Build a mobile app for runners", "Runners Mobile App"),
        ("A Rust CLI that syncs dotfiles", "Dotfiles CLI"),  # named by its subject, not its stack
        ("Go library for parsing and validating VAT numbers, published to pkg.go.dev", "VAT Library"),
        ("Hi! I get headaches a lot. I want a phone app to log them", "Phone App"),  # context skipped
        ("A Flask API for a veterinary clinic: vets record visits", "Veterinary Clinic API"),
        (
            "A read-only reporting dashboard over our existing MySQL order database",
            "Read-only Reporting Dashboard",
        ),
        ("???", "New Project"),
        ("Rust library for parsing and validating IBAN numbers, with no_std support", "IBAN Library"),
        ("A Python CLI that watches a folder of scanned receipts and OCRs them", "Receipts CLI"),
        (
            "A TypeScript library with zero dependencies that formats durations like '3h 20m'",
            "Durations Library",
        ),
        ("Go package implementing a token-bucket rate limiter backed by Redis", "Rate Limiter Package"),
        (
            "Train a model that predicts next-week demand per store from sales history",
            "Next-week Demand Model",
        ),
        ("Split the invoicing module out of our Java 8 Spring monolith", "Invoicing Module"),
        ("Replace the reminder emails our clinics send with SMS reminders through Twilio", "SMS Reminders"),
        ("Weekly report of Jira cycle time per team, posted to Confluence", "Jira Cycle Time Report"),
        ("iOS app in Swift for a climbing gym: members log routes", "Climbing Gym iOS App"),
        ("Arduino sketch for a greenhouse: reads two DHT22 sensors", "Greenhouse Sketch"),
        ("A Discord bot that moderates a community server: it deletes spam", "Community Server Bot"),
        (
            "A TypeScript library that validates and formats international phone numbers",
            "International Phone Library",
        ),
    ],
)
def test_derived_project_names_are_short_noun_phrases(idea: str, name: str) -> None:
    assert derive_name(idea, analyze_text(idea, ())) == name


@pytest.mark.parametrize(
    ("idea", "name"),
    [
        # today's world and givens come before what is built: the name comes from what is built
        (
            "Our dispatch team logs breakdowns in Zendesk. Build a nightly job that exports the previous "
            "day's breakdowns to Postgres.",
            "Breakdown Export Job",
        ),
        (
            "Managers already sign in through Okta. Build a Vue app for approving holiday requests.",
            "Holiday Requests App",
        ),
        # two technologies joined by "and" are the stack, not the end of the name
        ("A small Flask and Vue app for a community garden: members reserve plots.", "Community Garden App"),
        # "where a coach plans workouts": named by what the clause's verb acts on
        ("A Next.js web app where a coach plans workouts and athletes log them.", "Workouts Web App"),
        # a job is named by what it does when its verb is a noun too
        ("A nightly pipeline that imports bank statements into Postgres.", "Bank Statement Import Pipeline"),
        # who it is for is not what it is: "for hospital porters: log each patient transfer"
        (
            "An iPhone app in Swift for hospital porters: log each patient transfer with a barcode scan.",
            "Patient Transfer iPhone App",
        ),
        # what is replaced is context: the new product, named by what it does ("takes backups of X")
        (
            "Replace the cron scripts on our single VPS with a small Go service that takes nightly backups "
            "of our MySQL database to S3.",
            "MySQL Backup Service",
        ),
        # a platform word alone is no name: "A Chrome extension that shows prices ..."
        (
            "A Chrome extension that shows prices on Amazon product pages in the user's local currency.",
            "Prices Extension",
        ),
    ],
)
def test_names_come_from_what_is_built_not_context_stack_or_audience(idea: str, name: str) -> None:
    assert derive_name(idea, analyze_text(idea, ())) == name
