"""Plan synthesis: phase layout from the complexity profile, and the steps of one phase.

A phase is described by its *kinds* (foundation, data, auth, core, integrations, ui, hardening,
observability, docs, release; a merged phase has several) plus, for core phases, the features it builds.
Kinds are recovered from a phase's title (and summary), never from its position, so a plan the user
edited (retitled, reordered, added or deleted phases) still gets sensible steps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from devussy.models import Step, slugify
from devussy.planner.analysis import Analysis, analyzer, resolve_toolchain
from devussy.planner.knowledge import (
    INTEGRATION_CATEGORIES,
    PHASE_ORDER,
    StepTemplate,
    knowledge,
)

HOSTED_TYPES = frozenset({"web_api", "web_app", "saas", "ml_service", "data_pipeline", "infrastructure"})
# What a phase of each kind builds on: each group names alternatives (the first kind present wins);
# the groups are combined. A phase depends on every phase of the winning kinds.
REQUIRES: dict[str, tuple[tuple[str, ...], ...]] = {
    "foundation": (),
    "data": (("foundation",),),
    "auth": (("data", "foundation"),),
    "core": (("auth", "data", "foundation"),),
    "integrations": (("core", "foundation"),),
    "ui": (("core", "foundation"),),
    "hardening": (("core", "foundation"), ("integrations",), ("ui",)),
    "observability": (("core", "foundation"),),
    "docs": (("core", "foundation"), ("ui",)),
    "release": (("hardening", "core"), ("observability",), ("docs",)),
}
CUSTOM = "custom"


# -- placeholder values --------------------------------------------------------------------------


class TestCommand:
    """Formats as the full test command, or with a spec as a filtered run: ``{test:payments}``."""

    def __init__(self, full: str, filtered: str) -> None:
        self.full = full
        self.filtered = filtered

    def __format__(self, spec: str) -> str:
        if not spec:
            return self.full
        keyword = re.sub(r"[^a-z0-9_]+", "_", spec.lower()).strip("_") or "test"
        return self.filtered.replace("{kw}", keyword) if "{kw}" in self.filtered else self.full

    def __str__(self) -> str:
        return self.full


def clip(text: str, limit: int = 500) -> str:
    """Fit text into a model field (ShortText is 500 characters, LongText 50,000)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


SUMMARY_LIMIT = 600


