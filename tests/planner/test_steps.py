"""The plan-wide step assignment: steps from requirements, constraints applied, covers and dependencies."""

from __future__ import annotations

import re

import pytest

from devussy.models import DevPlan, ProjectBrief, Requirement, Step
from devussy.planner import OfflinePlanner
from devussy.planner.commands import command_problems
from devussy.planner.engine import _basis_for_plan, _steps_for
from devussy.planner.generated import UNKNOWN_MARK
from devussy.requirements import check_coverage


def detailed(brief: ProjectBrief) -> DevPlan:
    planner = OfflinePlanner()
    plan = planner.basic_plan(planner.design(brief))
    for phase in plan.phases:
        plan = plan.with_phase(planner.phase_detail(plan, phase.number))
    return plan


def steps(plan: DevPlan) -> list[Step]:
    return [s for p in plan.phases for s in p.steps]


def text(plan: DevPlan) -> str:
    return "\n".join(f"{s.title}\n{s.details}\n{' '.join(s.acceptance_criteria)}" for s in steps(plan))


CLASSES = ProjectBrief(
    name="Crux Classes",
    summary=(
        "A Django web app for booking climbing gym classes with Stripe payments. Members see the weekly "
        "class "
        "schedule, book a spot, and get a waitlist place when a class is full. Instructors mark attendance."
    ),
)


def test_every_step_covers_requirements_and_every_requirement_is_covered() -> None:
    plan = detailed(CLASSES)
    report = check_coverage(plan)
    assert report.ok and not report.gaps and not report.violations
    assert all(s.covers and s.acceptance_criteria and s.test_command for s in steps(plan))
    assert all(p.requirements for p in plan.phases)


def test_steps_use_the_briefs_words_not_a_guessed_entity() -> None:
    plan = detailed(CLASSES)
    titles = [s.title for s in steps(plan)]
    assert "Book climbing gym classes without double-booking" in titles
    assert "Members see the weekly class schedule" in titles or any(
        "weekly class schedule" in t for t in titles
    )
    assert any(t.startswith("Waitlist:") for t in titles)
    assert any(t.startswith("Attendance:") for t in titles)
    assert not re.search(r"\bOrders?\b", text(plan))


def test_test_commands_run_a_named_test_and_the_step_says_where_it_lives() -> None:
    plan = detailed(CLASSES)
    waitlist = next(s for s in steps(plan) if s.title.startswith("Waitlist:"))
    assert waitlist.test_command == "pytest tests/test_waitlist.py"
    assert "`tests/test_waitlist.py`" in waitlist.details
    assert all(not command_problems(s.test_command or "") for s in steps(plan))


def test_no_step_is_repeated_across_phases() -> None:
    titles = [s.title.lower() for s in steps(detailed(CLASSES))]
    assert len(titles) == len(set(titles))


def test_steps_depend_on_what_they_build_on_not_the_previous_line() -> None:
    plan = detailed(CLASSES)
    for phase in plan.phases:
        ids = [s.id for s in phase.steps]
        for index, step in enumerate(phase.steps):
            assert set(step.depends_on) <= set(ids[:index])
    independent = [s for p in plan.phases for s in p.steps[1:] if not s.depends_on]
    chained = [
        s for p in plan.phases for i, s in enumerate(p.steps[1:], 1) if s.depends_on == [p.steps[i - 1].id]
    ]
    assert independent, "some steps of a phase can start at once"
    assert len(chained) < len([s for p in plan.phases for s in p.steps[1:]])


EXISTING_DB = ProjectBrief(
    name="Sales Lens",
    summary=(
        "A read-only reporting dashboard over our existing MySQL order database: sales by region, top "
        "products, "
        "and a daily email summary for the sales team. It must never write to the database."
    ),
)


def test_an_existing_read_only_database_is_introspected_never_migrated() -> None:
    plan = detailed(EXISTING_DB)
    body = text(plan)
    assert "Map the existing MySQL tables the features read" in [s.title for s in steps(plan)]
    assert "makemigrations" not in body and "Schema migrations" not in body
    assert not any(s.title.startswith("Form validation") for s in steps(plan))
    assert check_coverage(plan).violations == []


def test_sso_means_no_sign_up_and_no_passwords() -> None:
    brief = ProjectBrief(
        name="Expensa",
        summary=(
            "An expense approval portal: employees submit expenses with receipt photos and managers approve "
            "or "
            "reject. Sign-in only through the company's Okta SSO. FastAPI and React."
        ),
    )
    plan = detailed(brief)
    titles = [s.title for s in steps(plan)]
    assert any(t.startswith("Single sign-on through ") for t in titles)
    assert not any(re.search(r"sign[- ]?up|register|password reset|recovery", t, re.I) for t in titles)
    assert check_coverage(plan).violations == []
    assert any(t.startswith("Spike: Okta") for t in titles)


