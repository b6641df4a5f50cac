from __future__ import annotations

import pytest

from devussy.models import ProjectBrief, Requirement
from devussy.requirements.extract import (
    context_technologies,
    extract_requirements,
    find_technologies,
    split_sentences,
)
from devussy.requirements.lexicon import lexicon


def extract(summary: str, **fields: object) -> list[Requirement]:
    return extract_requirements(ProjectBrief(name=str(fields.pop("name", "Demo")), summary=summary, **fields))


def pairs(requirements: list[Requirement]) -> list[tuple[str, str]]:
    return [(r.kind, r.text) for r in requirements]


def test_features_keep_the_users_words_and_technologies_are_integrations() -> None:
    found = pairs(extract("A Django web app for booking climbing gym classes with Stripe payments."))
    assert ("integration", "Django") in found
    assert ("integration", "Stripe payments") in found
    assert ("feature", "Booking climbing gym classes with Stripe payments") in found


def test_ids_follow_brief_order_and_existing_ids_are_kept() -> None:
    stated = Requirement(id="R7", text="Members vote on proposals", kind="feature", source="interview")
    brief = ProjectBrief(
        name="Quorum",
        summary="Members vote on proposals and get reminders before votes close. Next.js.",
        requirements=[stated],
    )
    found = extract_requirements(brief)
    assert found[0] == stated
    assert [r.id for r in found[1:]] == ["R8", "R9"]
    assert [r.text for r in found[1:]] == ["Get reminders before votes close", "Next.js"]
    assert all(r.source == "brief" for r in found[1:])


@pytest.mark.parametrize(
    ("summary", "kind", "text"),
    [
        ("Sign-in only through the Okta SSO.", "constraint", "Sign-in only through the Okta SSO"),
        ("It must never write to the database.", "constraint", "Must never write to the database"),
        ("Data stays on the device.", "constraint", "Data stays on the device"),
        ("Do not change the schema.", "constraint", "Do not change the schema"),
        ("No accounts.", "non_goal", "No accounts"),
        ("No online features.", "non_goal", "No online features"),
        ("Works offline.", "constraint", "Works offline"),
        ("Patient records are GDPR-compliant.", "quality", "Patient records are GDPR-compliant"),
        ("Pages load in under 200 ms.", "quality", "Pages load in under 200 ms"),
    ],
)
def test_constraints_non_goals_and_quality_targets(summary: str, kind: str, text: str) -> None:
    assert (kind, text) in pairs(extract(summary))


def test_negations_joined_by_and_are_separate_requirements() -> None:
    found = pairs(extract("A Go CLI that lints OpenAPI specs. No database and no network access."))
    assert ("non_goal", "No database") in found
    assert ("constraint", "No network access") in found  # offline_first applies to constraints only


def test_without_losing_something_is_a_constraint() -> None:
    assert ("constraint", "Without losing writes") in pairs(extract("Move the data without losing writes."))


def test_a_constraint_phrase_leaves_the_features_of_its_clause() -> None:
    found = pairs(extract("Train a model weekly on our existing Snowflake customer tables."))
    assert ("constraint", "Our existing Snowflake customer tables") in found
    assert ("feature", "Train a model weekly") in found
    assert ("integration", "Snowflake") in found


def test_the_work_of_a_migration_is_a_feature_and_its_limits_constraints() -> None:
    found = pairs(extract("Migrate our legacy PHP monolith to a Spring Boot service without downtime."))
    assert ("feature", "Migrate our legacy PHP monolith to a Spring Boot service") in found
    assert ("constraint", "Without downtime") in found


def test_unknown_technologies_are_found_by_their_capitals() -> None:
    summary = "A dashboard that imports activities from the Garmin Connect API and Strava. Pay with Adyen."
    found = pairs(extract(summary))
    assert ("integration", "Garmin Connect API") in found
    assert ("integration", "Strava") in found
    # Paying is something users do (a feature); Adyen is the service it goes through.
    assert ("feature", "Pay with Adyen") in found and ("integration", "Adyen") in found
    assert ("feature", "Imports activities from the Garmin Connect API and Strava") in found


