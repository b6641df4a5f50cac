"""Project design from a brief: objectives, stack, architecture, data model, risks, testing strategy."""

from __future__ import annotations

import re

from devussy.models import ComplexityProfile, ProjectBrief, ProjectDesign, Risk
from devussy.planner.analysis import Analysis, primary_language
from devussy.planner.knowledge import INTEGRATION_CATEGORIES, knowledge
from devussy.planner.questions import open_questions
from devussy.planner.requirement_map import RequirementMap
from devussy.planner.steps import Basis
from devussy.planner.synthesis import Context, _join, brief_entities, clip, summarise
from devussy.requirements.lexicon import lexicon
from devussy.requirements.rules import rules_for

MAX_RISKS = 12


def tech_stack_entries(analysis: Analysis) -> list[str]:
    kb = knowledge()
    entries = []
    for tid in analysis.stack:
        tech = kb.technologies[tid]
        if tid in analysis.assumed:
            entries.append(f"{tech.name} (assumed: the brief names no language)")
        else:
            entries.append(tech.name)
    entries.extend(analysis.unknown)
    if not entries:
        entries.append("Language and engine to be chosen in phase 1 (the brief names none)")
    return entries


def assumptions(analysis: Analysis, brief: ProjectBrief) -> list[str]:
    kb = knowledge()
    ptype = kb.project_types[analysis.project_type]
    notes = []
    if not analysis.project_type_stated:
        notes.append(f"Project type: treated as a {ptype.name.lower()} (inferred; the brief does not say).")
    for tid in analysis.assumed:
        notes.append(
            f"Language: {kb.technologies[tid].name}, the usual choice for a {ptype.name.lower()}; "
            "change it in phase 1 if the team prefers another."
        )
    if "unknown_language" in analysis.flags:
        language = next(
            (n for n in analysis.unknown if n.lower() in lexicon().languages), "the named language"
        )
        notes.append(
            f"Language: {language}, which the planner has no toolchain for; verification commands use "
            f"`make test` / `make check` targets that wrap {language}'s own tools (set them up in phase 1)."
        )
    elif "no_language" in analysis.flags:
        notes.append(
            "Language/engine: not named; phase 1 starts by choosing it, and verification commands use "
            "`make test` / `make check` targets that wrap whatever is chosen."
        )
    categories = {kb.technologies[t].category for t in analysis.stack}
    if "has_data" in analysis.flags and not categories & {"database"} and not analysis.unknown_stores:
        notes.append(
            "Data store: not named; the plan assumes a relational database and refers to it "
            "generically. Pick one before the data phase."
        )
    if "has_auth" in analysis.flags and "auth" not in categories:
        notes.append(
            "Authentication: no provider named; the plan uses the framework's or a maintained "
            "library's sign-in rather than a hosted vendor."
        )
    if "payments" in analysis.features and "payments" not in categories:
        notes.append("Payments: no provider named; steps refer to 'the payment provider'.")
    if {"notifications"} & set(analysis.features) and "email" not in categories:
        notes.append("Email: no provider named; steps refer to 'the email provider'.")
    if not brief.deployment and not categories & {"deploy", "cloud"}:
        notes.append(f"Deployment: not specified; the release phase targets {ptype.deliverable}.")
    if "database" in analysis.negated:
        notes.append("No database: the brief rules it out, so the plan has no persistence phase.")
    return notes


