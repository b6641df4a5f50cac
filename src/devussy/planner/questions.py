"""Open questions: what the brief leaves undecided that blocks a step, named with the steps it blocks.

The handoff lists them first ("Decide before you start"), so the agent who picks the plan up asks
instead of guessing; the design lists them under its assumptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from devussy.models import Phase
from devussy.planner.analysis import Analysis
from devussy.planner.generated import UNKNOWN_MARK
from devussy.planner.knowledge import knowledge
from devussy.planner.requirement_map import RequirementMap
from devussy.planner.templates import absorbed_units

MAX_DOMAIN_QUESTIONS = 3


def _join(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


@dataclass(frozen=True)
class OpenQuestion:
    text: str
    blocks: tuple[str, ...]  # step ids that cannot be finished before it is answered


def open_questions(analysis: Analysis, rmap: RequirementMap, phases: Sequence[Phase]) -> list[OpenQuestion]:
    kb = knowledge()
    steps = [step for phase in phases for step in phase.steps]

    def blocked(*needles: str, covering: Sequence[str] = ()) -> tuple[str, ...]:
        found = [
            s.id
            for s in steps
            if any(n.lower() in f"{s.title}\n{s.details}".lower() for n in needles)
            or set(covering) & set(s.covers)
        ]
        return tuple(found[:4])

    questions: list[OpenQuestion] = []
    for name in rmap.unknown_techs:
        text = (
            f"{name} is {UNKNOWN_MARK}: which version, and does its licence and platform support fit?"
            if name in analysis.unknown_tools
            else f"{name} is {UNKNOWN_MARK}: which SDK or API, which account or sandbox, and who provides "
            "the credentials?"
        )
        questions.append(OpenQuestion(text, blocked(f"Spike: {name}", f"Integrate {name}")))
    rules = rmap.rules
    if ("existing_database" in rules or "read_only" in rules) and "api_source" not in analysis.flags:
        account = (
            "a read-only account"
            if "read_only" in rules
            else "an account with only the rights the features need"
        )
        questions.append(
            OpenQuestion(
                "How to reach the existing database: connection details for a development copy and "
                f"{account}, and who owns its schema?",
                blocked("existing", covering=rmap.for_rule("existing_database") + rmap.for_rule("read_only")),
            )
        )
        if rmap.entities:
            questions.append(
                OpenQuestion(
                    f"Which of {_join(rmap.entities)} are already tables in the existing database, and "
                    "where does anything new live when its schema must not change?",
                    blocked("data-access", "records", *rmap.entities[:2]),
                )
            )
    if "sso_only" in rules:
        questions.append(
            OpenQuestion(
                "The identity provider's client registration (issuer URL, client id, redirect URIs) and "
                "which "
                "groups map to which roles?",
                blocked("identity provider", "single sign-on", covering=rmap.for_rule("sso_only")),
            )
        )
    if rules & {"incremental_migration", "no_downtime"}:
        questions.append(
            OpenQuestion(
                "Which part of the running system moves first, how traffic is routed between old and new, "
                "and "
                "what the rollback is if the new one misbehaves?",
                blocked("proxy", "cutover", "parallel", covering=rmap.for_rule("no_downtime")),
            )
        )
    if analysis.assumed:
        names = ", ".join(kb.technologies[t].name for t in analysis.assumed)
        questions.append(
            OpenQuestion(
                f"Is {names} right? The brief names no language; the plan assumes the usual choice.",
                tuple(s.id for s in steps[:1]),
            )
        )
    if "no_language" in analysis.flags and "unknown_language" not in analysis.flags:
        questions.append(
            OpenQuestion(
                "Which language and framework? The brief names none.", tuple(s.id for s in steps[:1])
            )
        )
    categories = {analysis.category(t) for t in analysis.stack}
    if "has_data" in analysis.flags and "database" not in categories and not analysis.unknown_stores:
        questions.append(
            OpenQuestion(
                "Which database? The brief names none.", blocked("data model", "model the", "schema")
            )
        )
    ui_types = ("web_app", "saas", "mobile_app", "browser_extension", "desktop_app")
    if (
        "has_ui" in analysis.flags
        and analysis.project_type in ui_types
        and not categories & {"frontend", "mobile", "web_framework"}
    ):
        questions.append(
            OpenQuestion(
                'Which UI framework? The brief names none; the screen steps say "the UI toolkit" until '
                "it is chosen.",
                blocked("the UI toolkit"),
            )
        )
    vendors = [
        ("payments", "payments", "Which payment provider?"),
        ("notifications", "email", "Which email provider sends the notifications?"),
    ]
    for feature, category, text in vendors:
        if feature in analysis.features and category not in categories:
            questions.append(OpenQuestion(text, blocked(feature)))
    if "has_data" in analysis.flags and not rmap.entities:
        questions.append(
            OpenQuestion(
                "Which records does the product keep? The brief names none; list them with their key fields.",
                blocked("data model", "entities", "records"),
            )
        )
    absorbed = absorbed_units(analysis, rmap)  # a project-type step already says how those are built
    domain = [u for u in rmap.units if u.kind == "domain" and u.key not in absorbed][:MAX_DOMAIN_QUESTIONS]
    for unit in domain:
        questions.append(
            OpenQuestion(
                f'"{unit.words.title}": who may do it, what are its limits, and what happens when it fails?',
                blocked(covering=unit.requirements),
            )
        )
    hosted = knowledge().project_types[analysis.project_type]
    if "hosted" in analysis.flags and not categories & {"deploy", "cloud"}:
        questions.append(
            OpenQuestion(
                f"Where does it run? The brief names no host; the release targets {hosted.deliverable}.",
                blocked("deploy", "release"),
            )
        )
    return questions