def test_domain_names_and_acronyms_are_not_technologies() -> None:
    summary = (
        "A Kubernetes operator with a BackupSchedule custom resource that exports CSV and JSON via the API."
    )
    found = pairs(extract(summary))
    integrations = [text for kind, text in found if kind == "integration"]
    assert integrations == ["Kubernetes"]


def test_sentence_initial_words_are_not_technologies_but_names_are() -> None:
    assert find_technologies("Members book classes.", lexicon()) == []
    names = [t.name for t in find_technologies("HealthKit data and Go code.", lexicon())]
    assert names == ["HealthKit", "Go"]


def test_lower_case_names_come_from_the_lexicon() -> None:
    found = pairs(extract("an api on postgres and kafka, deployed with docker"))
    assert [text for kind, text in found if kind == "integration"] == ["PostgreSQL", "Kafka", "Docker"]


def test_audience_is_dropped_and_purpose_kept() -> None:
    found = pairs(extract("A web dashboard for running coaches that computes weekly training load."))
    assert found == [("feature", "Computes weekly training load")]
    found = pairs(extract("An offline-first app for field biologists to record bird sightings."))
    assert ("feature", "Record bird sightings") in found


def test_verbs_split_features_but_shared_objects_do_not() -> None:
    found = pairs(extract("An iOS app that reads daily step counts and workouts and shows weekly trends."))
    assert ("feature", "Reads daily step counts and workouts") in found
    assert ("feature", "Shows weekly trends") in found
    found = pairs(extract("A library that validates and formats phone numbers."))
    assert found == [("feature", "Validates and formats phone numbers")]


def test_a_list_splits_at_its_last_and() -> None:
    summary = (
        "A 2D platformer in Godot with ten levels, collectible coins, a boss fight and a high-score table."
    )
    found = pairs(extract(summary))
    features = [text for kind, text in found if kind == "feature"]
    assert features == ["Ten levels", "Collectible coins", "Boss fight", "High-score table"]


def test_structured_fields_and_deployment_become_integrations_once() -> None:
    found = pairs(
        extract(
            "An internal API for timesheets on Postgres.",
            frameworks=["ASP.NET Core"],
            data_stores=["postgres", "SQL Server"],
            integrations=["BambooHR"],
            deployment="Azure App Service",
        )
    )
    integrations = [text for kind, text in found if kind == "integration"]
    expected = ["Postgres", "ASP.NET Core", "SQL Server", "BambooHR", "Deployed on Azure App Service"]
    assert integrations == expected


def test_goals_and_constraints_fields_are_read() -> None:
    found = pairs(
        extract(
            "A booking app for yoga classes.",
            goals=["Launch to 50 studios", "Waitlists for full classes"],
            constraints=["Must run on our own servers", "No mobile app"],
        )
    )
    assert ("quality", "Launch to 50 studios") in found
    assert ("feature", "Waitlists for full classes") in found
    assert ("constraint", "Must run on our own servers") in found
    assert ("non_goal", "No mobile app") in found


def test_a_bare_product_noun_phrase_is_the_feature_when_nothing_else_is() -> None:
    assert pairs(extract("A recipe sharing website.")) == [("feature", "Recipe sharing website")]
    assert extract("An app.") == []


def test_examples_in_parentheses_are_not_requirements() -> None:
    found = pairs(extract('A Python library for parsing physical units (for example "5 km/h" to m/s).'))
    assert [text for kind, text in found if kind == "feature"] == ["Parsing physical units"]


def test_sentences_do_not_break_after_abbreviations() -> None:
    assert [s for _, s in split_sentences("Import files, e.g. CSV. Then export.")] == [
        "Import files, e.g. CSV.",
        "Then export.",
    ]


def test_output_is_deterministic_and_within_the_model_limits() -> None:
    summary = "A platform that " + ", ".join(f"handles workflow number {n}" for n in range(300)) + "."
    first = extract(summary)
    assert first == extract(summary)
    assert len(first) == 100  # MAX_REQUIREMENTS
    assert all(len(r.text) <= 300 for r in first)


