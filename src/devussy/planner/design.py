"""Project design from a brief: objectives, stack, architecture, data model, risks, testing strategy."""

from __future__ import annotations

from devussy.models import ComplexityProfile, ProjectBrief, ProjectDesign, Risk
from devussy.planner.analysis import Analysis, primary_language
from devussy.planner.knowledge import INTEGRATION_CATEGORIES, knowledge
from devussy.planner.synthesis import Context, _join, clip, summarise

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
    if "no_language" in analysis.flags:
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


def build_design(
    brief: ProjectBrief, analysis: Analysis, complexity: ComplexityProfile, ctx: Context
) -> ProjectDesign:
    kb = knowledge()
    ptype = kb.project_types[analysis.project_type]
    features = [kb.features[f] for f in analysis.features]

    objectives = list(brief.goals)
    for feature in features:
        objectives.append(f"Deliver {feature.name} with tests for its main and failure paths")
    objectives.append(f"Ship {ptype.deliverable}")
    objectives.append(f"Every step verified by a command (`{ctx.values['test']}`) that runs in CI")

    summary = (
        f"{summarise(brief.summary)}\n\n{brief.name} is planned as a {ptype.name.lower()} "
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
    if brief.constraints:
        architecture_lines.append(
            "\nConstraints from the brief:\n" + "\n".join(f"- {c}" for c in brief.constraints)
        )

    return ProjectDesign(
        project_name=brief.name,
        summary=clip(summary, 50_000),
        objectives=[clip(o) for o in objectives[:50]],
        tech_stack=[clip(t) for t in tech_stack_entries(analysis)[:80]],
        architecture=clip("\n".join(architecture_lines), 50_000),
        data_model=clip(_data_model(analysis, ctx), 50_000),
        risks=_risks(analysis),
        testing_strategy=clip(_testing_strategy(analysis, ctx), 50_000),
        brief=brief,
        complexity=complexity,
    )


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


def _data_model(analysis: Analysis, ctx: Context) -> str:
    kb = knowledge()
    if "has_data" not in analysis.flags:
        return (
            "No persistent data model: the brief does not call for stored data"
            + (" (it rules a database out)." if "database" in analysis.negated else ".")
            + " State lives in inputs, outputs and configuration files."
        )
    entities = list(analysis.entities) or ["Item"]
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


def _risks(analysis: Analysis) -> list[Risk]:
    kb = knowledge()
    seen: set[str] = set()
    risks: list[Risk] = []

    def add(risk: str, mitigation: str) -> None:
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