def test_no_accounts_means_no_sign_in_phase() -> None:
    brief = ProjectBrief(
        name="Step Story",
        summary=(
            "An iOS app in SwiftUI that shows weekly trends of my steps. Data stays on the device; no "
            "accounts."
        ),
    )
    plan = detailed(brief)
    assert not any("auth" in p.title.lower() or "access control" in p.title.lower() for p in plan.phases)
    assert "PostgreSQL" not in text(plan)
    assert check_coverage(plan).violations == []


def test_a_migration_of_a_running_system_is_planned_as_a_strangler_with_cutover() -> None:
    brief = ProjectBrief(
        name="Claims Next",
        summary=(
            "Migrate our legacy PHP monolith for insurance claims to a Spring Boot service without downtime: "
            "claims intake and adjuster assignment move one at a time."
        ),
    )
    plan = detailed(brief)
    titles = [s.title for s in steps(plan)]
    assert "Routing layer in front of the running system" in titles
    assert "Cut over one capability at a time, with a rollback switch" in titles
    assert not re.search(r"greenfield|from scratch|maintenance window", text(plan), re.I)


def test_a_technology_the_knowledge_base_does_not_know_is_kept_with_a_spike() -> None:
    brief = ProjectBrief(name="Brew", summary="A React Native app to order coffee ahead and pay with Adyen.")
    plan = detailed(brief)
    spike = next(s for s in steps(plan) if s.title.startswith("Spike: Adyen"))
    integrate = next(s for s in steps(plan) if s.title.startswith("Integrate Adyen"))
    assert UNKNOWN_MARK in integrate.title and UNKNOWN_MARK in spike.details
    assert spike.id.split(".")[0] < integrate.id.split(".")[0] or spike.id < integrate.id
    adyen = next(r for r in plan.requirements if r.kind == "integration" and "Adyen" in r.text)
    assert adyen.id in spike.covers and adyen.id in integrate.covers


def test_playwright_in_a_scraper_fetches_pages_and_is_not_the_test_runner() -> None:
    brief = ProjectBrief(
        name="car-watch",
        summary=(
            "A Python scraper that uses Playwright to collect used-car listings from dealer websites every "
            "night."
        ),
    )
    plan = detailed(brief)
    titles = [s.title for s in steps(plan)]
    assert "Fetch script-rendered pages with Playwright" in titles
    assert "Playwright end-to-end tests" not in titles
    assert all("npx playwright test" not in (s.test_command or "") for s in steps(plan))
    assert not any(t.startswith("Publish the package") for t in titles)


@pytest.mark.parametrize(
    "summary",
    [
        "A Rust CLI that watches a folder and uploads new files to S3.",
        "A 2D platformer in Godot with ten levels and collectible coins.",
        "ESP32 firmware in C++ that reads soil moisture every 10 minutes.",
        "A Kubernetes operator in Go that manages PostgreSQL backup schedules.",
        "An Android app in Kotlin that scans NFC tags on warehouse shelves.",
    ],
)
def test_a_cli_game_firmware_operator_or_mobile_app_gets_no_server_database(summary: str) -> None:
    plan = detailed(ProjectBrief(name="thing", summary=summary))
    assert not any(p.title.startswith("Data model") for p in plan.phases)
    assert not re.search(r"Schema migrations|psql|Data-access layer", text(plan))


def test_a_step_that_would_contradict_a_constraint_is_left_out_and_recorded() -> None:
    brief = ProjectBrief(
        name="Lens",
        summary=(
            "A read-only dashboard over our existing Postgres database that shows sales by region, in Django."
        ),
    )
    planner = OfflinePlanner()
    plan = planner.basic_plan(planner.design(brief))
    basis, _ = _basis_for_plan(plan)
    assignment = _steps_for(basis, plan.phases)
    assert all(rule in {"existing_database", "read_only"} for _, _, rule in assignment.dropped)
    final = detailed(brief)
    assert check_coverage(final).violations == []


def test_a_core_phases_requirements_line_says_which_features_it_builds() -> None:
    planner = OfflinePlanner()
    plan = planner.basic_plan(planner.design(CLASSES))
    cores = [p for p in plan.phases if p.title.startswith("Core features")]
    assert len(cores) >= 2
    first, second = cores[0], cores[1]
    moved = second.requirements[0]
    edited = plan.with_phase(first.model_copy(update={"requirements": [*first.requirements, moved]}))
    edited = edited.with_phase(
        second.model_copy(update={"requirements": second.requirements[1:] or second.requirements})
    )
    covered_first = {r for s in planner.phase_detail(edited, first.number).steps for r in s.covers}
    assert moved in covered_first


