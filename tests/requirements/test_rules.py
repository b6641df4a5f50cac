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
    rule_classes,
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
    (
        "Patient notes must never be sent to an external API",
        "constraint",
        "no_external_processing",
        "Summarise each note with the OpenAI chat API.",
        "Summarise each note with a local model run in-process.",
    ),
    (
        "Drivers sign in with the logins they already use",
        "constraint",
        "sso_only",
        "Add a sign-up form with email and password.",
        "Call the existing auth endpoint and keep its token.",
    ),
    (
        "Records the route even when offline",
        "constraint",
        "offline_first",
        "Show an error when offline; the app requires an internet connection.",
        "Queue points in the local database.",
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


# What the review of unseen plans found unflagged: (requirement, kind, rule, steps that contradict it).
WRITE_PATHS = [
    (
        "Read-only internal dashboard",
        "constraint",
        "read_only",
        [
            "Checkout with the payment provider.",
            "The payment provider webhooks and reconciliation.",
            "Payment records: refunds and top products.",
            "Sign-up with email confirmation.",
            "Profile settings and account deletion.",
        ],
    ),
    (
        "No payments",
        "non_goal",
        "no_payments",
        [
            "Checkout with the payment provider.",
            "Payment records: bookings.",
            "Stripe webhooks and reconciliation.",
        ],
    ),
    (
        "Do not change the database schema",
        "constraint",
        "existing_database",
        ["Payment records: refunds and top products.", "Add a column for the booking status."],
    ),
    (
        "Members already sign in with their society Google accounts",
        "constraint",
        "sso_only",
        [
            "Sign-in and sign-out with Flask's built-in authentication.",
            "Profile settings and account deletion.",
        ],
    ),
    ("Staff log in with their work accounts", "constraint", "sso_only", ["Email and password login."]),
]


@pytest.mark.parametrize(
    ("text", "kind", "rule_name", "steps"), WRITE_PATHS, ids=[c[2] + ":" + c[0][:20] for c in WRITE_PATHS]
)
def test_write_paths_payments_and_local_accounts_contradict_their_constraints(
    text: str, kind: str, rule_name: str, steps: list[str]
) -> None:
    requirement = Requirement(id="R1", text=text, kind=kind)
    rule = next(r for r in rules_for(requirement) if r.name == rule_name)
    assert [s for s in steps if rule.contradiction(s) is None] == []


def test_signing_in_with_a_password_or_a_social_option_is_no_sso_given() -> None:
    for text in ("Users sign in with email and password", "Users sign in with Google or email", "Sign in"):
        assert "sso_only" not in rule_classes(text), text
    assert "no_payments" not in rule_classes("Payments through Stripe")


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