def summarise(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """A long idea's opening sentences (up to ``limit`` characters), instead of the whole text.

    The design restates the idea in its summary; a pasted specification of thousands of characters
    would otherwise be echoed whole. The full idea stays in the brief.
    """
    if len(text) <= limit:
        return text
    text = " ".join(text.split())
    summary = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if len(summary) + len(sentence) + 1 > limit - 1:
            break
        summary = f"{summary} {sentence}".strip()
    if not summary:
        summary = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return summary + " …"


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class Context:
    """Everything needed to turn templates into text for one brief."""

    analysis: Analysis
    name: str
    values: dict[str, object] = field(default_factory=dict)
    ui_values: dict[str, object] = field(default_factory=dict)

    def fill(self, template: str, kind: str = "", **extra: object) -> str:
        values = {**(self.ui_values if kind == "ui" else self.values), **extra}
        return template.format_map(values)


def build_context(analysis: Analysis, name: str, deployment: str | None = None) -> Context:
    kb = knowledge()

    def named(categories: Iterable[str], generic: str) -> str:
        cats = set(categories)
        names = [kb.technologies[t].name for t in analysis.stack if kb.technologies[t].category in cats]
        return _join(names) if names else generic

    slug = slugify(name)
    pkg = slug.replace("-", "_")
    entities = list(analysis.entities) or ["Item"]
    frameworks = [
        kb.technologies[t].name for t in analysis.stack if kb.technologies[t].category == "web_framework"
    ]
    features = [kb.features[f].name for f in analysis.features]
    hosted = analysis.project_type in HOSTED_TYPES
    deploy_generic = deployment or ("the chosen hosting platform" if hosted else "the release channel")
    auth_generic = (
        f"{frameworks[0]}'s built-in authentication" if frameworks else "a maintained authentication library"
    )
    language = named(["language"], "the chosen language")

    def values_for(side: str) -> dict[str, object]:
        tc = {
            key: None
            if value is None
            else value.replace("{slug}", slug).replace("{pkg}", pkg).replace("{name}", name)
            for key, value in resolve_toolchain(analysis, side=side).items()
        }
        test = TestCommand(tc["test"] or "make test", tc["test_filter"] or tc["test"] or "make test")
        migrate = tc["migrate"] or format(test, "migrations")
        return {
            "name": name,
            "slug": slug,
            "pkg": pkg,
            "language": language,
            "test": test,
            "check": tc["check"] or test.full,
            "run": tc["run"] or "make run",
            "migrate": migrate,
            "init": tc["init"] or "git init",
            "manifest": tc["manifest"] or "project manifest",
            "db": (
                "local files (the brief rules a database out)"
                if "database" in analysis.negated
                else named(["database"], _join(list(analysis.unknown_stores)) or "the database")
            ),
            "framework": named(["web_framework"], "the HTTP layer"),
            "frontend": named(
                ["frontend", "mobile"], f"{frameworks[0]} templates" if frameworks else "the UI toolkit"
            ),
            "deploy": named(["deploy", "cloud"], deploy_generic),
            "payments": named(["payments"], "the payment provider"),
            "email": named(["email"], "the email provider"),
            "auth": named(["auth"], auth_generic),
            "queue": named(["queue"], "a job queue"),
            "ci": named(["ci"], "the CI service"),
            "entity": entities[0],
            "entities": _join(entities),
            "features": _join(features) if features else "the primary workflow",
            "feature": "",
            "subject": "",
        }

    return Context(
        analysis=analysis, name=name, values=values_for("backend"), ui_values=values_for("frontend")
    )


# -- phase classification ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _kind_patterns() -> dict[str, re.Pattern[str]]:
    kb = knowledge()
    patterns = {}
    for kind in PHASE_ORDER:
        words = sorted(kb.phases[kind].keywords, key=lambda w: (-len(w), w))
        alternation = "|".join(r"[\s_-]+".join(re.escape(p) for p in w.split()) for w in words)
        patterns[kind] = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE)
    return patterns


@dataclass(frozen=True)
class PhaseShape:
    kinds: tuple[str, ...]  # in PHASE_ORDER, or ("custom",)
    features: tuple[str, ...] = ()  # features named in the title/summary (core phases)
    techs: tuple[str, ...] = ()  # technologies named in the title/summary


@lru_cache(maxsize=1024)
def classify(title: str, summary: str = "") -> PhaseShape:
    """Recover what a phase is about from its title (falling back to its summary)."""
    techs, features, spans = analyzer().find_entries_with_spans(title)
    # Feature and technology names are not kind keywords ("Core features: user accounts" is core).
    remainder = title
    for start, end in spans:
        remainder = remainder[:start] + " " * (end - start) + remainder[end:]
    kinds = [k for k, p in _kind_patterns().items() if p.search(remainder)]
    if not kinds and (features or techs):
        kb = knowledge()
        if features:
            # A feature title is a core phase, unless the feature has no core steps ("User authentication").
            step_kinds = {step.phase for f in features for step in kb.features[f].steps}
            kinds = ["core"] if "core" in step_kinds else [k for k in PHASE_ORDER if k in step_kinds]
        elif any(kb.technologies[t].category in INTEGRATION_CATEGORIES for t in techs):
            kinds = ["integrations"]
    if not kinds and summary:
        counts = {k: len(p.findall(summary)) for k, p in _kind_patterns().items()}
        best = max(counts.values())
        if best:
            kinds = [next(k for k in PHASE_ORDER if counts[k] == best)]
    if not features and "core" in kinds and summary:
        _, features = analyzer().find_entries(summary)
    return PhaseShape(kinds=tuple(kinds) or (CUSTOM,), features=tuple(features), techs=tuple(techs))


# -- phase layout (basic plan) -------------------------------------------------------------------


@dataclass
class PhaseDraft:
    kinds: list[str]
    features: list[str] = field(default_factory=list)
    techs: list[str] = field(default_factory=list)


def core_features(analysis: Analysis) -> list[str]:
    """Features that have core steps (and so can title a core phase)."""
    kb = knowledge()
    return [f for f in analysis.features if any(s.phase == "core" for s in kb.features[f].steps)]