def build_design(brief: ProjectBrief, basis: Basis, complexity: ComplexityProfile) -> ProjectDesign:
    kb = knowledge()
    analysis, ctx, rmap = basis.analysis, basis.ctx, basis.rmap
    ptype = kb.project_types[analysis.project_type]

    objectives = list(brief.goals)
    stated = {_plain(goal) for goal in brief.goals}
    features: dict[str, list[str]] = {}  # the brief's words → the features they ask for
    for unit in rmap.units:
        if unit.kind == "unknown":
            verb = "Confirm and build on" if unit.ref in analysis.unknown_tools else "Confirm and integrate"
            objectives.append(f"{verb} {unit.ref} (not in the built-in knowledge base)")
        elif unit.kind == "domain":
            if _plain(unit.words.text) not in stated:  # a goal already says it
                objectives.append(f"Deliver: {unit.words.text}")
        elif unit.words.text not in features:
            features[unit.words.text] = [unit.label]
            objectives.append(unit.words.text)  # a slot, filled below once all its features are known
        else:
            features[unit.words.text].append(unit.label)
    objectives = [
        f"Deliver {_join(features[o])} ({o})" if o in features and o not in brief.goals else o
        for o in objectives
    ]
    objectives.append(f"Ship {ptype.deliverable}")
    objectives.append(f"Every step verified by a command (`{ctx.values['test']}`) that runs in CI")

    summary = (
        f"{summarise(brief.summary)}\n\n{brief.name} is planned as {_a(ptype.name.lower())} "
        f"({complexity.level} complexity, score {complexity.score}/100)"
        + (f" using {_join([kb.technologies[t].name for t in analysis.stack])}." if analysis.stack else ".")
    )

    architecture_lines = [ctx.fill(ptype.architecture)]
    components = _components(analysis, ctx)
    if components:
        architecture_lines.append("\nComponents:\n" + "\n".join(f"- {c}" for c in components))
    notes = assumptions(analysis, brief)
    if notes:
        architecture_lines.append(
            "\nAssumptions (the brief did not say):\n" + "\n".join(f"- {n}" for n in notes)
        )
    limits = _constraint_lines(rmap)
    if limits:
        architecture_lines.append("\nConstraints the plan respects:\n" + "\n".join(f"- {c}" for c in limits))
    questions = open_questions(analysis, rmap, [])
    if questions:
        architecture_lines.append(
            "\nOpen questions (answer before the steps that need them):\n"
            + "\n".join(f"- {q.text}" for q in questions)
        )

    return ProjectDesign(
        project_name=brief.name,
        summary=clip(summary, 50_000),
        objectives=[clip(o) for o in objectives[:50]],
        tech_stack=[clip(t) for t in tech_stack_entries(analysis)[:80]],
        architecture=clip("\n".join(architecture_lines), 50_000),
        data_model=clip(_data_model(analysis, ctx, rmap), 50_000),
        risks=_risks(analysis, rmap),
        testing_strategy=clip(_testing_strategy(analysis, ctx), 50_000),
        requirements=list(basis.requirements),
        brief=brief,
        complexity=complexity,
    )


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _constraint_lines(rmap: RequirementMap) -> list[str]:
    lines = []
    for info in rmap.infos:
        requirement = info.requirement
        if requirement.kind not in ("constraint", "non_goal"):
            continue
        rules = rules_for(requirement)
        how = f" — {rules[0].message}" if rules else ""
        label = "out of scope" if requirement.kind == "non_goal" else "constraint"
        lines.append(f"{requirement.id} ({label}): {requirement.text}{how}")
    return lines


def _components(analysis: Analysis, ctx: Context) -> list[str]:
    kb = knowledge()
    lines = []
    by_category: dict[str, list[str]] = {}
    for tid in analysis.stack:
        tech = kb.technologies[tid]
        by_category.setdefault(tech.category, []).append(f"{tech.name}: {tech.summary}")
    labels = [
        ("language", "Language"),
        ("web_framework", "Server"),
        ("frontend", "Client"),
        ("mobile", "Mobile client"),
        ("database", "Primary data store"),
        ("data", "Data tooling"),
        ("cache", "Cache"),
        ("search", "Search"),
        ("queue", "Background processing"),
        ("auth", "Identity"),
        ("payments", "Payments"),
        ("email", "Email"),
        ("messaging", "Messaging"),
        ("storage", "File storage"),
        ("api", "External APIs"),
        ("ml", "ML"),
        ("cli", "Command-line parsing"),
        ("scraping", "Browser automation"),
        ("platform", "Platform"),
        ("desktop", "Desktop framework"),
        ("host", "Host application"),
        ("registry", "Published to"),
        ("game", "Engine"),
        ("embedded", "Hardware/connectivity"),
        ("cloud", "Cloud"),
        ("deploy", "Deployment"),
        ("infra", "Infrastructure as code"),
        ("ci", "CI"),
        ("observability", "Observability"),
        ("testing", "Testing"),
    ]
    for category, label in labels:
        if category in by_category:
            lines.append(f"{label}: " + "; ".join(by_category[category]))
    if analysis.unknown:
        lines.append("Also named in the brief: " + ", ".join(analysis.unknown))
    return lines


