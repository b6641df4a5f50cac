"""Arbitrary briefs and edited plans never crash the planner and always give well-formed plans."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devussy.models import ChatTurn, DevPlan, Phase, ProjectBrief
from devussy.planner import OfflinePlanner
from devussy.planner.interview import QUESTIONS
from devussy.planner.vague import BriefTooVague
from tests.planner.conftest import run_pipeline

short = st.text(min_size=1, max_size=500).filter(lambda s: s.strip() != "")
words = st.lists(
    st.sampled_from(
        [
            "a",
            "web",
            "app",
            "cli",
            "api",
            "saas",
            "game",
            "firmware",
            "with",
            "postgres",
            "pg",
            "django",
            "react",
            "go",
            "rust",
            "stripe",
            "payments",
            "chat",
            "admin",
            "dashboard",
            "offline",
            "sync",
            "no",
            "database",
            "login",
            "{test}",
            "{slug}",
            "}",
            "{",
            "kubernetes",
            "users",
            "track",
            "expenses",
            "microservices",
            "millions",
            "of",
            "GDPR",
        ]
    ),
    min_size=1,
    max_size=40,
).map(" ".join)

briefs = st.builds(
    ProjectBrief,
    name=short,
    summary=st.one_of(words, st.text(min_size=1, max_size=2000).filter(lambda s: s.strip() != "")),
    goals=st.lists(short, max_size=5),
    languages=st.lists(short, max_size=3),
    frameworks=st.lists(short, max_size=3),
    data_stores=st.lists(short, max_size=3),
    integrations=st.lists(short, max_size=5),
    constraints=st.lists(short, max_size=3),
    deployment=st.one_of(st.none(), short),
    team_size=st.one_of(st.none(), st.integers(min_value=1, max_value=10_000)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(briefs)
def test_any_brief_gives_a_complete_plan_or_asks_what_it_needs(brief: ProjectBrief) -> None:
    try:
        run = run_pipeline(brief)
    except BriefTooVague as exc:
        assert exc.code == "brief_too_vague" and exc.questions
        return
    assert run.plan.phases
    for phase in run.details:
        assert phase.steps
        assert all(step.acceptance_criteria and step.test_command for step in phase.steps)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(short, short), min_size=1, max_size=8))
def test_hand_written_plans_get_details(phases: list[tuple[str, str]]) -> None:
    plan = DevPlan(
        project_name="Hand-written",
        summary="A plan typed in by a user",
        phases=[Phase(number=n, title=t, summary=s) for n, (t, s) in enumerate(phases, start=1)],
    )
    planner = OfflinePlanner()
    for phase in plan.phases:
        detail = planner.phase_detail(plan, phase.number)
        assert detail.steps and all(s.id.startswith(f"{phase.number}.") for s in detail.steps)


def test_maximum_size_brief() -> None:
    long = "x" * 500
    brief = ProjectBrief(
        name="N" * 500,
        summary=("A SaaS with payments, chat and an admin dashboard on Django and Postgres. " * 700)[:50_000],
        goals=[f"goal {i} " + long[:480] for i in range(50)],
        languages=[f"lang{i}" + long[:480] for i in range(50)],
        frameworks=["Django", *(f"fw{i}" + long[:480] for i in range(49))],
        data_stores=[f"store{i}" + long[:480] for i in range(50)],
        integrations=[f"svc{i}" + long[:480] for i in range(50)],
        constraints=[f"c{i}" + long[:480] for i in range(50)],
        deployment=long,
        team_size=10_000,
    )
    run = run_pipeline(brief)
    assert run.plan.phases and all(p.steps for p in run.details)


turns = st.lists(
    st.builds(
        ChatTurn,
        role=st.sampled_from(["user", "assistant"]),
        content=st.one_of(st.text(max_size=300), words, st.sampled_from([q.text for q in QUESTIONS])),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(turns, st.one_of(st.text(max_size=300), words, st.sampled_from(["skip", "done", "no", "postgres"])))
def test_interview_never_crashes(history: list[ChatTurn], user_input: str) -> None:
    reply = OfflinePlanner().interview(history, user_input)
    assert reply.reply.strip()
    if reply.brief is not None:
        try:
            OfflinePlanner().design(reply.brief)
        except BriefTooVague as exc:  # the user skipped every question: asked again, never a boilerplate plan
            assert exc.questions