def layout(analysis: Analysis, target: int) -> list[PhaseDraft]:
    flags = analysis.flags
    drafts = [PhaseDraft(["foundation"])]
    if "has_data" in flags:
        drafts.append(PhaseDraft(["data"]))
    if "has_auth" in flags:
        drafts.append(PhaseDraft(["auth"]))
    drafts.append(PhaseDraft(["core"], features=core_features(analysis)))
    if "integrations_present" in flags:
        drafts.append(PhaseDraft(["integrations"]))
    if "has_ui" in flags:
        drafts.append(PhaseDraft(["ui"]))
    drafts.append(PhaseDraft(["hardening"]))
    drafts.append(PhaseDraft(["release"]))

    merges = [
        ("hardening", "release"),
        ("ui", "core"),
        ("integrations", "core"),
        ("auth", "data"),
        ("auth", "core"),
        ("data", "foundation"),
    ]
    for source, into in merges:
        if len(drafts) <= target:
            break
        _merge(drafts, source, into)

    if len(drafts) < target and analysis.project_type in HOSTED_TYPES:
        _insert_before(drafts, PhaseDraft(["observability"]), "release")
    core = next(d for d in drafts if "core" in d.kinds)
    while len(drafts) < target and len(core.features) > 1:
        # Give the last feature of the largest core phase a phase of its own, right after that phase,
        # so the features keep the order the brief named them in.
        largest = max((d for d in drafts if "core" in d.kinds), key=lambda d: len(d.features))
        if len(largest.features) < 2:
            break
        moved = largest.features.pop()
        drafts.insert(drafts.index(largest) + 1, PhaseDraft(["core"], features=[moved]))
    if len(drafts) < target and "integrations_present" in flags:
        _split_integrations(drafts, analysis, target)
    if len(drafts) < target:
        _insert_before(drafts, PhaseDraft(["docs"]), "release")
    return drafts


def _merge(drafts: list[PhaseDraft], source: str, into: str) -> None:
    src = next((d for d in drafts if d.kinds == [source]), None)
    dst = next((d for d in drafts if into in d.kinds), None)
    if src is None or dst is None or src is dst:
        return
    drafts.remove(src)
    dst.kinds = [k for k in PHASE_ORDER if k in {*dst.kinds, *src.kinds}]
    dst.features.extend(f for f in src.features if f not in dst.features)


def _insert_before(drafts: list[PhaseDraft], draft: PhaseDraft, kind: str) -> None:
    index = next((i for i, d in enumerate(drafts) if kind in d.kinds), len(drafts))
    drafts.insert(index, draft)


def _split_integrations(drafts: list[PhaseDraft], analysis: Analysis, target: int) -> None:
    kb = knowledge()
    current = next((d for d in drafts if d.kinds == ["integrations"]), None)
    services = [t for t in analysis.stack if kb.technologies[t].category in INTEGRATION_CATEGORIES]
    if current is None or len(services) < 2:
        return
    groups: dict[str, list[str]] = {}
    for tid in services:
        groups.setdefault(kb.technologies[tid].category, []).append(tid)
    if len(groups) < 2:
        return
    index = drafts.index(current)
    drafts.remove(current)
    new = [PhaseDraft(["integrations"], techs=list(g)) for g in groups.values()]
    while len(drafts) + len(new) > target and len(new) > 1:
        last = new.pop()
        new[-1].techs.extend(last.techs)
    drafts[index:index] = new


def draft_title(draft: PhaseDraft, ctx: Context) -> str:
    kb = knowledge()
    if draft.kinds == ["core"] and draft.features:
        return "Core features: " + _join([kb.features[f].name for f in draft.features])
    if draft.kinds == ["integrations"] and draft.techs:
        return "Integrations: " + _join([kb.technologies[t].name for t in draft.techs])
    if len(draft.kinds) == 1:
        title = _KIND_TITLES[draft.kinds[0]]
    else:
        parts = [_SHORT_KIND_TITLES[k] for k in draft.kinds]
        title = (", ".join(parts[:-1]) + " and " + parts[-1]).capitalize()
    if "core" in draft.kinds and draft.features:
        title += ": " + _join([kb.features[f].name for f in draft.features])
    return title