def test_a_verbs_listed_objects_with_their_destination_are_one_feature() -> None:
    found = pairs(
        extract(
            "A Python CLI that watches a folder of scanned receipts, OCRs them with Tesseract, and appends "
            "the date, vendor and total to a Google Sheet."
        )
    )
    assert ("feature", "Appends the date, vendor and total to a Google Sheet") in found
    assert ("integration", "Google Sheet") in found
    assert not [text for _, text in found if text.startswith(("OCRs", "Vendor", "Total"))][1:]
    assert ("integration", "Tesseract") in found  # "OCRs" (a plural acronym) is no technology
    lists = pairs(extract("An app with a markdown editor, tags, full-text search and sync to Dropbox."))
    assert ("feature", "Tags") in lists  # a list of things (no verb before it) still splits


def test_the_stack_phrase_names_the_language_not_how_it_is_written() -> None:
    found = pairs(extract("A Slack bot written in Go that posts the rota every Monday."))
    assert ("integration", "Go") in found
    found = pairs(extract("A platformer in Unity (C#) for PC with 3 worlds, coins and a boss per world."))
    assert ("integration", "C#") in found
    assert not [text for _, text in found if ")" in text]


def test_third_person_context_and_who_it_is_built_for_are_not_features() -> None:
    found = pairs(
        extract(
            "My mum teaches piano and keeps her student list in a notebook. I want to build her something "
            "simple to see which students have paid for the month. She's not techy. She only uses an iPad."
        )
    )
    assert found == [
        ("feature", "See which students have paid for the month"),
        ("constraint", "She only uses an iPad"),
    ]


@pytest.mark.parametrize(
    ("summary", "text"),
    [
        ("A CLI that renames photos. Runs on my laptop only.", "Runs on my laptop only"),
        ("Recipe manager with meal planning, single user.", "Single user"),
        ("An iOS app where members log climbs. Sign in with Apple only.", "Sign in with Apple only"),
    ],
)
def test_where_it_runs_and_who_signs_in_are_constraints(summary: str, text: str) -> None:
    assert ("constraint", text) in pairs(extract(summary))


@pytest.mark.parametrize(
    ("summary", "text"),
    [
        (
            "A Flask app for booking the rotavator. "
            "Members already sign in with their society Google accounts.",
            "Members already sign in with their society Google accounts",
        ),
        ("A leave planner for the office. Staff log in with Okta.", "Staff log in with Okta"),
    ],
)
def test_an_existing_sign_in_is_a_given_sso_constraint_and_its_provider_an_integration(
    summary: str, text: str
) -> None:
    found = pairs(extract(summary))
    assert ("constraint", text) in found
    assert not [t for k, t in found if k == "feature" and "sign in" in t.lower()]
    assert any(k == "integration" and ("Google" in t or "Okta" in t) for k, t in found)


@pytest.mark.parametrize(
    ("summary", "text"),
    [
        (
            "A Go CLI that prints the slowest endpoints. "
            "Must handle 5 GB of logs in under a minute on a laptop.",
            "Must handle 5 GB of logs in under a minute on a laptop",
        ),
        ("A REST API for quotes. p95 under 200 ms.", "P95 under 200 ms"),
        (
            "A Python service that counts birds on camera. It works on a 2 GB Raspberry Pi.",
            "Works on a 2 GB Raspberry Pi",
        ),
        ("A Rust CLI that converts images. Cold start under 50 ms.", "Cold start under 50 ms"),
    ],
)
def test_performance_size_and_hardware_targets_are_quality(summary: str, text: str) -> None:
    found = pairs(extract(summary))
    assert ("quality", text) in found, found
    assert not [t for k, t in found if k in ("feature", "constraint") and t == text]


@pytest.mark.parametrize(
    ("summary", "context"),
    [
        ("A Go CLI that reads our nginx access logs and prints the slowest endpoints.", "Nginx"),
        (
            "We run a Postgres database of orders that a legacy PHP app writes to. "
            "Build a Next.js dashboard.",
            "PHP",
        ),
        ("A Django app that imports data from our Rails monolith every night.", "Rails"),
        ("A Python script that totals a CSV exported from Salesforce every Friday.", "Salesforce"),
    ],
)
def test_a_technology_that_is_the_source_or_format_of_the_data_is_no_integration(
    summary: str, context: str
) -> None:
    found = pairs(extract(summary))
    assert not [t for k, t in found if k == "integration" and context in t], found


