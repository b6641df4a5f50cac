"""``OfflinePlanner``: the built-in engine behind the same stages as the LLM engines.

Every method is pure and deterministic: same input, byte-identical output. No randomness, no clock,
no network. The knowledge base is loaded once per process.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence

from devussy.models import (
    ChatTurn,
    ComplexityProfile,
    DevPlan,
    Handoff,
    InterviewReply,
    Phase,
    ProjectBrief,
    ProjectDesign,
    Requirement,
)
from devussy.planner import complexity as complexity_rubric
from devussy.planner.analysis import Analysis, analyze_brief, analyze_text, brief_text
from devussy.planner.design import build_design
from devussy.planner.handoff import build_handoff
from devussy.planner.interview import interview_reply
from devussy.planner.job_shape import alert_only_chats, is_scheduled_job
from devussy.planner.knowledge import INTEGRATION_CATEGORIES, knowledge
from devussy.planner.requirement_map import (
    SIGN_IN_THROUGH,
    RequirementMap,
    build_map,
    requirements_key,
    tool_names,
)
from devussy.planner.steps import Basis, PhaseInput, PlanSteps, plan_steps
from devussy.planner.synthesis import (
    build_context,
    classify,
    dependencies,
    draft_summary,
    draft_title,
    layout,
)
from devussy.planner.vague import BriefTooVague, VagueBrief, assess_brief
from devussy.requirements.extract import extract_requirements
from devussy.stages.inputs import require_phase


class OfflinePlanner:
    """Deterministic, instant planner specific to the brief it is given. Safe to share between threads."""

    def interview(self, history: list[ChatTurn], user_input: str) -> InterviewReply:
        return interview_reply(history, user_input)

    def check_brief(self, brief: ProjectBrief) -> VagueBrief | None:
        """Why this brief cannot be planned offline (too vague, not English) and what to ask, or None."""
        return assess_brief(brief, design_requirements(brief))

    def design(self, brief: ProjectBrief) -> ProjectDesign:
        requirements = design_requirements(brief)
        vague = assess_brief(brief, requirements)
        if vague is not None:
            raise BriefTooVague(vague)
        basis, profile = _basis(brief, requirements, brief.name)
        return build_design(brief, basis, profile)

    def basic_plan(self, design: ProjectDesign) -> DevPlan:
        brief = design.brief or _brief_from_text(design.project_name, design.summary, design.tech_stack)
        requirements = list(design.requirements) or design_requirements(brief)
        basis, profile = _basis(brief, requirements, design.project_name, design.complexity)
        phases = _outline(basis, profile.phase_count)
        return DevPlan(
            project_name=design.project_name,
            summary=design.summary,
            phases=phases,
            tech_stack=list(design.tech_stack),
            requirements=requirements,
            brief=design.brief,
            complexity=profile,
        )

    def phase_detail(self, plan: DevPlan, phase_number: int, *, plan_complete: bool = True) -> Phase:
        """Steps for one phase. ``plan_complete=False`` means more phases are still to come (the plan is
        streaming): the phases this planner would add after the known ones stand in for them, so an early
        start gives the same steps as a run on the finished plan."""
        target = require_phase(plan, phase_number)
        basis, profile = _basis_for_plan(plan)
        phases = list(plan.phases)
        if not plan_complete:
            last = max(p.number for p in plan.phases)
            phases += [p for p in _outline(basis, profile.phase_count) if p.number > last]
        steps = _steps_for(basis, phases).phases[phase_number]
        cited = target.requirements or sorted({r for s in steps for r in s.covers}, key=lambda r: int(r[1:]))
        return target.model_copy(update={"steps": list(steps), "requirements": cited})

    def handoff(self, design: ProjectDesign, plan: DevPlan) -> Handoff:
        use_plan = plan.brief is not None or design.brief is None
        basis, _ = _basis_for_plan(plan) if use_plan else _basis_for_design(design)
        detailed = [p if p.steps else self.phase_detail(plan, p.number) for p in plan.phases]
        first = min(detailed, key=lambda p: (len(p.depends_on) > 0, p.number))
        return build_handoff(design, plan.model_copy(update={"phases": detailed}), first, basis)


def design_requirements(brief: ProjectBrief) -> list[Requirement]:
    """The brief's requirements (its own ids kept), plus an integration requirement for each technology
    the knowledge base found in the brief that the extraction did not name (source ``design``)."""
    requirements = extract_requirements(brief)
    analysis = _client_analysis(brief)
    rmap = build_map(requirements)
    kb = knowledge()
    next_id = max((int(r.id[1:]) for r in requirements), default=0) + 1
    for tid in analysis.explicit:
        if not rmap.for_tech(tid) and len(requirements) < 100:
            requirements.append(
                Requirement(
                    id=f"R{next_id}", text=kb.technologies[tid].name, kind="integration", source="design"
                )
            )
            next_id += 1
    return requirements


# -- basis: what every stage knows about the project ---------------------------------------------


def _brief_from_text(name: str, summary: str, tech_stack: Sequence[str]) -> ProjectBrief:
    return ProjectBrief(name=name, summary=summary, frameworks=[t for t in tech_stack if len(t) <= 100][:50])


def _basis(
    brief: ProjectBrief,
    requirements: Sequence[Requirement],
    name: str,
    profile: ComplexityProfile | None = None,
) -> tuple[Basis, ComplexityProfile]:
    key = (
        brief.model_dump_json(),
        requirements_key(requirements),
        name,
        profile.model_dump_json() if profile is not None else "",
    )
    cached = _BASES.get(key)
    if cached is None:
        cached = _make_basis(brief, requirements, name, profile)
        if len(_BASES) >= _MAX_BASES:
            _BASES.pop(next(iter(_BASES)))
        _BASES[key] = cached
    return cached


_BASES: dict[tuple[str, object, str, str], tuple[Basis, ComplexityProfile]] = {}
_MAX_BASES = 64


def _make_basis(
    brief: ProjectBrief,
    requirements: Sequence[Requirement],
    name: str,
    profile: ComplexityProfile | None,
) -> tuple[Basis, ComplexityProfile]:
    rmap = build_map(requirements)
    analysis = _with_requirement_techs(brief, rmap)
    effective = _with_rules(analysis, rmap, brief_text(brief))
    complexity = (
        profile
        if isinstance(profile, ComplexityProfile)
        else complexity_rubric.profile_from_analysis(effective, goal_count=len(brief.goals))
    )
    ctx = build_context(effective, name, brief.deployment, rmap)
    basis = Basis(effective, rmap, ctx, complexity.depth, tuple(requirements))
    return basis, complexity


def _basis_for_plan(plan: DevPlan) -> tuple[Basis, ComplexityProfile]:
    if plan.brief is not None:
        brief = plan.brief
    else:
        # No brief (an older client, or a hand-written plan): read what the plan itself says; its phase
        # titles are its structure (classified per phase), not requirements.
        brief = _brief_from_text(plan.project_name, plan.summary, plan.tech_stack)
    requirements = list(plan.requirements) or design_requirements(brief)
    return _basis(brief, requirements, plan.project_name, plan.complexity)


def _basis_for_design(design: ProjectDesign) -> tuple[Basis, ComplexityProfile]:
    brief = design.brief or _brief_from_text(design.project_name, design.summary, design.tech_stack)
    requirements = list(design.requirements) or design_requirements(brief)
    return _basis(brief, requirements, design.project_name, design.complexity)


def plan_analysis(brief: ProjectBrief, requirements: Sequence[Requirement] | None = None) -> Analysis:
    """The analysis the planner plans with: the brief's, plus the technologies its requirements name and
    the constraint rules they trigger (for tools that judge a plan, such as bench/plan_quality.py)."""
    rmap = build_map(requirements if requirements is not None else design_requirements(brief))
    return _with_rules(_with_requirement_techs(brief, rmap), rmap, brief_text(brief))


def _with_requirement_techs(brief: ProjectBrief, rmap: RequirementMap) -> Analysis:
    """The brief's analysis, with the technologies its requirements name added to the stack (an edited
    requirement list, or a name the free-text matcher needs context for: "a Go command-line tool")."""
    analysis = _client_analysis(brief)
    kb = knowledge()
    backends = _existing_backends(brief, analyze_brief(brief))
    extra = [
        kb.technologies[tid].name
        for info in rmap.infos
        if info.requirement.kind == "integration"
        for tid in info.techs
        if tid not in analysis.stack and tid not in backends
    ]
    if not extra:
        return analysis
    return analyze_text(
        brief_text(brief),
        tuple(dict.fromkeys([*brief.languages, *brief.frameworks, *extra])),
        tuple(brief.data_stores),
        tuple(brief.integrations),
        brief.deployment,
        brief.team_size,
    )


# A client (an app, an extension, a CLI) that talks to "our existing Django REST API" calls that server; it
# does not build it. The server's framework is not the client's stack.
_CLIENT_TYPES = frozenset({"mobile_app", "desktop_app", "browser_extension", "cli"})
_EXISTING_SERVER = (
    r"\b(?:our|the|their|an?)\s+(?:own\s+)?existing\s+(?:[\w.-]+\s+){{0,2}}?{name}"
    r"(?:\s+[\w-]+){{0,2}}?\s+(?:API|backend|back end|server|service|site|website)\b"
)


def _existing_backends(brief: ProjectBrief, analysis: Analysis) -> dict[str, re.Pattern[str]]:
    """The web frameworks a client brief names only as the existing server it talks to."""
    if analysis.project_type not in _CLIENT_TYPES:
        return {}
    text = brief_text(brief)
    kb = knowledge()
    found = {}
    for tid in analysis.stack:
        if analysis.category(tid) != "web_framework":
            continue
        name = re.escape(kb.technologies[tid].name)
        pattern = re.compile(_EXISTING_SERVER.format(name=name), re.IGNORECASE)
        mentions = len(re.findall(rf"\b{name}\b", text, re.IGNORECASE))
        if mentions and len(pattern.findall(text)) == mentions:
            found[tid] = pattern
    return found


def _client_analysis(brief: ProjectBrief) -> Analysis:
    """The brief's analysis, without the framework of an existing server a client only calls."""
    analysis = analyze_brief(brief)
    backends = _existing_backends(brief, analysis)
    if not backends:
        return analysis
    kb = knowledge()
    text = brief_text(brief)
    names = {kb.technologies[t].name for t in backends}
    for tid, pattern in backends.items():
        own_name = re.compile(rf"\s*\b{re.escape(kb.technologies[tid].name)}\b", re.IGNORECASE)

        def unnamed(match: re.Match[str], own_name: re.Pattern[str] = own_name) -> str:
            return own_name.sub("", match.group(0))  # "our existing Django API" → "our existing API"

        text = pattern.sub(unnamed, text)
    return analyze_text(
        text,
        tuple(n for n in (*brief.languages, *brief.frameworks) if n not in names),
        tuple(brief.data_stores),
        tuple(brief.integrations),
        brief.deployment,
        brief.team_size,
    )