_SHORT_KIND_TITLES = {
    "foundation": "foundation",
    "data": "data model",
    "auth": "access control",
    "core": "core features",
    "integrations": "integrations",
    "ui": "user interface",
    "hardening": "hardening",
    "observability": "observability",
    "docs": "documentation",
    "release": "release",
}
_KIND_TITLES = {
    "foundation": "Project foundation and tooling",
    "data": "Data model and persistence",
    "auth": "Accounts and access control",
    "core": "Core features",
    "integrations": "Integrations",
    "ui": "User interface",
    "hardening": "Hardening",
    "observability": "Observability",
    "docs": "Documentation",
    "release": "Release",
}


def draft_summary(draft: PhaseDraft, ctx: Context, integration_names: str) -> str:
    return clip(_draft_summary(draft, ctx, integration_names), 50_000)


def _draft_summary(draft: PhaseDraft, ctx: Context, integration_names: str) -> str:
    kb = knowledge()
    features = _join([kb.features[f].name for f in draft.features]) if draft.features else None
    if "core" in draft.kinds and not draft.features:
        features = "the primary workflow"
    subject = _join([kb.technologies[t].name for t in draft.techs]) if draft.techs else integration_names
    parts = []
    for kind in draft.kinds:
        extra: dict[str, object] = {"subject": subject}
        if features:
            extra["features"] = features
        parts.append(ctx.fill(kb.phases[kind].summary, kind, **extra))
    return " ".join(parts)


def dependencies(kinds_by_number: Sequence[tuple[int, Sequence[str]]]) -> dict[int, list[int]]:
    """Each phase depends on the earlier phases of the kinds it builds on (see REQUIRES)."""
    result: dict[int, list[int]] = {}
    for index, (number, kinds) in enumerate(kinds_by_number):
        earlier = kinds_by_number[:index]
        deps: set[int] = set()
        for kind in kinds:
            if kind == "core" and any("core" in k for _, k in earlier):
                deps.add(next(n for n, k in earlier if "core" in k))  # later core phases build on the first
                continue
            for alternatives in REQUIRES.get(kind, ()):
                for required in alternatives:
                    matches = [n for n, k in earlier if required in k and not set(kinds) & set(k)]
                    if matches:
                        deps.update(matches)
                        break
        if not deps and earlier and "foundation" not in kinds:
            deps.add(earlier[-1][0])
        deps.discard(number)
        result[number] = sorted(deps)
    return result


# -- steps of one phase --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    template: StepTemplate
    rank: int  # tie-breaker after `order`: generic < project type < technology < feature
    index: int
    feature: str | None = None


def _applies(step: StepTemplate, analysis: Analysis) -> bool:
    if step.when_types and analysis.project_type not in step.when_types:
        return False
    if analysis.project_type in step.unless_types:
        return False
    if step.when_all and not all(analysis.has(x) for x in step.when_all):
        return False
    if step.when_any and not any(analysis.has(x) for x in step.when_any):
        return False
    return not any(analysis.has(x) for x in step.unless)