def _data_model(analysis: Analysis, ctx: Context, rmap: RequirementMap) -> str:
    kb = knowledge()
    entities = brief_entities(analysis, rmap)
    if "api_source" in analysis.flags:
        services = ctx.values["services"]
        lines = [
            f"No database of its own: the records live in {services} and are read through its API"
            + (" (read-only: nothing is written back)" if "read_only" in analysis.flags else "")
            + "; responses may be cached for a short time, never kept as a copy."
        ]
        if entities:
            lines.append("Records the features work with: " + ", ".join(entities) + ".")
        return "\n".join(lines)
    if "has_data" not in analysis.flags:
        where = {
            "mobile_app": "on the device (the platform's local store)",
            "browser_extension": "in the browser's extension storage",
            "game": "in local save files",
            "embedded": "in the device's flash (configuration and buffered readings)",
            "operator": "in the cluster: custom resources and their status, no database of its own",
            "library": "in the caller's objects; the library stores nothing",
            "cli": "in files and configuration the command reads and writes",
            "desktop_app": "in files in the user's app-data directory",
            "plugin": "in the host application's storage and settings",
            "chat_bot": "in the chat platform and the bot's configuration; it remembers nothing else",
        }.get(analysis.project_type, "in inputs, outputs and configuration files")
        reason = (
            " (the brief rules a database out)"
            if "database" in analysis.negated or "no_database" in analysis.flags
            else ""
        )
        lines = [f"No server database{reason}: state lives {where}."]
        if entities and analysis.project_type not in ("operator", "library", "infrastructure"):
            lines.append("Records it keeps: " + ", ".join(entities) + ".")
        return "\n".join(lines)
    if "existing_database" in analysis.flags or "read_only" in analysis.flags:
        lines = [
            f"The data lives in the existing {ctx.values['db']}: introspect its tables and map the ones the "
            "features read; the plan creates no schema and runs no migrations."
        ]
        if entities:
            lines.append("Records the features work with: " + ", ".join(entities) + ".")
        return "\n".join(lines)
    if not entities:
        return (
            f"Stored in {ctx.values['db']}. The brief names no records yet: list them (with their key "
            "fields) "
            "before the data phase; the features' steps say what each one needs."
        )
    owner = "User" if "User" in entities else None
    tenant = "Organization" if "Organization" in entities else None
    lines = [f"Stored in {ctx.values['db']}. Entities:"]
    for entity in entities:
        relations = []
        if tenant and entity not in (tenant, "Membership"):
            relations.append(f"scoped to an {tenant}")
        if owner and entity not in (owner, tenant, "Membership"):
            relations.append(f"owned by a {owner}")
        relation = f" ({', '.join(relations)})" if relations else ""
        lines.append(f"- {entity}{relation}: id, timestamps (created/updated), and its domain fields")
    feature_notes = {
        "payments": "Money as integer minor units plus currency; a payment status machine; provider ids.",
        "subscriptions": "Subscription status and period end synced from the payment provider's webhooks.",
        "realtime_chat": "Messages paginated by cursor (created time + id); read markers per member.",
        "offline_sync": "Client-generated ids and a version per record for sync and conflict resolution.",
        "booking": "Times in UTC with the owner's IANA time zone; unique constraint per slot.",
        "multi_tenancy": "Tenant id on every tenant-owned row, enforced in the data-access layer.",
        "audit_compliance": "Append-only audit events (who, what, when, before/after).",
    }
    notes = [feature_notes[f] for f in analysis.features if f in feature_notes]
    if notes:
        lines.append("\nNotes:\n" + "\n".join(f"- {n}" for n in notes))
    if (
        not any(kb.technologies[t].category == "database" for t in analysis.stack)
        and not analysis.unknown_stores
    ):
        lines.append("\nThe brief names no database; choose one before the data phase.")
    return "\n".join(lines)


