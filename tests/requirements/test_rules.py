from __future__ import annotations

import pytest

from devussy.models import Requirement
from devussy.requirements.rules import (
    RulesError,
    first_contradiction,
    load_rules,
    mentions_phrase,
    non_goal_subject,
    parse_rules,
    rules_for,
)

# (requirement text, kind, the rule that must recognise it, a contradicting step, an honouring step)
CASES = [
    (
        "The Postgres database already exists and is owned by another team",
        "constraint",
        "existing_database",
        "Create the database schema for bookings.",
        "Introspect the existing tables with inspectdb.",
    ),
    (
        "Works against our existing MySQL database",
        "constraint",
        "existing_database",
        "Write migrations for the orders table.",
        "Do not add migrations; map models onto the existing tables.",
    ),
    (
        "Read-only access to the ERP",
        "constraint",
        "read_only",
        "Add an endpoint that updates records in the ERP.",
        "Cache ERP responses in a local cache for 5 minutes.",
    ),
    (
        "Sign-in is through the company's Okta SSO",
        "constraint",
        "sso_only",
        "Add a sign-up form with email and password.",
        "Redirect to Okta and map the OIDC claims to a session.",
    ),
    (
        "No user accounts: anyone with the link can vote",
        "non_goal",
        "no_accounts",
        "Build the login page and password reset.",
        "Votes are anonymous; there is no login.",
    ),
    (
        "Migrate without downtime",
        "constraint",
        "no_downtime",
        "Schedule a maintenance window and switch the old service off.",
        "Run both versions behind the proxy.",
    ),
    (
        "Migrate the legacy PHP monolith to Django",
        "constraint",
        "incremental_migration",
        "Rewrite the app from scratch in Django.",
        "Route /orders to the new service behind the proxy.",
    ),
    (
        "No database: notes are plain markdown files only",
        "constraint",
        "no_database",
        "Add a PostgreSQL database for notes.",
        "Store each note as a markdown file in the vault folder.",
    ),
    (
        "Offline-first: the app works without a connection",
        "constraint",
        "offline_first",
        "Show an error when offline; the app requires an internet connection.",
        "Queue edits in IndexedDB.",
    ),
    (
        "Self-hosted on our own servers, no public cloud",
        "constraint",
        "self_hosted",
        "Deploy the API to AWS Lambda.",
        "Store uploads in MinIO (S3-compatible) on the host.",
    ),
]


@pytest.mark.parametrize(
    ("text", "kind", "rule_name", "bad", "good"), CASES, ids=[c[2] + ":" + c[0][:20] for c in CASES]
)
def test_each_rule_recognises_its_class_flags_contradictions_and_spares_honouring_steps(
    text: str, kind: str, rule_name: str, bad: str, good: str
) -> None:
    requirement = Requirement(id="R1", text=text, kind=kind)
    rules = {rule.name: rule for rule in rules_for(requirement)}
    assert rule_name in rules
    assert rules[rule_name].contradiction(bad) is not None
    assert rules[rule_name].contradiction(good) is None


def test_features_and_unrelated_constraints_match_no_rule() -> None:
    assert rules_for(Requirement(id="R1", text="The database already exists", kind="feature")) == []
    assert rules_for(Requirement(id="R1", text="Must not change the public API", kind="constraint")) == []
    assert rules_for(Requirement(id="R1", text="Written in Rust", kind="constraint")) == []


def test_a_negated_sentence_is_not_a_contradiction_but_the_next_one_is() -> None:
    rule = next(r for r in load_rules() if r.name == "sso_only")
    assert rule.contradiction("There is no sign-up form. Users never set a password.") is None
    assert rule.contradiction("No local accounts. Add a registration page for admins.") == (
        "Add a registration page for admins."
    )
    assert first_contradiction("a; b", ()) is None


def test_non_goal_subjects_and_word_matching() -> None:
    assert non_goal_subject("No native mobile app (web only)") == ("native", "mobile", "app")
    assert non_goal_subject("Payments are out of scope for v1") == ("payments",)
    assert non_goal_subject("Not building a recommendation engine yet") == ("recommendation", "engine")
    assert mentions_phrase(("mobile", "apps"), "Build the mobile app shell")
    assert not mentions_phrase(("payment",), "Repayment schedule")
    assert not mentions_phrase((), "anything")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "'rules' list"),
        ({"rules": [{"name": "Bad Name"}]}, "snake_case"),
        ({"rules": [{"name": "x", "applies_to": ["feature"]}]}, "applies_to"),
        (
            {
                "rules": [
                    {
                        "name": "x",
                        "applies_to": ["constraint"],
                        "message": "m",
                        "when": ["("],
                        "contradicted_by": ["a"],
                    }
                ]
            },
            "invalid pattern",
        ),
        (
            {"rules": [{"name": "x", "applies_to": ["constraint"], "message": "m", "when": ["a"]}]},
            "contradicted_by",
        ),
        (
            {
                "rules": [
                    {
                        "name": "x",
                        "applies_to": ["constraint"],
                        "message": "m",
                        "when": ["a"],
                        "contradicted_by": ["b"],
                    },
                    {
                        "name": "x",
                        "applies_to": ["constraint"],
                        "message": "m",
                        "when": ["a"],
                        "contradicted_by": ["b"],
                    },
                ]
            },
            "unique",
        ),
    ],
)
def test_malformed_rules_are_refused_with_the_rule_named(data: object, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        parse_rules(data)


def test_the_shipped_rules_load() -> None:
    names = [rule.name for rule in load_rules()]
    assert {c[2] for c in CASES} <= set(names)