def _with_rules(analysis: Analysis, rmap: RequirementMap, text: str = "") -> Analysis:
    """The analysis with the constraint rules of the requirements as flags (steps test them with
    ``when_*``/``unless``), and what those rules take away: no accounts → no sign-in phase; and which
    unknown technologies are tools the product is built with rather than services it calls."""
    flags = set(analysis.flags) | set(rmap.rules)
    tools = tool_names(rmap.unknown_techs, f"{text}\n" + "\n".join(i.requirement.text for i in rmap.infos))
    sso = " ".join(
        i.requirement.text
        for i in rmap.infos
        if "sso_only" in i.rules
        or (i.requirement.kind != "constraint" and SIGN_IN_THROUGH.search(i.requirement.text))
    )
    idps = frozenset(n for n in rmap.unknown_techs if n in sso and n not in tools)
    if any(
        i.requirement.kind in ("feature", "integration") and SIGN_IN_THROUGH.search(i.requirement.text)
        for i in rmap.infos
    ):
        flags.add("sso_only")  # the identity provider signs people in: no passwords, no sign-up form
    if "docker" in analysis.explicit:
        flags.add("containers_named")
    if "no_accounts" in flags:
        flags.discard("has_auth")
    if "sso_only" in flags:
        flags.add("has_auth")
    if flags & {"no_database", "data_on_device"}:
        flags.discard("has_data")
        flags.add("local_data")
    if any(name not in tools | idps for name in rmap.unknown_techs):
        flags.add("integrations_present")
    if "has_data" in flags and _api_sourced(analysis, rmap, tools | idps):
        # "reads tickets from our existing Zendesk account": the records live in the service, not in a
        # database of ours (no data phase, no schema, no tables to map).
        flags.discard("has_data")
        flags.add("api_source")
    if is_scheduled_job(analysis, rmap, text):
        flags.add("scheduled_job")  # "a nightly job that exports …": scheduled, re-runnable, no API
    alert_chats = alert_only_chats(analysis, rmap)
    if alert_chats:
        flags.add("chat_alerts_only")  # "Alert in Slack if the job fails": an incoming webhook
        chat_names = [knowledge().technologies[t].name.lower() for t in alert_chats]
        notify = [i for i in rmap.infos if "notifications" in i.features]
        if notify and all(any(n in i.requirement.text.lower() for n in chat_names) for i in notify):
            flags.add("notify_by_chat")  # "Notify the team in Slack": the webhook, not email preferences
        others = [
            t
            for t in analysis.stack
            if analysis.category(t) in INTEGRATION_CATEGORIES and t not in alert_chats
        ]
        if not others and not any(name not in tools | idps for name in rmap.unknown_techs):
            flags.discard("has_services")  # a webhook URL needs no adapter of its own
    if analysis.project_type == "ml_service" and _BATCH.search(text):
        flags.add("batch_only")  # "predictions run as a nightly batch", "write the forecasts every Monday"
    if "read_only" in flags and _read_only_service(analysis, rmap, tools | idps):
        flags.add("service_read_only")
    if (
        any(analysis.category(t) == "embedded" for t in analysis.stack)
        and analysis.project_type != "embedded"
    ):
        flags.add("edge_device")  # a model or app that runs on a board (a Jetson, a Raspberry Pi)
    unknown = tuple(dict.fromkeys([*analysis.unknown, *rmap.unknown_techs]))
    features = analysis.features
    if "sso_only" in flags and "single_sign_on" not in features:
        features = (*features, "single_sign_on")  # "login via Azure AD" asks for SSO without naming it
    return dataclasses.replace(
        analysis,
        features=features,
        flags=frozenset(flags),
        unknown=unknown,
        unknown_tools=tuple(n for n in rmap.unknown_techs if n in tools),
        unknown_idps=tuple(n for n in rmap.unknown_techs if n in idps),
    )


