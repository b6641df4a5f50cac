"""Plan synthesis: classifying phase titles, laying out phases, dependencies and one phase's steps."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from devussy.models import ProjectBrief, Step
from devussy.planner.analysis import Analysis, analyze_brief
from devussy.planner.knowledge import PHASE_ORDER
from devussy.planner.requirement_map import build_map
from devussy.planner.synthesis import (
    CORE_PHASE_POINTS,
    CUSTOM,
    Context,
    PhaseDraft,
    build_context,
    classify,
    clip,
    dependencies,
    layout,
    summarise,
)
from devussy.planner.synthesis import (  # aliased so pytest does not collect it as a test class
    TestCommand as Command,
)
from devussy.requirements.extract import extract_requirements

SAAS = ProjectBrief(
    name="Shop",
    summary=(
        "A SaaS web app with user accounts, payments via Stripe, email notifications via SendGrid, real-time "
        "chat and an admin dashboard, stored in PostgreSQL, built with Django and React."
    ),
)
RUST_CLI = ProjectBrief(
    name="mdconv", summary="A tiny command-line tool in Rust that converts markdown files to HTML."
)
DJANGO = ProjectBrief(
    name="Recipe Box",
    summary=(
        "A web app to share recipes with user accounts and payments via Stripe, built with Django and "
        "PostgreSQL."
    ),
)
NO_STACK = ProjectBrief(
    name="Tool Library",
    summary="A web app where neighbours lend and borrow tools, with payments for deposits.",
)


def analysis_of(brief: ProjectBrief) -> Analysis:
    return analyze_brief(brief)


def context_of(brief: ProjectBrief) -> Context:
    return build_context(
        analyze_brief(brief), brief.name, brief.deployment, build_map(extract_requirements(brief))
    )


def layout_of(brief: ProjectBrief, target: int) -> list[PhaseDraft]:
    return layout(analyze_brief(brief), target, build_map(extract_requirements(brief)))


def titles(steps: Sequence[Step]) -> list[str]:
    return [step.title for step in steps]


def step_text(steps: Sequence[Step]) -> str:
    return "\n".join("\n".join([s.title, s.details, s.test_command, *s.acceptance_criteria]) for s in steps)


def word(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.+#-])" + re.escape(name) + r"(?![\w+#])(?!\.\w)")


# -- small helpers --------------------------------------------------------------------------------


def test_test_command_formats_as_full_or_the_run_of_one_named_test() -> None:
    command = Command("pytest", "pytest tests/test_{kw}.py")
    assert f"{command}" == "pytest" and str(command) == "pytest"
    assert f"{command:Payments API}" == "pytest tests/test_payments_api.py"
    assert f"{command:--!!}" == "pytest tests/test_feature.py"  # nothing usable left: a neutral name
    assert command.target("book a spot") == "tests/test_book_a_spot.py"
    maven = Command("./mvnw test", "./mvnw test -Dtest={Kw}Test")
    assert f"{maven:book a spot}" == "./mvnw test -Dtest=BookASpotTest"
    assert maven.target("book a spot") == "BookASpotTest"
    go = Command("go test ./...", "go test ./internal/{kwf}/")
    assert f"{go:book a spot}" == "go test ./internal/bookaspot/"
    assert f"{Command('make test', None):payments}" == "make test"  # no single-test form: the full run


def test_project_names_are_quoted_for_the_shell() -> None:
    ctx = context_of(
        ProjectBrief(name="Step Story", summary="An iOS app in SwiftUI that shows weekly trends of steps.")
    )
    assert str(ctx.values["test"]).startswith("xcodebuild test -scheme 'Step Story' ")
    assert f"{ctx.values['test']:weekly trends}".endswith("-only-testing:StepStoryTests/WeeklyTrendsTests")


def test_clip_keeps_short_text_and_ends_long_text_with_an_ellipsis() -> None:
    assert clip("short") == "short"
    assert clip("x" * 500) == "x" * 500
    clipped = clip("word " * 200, 50)
    assert len(clipped) <= 50 and clipped.endswith("…") and clipped.startswith("word word")


def test_context_uses_the_front_end_toolchain_for_ui_text() -> None:
    ctx = context_of(
        ProjectBrief(
            name="Shop", summary="An online shop web app where people buy soap, with Django and React."
        )
    )
    assert str(ctx.values["test"]) == "pytest"
    assert str(ctx.ui_values["test"]) == "npm test"
    assert ctx.fill("run {test}", "data") == "run pytest"
    assert ctx.fill("run {test}", "ui") == "run npm test"
    assert ctx.fill("{slug}/{pkg}", "core") == "shop/shop"


def test_context_never_invents_vendors_or_records() -> None:
    values = context_of(NO_STACK).values
    assert values["payments"] == "the payment provider"
    assert values["db"] == "the database"
    assert values["email"] == "the email provider"
    assert values["entities"] == "Tool and Payment"  # the brief's own nouns, not "Item" or "Order"
    named = context_of(DJANGO).values
    assert (named["payments"], named["db"], named["framework"]) == ("Stripe", "PostgreSQL", "Django")
    silent = context_of(ProjectBrief(name="Pulse", summary="A web app that shows how the team is feeling."))
    assert silent.values["entities"] == "the records the features need (the brief names none)"


def test_a_service_the_knowledge_base_does_not_know_fills_its_role() -> None:
    values = context_of(
        ProjectBrief(name="Brew", summary="A mobile app to order coffee ahead and pay with Adyen.")
    ).values
    assert values["payments"] == "Adyen"


# -- classify -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kinds", "features", "techs"),
    [
        # Titles this planner writes.
        ("Project foundation and tooling", ("foundation",), (), ()),
        ("Data model and persistence", ("data",), (), ()),
        ("Core features: payments", ("core",), ("payments",), ()),
        ("Core features: members vote on proposals", ("core",), ("voting_polls",), ()),
        ("Core features: data-quality checks", ("core",), ("data_quality",), ()),  # "data" is not a kind here
        ("Hardening and release", ("hardening", "release"), (), ()),
        ("Integrations: Stripe and SendGrid", ("integrations",), (), ("stripe", "sendgrid")),
        # Titles other engines (LLMs, people) write.
        ("Project Setup and Environment Configuration", ("foundation",), (), ()),
        ("Database Design and Models", ("data",), (), ()),
        ("Backend API Development", ("core",), (), ()),
        ("Frontend Development", ("ui",), (), ()),
        ("Testing & QA", ("hardening",), (), ()),
        ("Deployment & Monitoring", ("observability", "release"), (), ()),
        ("Real-time Chat", ("core",), ("realtime_chat",), ()),  # a feature title is core work
        ("User Authentication", ("auth",), ("user_accounts",), ()),  # ...unless the feature has no core steps
        ("Payment Integration", ("integrations",), ("payments",), ()),
        ("Integrations: Stripe", ("integrations",), (), ("stripe",)),
        ("Stripe", ("integrations",), (), ("stripe",)),  # a service name alone is integration work
        ("Add Redis caching", (CUSTOM,), (), ("redis",)),
        ("Dark mode and theming", (CUSTOM,), (), ()),
    ],
)
def test_classify_recovers_kinds_features_and_techs_from_the_title(
    title: str, kinds: tuple[str, ...], features: tuple[str, ...], techs: tuple[str, ...]
) -> None:
    shape = classify(title)
    assert (shape.kinds, shape.features, shape.techs) == (kinds, features, techs)


def test_classify_falls_back_to_the_summary_only_when_the_title_says_nothing() -> None:
    assert classify("Phase 3", "Set up logging, metrics and tracing for the service").kinds == (
        "observability",
    )
    assert classify("Phase 3", "Nothing recognisable here").kinds == (CUSTOM,)
    # A telling title wins over its summary.
    assert classify("Documentation", "Set up logging, metrics and tracing").kinds == ("docs",)
    # A core title picks up the features its summary names.
    core = classify("Core features", "Build payments and real-time chat")
    assert (core.kinds, core.features) == (("core",), ("payments", "realtime_chat"))


def test_classify_is_case_and_separator_tolerant() -> None:
    assert classify("DATA MODEL").kinds == ("data",)
    assert classify("front-end").kinds == ("ui",) == classify("front end").kinds
    assert classify("third_party integrations").kinds == ("integrations",)


# -- layout ---------------------------------------------------------------------------------------


def kind_sequence(drafts: Sequence[PhaseDraft]) -> list[str]:
    return [kind for draft in drafts for kind in draft.kinds]


def test_layout_orders_phases_from_foundation_to_release() -> None:
    drafts = layout_of(SAAS, 10)
    assert [d.kinds for d in drafts] == [
        ["foundation"],
        ["data"],
        ["auth"],
        ["core"],
        ["core"],  # five features do not fit one core phase
        ["integrations"],
        ["ui"],
        ["hardening"],
        ["observability"],
        ["release"],
    ]


@pytest.mark.parametrize("target", range(1, 16))
def test_layout_keeps_dependency_order_at_every_size(target: int) -> None:
    drafts = layout_of(SAAS, target)
    for draft in drafts:  # a merged phase lists its kinds in dependency order
        assert draft.kinds == sorted(draft.kinds, key=PHASE_ORDER.index)
    leading = [PHASE_ORDER.index(d.kinds[0]) for d in drafts]
    assert leading == sorted(leading), [d.kinds for d in drafts]
    assert drafts[0].kinds == ["foundation"] and "release" in drafts[-1].kinds
    # Every unit with core work is built by exactly one core phase, whatever the size.
    built = [u for d in drafts for u in d.units]
    assert len(built) == len(set(built))


def test_features_are_spread_over_core_phases_by_size_in_the_briefs_order() -> None:
    brief = ProjectBrief(
        name="Quorum",
        summary=(
            "A web app for community associations: members vote on proposals, get reminders before votes "
            "close, admins publish the results, members comment on proposals, and treasurers track dues."
        ),
    )
    rmap = build_map(extract_requirements(brief))
    cores = [d for d in layout(analyze_brief(brief), 4, rmap) if "core" in d.kinds]
    assert len(cores) >= 2  # five features do not fit one phase
    points = [sum(rmap.unit(k).points for k in d.units) for d in cores]
    assert all(p <= CORE_PHASE_POINTS for p in points[:-1]) or len(cores[0].units) == 1
    order = [k for d in cores for k in d.units]
    assert order == [k for g in rmap.groups for k in g if k in order]  # brief order kept


def test_units_that_share_a_requirement_are_built_in_one_phase() -> None:
    brief = ProjectBrief(
        name="Crux", summary="A web app for booking climbing gym classes with Stripe payments."
    )
    rmap = build_map(extract_requirements(brief))
    group = next(g for g in rmap.groups if "feature:booking" in g)
    assert "feature:payments" in group
    cores = [d for d in layout(analyze_brief(brief), 12, rmap) if "core" in d.kinds]
    assert any({"feature:booking", "feature:payments"} <= set(d.units) for d in cores)


def test_layout_includes_only_the_kinds_the_brief_needs() -> None:
    kinds = [d.kinds for d in layout_of(RUST_CLI, 3)]
    assert kinds == [["foundation"], ["core"], ["hardening", "release"]]
    every_size = {k for target in range(1, 13) for k in kind_sequence(layout_of(RUST_CLI, target))}
    assert every_size.isdisjoint({"data", "auth", "integrations", "ui", "observability"})  # not hosted
    no_db = ProjectBrief(name="Notes", summary="A web app where I keep notes, with no database, in Go.")
    assert "data" not in kind_sequence(layout_of(no_db, 12))


def test_a_technology_the_knowledge_base_does_not_know_gets_an_integrations_phase() -> None:
    brief = ProjectBrief(
        name="Loads", summary="A Go CLI that imports activities from the Garmin Connect API."
    )
    assert "integrations" in kind_sequence(layout_of(brief, 3))


# -- dependencies ---------------------------------------------------------------------------------


def test_dependencies_follow_what_each_kind_builds_on() -> None:
    kinds = [
        "foundation",
        "data",
        "auth",
        "core",
        "integrations",
        "ui",
        "hardening",
        "observability",
        "release",
    ]
    deps = dependencies([(n, [k]) for n, k in enumerate(kinds, start=1)])
    assert deps == {1: [], 2: [1], 3: [2], 4: [3], 5: [4], 6: [4], 7: [4, 5, 6], 8: [4], 9: [7, 8]}


def test_dependencies_of_merged_and_split_phases() -> None:
    merged = [
        (1, ["foundation"]),
        (2, ["data", "auth"]),
        (3, ["core", "integrations", "ui"]),
        (4, ["hardening", "release"]),
    ]
    assert dependencies(merged) == {1: [], 2: [1], 3: [1, 2], 4: [3]}
    # Later core phases build on the first; release waits for every core phase and the docs.
    split = [
        (1, ["foundation"]),
        (2, ["core"]),
        (3, ["core"]),
        (4, ["core"]),
        (5, ["docs"]),
        (6, ["release"]),
    ]
    assert dependencies(split) == {1: [], 2: [1], 3: [2], 4: [2], 5: [2, 3, 4], 6: [2, 3, 4, 5]}


def test_dependencies_of_custom_phases_and_odd_numbering() -> None:
    # A custom phase builds on the phase before it; phases keep their own numbers.
    assert dependencies([(10, ["foundation"]), (20, [CUSTOM]), (30, ["core"])]) == {
        10: [],
        20: [10],
        30: [10],
    }
    assert dependencies([(1, [CUSTOM])]) == {1: []}
    assert dependencies([]) == {}


def test_summarise_keeps_short_text_and_cuts_long_text_at_a_sentence() -> None:
    assert summarise("Short idea.\nSecond line.") == "Short idea.\nSecond line."
    long = "First sentence here. " + "More words follow without a stop " * 40
    assert summarise(long) == "First sentence here. …"
    no_stop = "word " * 300
    cut = summarise(no_stop)
    assert len(cut) <= 600 and cut.endswith(" …") and "word word" in cut
