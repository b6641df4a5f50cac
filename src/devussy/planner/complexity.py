"""Deterministic complexity rubric: how big is this project, so how many phases and steps?

Each factor adds points with a reason the user can read. The score (0-100) sets the level, the phase
count (a tiny CLI gets 3 phases, a multi-service SaaS 8 or more) and the depth (target steps per phase).
The rubric reads the planner's brief analysis, so it sees the same technologies and features the plan
will use.
"""

from __future__ import annotations

from devussy.models import ComplexityFactor, ComplexityProfile, ProjectBrief
from devussy.planner.analysis import Analysis, analyze_brief
from devussy.planner.knowledge import INTEGRATION_CATEGORIES, knowledge
from devussy.planner.synthesis import clip

LEVELS = ((20, "minimal"), (45, "standard"), (70, "complex"))
MIN_PHASES, MAX_PHASES = 3, 12
MIN_DEPTH, MAX_DEPTH = 3, 8


def assess_complexity(brief: ProjectBrief) -> ComplexityProfile:
    return profile_from_analysis(analyze_brief(brief), goal_count=len(brief.goals))


def profile_from_analysis(analysis: Analysis, *, goal_count: int = 0) -> ComplexityProfile:
    factors = rubric(analysis, goal_count=goal_count)
    score = max(0, min(100, sum(f.points for f in factors)))
    level = next((name for limit, name in LEVELS if score < limit), "enterprise")
    return ComplexityProfile(
        score=score,
        level=level,  # type: ignore[arg-type]
        factors=factors,
        phase_count=phase_count_for(score),
        depth=depth_for(score),
    )


def phase_count_for(score: int) -> int:
    # 3 phases up to 12 points, then one more phase per 8 points.
    extra = 0 if score <= 12 else -(-(score - 12) // 8)
    return max(MIN_PHASES, min(MAX_PHASES, MIN_PHASES + extra))


def depth_for(score: int) -> int:
    return max(MIN_DEPTH, min(MAX_DEPTH, 3 + score // 20))


def _factor(*, name: str, points: int, reason: str) -> ComplexityFactor:
    return ComplexityFactor(name=clip(name), points=points, reason=clip(reason))


def rubric(analysis: Analysis, *, goal_count: int = 0) -> list[ComplexityFactor]:
    kb = knowledge()
    techs = [kb.technologies[t] for t in analysis.stack]
    ptype = kb.project_types[analysis.project_type]
    factors = [_factor(name="project type", points=ptype.base_points, reason=f"{ptype.name}")]

    for fid in analysis.features:
        feature = kb.features[fid]
        factors.append(
            _factor(
                name=f"feature: {feature.name}",
                points=feature.points,
                reason=f"The brief asks for {feature.name}",
            )
        )

    services = [t.name for t in techs if t.category in INTEGRATION_CATEGORIES] + list(
        analysis.unknown_services
    )
    if services:
        factors.append(
            _factor(
                name="third-party services",
                points=3 * len(services),
                reason=f"{len(services)} to integrate: {', '.join(services)}",
            )
        )

    stores = [t.name for t in techs if t.category in ("database", "cache", "search")]
    if len(stores) > 1:
        factors.append(
            _factor(
                name="data stores",
                points=3 * (len(stores) - 1),
                reason=f"{len(stores)} data stores to run and keep consistent: {', '.join(stores)}",
            )
        )

    queues = [t.name for t in techs if t.category == "queue"]
    if queues:
        factors.append(
            _factor(
                name="asynchronous processing",
                points=3 * len(queues),
                reason=f"Queues/workers: {', '.join(queues)}",
            )
        )

    if "has_auth" in analysis.flags and "user_accounts" not in analysis.features:
        factors.append(_factor(name="accounts", points=3, reason="Users sign in and have permissions"))

    has_frontend = any(t.category in ("frontend", "mobile") for t in techs)
    has_backend = any(t.category == "web_framework" for t in techs)
    if has_frontend and has_backend:
        factors.append(
            _factor(
                name="separate front end and back end",
                points=5,
                reason="Two codebases with an API contract between them",
            )
        )

    if "multi_service" in analysis.flags:
        factors.append(
            _factor(
                name="multiple services",
                points=12,
                reason="Several deployable services with contracts between them",
            )
        )
    if "scale" in analysis.flags:
        factors.append(
            _factor(
                name="scale and availability",
                points=8,
                reason="The brief sets scale, latency or availability targets",
            )
        )

    platform = [t.name for t in techs if t.id in ("kubernetes", "terraform")]
    if platform:
        factors.append(
            _factor(
                name="platform engineering",
                points=4 * len(platform),
                reason=f"Operating {', '.join(platform)}",
            )
        )

    if goal_count > 3:
        factors.append(
            _factor(name="goals", points=min(6, goal_count - 3), reason=f"{goal_count} separate goals")
        )

    team = analysis.team_size
    if team is not None and team >= 5:
        points = 4 if team < 15 else 8 if team < 50 else 12
        factors.append(
            _factor(
                name="team size",
                points=points,
                reason=f"{team} people need parallel work streams and coordination",
            )
        )
    return factors