_OWN_RECORDS_TYPES = frozenset(
    {"data_pipeline", "ml_service", "migration", "scraper", "infrastructure", "saas"}
)
_FROM_SERVICE = re.compile(r"\b(?:from|in|via|through|into|on|to)\b", re.IGNORECASE)


_BATCH = re.compile(
    r"\b(?:nightly|daily|weekly|hourly|monthly)\s+batch\b|\bbatch\s+(?:job|run|predictions?|scoring|inference)\b|"
    r"\bnot\s+an?\s+(?:real[- ]time|online|live)\s+(?:service|api|endpoint)\b|"
    r"\b(?:write|writes|writing|store|stores|load|loads|push|pushes)\b[^.;]{0,80}\bevery\s+"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|day|night|week|hour|morning)\b",
    re.IGNORECASE,
)


def _service_names(analysis: Analysis, rmap: RequirementMap, tools: frozenset[str]) -> list[str]:
    kb = knowledge()
    names = [
        kb.technologies[t].name for t in analysis.stack if analysis.category(t) in INTEGRATION_CATEGORIES
    ]
    return names + [n for n in rmap.unknown_techs if n not in tools]


def _read_only_service(analysis: Analysis, rmap: RequirementMap, tools: frozenset[str]) -> bool:
    """Whether "read-only" is about a service the product calls ("read-only access to Jira Cloud") and no
    database is named: there are no tables of theirs to map."""
    if analysis.unknown_stores or any(analysis.category(t) == "database" for t in analysis.stack):
        return False
    names = [n.lower() for n in _service_names(analysis, rmap, tools)]
    stated = [i.requirement.text.lower() for i in rmap.infos if "read_only" in i.rules]
    return bool(stated) and all(any(n in text for n in names) for text in stated)


