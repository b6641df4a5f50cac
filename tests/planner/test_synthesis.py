"""Plan synthesis: classifying phase titles, laying out phases, dependencies and one phase's steps."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from devussy.models import ProjectBrief, Step
from devussy.planner.analysis import Analysis, analyze_brief
from devussy.planner.knowledge import PHASE_ORDER, knowledge
from devussy.planner.synthesis import (
    CUSTOM,
    Context,
    PhaseDraft,
    build_context,
    classify,
    clip,
    core_features,
    dependencies,
    layout,
    phase_steps,
    summarise,
)
from devussy.planner.synthesis import (  # aliased so pytest does not collect it as a test class
    TestCommand as Command,
)

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
    return build_context(analyze_brief(brief), brief.name, brief.deployment)


def steps_for(
    ctx: Context,
    number: int,
    title: str,
    depth: int = 5,
    *,
    summary: str = "",
    features: Sequence[str] | None = None,
    primary_core: bool = True,
    integration_techs: Sequence[str] | None = None,
    uncovered: frozenset[str] = frozenset(),
) -> list[Step]:
    shape = classify(title, summary)
    return phase_steps(
        number,
        shape,
        ctx,
        depth,
        primary_core=primary_core,
        primary_integrations=True,
        features=list(shape.features) if features is None else features,
        integration_techs=integration_techs,
        uncovered_kinds=uncovered,
        title=title,
    )


def titles(steps: Sequence[Step]) -> list[str]:
    return [step.title for step in steps]


def step_text(steps: Sequence[Step]) -> str:
    return "\n".join("\n".join([s.title, s.details, s.test_command, *s.acceptance_criteria]) for s in steps)


def word(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.+#-])" + re.escape(name) + r"(?![\w+#])(?!\.\w)")


# -- small helpers --------------------------------------------------------------------------------


def test_test_command_formats_as_full_or_filtered_run() -> None:
    command = Command("pytest", "pytest -k {kw}")
    assert f"{command}" == "pytest" and str(command) == "pytest"
    assert f"{command:Payments API}" == "pytest -k payments_api"
    assert f"{command:--!!}" == "pytest -k test"  # nothing usable left: a neutral keyword
    assert f"{Command('make test', 'make test'):payments}" == "make test"  # no filter: the full run


def test_clip_keeps_short_text_and_ends_long_text_with_an_ellipsis() -> None:
    assert clip("short") == "short"
    assert clip("x" * 500) == "x" * 500
    clipped = clip("word " * 200, 50)
    assert len(clipped) <= 50 and clipped.endswith("…") and clipped.startswith("word word")


def test_context_uses_the_front_end_toolchain_for_ui_text() -> None:
    ctx = context_of(ProjectBrief(name="Shop", summary="An online shop web app with Django and React."))
    assert str(ctx.values["test"]) == "pytest"
    assert str(ctx.ui_values["test"]) == "npm test"
    assert ctx.fill("run {test}", "data") == "run pytest"
    assert ctx.fill("run {test}", "ui") == "run npm test"
    assert ctx.fill("{slug}/{pkg}", "core") == "shop/shop"


def test_context_never_invents_vendors() -> None:
    values = context_of(NO_STACK).values
    assert values["payments"] == "the payment provider"
    assert values["db"] == "the database"
    assert values["email"] == "the email provider"
    named = context_of(DJANGO).values
    assert (named["payments"], named["db"], named["framework"]) == ("Stripe", "PostgreSQL", "Django")


# -- classify -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kinds", "features", "techs"),
    [
        # Titles this planner writes.
        ("Project foundation and tooling", ("foundation",), (), ()),
        ("Data model and persistence", ("data",), (), ()),
        ("Core features: payments", ("core",), ("payments",), ()),
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
    drafts = layout(analysis_of(SAAS), 9)
    assert [d.kinds for d in drafts] == [
        ["foundation"],
        ["data"],
        ["auth"],
        ["core"],
        ["integrations"],
        ["ui"],
        ["hardening"],
        ["observability"],
        ["release"],
    ]
    assert drafts[3].features == ["payments", "realtime_chat", "admin_dashboard", "notifications"]


@pytest.mark.parametrize("target", range(1, 16))
def test_layout_keeps_dependency_order_at_every_size(target: int) -> None:
    analysis = analysis_of(SAAS)
    drafts = layout(analysis, target)
    for draft in drafts:  # a merged phase lists its kinds in dependency order
        assert draft.kinds == sorted(draft.kinds, key=PHASE_ORDER.index)
    leading = [PHASE_ORDER.index(d.kinds[0]) for d in drafts]
    assert leading == sorted(leading), [d.kinds for d in drafts]
    assert drafts[0].kinds == ["foundation"] and "release" in drafts[-1].kinds
    # Every core feature is built by exactly one phase, whatever the size.
    built = [f for d in drafts for f in d.features]
    assert sorted(built) == sorted(core_features(analysis))


def test_layout_scales_with_the_phase_count() -> None:
    analysis = analysis_of(SAAS)
    sizes = {target: len(layout(analysis, target)) for target in range(1, 16)}
    assert all(sizes[t] <= sizes[t + 1] for t in range(1, 15))  # never shrinks as the target grows
    assert {t: sizes[t] for t in range(4, 15)} == {t: t for t in range(4, 15)}  # hits the target
    assert sizes[1] == 4  # floor: foundation, data+auth, core (+integrations, ui), hardening+release
    assert sizes[15] == 14  # ceiling: every kind and every feature/service split out


def test_layout_merges_and_splits_in_the_documented_order() -> None:
    analysis = analysis_of(SAAS)
    assert [d.kinds for d in layout(analysis, 4)] == [
        ["foundation"],
        ["data", "auth"],
        ["core", "integrations", "ui"],
        ["hardening", "release"],
    ]
    assert [d.kinds for d in layout(analysis, 8)][-2:] == [["hardening"], ["release"]]
    # Past one phase per kind: observability (hosted), then features, then services, then docs.
    assert "observability" in kind_sequence(layout(analysis, 9))
    assert kind_sequence(layout(analysis, 12)).count("core") == 4
    split = [d.techs for d in layout(analysis, 13) if d.kinds == ["integrations"]]
    assert split == [["stripe"], ["sendgrid"]]
    assert "docs" in kind_sequence(layout(analysis, 14))


def test_features_split_into_their_own_phases_keep_the_briefs_order() -> None:
    brief = ProjectBrief(
        name="Market",
        summary="A multi-tenant SaaS marketplace with payments, real-time chat, admin dashboard and "
        "notifications, microservices, Postgres, React, Kubernetes, high availability",
    )
    analysis = analysis_of(brief)
    named = core_features(analysis)
    assert len(named) >= 3
    split = [d.features for d in layout(analysis, 12) if "core" in d.kinds]
    assert len(split) == len(named)
    assert [feature for features in split for feature in features] == named


def test_layout_includes_only_the_kinds_the_brief_needs() -> None:
    analysis = analysis_of(RUST_CLI)
    assert [d.kinds for d in layout(analysis, 3)] == [["foundation"], ["core"], ["hardening", "release"]]
    every_size = {k for target in range(1, 13) for k in kind_sequence(layout(analysis, target))}
    assert every_size.isdisjoint({"data", "auth", "integrations", "ui", "observability"})  # not hosted
    no_db = analysis_of(ProjectBrief(name="Notes", summary="A web app for notes with no database, in Go."))
    assert "data" not in kind_sequence(layout(no_db, 12))


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


# -- phase_steps ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Project foundation and tooling",
        "Data model and persistence",
        "Accounts and access control",
        "Core features: payments",
        "Integrations",
        "User interface",
        "Hardening",
        "Observability",
        "Documentation",
        "Release",
        "Dark mode and theming",
    ],
)
def test_steps_belong_to_their_phase_and_are_verifiable(title: str) -> None:
    steps = steps_for(context_of(DJANGO), 7, title)
    assert steps, title
    assert [s.id for s in steps] == [f"7.{n}" for n in range(1, len(steps) + 1)]
    assert [s.depends_on for s in steps] == [[]] + [[f"7.{n}"] for n in range(1, len(steps))]
    for step in steps:
        assert step.acceptance_criteria and all(c.strip() for c in step.acceptance_criteria)
        assert step.test_command.strip() and "{" not in step.test_command
    assert len({t.lower() for t in titles(steps)}) == len(steps)  # no duplicate steps


@pytest.mark.parametrize(
    "title", ["Project foundation and tooling", "Hardening", "Release", "Core features: payments"]
)
def test_depth_adds_optional_steps_up_to_the_target(title: str) -> None:
    ctx = context_of(DJANGO)
    required = titles(steps_for(ctx, 2, title, depth=0))
    everything = titles(steps_for(ctx, 2, title, depth=50))
    assert set(required) < set(everything), "the test needs a phase with optional steps"
    for depth in range(0, 10):
        chosen = titles(steps_for(ctx, 2, title, depth=depth))
        assert len(chosen) == max(len(required), min(depth, len(everything))), depth
        assert set(required) <= set(chosen) <= set(everything)


def test_depth_counts_for_a_concrete_phase() -> None:
    ctx = context_of(DJANGO)
    assert titles(steps_for(ctx, 5, "Hardening", depth=3)) == [
        "End-to-end tests of the critical paths",
        "Security review",
        "Performance check on realistic data",
    ]
    assert titles(steps_for(ctx, 5, "Hardening", depth=8))[3:] == [
        "PostgreSQL indexes and query plans",
        "Failure-mode tests",
    ]


def test_features_get_steps_of_their_own() -> None:
    ctx = context_of(DJANGO)
    payments = steps_for(ctx, 4, "Core features: payments")
    assert "Orders and payment records" in titles(payments)
    orders = next(s for s in payments if s.title == "Orders and payment records")
    assert orders.test_command == "pytest -k payment"
    # A later core phase without the feature gets neither the feature's steps nor the generic core steps.
    other = steps_for(ctx, 5, "Core features", features=[], primary_core=False)
    assert "Orders and payment records" not in titles(other)
    assert "Implement the primary Recipe workflow" not in titles(other)
    assert "Implement the primary Recipe workflow" in titles(payments)


def test_feature_steps_of_a_missing_kind_land_in_the_feature_phase() -> None:
    ctx = context_of(SAAS)
    without = titles(steps_for(ctx, 4, "Core features: real-time chat"))
    with_ui_gone = titles(steps_for(ctx, 4, "Core features: real-time chat", uncovered=frozenset({"ui"})))
    assert "Chat interface" not in without
    assert "Chat interface" in with_ui_gone


def test_steps_name_only_technologies_in_the_context() -> None:
    kb = knowledge()
    for brief in (NO_STACK, DJANGO, RUST_CLI):
        ctx = context_of(brief)
        text = step_text(
            [
                step
                for title in (
                    "Project foundation and tooling",
                    "Data model and persistence",
                    "Core features: payments",
                    "Integrations",
                    "User interface",
                    "Release",
                )
                for step in steps_for(ctx, 1, title)
            ]
        )
        for tid in sorted(ctx.analysis.stack, key=lambda t: -len(kb.technologies[t].name)):
            text = text.replace(kb.technologies[tid].name, " ")
        leaked = [
            t.name
            for tid, t in kb.technologies.items()
            if tid not in ctx.analysis.stack and word(t.name).search(text)
        ]
        assert not leaked, f"{brief.name}: {leaked}"


def test_vendor_free_context_writes_generic_vendor_names() -> None:
    generic = steps_for(context_of(NO_STACK), 3, "Integrations")
    assert "Checkout with the payment provider" in titles(generic)
    assert "Stripe" not in step_text(generic)
    assert all(s.test_command.startswith("npm test") for s in steps_for(context_of(NO_STACK), 3, "Hardening"))
    named = steps_for(context_of(DJANGO), 3, "Integrations")
    assert "the payment provider" not in step_text(named) and "Stripe" in step_text(named)


def test_split_integrations_phase_wires_in_only_its_services() -> None:
    ctx = context_of(SAAS)
    stripe_only = step_text(steps_for(ctx, 6, "Integrations: Stripe", integration_techs=["stripe"]))
    sendgrid_only = step_text(steps_for(ctx, 7, "Integrations: SendGrid", integration_techs=["sendgrid"]))
    assert "Stripe" in stripe_only and "SendGrid" not in stripe_only
    assert "SendGrid" in sendgrid_only and "Stripe" not in sendgrid_only


def test_unknown_services_get_an_integration_step() -> None:
    brief = ProjectBrief(
        name="HR sync", summary="A web API that syncs staff records.", integrations=["BambooHR"]
    )
    steps = steps_for(context_of(brief), 3, "Integrations")
    step = next(s for s in steps if s.title == "Integrate BambooHR")
    assert "A test exercises the BambooHR adapter against a fake" in step.acceptance_criteria
    assert "bamboohr" in step.test_command


def test_custom_phase_gets_specify_implement_verify_steps_and_braces_are_harmless() -> None:
    ctx = context_of(RUST_CLI)
    steps = steps_for(ctx, 9, "Theme {name} support")
    assert titles(steps) == [
        "Specify: Theme (name) support",
        "Implement: Theme (name) support",
        "Verify and document: Theme (name) support",
    ]
    assert steps[0].test_command == "cargo test theme_name_support"
    assert steps[1].test_command == "cargo test"


def test_custom_phase_naming_a_tool_gets_that_tools_steps() -> None:
    steps = steps_for(context_of(DJANGO), 12, "Add Redis caching")
    assert "Redis cache with explicit expiry" in titles(steps)
    assert all(s.id.startswith("12.") for s in steps)


def test_summarise_keeps_short_text_and_cuts_long_text_at_a_sentence() -> None:
    assert summarise("Short idea.\nSecond line.") == "Short idea.\nSecond line."
    long = "First sentence here. " + "More words follow without a stop " * 40
    assert summarise(long) == "First sentence here. …"
    no_stop = "word " * 300
    cut = summarise(no_stop)
    assert len(cut) <= 600 and cut.endswith(" …") and "word word" in cut