def phase_steps(
    number: int,
    shape: PhaseShape,
    ctx: Context,
    depth: int,
    *,
    primary_core: bool,
    primary_integrations: bool,
    features: Sequence[str],
    integration_techs: Sequence[str] | None,
    uncovered_kinds: frozenset[str],
    title: str,
) -> list[Step]:
    """The steps of one phase.

    ``features`` are the features this (core) phase builds; ``integration_techs`` the services an
    integrations phase wires in (None: all of them); ``uncovered_kinds`` are kinds no phase of the plan
    covers, whose feature steps then land with the feature's core phase.
    """
    kb = knowledge()
    analysis = ctx.analysis
    kinds = set(shape.kinds)
    candidates: list[_Candidate] = []
    subject = title
    if "integrations" in kinds:
        services = [t for t in analysis.stack if kb.technologies[t].category in INTEGRATION_CATEGORIES]
        if integration_techs is not None:
            services = [t for t in services if t in integration_techs]
        wanted_ids = services
        names = [kb.technologies[t].name for t in wanted_ids]
        names += [n for n in analysis.unknown_services if integration_techs is None or n in integration_techs]
        subject = _join(names) or "the services the features need"

    def add(steps: Iterable[StepTemplate], rank: int, wanted: set[str]) -> None:
        for i, step in enumerate(steps):
            if step.phase in wanted and _applies(step, analysis):
                candidates.append(_Candidate(step, rank, i))

    if CUSTOM in kinds:
        _add_custom(candidates, title)
    for kind in shape.kinds:
        if kind == CUSTOM:
            continue
        if kind == "core" and not primary_core:
            continue  # the generic core steps belong to the first core phase only
        add(kb.phases[kind].steps, 0, {kind})
    type_kinds = kinds if primary_core or "core" not in kinds else kinds - {"core"}
    add(kb.project_types[analysis.project_type].steps, 1, type_kinds)
    shadowed = _shadowed_kinds(analysis)
    # Tools and features a phase title names count even if the brief did not ("Add Redis caching").
    for position, tid in enumerate(dict.fromkeys([*analysis.stack, *shape.techs])):
        tech = kb.technologies[tid]
        wanted = set(type_kinds) - shadowed.get(tid, set())
        if (
            "integrations" in wanted
            and integration_techs is not None
            and tech.category in INTEGRATION_CATEGORIES
            and tid not in integration_techs
        ):
            wanted.discard("integrations")
        if tid in shape.techs and CUSTOM in kinds:
            wanted = set(PHASE_ORDER)  # a custom phase that names a tool gets all of that tool's steps
        for i, step in enumerate(tech.steps):
            if step.phase in wanted and _applies(step, analysis):
                candidates.append(_Candidate(step, 2, position * 100 + i))
    for position, fid in enumerate(dict.fromkeys([*analysis.features, *features])):
        feature = kb.features[fid]
        wanted = {k for k in kinds if k != "core"}
        if fid in features:
            wanted |= {"core"} | set(uncovered_kinds)
        for i, step in enumerate(feature.steps):
            if step.phase not in wanted or not _applies(step, analysis):
                continue
            if (
                step.phase == "integrations"
                and "integrations" in kinds
                and not _integration_step_here(step, analysis, integration_techs, primary_integrations)
            ):
                continue
            candidates.append(_Candidate(step, 3, position * 100 + i, feature=fid))
    if "integrations" in kinds:
        for i, name in enumerate(analysis.unknown_services):
            if (name in (integration_techs or ())) or (primary_integrations and integration_techs is None):
                candidates.append(_Candidate(_unknown_step(name), 2, 10_000 + i))

    candidates.sort(key=_step_sort_key)
    chosen: list[tuple[_Candidate, str]] = []
    seen_titles: set[str] = set()
    for cand in candidates:
        if cand.template.optional:
            continue
        title_text = _fill_step_title(cand, ctx)
        if title_text.lower() not in seen_titles:
            seen_titles.add(title_text.lower())
            chosen.append((cand, title_text))
    for cand in candidates:
        if len(chosen) >= depth:
            break
        if not cand.template.optional:
            continue
        title_text = _fill_step_title(cand, ctx)
        if title_text.lower() not in seen_titles:
            seen_titles.add(title_text.lower())
            chosen.append((cand, title_text))
    chosen.sort(key=lambda pair: _step_sort_key(pair[0]))

    steps: list[Step] = []
    for n, (cand, title_text) in enumerate(chosen, start=1):
        template = cand.template
        kind = template.phase
        extra: dict[str, object] = {}
        if cand.feature:
            extra["feature"] = kb.features[cand.feature].name
        extra["subject"] = subject
        steps.append(
            Step(
                id=f"{number}.{n}",
                title=title_text,
                details=clip(ctx.fill(template.details, kind, **extra), 50_000),
                acceptance_criteria=[clip(ctx.fill(a, kind, **extra)) for a in template.acceptance],
                test_command=clip(ctx.fill(template.command, kind, **extra)),
                depends_on=[f"{number}.{n - 1}"] if n > 1 else [],
            )
        )
    return steps