def _api_sourced(analysis: Analysis, rmap: RequirementMap, tools: frozenset[str]) -> bool:
    """Whether the product's records come from services it calls rather than a database of its own: no
    database is named, and the features read from a named service while the brief says that data is
    read-only or already lives in that service ("appointments live in our existing Dentally system")."""
    if analysis.project_type in _OWN_RECORDS_TYPES or analysis.unknown_stores:
        return False
    if any(analysis.category(t) == "database" for t in analysis.stack):
        return False
    names = _service_names(analysis, rmap, tools)
    if not names:
        return False

    def mentions(text: str) -> bool:
        lowered = text.lower()
        return any(n.lower() in lowered for n in names) and bool(_FROM_SERVICE.search(text))

    reads = [i for i in rmap.infos if i.requirement.kind == "feature" and mentions(i.requirement.text)]
    held = [i for i in rmap.infos if i.requirement.kind == "constraint" and mentions(i.requirement.text)]
    return bool(held) or (bool(reads) and "read_only" in rmap.rules)


# -- outline and steps ---------------------------------------------------------------------------


def _outline(basis: Basis, phase_count: int) -> list[Phase]:
    """The phases (without steps) this planner lays out for a project, each citing its requirements."""
    drafts = layout(basis.analysis, phase_count, basis.rmap)
    numbered = list(enumerate(drafts, start=1))
    deps = dependencies([(n, d.kinds) for n, d in numbered])
    names = _integration_names(basis)
    phases = [
        Phase(
            number=n,
            title=draft_title(d, basis.ctx, basis.rmap),
            summary=draft_summary(d, basis.ctx, basis.rmap, names),
            depends_on=deps[n],
            requirements=[r for key in d.units for r in basis.rmap.unit(key).requirements],
        )
        for n, d in numbered
    ]
    steps = _steps_for(basis, phases)
    # A core phase cites exactly the units it builds (that is how a detail, or an edited plan, knows which
    # units those are); every other phase cites what its steps cover.
    return [
        p
        if "core" in drafts[p.number - 1].kinds
        else p.model_copy(update={"requirements": _ids(r for s in steps.phases[p.number] for r in s.covers)})
        for p in phases
    ]