def test_services_the_product_calls_and_systems_it_replaces_stay_integrations() -> None:
    assert ("integration", "Kafka") in pairs(extract("A Go service that reads events from Kafka."))
    found = pairs(extract("Split the orders tables out of our Rails monolith's MySQL database."))
    assert any(k == "integration" and t.startswith("Rails") for k, t in found), found
    assert [
        (c.name, c.role) for c in context_technologies("Migrate our legacy PHP monolith to Spring Boot.")
    ] == [("PHP", "legacy")]


def test_a_list_after_showing_or_with_is_one_feature_per_item_and_read_only_a_constraint_apart() -> None:
    found = pairs(
        extract(
            "Build a read-only internal dashboard in Next.js showing daily revenue, refunds and top "
            "products, with sign-in through our Okta SSO."
        )
    )
    assert ("constraint", "Read-only internal dashboard") in found
    for item in ("Show daily revenue", "Show refunds", "Show top products"):
        assert ("feature", item) in found
    assert ("constraint", "Sign-in through our Okta SSO") in found
    found = pairs(extract("A Django app for our climbing gym with waitlists, reminders and reviews."))
    assert [t for k, t in found if k == "feature"] == ["Waitlists", "Reminders", "Reviews"]
    found = pairs(extract("A dashboard with charts such as weekly signups, churn and revenue per plan."))
    assert {"Weekly signups", "Churn", "Revenue per plan"} <= {t for k, t in found if k == "feature"}


def test_an_order_to_build_names_the_product_like_its_head() -> None:
    assert pairs(extract("Create a Svelte site listing upcoming gigs and venues.")) == [
        ("integration", "Svelte"),
        ("feature", "List upcoming gigs"),
        ("feature", "List venues"),
    ]
    assert pairs(extract("Write a Rust CLI that converts markdown to HTML.")) == [
        ("integration", "Rust"),
        ("feature", "Converts markdown to HTML"),
    ]


def test_givens_looks_and_phrases_found_on_unseen_briefs() -> None:
    found = pairs(extract("A Rails app where parents search items by date and colour."))
    assert ("feature", "Parents search items by date and colour") in found
    found = pairs(
        extract("A read-only Grafana-style status page in SvelteKit that shows uptime and latency.")
    )
    assert not [t for k, t in found if k == "integration" and "Grafana" in t]
    assert ("feature", "Show uptime") in found
    assert ("constraint", "Visitors do not sign in") in pairs(
        extract("A status page. Visitors do not sign in.")
    )
    found = pairs(
        extract("A Flutter app for booking classes. Members already have accounts in our Mindbody system.")
    )
    assert ("constraint", "Members already have accounts in our Mindbody system") in found
    found = pairs(extract("We have Apache access logs. Build a Rust tool that detects bots by request rate."))
    assert found == [("integration", "Rust"), ("feature", "Detects bots by request rate")]
    assert ("quality", "Runs on phones with 2 GB of RAM") in pairs(
        extract("An Android app for notes. It runs on phones with 2 GB of RAM.")
    )


def test_a_technology_a_listed_integration_already_names_is_not_added_again() -> None:
    listed = [Requirement(id="R1", text="Stripe payments", kind="integration")]
    brief = ProjectBrief(name="Gym", summary="Add Stripe refunds for cancelled classes", requirements=listed)
    found = extract_requirements(brief, source="interview")
    assert [r.text for r in found if r.kind == "integration"] == ["Stripe payments"]
    assert len(found) == 2


def test_an_existing_api_we_call_is_a_legacy_system_and_an_integration() -> None:
    text = "An iOS app in Swift that uploads receipts to our existing Laravel REST API."
    assert [(c.name, c.role) for c in context_technologies(text)] == [("Laravel", "legacy")]
    assert ("integration", "Laravel") in pairs(extract(text))
    # a public API named as a data source is still a service to integrate with
    assert ("integration", "Strava API") in pairs(extract("A web app that pulls runs from the Strava API."))


def test_an_audience_after_the_stack_is_neither_part_of_its_name_nor_a_feature() -> None:
    found = pairs(
        extract("A desktop app in Rust for amateur astronomers: log observations and plan sessions.")
    )
    assert found == [("integration", "Rust"), ("feature", "Log observations"), ("feature", "Plan sessions")]
    assert ("integration", "Stripe for payments") in pairs(extract("A shop that uses Stripe for payments."))