def test_a_go_cli_with_cobra_defines_its_interface_once() -> None:
    plan = detailed(
        ProjectBrief(
            name="slowlog", summary="Command-line tool in Go with Cobra that prints the slowest endpoints."
        )
    )
    titles = [s.title for s in steps(plan)]
    assert "Command-line interface with Cobra" in titles
    assert "Define the command-line interface" not in titles


@pytest.mark.parametrize(
    ("summary", "has_profiles"),
    [
        ("A Flask web app where members sign in and book the shared trailer by the half day.", False),
        ("A Flask web app where members sign in, book the shared trailer and edit their profiles.", True),
    ],
)
def test_profiles_and_account_deletion_only_when_the_brief_asks(summary: str, has_profiles: bool) -> None:
    plan = detailed(ProjectBrief(name="Trailer", summary=summary))
    assert any("profile" in s.title.lower() for s in steps(plan)) is has_profiles
    assert "built-in authentication" not in text(plan)  # Flask has none


def test_a_server_rendered_app_over_an_existing_database_gets_no_offline_states_or_compose() -> None:
    plan = detailed(
        ProjectBrief(
            name="Dash",
            summary=(
                "A read-only internal dashboard in Next.js over our existing Postgres database, "
                "deployed with Docker, listing late orders."
            ),
        )
    )
    titles = " | ".join(s.title for s in steps(plan))
    assert "offline" not in titles.lower() and "Docker Compose" not in titles


def test_a_feature_that_states_a_size_and_a_time_gets_a_benchmark_not_a_restated_step() -> None:
    plan = detailed(
        ProjectBrief(
            name="slowlog",
            summary=(
                "Command-line tool in Go that reads our nginx access logs (gzip rotated files too), and "
                "prints the top 20 slowest endpoints with p50/p95 latency. Must handle 5 GB of logs in under "
                "a minute on a laptop. No external services."
            ),
        )
    )
    titles = [s.title for s in steps(plan)]
    assert "Benchmark: handle 5 GB of logs in under a minute on a laptop" in titles
    assert not any(t.startswith("Handle 5 GB") for t in titles)
    assert not any("Nginx" in t and ("Spike" in t or "Integrate" in t or "credentials" in t) for t in titles)
    assert check_coverage(plan).ok  # the benchmark covers the target, the log reader covers "Nginx"


def test_one_sentence_asking_for_several_features_gives_each_its_own_part() -> None:
    plan = detailed(
        ProjectBrief(
            name="Shelf",
            summary=(
                "An internal web tool where the warehouse team scans a barcode with the laptop webcam to "
                "look up a SKU in our existing Odoo ERP (read-only), and prints shelf labels."
            ),
        )
    )
    titles = [s.title for s in steps(plan)]
    assert "Scanning: scan a barcode" in titles and "Search: look up a SKU" in titles
    assert not any(t.startswith("Stock:") for t in titles)  # a read-only lookup moves no stock


def test_people_who_already_sign_in_with_an_identity_provider_get_single_sign_on_through_it() -> None:
    plan = detailed(
        ProjectBrief(
            name="Rotavator",
            summary=(
                "A small Flask app where members book the shared rotavator by the half day. Members already "
                "sign in with their society Google accounts."
            ),
        )
    )
    titles = [s.title for s in steps(plan)]
    assert "Single sign-on through Google" in titles
    assert not any(t.startswith("Sign-in and sign-out") for t in titles)


@pytest.mark.parametrize(
    ("summary", "compose"),
    [
        ("A Django web app where members book rooms, stored in Postgres, run with Docker.", True),
        (
            "A Django web app where members book rooms, stored in Postgres, on our Kubernetes cluster.",
            False,
        ),
    ],
)
def test_docker_compose_only_when_the_brief_chooses_containers(summary: str, compose: bool) -> None:
    plan = detailed(ProjectBrief(name="Rooms", summary=summary))
    assert any(s.title == "Docker Compose for local dependencies" for s in steps(plan)) is compose


NIGHTLY_EXPORT = (
    "Build a nightly job in Python that exports yesterday's Zendesk tickets to our Snowflake warehouse. "
    "Alert in Slack if the job fails."
)