def _ids(ids: Iterable[str]) -> list[str]:
    return sorted(set(ids), key=lambda r: int(r[1:]))


def _steps_for(basis: Basis, phases: Sequence[Phase]) -> PlanSteps:
    # Only a core phase's requirements say something about its steps (which units it builds); leaving the
    # others out lets the basic plan and the phase details share one assignment.
    inputs = tuple(
        PhaseInput(
            p.number,
            p.title,
            p.summary,
            tuple(p.requirements) if "core" in classify(p.title, p.summary).kinds else (),
        )
        for p in phases
    )
    key = (
        basis.analysis,
        requirements_key(basis.requirements),
        basis.ctx.name,
        basis.depth,
        str(basis.ctx.values["deploy"]),
    )
    return plan_steps(key, basis, inputs)


def _integration_names(basis: Basis) -> str:
    kb = knowledge()
    analysis = basis.analysis
    names = [
        kb.technologies[t].name for t in analysis.stack if analysis.category(t) in INTEGRATION_CATEGORIES
    ]
    names += [n for n in basis.rmap.unknown_techs if n not in names]
    return ", ".join(names) if names else "the external services"


def clear_caches() -> None:
    """Forget memoised analyses, maps, step assignments and phase classifications (the knowledge base
    stays loaded)."""
    from devussy.planner.domain import words_of
    from devussy.planner.requirement_map import _build_map, clear_entries
    from devussy.planner.steps import _plan_steps

    analyze_text.cache_clear()
    classify.cache_clear()
    _BASES.clear()
    _build_map.cache_clear()
    clear_entries()
    _plan_steps.cache_clear()
    words_of.cache_clear()