def test_existing_accounts_retention_and_offline_are_limits_not_features() -> None:
    found = pairs(
        extract("A scheduling app. Nurses sign in with the accounts they already have on the intranet.")
    )
    assert ("constraint", "Nurses sign in with the accounts they already have on the intranet") in found
    found = pairs(extract("A voice memo app. Don't keep recordings on the server longer than 30 days."))
    assert ("constraint", "Don't keep recordings on the server longer than 30 days") in found
    found = pairs(extract("A hiking app: track the route with GPS and a photo while offline."))
    assert ("feature", "Track the route with GPS and a photo") in found
    assert ("constraint", "Works while offline") in found


def test_todays_world_is_context_and_coverage_targets_are_quality() -> None:
    found = pairs(
        extract("Our sales team tracks leads in HubSpot. Build a CLI that exports weekly deal totals to CSV.")
    )
    assert not [t for k, t in found if k == "feature" and "tracks leads" in t.lower()]
    assert ("integration", "HubSpot") in found
    found = pairs(extract("A Go package that parses cron expressions, with 95% test coverage."))
    assert ("quality", "95% test coverage") in found


def test_an_unknown_name_that_qualifies_a_domain_noun_is_no_integration_unless_used_as_a_service() -> None:
    found = pairs(extract("A web app that plots Met Office rainfall readings per county."))
    assert found == [("feature", "Plots Met Office rainfall readings per county")]
    found = pairs(extract("A web app that pulls Met Office rainfall readings from its API."))
    assert ("integration", "Met Office") in found
    # a system ("our Acme monolith") or the subject of a verb ("Looker already reads ...") stays a name
    assert ("integration", "Acme") in pairs(
        extract("Split billing out of our Acme monolith into its own service.")
    )
    assert ("integration", "Looker") in pairs(
        extract("A dbt project, no new dashboards: Looker already reads the tables.")
    )


def test_two_listed_quality_targets_are_two_requirements() -> None:
    found = pairs(extract("A Go package for dates. Ships with full type hints and 90% branch coverage."))
    assert ("quality", "Full type hints") in found
    assert ("quality", "90% branch coverage") in found


def test_general_words_are_not_integrations_and_a_crate_is_the_product() -> None:
    found = pairs(extract("An app that uploads scans when back on Wi-Fi."))
    assert not [t for k, t in found if k == "integration"]
    found = pairs(extract("A Rust crate that parses weather station observations, with full docs."))
    assert ("feature", "Parses weather station observations") in found
    assert ("quality", "Full docs") in found


@pytest.mark.parametrize(
    ("summary", "feature", "replaced"),
    [
        (
            "Replace the cron scripts on our single VPS with a small Go service that takes nightly backups "
            "of our MySQL database to S3, keeps 30 daily copies, and restores a chosen backup with one "
            "command.",
            "Takes nightly backups of our MySQL database to S3",
            "Replaces the cron scripts on our single VPS",
        ),
        (
            "Replace our shared spreadsheet with a small web app where volunteers sign up for shifts.",
            "Volunteers sign up for shifts",
            "Replaces our shared spreadsheet",
        ),
    ],
)
def test_what_a_product_replaces_is_context_and_the_features_are_what_it_does(
    summary: str, feature: str, replaced: str
) -> None:
    found = pairs(extract(summary))
    assert ("feature", feature) in found, found
    assert ("constraint", replaced) in found, found
    assert not any(kind == "feature" and text.startswith("Replace") for kind, text in found), found


@pytest.mark.parametrize(
    ("summary", "site"),
    [
        (
            "A Chrome extension that shows prices on Amazon product pages in the user's local currency.",
            "Amazon",
        ),
        ("A Firefox add-on that hides promoted posts on LinkedIn feed pages.", "LinkedIn"),
    ],
)
def test_the_site_a_browser_extension_runs_on_is_no_integration(summary: str, site: str) -> None:
    found = pairs(extract(summary))
    assert ("integration", site) not in found, found
    assert any(kind == "feature" and site in text for kind, text in found), found


def test_a_service_a_product_posts_to_pages_of_stays_an_integration() -> None:
    found = pairs(extract("A scheduler that publishes our posts on Facebook pages every morning."))
    assert ("integration", "Facebook") in found, found
