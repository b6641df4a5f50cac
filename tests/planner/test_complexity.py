"""The complexity rubric: deterministic, explained, scales phases with the project."""

from __future__ import annotations

from devussy.models import ProjectBrief
from devussy.planner.complexity import assess_complexity, depth_for, phase_count_for

TINY_CLI = ProjectBrief(
    name="mdconv", summary="A tiny command-line tool in Rust that converts markdown to HTML."
)
SAAS = ProjectBrief(
    name="Teamly",
    summary=(
        "A multi-tenant B2B SaaS with real-time chat, payments and subscriptions via Stripe, an admin "
        "dashboard, email notifications through SendGrid, a Next.js front end and a Django API on Postgres "
        "and Redis, split into microservices and deployed with Kubernetes."
    ),
    team_size=12,
)
SCOPES = [
    TINY_CLI,
    ProjectBrief(name="a", summary="A command-line tool in Python that syncs notes to SQLite, with search."),
    ProjectBrief(name="b", summary="A REST API in Django with Postgres for a bookshop; users sign in."),
    ProjectBrief(
        name="c",
        summary="A web app in Django with Postgres where users sign in, pay with Stripe and "
        "chat in real time.",
    ),
    ProjectBrief(
        name="d",
        summary="A SaaS in Django with Postgres, Stripe subscriptions, real-time chat, an "
        "admin dashboard and offline sync.",
    ),
    SAAS,
]


def test_tiny_cli_gets_three_phases() -> None:
    profile = assess_complexity(TINY_CLI)
    assert profile.phase_count == 3
    assert profile.level == "minimal"
    assert profile.depth == 3


def test_multi_service_saas_gets_eight_or_more_phases() -> None:
    profile = assess_complexity(SAAS)
    assert profile.phase_count >= 8
    assert profile.level in ("complex", "enterprise")
    names = {f.name for f in profile.factors}
    assert {"multiple services", "team size", "third-party services"} <= names


def test_scores_grow_with_scope() -> None:
    profiles = [assess_complexity(brief) for brief in SCOPES]
    scores = [p.score for p in profiles]
    assert scores == sorted(scores) and scores[0] < scores[-1]
    counts = [p.phase_count for p in profiles]
    assert counts == sorted(counts)


def test_score_is_the_sum_of_explained_factors() -> None:
    for brief in SCOPES:
        profile = assess_complexity(brief)
        assert all(f.reason for f in profile.factors)
        assert profile.score == max(0, min(100, sum(f.points for f in profile.factors)))


def test_deterministic() -> None:
    assert assess_complexity(SAAS) == assess_complexity(SAAS.model_copy())


def test_mapping_is_monotonic_and_bounded() -> None:
    counts = [phase_count_for(s) for s in range(101)]
    depths = [depth_for(s) for s in range(101)]
    assert counts == sorted(counts) and counts[0] == 3 and counts[-1] <= 12
    assert depths == sorted(depths) and depths[0] == 3 and depths[-1] <= 8


def test_team_size_adds_points() -> None:
    solo = assess_complexity(SCOPES[2])
    team = assess_complexity(SCOPES[2].model_copy(update={"team_size": 20}))
    assert team.score > solo.score