@pytest.mark.parametrize(
    "summary",
    [
        NIGHTLY_EXPORT,
        "A daily sync job that copies new Shopify orders into our BigQuery warehouse; notify Discord when it "
        "fails.",
    ],
)
def test_a_scheduled_job_is_scheduled_and_rerun_not_served(summary: str) -> None:
    plan = detailed(ProjectBrief(name="Nightly Export", summary=summary))
    titles = [s.title for s in steps(plan)]
    joined = "\n".join(titles)
    for served in (
        "API contract",
        "Input validation",
        "over HTTPS",
        "Data model:",
        "Schema migrations",
        "smoke-test",
    ):
        assert served not in joined, (served, titles)
    assert any(t.startswith("Schedule Nightly Export") for t in titles), titles
    assert any(t.startswith("Re-run and backfill") for t in titles), titles
    assert any(t.startswith("End-to-end run of") for t in titles), titles


def test_a_chat_platform_that_only_receives_alerts_gets_an_incoming_webhook_not_an_app() -> None:
    titles = [s.title for s in steps(detailed(ProjectBrief(name="Nightly Export", summary=NIGHTLY_EXPORT)))]
    assert "Alerts to Slack through an incoming webhook" in titles
    assert any(t.startswith("Settings from the environment") and "Slack webhook URL" in t for t in titles), (
        titles
    )
    assert not any("signed requests" in t or t.startswith("Adapters for Slack") for t in titles), titles
    bot = "A Slack bot in Python that answers /standup commands and posts a summary every morning."
    bot_titles = [s.title for s in steps(detailed(ProjectBrief(name="Standup", summary=bot)))]
    assert not any("incoming webhook" in t for t in bot_titles), bot_titles


def test_exporting_asks_for_no_import() -> None:
    titles = [s.title for s in steps(detailed(ProjectBrief(name="Nightly Export", summary=NIGHTLY_EXPORT)))]
    assert any(t.startswith("Export: ") for t in titles), titles
    assert not any("import" in t.lower() for t in titles), titles
    both = "A Flask web app where the shop manager can import and export the product list as CSV."
    both_titles = [s.title for s in steps(detailed(ProjectBrief(name="Shop", summary=both)))]
    assert any(t.startswith("Export and import: ") for t in both_titles), both_titles
    assert not any(t.startswith("Export: ") for t in both_titles), both_titles


def test_a_library_gets_property_tests_and_api_docs_not_journeys_or_a_security_review() -> None:
    summary = "A Rust crate that parses and validates IBAN bank account numbers, published to crates.io."
    titles = [s.title for s in steps(detailed(ProjectBrief(name="Iban Check", summary=summary)))]
    assert not any("main journeys" in t or t.startswith("Security review") for t in titles), titles
    assert any(t.startswith("Property-based and edge-case tests") for t in titles), titles
    assert "API reference for Iban Check with runnable examples" in titles


def test_a_model_the_product_runs_itself_is_chosen_and_evaluated_where_it_runs() -> None:
    summary = (
        "A Flask app where staff upload support emails, and a small local model tags each email with a "
        "category. Emails must not be sent to any external AI service."
    )
    titles = [s.title for s in steps(detailed(ProjectBrief(name="Mail Sorter", summary=summary)))]
    assert any(t.startswith("Choose the local model and evaluate it where it runs") for t in titles), titles
    assert not any(t.startswith("Tags: ") for t in titles), titles  # the model tags; people do not


def _detailed_with(brief: ProjectBrief, requirements: list[Requirement]) -> DevPlan:
    planner = OfflinePlanner()
    plan = planner.basic_plan(planner.design(brief)).model_copy(update={"requirements": requirements})
    for phase in plan.phases:
        plan = plan.with_phase(planner.phase_detail(plan, phase.number))
    return plan


def test_a_step_added_for_a_quality_requirement_cites_it() -> None:
    brief = ProjectBrief(name="Durations", summary="A Python library that parses ISO 8601 durations.")
    requirements = [
        Requirement(id="R1", text="Parse ISO 8601 durations", kind="feature", source="brief"),
        Requirement(id="R2", text="95% branch coverage", kind="quality", source="brief"),
    ]
    plan = _detailed_with(brief, requirements)
    checks = [s for s in steps(plan) if "95% branch coverage" in s.title]
    assert checks and all("R2" in s.covers for s in checks), [(s.title, s.covers) for s in checks]
    assert "coverage report" in checks[0].details