def _shadowed_kinds(analysis: Analysis) -> dict[str, set[str]]:
    """Phase kinds where a technology's own steps are redundant because a tool built on it has steps there.

    Django implies Python and pytest: Django's foundation steps replace the generic Python and pytest ones.
    """
    kb = knowledge()

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(kb.technologies[start].implies)
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(kb.technologies[current].implies)
        return seen

    reaches = {tid: reach(tid) for tid in analysis.stack}
    result: dict[str, set[str]] = {}
    for tid in analysis.stack:
        kinds = {step.phase for step in kb.technologies[tid].steps}
        for implied in reaches[tid]:
            # Mutual implications (Python <-> pytest) shadow nothing.
            if tid not in reaches.get(implied, reach(implied)):
                result.setdefault(implied, set()).update(kinds)
    return result


def _step_sort_key(cand: _Candidate) -> tuple[int, int, int, int]:
    # Merged phases keep their parts in dependency order (hardening before release), then by `order`.
    kind_index = PHASE_ORDER.index(cand.template.phase)
    return (kind_index, cand.template.order, cand.rank, cand.index)


_CATEGORY_PLACEHOLDERS = {"payments": "{payments}", "email": "{email}", "auth": "{auth}", "queue": "{queue}"}


def _integration_step_here(
    step: StepTemplate, analysis: Analysis, techs: Sequence[str] | None, primary: bool
) -> bool:
    """Which integrations phase gets a feature's integration step when integrations are split."""
    if techs is None:
        return primary
    kb = knowledge()
    categories = {kb.technologies[t].category for t in techs if t in kb.technologies}
    text = step.title + step.details
    wanted = {cat for cat, placeholder in _CATEGORY_PLACEHOLDERS.items() if placeholder in text}
    if wanted:
        present = {kb.technologies[t].category for t in analysis.stack}
        # A step for a service the brief did not name (generic wording) goes to the first phase.
        return bool(wanted & categories) or (primary and not wanted & present)
    return primary


def _fill_step_title(cand: _Candidate, ctx: Context) -> str:
    extra: dict[str, object] = {}
    if cand.feature:
        extra["feature"] = knowledge().features[cand.feature].name
    return ctx.fill(cand.template.title, cand.template.phase, **extra)[:200]


def _unknown_step(name: str) -> StepTemplate:
    safe = clip(name.replace("{", "(").replace("}", ")"), 120)
    return StepTemplate(
        phase="integrations",
        title=f"Integrate {safe}",
        details=(
            f"The brief names {safe}, which the built-in planner has no specific knowledge of: read its "
            "documentation, put it behind an adapter with a fake for tests, use sandbox credentials from the "
            "environment, and handle its errors and rate limits explicitly."
        ),
        acceptance=[
            f"A test exercises the {safe} adapter against a fake",
            "Credentials come from the environment",
        ],
        command="{test:" + (re.sub(r"[^a-z0-9]+", "_", safe.lower()).strip("_") or "integration") + "}",
        order=70,
    )


def _add_custom(candidates: list[_Candidate], title: str) -> None:
    subject = title.replace("{", "(").replace("}", ")")
    keyword = re.sub(r"[^a-z0-9]+", "_", subject.lower()).strip("_")[:40] or "feature"
    templates = [
        StepTemplate(
            phase="core",
            order=10,
            title=f"Specify: {subject}"[:200],
            details=(
                f'Write down what "{subject}" must do as concrete examples (inputs, expected results, '
                "failure cases) and turn them into failing tests before implementing."
            ),
            acceptance=["Each example is a test that fails before the work starts"],
            command="{test:" + keyword + "}",
        ),
        StepTemplate(
            phase="core",
            order=30,
            title=f"Implement: {subject}"[:200],
            details=(
                f'Implement "{subject}" in small commits on top of the existing modules, reusing the '
                "service and data-access layers rather than adding parallel paths."
            ),
            acceptance=["All tests written for this phase pass", "No existing test regresses"],
            command="{test}",
        ),
        StepTemplate(
            phase="core",
            order=60,
            title=f"Verify and document: {subject}"[:200],
            details=(
                f'Test "{subject}" end to end, including the failure cases, and document the behaviour '
                "for users and maintainers."
            ),
            acceptance=["The behaviour is documented", "End-to-end test covers the main path"],
            command="{test}",
        ),
    ]
    candidates.extend(_Candidate(t, 0, i) for i, t in enumerate(templates))