def _risks(analysis: Analysis, rmap: RequirementMap) -> list[Risk]:
    kb = knowledge()
    seen: set[str] = set()
    risks: list[Risk] = []
    # A risk that only exists for what the constraints rule out ("long-running migrations" when the
    # database must not change) is not this project's risk.
    guards = [
        rule
        for info in rmap.infos
        if info.requirement.kind in ("constraint", "non_goal")
        for rule in rules_for(info.requirement)
    ]

    def add(risk: str, mitigation: str) -> None:
        if any(rule.contradiction(f"{risk}. {mitigation}") for rule in guards):
            return
        if risk not in seen and len(risks) < MAX_RISKS:
            seen.add(risk)
            risks.append(Risk(risk=clip(risk), mitigation=clip(mitigation)))

    for template in kb.project_types[analysis.project_type].risks:
        add(template.risk, template.mitigation)
    for fid in analysis.features:
        for template in kb.features[fid].risks:
            add(template.risk, template.mitigation)
    ordered = [*analysis.explicit, *(t for t in analysis.stack if t not in analysis.explicit)]
    for tid in ordered:
        for template in kb.technologies[tid].risks:
            add(template.risk, template.mitigation)
    if analysis.team_size == 1:
        add(
            "A single developer is a single point of failure",
            "Keep the README, plan and tests current so work can be picked up by someone else",
        )
    if analysis.unknown:
        add(
            f"Technologies the planner has no specific knowledge of ({', '.join(analysis.unknown)}) hide "
            "surprises",
            "Spike each one early with a throwaway script before building on it",
        )
    if any(kb.technologies[t].category in INTEGRATION_CATEGORIES for t in analysis.stack):
        add(
            "Third-party outages or API changes break features",
            "Wrap each service in an adapter with timeouts and retries, and monitor error rates per provider",
        )
    add("Scope grows faster than the plan", "Keep each phase shippable and move new ideas to a backlog")
    return risks


def _testing_strategy(analysis: Analysis, ctx: Context) -> str:
    kb = knowledge()
    language = primary_language(analysis)
    lines = [
        f"- Unit and integration tests run with `{ctx.values['test']}`; every step in the plan names the "
        "command that verifies it, and CI runs the full suite on every change.",
    ]
    if ctx.ui_values["test"].full != ctx.values["test"].full:  # type: ignore[attr-defined]
        lines.append(f"- Front-end tests run with `{ctx.ui_values['test']}`.")
    lines.append(f"- Static checks: `{ctx.values['check']}`.")
    e2e = [kb.technologies[t].name for t in analysis.stack if t in ("playwright", "cypress")]
    if e2e:
        lines.append(f"- End-to-end tests of the critical journeys with {_join(e2e)}.")
    elif "has_ui" in analysis.flags:
        lines.append("- End-to-end tests of the critical journeys through the UI, run in CI.")
    if "has_data" in analysis.flags:
        named_db = ctx.values["db"] != "the database"
        where = f"a real {ctx.values['db']} instance" if named_db else "a real database instance"
        lines.append(f"- Data tests run against {where}, not a mock.")
    services = analysis.unknown_services
    if any(kb.technologies[t].category in INTEGRATION_CATEGORIES for t in analysis.stack) or services:
        lines.append(
            "- Third-party services are faked at the adapter boundary; a few contract tests run "
            "against sandboxes."
        )
    if language is None:
        lines.append("- Until a language is chosen, `make test` is the single entry point for tests.")
    return "\n".join(lines)


def _a(noun_phrase: str) -> str:
    """With its indefinite article: 'a web application', 'an embedded / iot device'."""
    return ("an " if noun_phrase[:1] in "aeio" else "a ") + noun_phrase