def test_a_code_quality_level_listed_as_a_feature_gets_a_check_not_a_feature_step() -> None:
    brief = ProjectBrief(name="Durations", summary="A Python library that parses ISO 8601 durations.")
    requirements = [
        Requirement(id="R1", text="Parse ISO 8601 durations", kind="feature", source="brief"),
        Requirement(id="R2", text="100% test coverage", kind="feature", source="brief"),
    ]
    titles = {s.title: s.covers for s in steps(_detailed_with(brief, requirements))}
    assert "100% test coverage" not in titles
    assert "R2" in titles.get("Meet the target: 100% test coverage", []), titles


def test_publishing_the_product_is_its_release_step_not_a_feature() -> None:
    summary = "A TypeScript library that formats UK phone numbers for display. Publish it to npm."
    plan = detailed(ProjectBrief(name="Phone Format", summary=summary))
    publishing = [s.title for s in steps(plan) if s.title.startswith("Publish")]
    assert len(publishing) == 1 and "npm" in publishing[0], publishing
    ship = next(r.id for r in plan.requirements if r.text.startswith("Publish it"))
    assert any(ship in s.covers for s in steps(plan) if s.title.startswith("Publish"))


def test_a_feature_word_inside_a_proper_noun_names_no_feature() -> None:
    summary = (
        "A Python CLI that converts Ordnance Survey grid references in a CSV file to latitude and longitude."
    )
    titles = [s.title for s in steps(detailed(ProjectBrief(name="Grid Convert", summary=summary)))]
    assert not any(t.startswith("Surveys") or "survey responses" in t.lower() for t in titles), titles


@pytest.mark.parametrize(
    ("summary", "server"),
    [
        (
            "An iPhone app in Swift where club members log training sessions offline and sync them to our "
            "existing Ruby on Rails API.",
            "Rails",
        ),
        (
            "A Chrome extension that saves the page you are reading to the existing Laravel backend of our "
            "reading-list site.",
            "Laravel",
        ),
    ],
)
def test_a_client_of_an_existing_server_does_not_build_that_server(summary: str, server: str) -> None:
    plan = detailed(ProjectBrief(name="Client", summary=summary))
    titles = [s.title for s in steps(plan)]
    assert not any(server in t for t in titles), titles
    design = OfflinePlanner().design(ProjectBrief(name="Client", summary=summary))
    assert not any(server in t for t in design.tech_stack), design.tech_stack


def test_notifying_the_team_in_an_alert_only_chat_is_the_webhook_not_email_preferences() -> None:
    summary = (
        "A weekly export in Python of our Trello cards to a CSV file. Notify the team in Slack when the "
        "export is ready."
    )
    plan = detailed(ProjectBrief(name="Cards Export", summary=summary))
    titles = [s.title for s in steps(plan)]
    assert not any(t.startswith(("Deliver notifications", "Notification rules")) for t in titles), titles
    notify = next(r.id for r in plan.requirements if r.text.startswith("Notify"))
    webhook = next(s for s in steps(plan) if s.title == "Alerts to Slack through an incoming webhook")
    assert notify in webhook.covers


def test_a_feature_that_forbids_something_is_a_limit_to_enforce_not_the_action_it_forbids() -> None:
    brief = ProjectBrief(name="Notes", summary="A Flutter app where nurses write shift handover notes.")
    requirements = [
        Requirement(id="R1", text="Nurses write shift handover notes", kind="feature", source="brief"),
        Requirement(
            id="R2",
            text="Never store notes on the device for more than a day",
            kind="feature",
            source="brief",
        ),
    ]
    titles = {s.title: s.covers for s in steps(_detailed_with(brief, requirements))}
    assert not any(t.startswith(("Store notes", "Screen to store")) for t in titles), list(titles)
    limit = "Enforce the limit: never store notes on the device for more than a day"
    assert "R2" in titles.get(limit, []), list(titles)


def test_a_filler_never_gives_a_new_candidate_the_step_of_a_freed_one() -> None:
    """Steps are remembered by candidate id; a candidate dropped and freed must not lend its step to a
    new one that CPython places at the same address (it made plans depend on what ran before)."""
    from devussy.planner.knowledge import knowledge
    from devussy.planner.steps import _Candidate, _Filler

    planner = OfflinePlanner()
    plan = planner.basic_plan(
        planner.design(ProjectBrief(name="Recipes", summary="A recipe box web app with ingredient search"))
    )
    basis, _ = _basis_for_plan(plan)
    filler = _Filler(basis)
    template = knowledge().phases["foundation"].steps[0]
    for attempt in range(20):
        first = _Candidate(template, 0, 0, thread="a")
        assert filler.step(first, f"First {attempt}").title == f"First {attempt}"
        del first
        second = _Candidate(template, 0, 1, thread="b")
        assert filler.step(second, f"Second {attempt}").title == f"Second {attempt}"
