"""The steps of every phase, chosen for the whole plan at once.

Candidates come from the phases' kinds (``phases.yaml``), the project type, every technology of the
stack, and the plan's units (knowledge-base features, feature requirements in the brief's own
words, technologies the knowledge base does not know). Working on the whole plan lets the planner:

- put each unit's steps in the phase that builds it (a core phase's ``requirements`` line says which
  units those are) and each kind of step in the phase of that kind;
- never repeat a step in two phases;
- drop any step that contradicts a constraint or non-goal, with the same rules and the same check
  as ``devussy.requirements.check_coverage`` (so the planner and the check cannot drift apart);
- give every step ``covers`` (the requirements it serves) and dependencies on the steps it builds on
  (its own unit's earlier steps and the phase's setup step), not simply the previous line;
- add a step for any feature or integration requirement still uncovered.

The result is memoised per plan outline, so the phase details of one plan share the work and an
early start (while the plan still streams) gives the same steps as a late one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from devussy.models import Requirement, Step
from devussy.planner.analysis import Analysis, analyzer, primary_language
from devussy.planner.domain import imperative, lower_first, words_of
from devussy.planner.generated import (
    custom_templates,
    domain_templates,
    quality_template,
    technology_template,
    unknown_templates,
)
from devussy.planner.knowledge import INTEGRATION_CATEGORIES, PHASE_ORDER, StepTemplate, knowledge
from devussy.planner.requirement_map import QUALITY_TAGS, RequirementMap, Unit, aspect_words
from devussy.planner.synthesis import CUSTOM, Context, PhaseShape, classify, clip, group_label
from devussy.planner.templates import absorbed_units, applies
from devussy.requirements.coverage import find_violations

# Where a technology's fallback step goes when none of its own steps was chosen.
CATEGORY_KIND = {
    "language": "foundation",
    "web_framework": "foundation",
    "testing": "foundation",
    "ci": "foundation",
    "cli": "foundation",
    "game": "foundation",
    "embedded": "foundation",
    "scraping": "core",
    "data": "core",
    "ml": "core",
    "queue": "core",
    "cache": "core",
    "search": "core",
    "database": "data",
    "frontend": "ui",
    "mobile": "ui",
    "observability": "observability",
    "deploy": "release",
    "cloud": "release",
    "infra": "release",
    "registry": "release",
    "platform": "foundation",
    "desktop": "foundation",
    "host": "foundation",
}
# Where hosted services run: in a product that is not hosted (an extension, a CLI, a library) they are what
# the product works on ("the cost of AWS Lambda functions"), not where it is deployed.
_HOSTING = frozenset(
    {"aws", "aws_lambda", "gcp", "azure", "vercel", "netlify", "heroku", "fly_io", "cloudflare_workers"}
)
_SETUP_ORDER = 12  # a phase's first step with an order up to this is what its other steps build on
# Generic steps that set up what the rest of their kind builds on (and the steps that replace them).
SETUP_KEYS = frozenset(
    {"skeleton", "data_model", "introspect", "signin", "sso_signin", "layout", "adapters", "release_build"}
)


@dataclass(frozen=True)
class PhaseInput:
    """What the assignment needs to know about one phase of the (possibly edited) plan."""

    number: int
    title: str
    summary: str
    requirements: tuple[str, ...]


@dataclass(frozen=True)
class Basis:
    analysis: Analysis  # with the constraint rules of the requirements as flags
    rmap: RequirementMap
    ctx: Context
    depth: int
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True)
class _Candidate:
    template: StepTemplate
    rank: int  # generic < project type < technology < unit, after kind and order
    index: int
    thread: str  # steps of one thread depend on each other in order
    unit: Unit | None = None
    tech: str | None = None

    def sort_key(self) -> tuple[int, int, int, int]:
        return (PHASE_ORDER.index(self.template.phase), self.template.order, self.rank, self.index)


@dataclass(frozen=True)
class PlanSteps:
    phases: dict[int, tuple[Step, ...]]
    dropped: tuple[
        tuple[int, str, str], ...
    ]  # (phase, step title, rule) left out for contradicting a constraint


class _View:
    """Plan-wide facts: which phase builds which unit, which services each integrations phase wires in."""

    def __init__(self, phases: Sequence[PhaseInput], shapes: dict[int, PhaseShape], basis: Basis) -> None:
        rmap = basis.rmap
        order = sorted(p.number for p in phases)  # the lowest-numbered phase of a kind is its main one
        self.shapes = shapes
        core = [n for n in order if "core" in shapes[n].kinds]
        custom = [n for n in order if CUSTOM in shapes[n].kinds]
        self.primary_core = (core or custom or [order[0]])[0]
        self.last_core = (core or custom or [order[0]])[-1]
        integrations = [n for n in order if "integrations" in shapes[n].kinds]
        self.primary_integrations = integrations[0] if integrations else None
        covered = {k for s in shapes.values() for k in s.kinds}
        self.uncovered = frozenset(k for k in PHASE_ORDER if k not in covered)
        self.first_of_kind = {k: next((n for n in order if k in shapes[n].kinds), None) for k in PHASE_ORDER}
        self.order = order

        cited = {p.number: set(p.requirements) for p in phases}
        self.units_of: dict[int, list[Unit]] = {n: [] for n in order}
        any_citation = any(cited[n] for n in core)
        for group in rmap.groups:
            units = [rmap.unit(k) for k in group if rmap.unit(k).kind != "unknown"]
            if not units:
                continue
            ids = set(rmap.group_requirements(group))
            owner = next((n for n in core if cited[n] & ids), None) if any_citation else None
            if owner is None and not any_citation:
                named = {f for n in core for f in shapes[n].features}
                owner = next(
                    (n for n in core for u in units if u.kind == "feature" and u.ref in shapes[n].features),
                    None,
                )
                if owner is None and any(u.kind == "feature" and u.ref in named for u in units):
                    owner = self.primary_core
            self.units_of[owner if owner is not None else self.primary_core].extend(units)
        # A feature a core phase's title names that the brief did not ("Payments" added by the user) is
        # built there too, for the requirements that phase cites.
        self.units: list[Unit] = list(rmap.units)
        known = {u.ref for u in rmap.units if u.kind == "feature"}
        # Titles the planner wrote name the brief's features in its words ("rating the difficulty"): a
        # feature those words happen to match was not asked for.
        known |= _label_features(rmap)
        for n in core:
            for fid in shapes[n].features:
                if fid not in known:
                    known.add(fid)
                    feature = knowledge().features[fid]
                    served = tuple(sorted(cited[n], key=lambda r: int(r[1:]))) or tuple(_headline(rmap))
                    extra = Unit(
                        f"feature:{fid}", "feature", fid, served, words_of(feature.name), feature.points
                    )
                    self.units.append(extra)
                    self.units_of[n].append(extra)

        analysis = basis.analysis
        service_ids = [t for t in analysis.stack if analysis.category(t) in INTEGRATION_CATEGORIES]
        title_techs = {n: [t for t in shapes[n].techs if t in service_ids] for n in integrations}
        claimed = {t for techs in title_techs.values() for t in techs}
        self.integration_techs: dict[int, list[str] | None] = {}
        for n in integrations:
            if title_techs[n]:
                self.integration_techs[n] = title_techs[n]
            elif claimed:
                self.integration_techs[n] = [t for t in service_ids if t not in claimed]
            else:
                self.integration_techs[n] = None
        self.builder: dict[str, int] = {u.key: n for n, units in self.units_of.items() for u in units}
        self.shadowed = _shadowed_kinds(basis.analysis)
        # Requirements a project-type or technology step already builds: that step covers them instead.
        self.absorbed = absorbed_units(basis.analysis, rmap)
        self.absorbers: dict[int, list[Unit]] = {}
        for key, template in self.absorbed.items():
            self.absorbers.setdefault(id(template), []).append(rmap.unit(key))
        self.templates = {
            u.key: [] if u.key in self.absorbed else _unit_templates(u, basis) for u in self.units
        }
        self.unknown_phase = {
            name: (self.primary_integrations if self.primary_integrations is not None else self.primary_core)
            for name in rmap.unknown_techs
        }


def _label_features(rmap: RequirementMap) -> set[str]:
    found: set[str] = set()
    for group in rmap.groups:
        label = group_label(rmap, group)
        if label:
            found.update(analyzer().find_entries(label)[1])
    return found


def plan_steps(basis_key: object, basis: Basis, phases: tuple[PhaseInput, ...]) -> PlanSteps:
    """Steps for every phase (memoised on ``basis_key`` and the phases)."""
    return _plan_steps(_Keyed(basis_key, basis), phases)


class _Keyed:
    """Hashes as its key, carries the basis (a Context holds dicts, so it cannot be hashed itself)."""

    def __init__(self, key: object, basis: Basis) -> None:
        self.key = key
        self.basis = basis

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Keyed) and self.key == other.key


class _Filler:
    """Fills a candidate into a step once per assignment (titles, details, criteria, command, covers)."""

    def __init__(self, basis: Basis) -> None:
        self.basis = basis
        # id(candidate) → (the candidate, its step). The candidate is kept so that its id cannot be
        # reused by a later candidate while this filler lives (a dropped one would otherwise be freed,
        # and a new candidate at the same address would get its step).
        self._filled: dict[int, tuple[_Candidate, Step]] = {}
        kb = knowledge()
        names: dict[str, list[str]] = {}
        for tid in basis.analysis.stack:
            ids = basis.rmap.for_tech(tid)
            if ids:
                names.setdefault(kb.technologies[tid].name, []).extend(ids)
        for unit in basis.rmap.units:
            if unit.kind == "unknown":
                names.setdefault(unit.ref, []).extend(unit.requirements)
        for name in basis.rmap.data_formats:
            # "our nginx access logs": the steps that read them serve the integration requirement "Nginx"
            ids = [i.requirement.id for i in basis.rmap.infos if name in i.unknown]
            names.setdefault(name, []).extend(ids)
            names.setdefault(name.lower(), []).extend(ids)
        self._ids_by_name = names
        self._names = (
            re.compile(
                r"(?<![\w.+#-])(?:"
                + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                + r")(?![\w+#])"
            )
            if names
            else None
        )
        self._guarded = [r for r in basis.requirements if r.kind in ("constraint", "non_goal")]
        # id(template) → the brief's requirements that template builds (see templates.absorbed_units)
        self.absorbers: dict[int, list[Unit]] = {}

    def step(self, cand: _Candidate, title: str) -> Step:
        key = id(cand)
        if key not in self._filled:
            self._filled[key] = (cand, _fill_step(cand, title, self.basis, 1, 1, [], self))
        return self._filled[key][1]

    def named_requirements(self, text: str) -> set[str]:
        if self._names is None:
            return set()
        return {rid for m in self._names.finditer(text) for rid in self._ids_by_name[m.group()]}

    def violates(self, step: Step) -> str | None:
        for requirement in self._guarded:
            found = find_violations(requirement, [step])
            if found:
                return found[0].rule
        return None


@lru_cache(maxsize=64)
def _plan_steps(keyed: _Keyed, phases: tuple[PhaseInput, ...]) -> PlanSteps:
    basis = keyed.basis
    filler = _Filler(basis)
    shapes = {p.number: classify(p.title, p.summary) for p in phases}
    view = _View(phases, shapes, basis)
    filler.absorbers = view.absorbers
    chosen: dict[int, list[tuple[_Candidate, str]]] = {}
    seen_titles: set[str] = set()
    dropped: list[tuple[int, str, str]] = []
    for phase in sorted(phases, key=lambda p: p.number):
        candidates = _candidates(phase, shapes[phase.number], view, basis)
        picked = _pick(candidates, basis, seen_titles)
        kept: list[tuple[_Candidate, str]] = []
        for cand, title in picked:
            rule = filler.violates(filler.step(cand, title))
            if rule is not None:
                dropped.append((phase.number, title, rule))
                continue
            kept.append((cand, title))
        if not kept:
            kept = _custom_fallback(phase, basis, seen_titles)
        chosen[phase.number] = kept
    _cover_the_rest(chosen, phases, view, filler, seen_titles)
    steps = {number: tuple(_number_steps(number, pairs, filler)) for number, pairs in chosen.items()}
    return PlanSteps(phases=steps, dropped=tuple(dropped))


# -- candidates ----------------------------------------------------------------------------------


def _candidates(phase: PhaseInput, shape: PhaseShape, view: _View, basis: Basis) -> list[_Candidate]:
    kb = knowledge()
    analysis = basis.analysis
    number = phase.number
    kinds = set(shape.kinds)
    out: list[_Candidate] = []
    primary_core = view.primary_core == number

    def add(steps: Iterable[StepTemplate], rank: int, wanted: set[str], thread: str, **extra: object) -> None:
        for i, step in enumerate(steps):
            if step.phase in wanted and applies(step, analysis):
                out.append(_Candidate(step, rank, i, thread=thread, **extra))  # type: ignore[arg-type]

    if CUSTOM in kinds:
        out.extend(_Candidate(t, 0, i, thread="custom") for i, t in enumerate(custom_templates(phase.title)))
    for kind in shape.kinds:
        if kind == CUSTOM or (kind == "core" and view.last_core != number):
            continue  # the shared rules and error messages come once, after the last feature phase
        add(kb.phases[kind].steps, 0, {kind}, f"kind:{kind}")
    type_kinds = kinds if primary_core or "core" not in kinds else kinds - {"core"}
    if primary_core:
        type_kinds = type_kinds | (view.uncovered & {"core"})
    add(kb.project_types[analysis.project_type].steps, 1, set(type_kinds), "kind:type")
    shadowed = view.shadowed
    integration_techs = view.integration_techs.get(number)
    for position, tid in enumerate(dict.fromkeys([*analysis.stack, *shape.techs])):
        tech = kb.technologies[tid]
        if tid in _HOSTING and "hosted" not in analysis.flags:
            continue  # "shows the cost of AWS Lambda functions": a VS Code extension is not deployed there
        # A tool the phase's title names and the brief did not ("Add Kafka events") brings its steps here.
        named_here = tid in shape.techs and tid not in analysis.stack
        wanted = set(kinds if named_here else type_kinds) - shadowed.get(tid, set())
        if (
            "integrations" in wanted
            and integration_techs is not None
            and analysis.category(tid) in INTEGRATION_CATEGORIES
            and tid not in integration_techs
        ):
            wanted.discard("integrations")
        if tid in shape.techs and CUSTOM in kinds:
            wanted = set(PHASE_ORDER)
        for i, step in enumerate(tech.steps):
            if step.phase in wanted and applies(step, analysis):
                out.append(_Candidate(step, 2, position * 100 + i, thread=f"tech:{tid}", tech=tid))
    for position, unit in enumerate(view.units):
        for i, step in enumerate(view.templates[unit.key]):
            if _unit_step_phase(unit, step, view) == number and applies(step, analysis):
                out.append(_Candidate(step, 3, position * 100 + i, thread=unit.key, unit=unit))
    return out


def _unit_templates(unit: Unit, basis: Basis) -> list[StepTemplate]:
    if unit.kind == "feature":
        feature = knowledge().features[unit.ref]
        steps = list(feature.steps)
        phases = {s.phase for s in steps}
        if feature.screen and "core" in phases and "ui" not in phases:
            # A feature people use needs a screen when the product has a UI: one in the brief's words.
            steps += [t for t in domain_templates(unit.words, basis.analysis) if t.phase == "ui"]
        return steps
    if unit.kind == "unknown":
        if unit.ref in basis.analysis.unknown_idps:
            # A spike, no adapter: the single sign-on step wires the identity provider in.
            return [t for t in unknown_templates(unit.ref, unit.words) if t.phase == "foundation"]
        return list(unknown_templates(unit.ref, unit.words, unit.ref not in basis.analysis.unknown_tools))
    return list(domain_templates(unit.words, basis.analysis))


def _unit_step_phase(unit: Unit, step: StepTemplate, view: _View) -> int | None:
    """The phase a unit's step belongs in: its kind's phase, else the phase building the unit."""
    builder = view.builder.get(unit.key)
    if unit.kind == "unknown":
        if step.phase == "integrations":
            return view.unknown_phase.get(unit.ref)
        return view.first_of_kind.get(step.phase) or view.primary_core
    if step.phase == "core":
        return builder
    if step.phase == "integrations" and view.primary_integrations is not None:
        return _integrations_phase_for(step, view)
    # The first phase of the step's kind that comes no earlier than the phase building the unit (a screen
    # is not built before the feature behind it), else the builder itself.
    start = view.order.index(builder) if builder in view.order else 0
    later = [n for n in view.order[start:] if step.phase in view.shapes[n].kinds]
    if step.phase in ("ui", "hardening", "observability", "docs", "release"):
        return later[0] if later else builder
    target = view.first_of_kind.get(step.phase)
    return target if target is not None else builder


def _integrations_phase_for(step: StepTemplate, view: _View) -> int | None:
    """Which integrations phase gets a feature's integration step when integrations are split."""
    text = step.title + step.details
    wanted = {cat for cat, placeholder in _CATEGORY_PLACEHOLDERS.items() if placeholder in text}
    if wanted:
        kb = knowledge()
        for number, techs in view.integration_techs.items():
            if techs is not None and {kb.technologies[t].category for t in techs} & wanted:
                return number
    return view.primary_integrations


_CATEGORY_PLACEHOLDERS = {"payments": "{payments}", "email": "{email}", "auth": "{auth}", "queue": "{queue}"}


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
            if tid not in reaches.get(implied, reach(implied)):  # mutual implications shadow nothing
                result.setdefault(implied, set()).update(kinds)
    return result


# -- choosing and filling ------------------------------------------------------------------------


def _extra(cand: _Candidate, basis: Basis) -> dict[str, object]:
    extra: dict[str, object] = {}
    unit = cand.unit
    if cand.tech is not None:
        extra["lib"] = _library(knowledge().technologies[cand.tech].libraries, basis)
    if unit is not None:
        words = unit.words
        extra["req"] = words.text
        extra["thing"] = words.thing
        if unit.kind == "feature":
            feature = knowledge().features[unit.ref]
            extra["feature"] = feature.name
            extra["lib"] = _library(feature.libraries, basis)
    return extra


def _library(libraries: dict[str, str], basis: Basis) -> str:
    """The usual library for the project's language ({lib}), else a generic wording."""
    language = primary_language(basis.analysis)
    lib = libraries.get(language or "")
    if lib is None and language == "typescript":
        lib = libraries.get("javascript")
    return lib or "a maintained library"


def _title(cand: _Candidate, basis: Basis) -> str:
    extra = _extra(cand, basis)
    if cand.unit is not None and cand.unit.kind == "feature":
        # "Reminders: email a reminder", not the requirement's whole sentence (the details quote it); when
        # one sentence asks for several features, each names its own part of it
        unit = cand.unit
        shared = any(
            u is not unit and u.kind == "feature" and u.requirements == unit.requirements
            for u in basis.rmap.units
        )
        words = aspect_words(unit.ref, unit.words) if shared else unit.words
        extra["req"] = lower_first(imperative(words))
    title = basis.ctx.fill(cand.template.title, cand.template.phase, **extra)[:200]
    return title[:1].upper() + title[1:]


def _pick(candidates: list[_Candidate], basis: Basis, seen: set[str]) -> list[tuple[_Candidate, str]]:
    replaced = {key for cand in candidates for key in cand.template.replaces}
    candidates = [c for c in candidates if c.template.key is None or c.template.key not in replaced]
    candidates.sort(key=_Candidate.sort_key)
    chosen: list[tuple[_Candidate, str]] = []
    for optional in (False, True):
        for cand in candidates:
            if cand.template.optional != optional:
                continue
            if optional and len(chosen) >= basis.depth:
                break
            title = _title(cand, basis)
            if title.lower() in seen:
                continue
            seen.add(title.lower())
            chosen.append((cand, title))
    chosen.sort(key=lambda pair: pair[0].sort_key())
    return chosen


def _fill_step(
    cand: _Candidate,
    title: str,
    basis: Basis,
    number: int,
    position: int,
    depends_on: list[str],
    filler: _Filler,
) -> Step:
    template = cand.template
    kind = template.phase
    ctx = basis.ctx
    extra = _extra(cand, basis)
    details = ctx.fill(template.details, kind, **extra)
    command = ctx.fill(template.command, kind, **extra)
    spec = _test_spec(template.command)
    target = ctx.test_command(kind).target(spec) if spec else None
    absorbed = filler.absorbers.get(id(template), [])
    for unit in absorbed:
        details += f" The brief asks for it as “{unit.words.text}” ({', '.join(unit.requirements)})."
    if target and target not in details:
        details += f" Its tests live in `{target}`."
    return Step(
        id=f"{number}.{position}",
        title=title,
        details=clip(details, 50_000),
        acceptance_criteria=[clip(ctx.fill(a, kind, **extra)) for a in template.acceptance],
        test_command=clip(command),
        depends_on=depends_on,
        covers=_covers(cand, title, details, basis, filler),
    )


def _test_spec(command: str) -> str | None:
    match = re.fullmatch(r"\{test:([^{}]+)\}", command.strip())
    return match.group(1) if match else None


def _covers(cand: _Candidate, title: str, details: str, basis: Basis, filler: _Filler) -> list[str]:
    rmap = basis.rmap
    ids: set[str] = set()
    if cand.unit is not None:
        ids.update(cand.unit.requirements)
    if cand.thread.startswith("req:") and cand.thread.removeprefix("req:") in rmap.by_id:
        # a step added for one requirement (a gap filler, the benchmark of a target) cites it, whatever else
        # its title happens to name
        ids.add(cand.thread.removeprefix("req:"))
    for unit in filler.absorbers.get(id(cand.template), []):
        ids.update(unit.requirements)
    if cand.tech is not None:
        ids.update(rmap.for_tech(cand.tech))
    ids.update(filler.named_requirements(f"{title}\n{details}"))
    template = cand.template
    for rule in {*template.when_all, *template.when_any} & rmap.rules:
        ids.update(rmap.for_rule(rule))
    if template.phase in ("hardening", "observability", "ui", "release", "core"):
        for tag, pattern in QUALITY_TAGS:
            if pattern.search(title):
                ids.update(rmap.for_quality(tag))
    if not ids:
        ids.update(_project_wide(template, basis))
    return sorted(ids, key=lambda r: int(r[1:]))


_STACK_CATEGORIES = frozenset(
    {"language", "web_framework", "frontend", "mobile", "cli", "game", "embedded", "testing", "ci", "infra"}
)


def _project_wide(template: StepTemplate, basis: Basis) -> list[str]:
    """What a step that names nothing specific serves: the features it mentions ({top_features}), else the
    stack it sets up, else the brief's first features."""
    rmap = basis.rmap
    text = f"{template.title} {template.details}"
    top = [r for group in rmap.groups[:2] for r in rmap.group_requirements(group)]
    kb = knowledge()
    if "{services}" in text:
        # No service named: the features that call one ("the email provider" serves the notifications).
        callers = [
            r
            for unit in rmap.units
            if unit.kind == "feature" and any(s.phase == "integrations" for s in kb.features[unit.ref].steps)
            for r in unit.requirements
        ]
        if callers:
            return list(dict.fromkeys(callers))
    if "{top_features}" in text or "{features}" in text:
        return top or _headline(rmap)
    stack = [
        i.requirement.id
        for i in rmap.infos
        if i.requirement.kind == "integration"
        and any(kb.technologies[t].category in _STACK_CATEGORIES for t in i.techs)
    ]
    return stack or top or _headline(rmap)


def _headline(rmap: RequirementMap) -> list[str]:
    """What a project-wide step serves when it names nothing: the brief's first feature."""
    for unit in rmap.units:
        if unit.kind != "unknown":
            return list(unit.requirements)
    return rmap.ids("feature", "integration")[:1] or rmap.ids()[:1]


def _number_steps(number: int, pairs: list[tuple[_Candidate, str]], filler: _Filler) -> list[Step]:
    """Fill the chosen steps and give each the dependencies it has within the phase."""
    steps: list[Step] = []
    last_in_thread: dict[str, str] = {}
    setup: dict[str, str] = {}  # phase kind -> id of the step the kind's other steps build on
    previous_setup = ""  # the setup step of the latest kind block that had one (a merged phase)
    for position, (cand, title) in enumerate(pairs, start=1):
        step_id = f"{number}.{position}"
        kind = cand.template.phase
        template = cand.template
        depends: list[str] = []
        if cand.thread in last_in_thread:
            depends.append(last_in_thread[cand.thread])
        elif setup.get(kind):
            depends.append(setup[kind])
        elif previous_setup and kind not in setup:
            depends.append(previous_setup)
        is_setup = template.key in SETUP_KEYS or bool(set(template.replaces) & SETUP_KEYS)
        if kind not in setup:
            if is_setup or (template.order <= _SETUP_ORDER and not depends):
                setup[kind] = step_id
                previous_setup = step_id
            else:
                setup[kind] = ""
        last_in_thread[cand.thread] = step_id
        steps.append(filler.step(cand, title).model_copy(update={"id": step_id, "depends_on": depends}))
    return steps


# -- coverage ------------------------------------------------------------------------------------


def _cover_the_rest(
    chosen: dict[int, list[tuple[_Candidate, str]]],
    phases: Sequence[PhaseInput],
    view: _View,
    filler: _Filler,
    seen: set[str],
) -> None:
    """Add a step for each feature, integration or quality requirement no chosen step covers."""
    basis = filler.basis
    rmap = basis.rmap
    covered: set[str] = set()
    for pairs in chosen.values():
        for cand, title in pairs:
            covered.update(filler.step(cand, title).covers)
    numbers = [p.number for p in phases]
    for info in rmap.infos:
        rid = info.requirement.id
        if rid in covered or info.requirement.kind not in ("feature", "integration", "quality"):
            continue
        templates: list[StepTemplate] = []
        unit = next((u for u in rmap.units if rid in u.requirements), None)
        tid = info.techs[0] if info.techs else None
        if info.requirement.kind == "quality" or rid in rmap.targets:
            templates = [quality_template(info.words)]
            target = view.first_of_kind.get("hardening") or numbers[-1]
        elif tid is not None and info.requirement.kind == "integration":
            kind = CATEGORY_KIND.get(basis.analysis.category(tid), "integrations")
            templates = [technology_template(tid, kind)]
            target = view.first_of_kind.get(kind) or view.primary_core
        else:
            templates = list(domain_templates(info.words, basis.analysis)[:1])
            owner = next((n for n, units in view.units_of.items() if unit in units), None)
            target = owner or view.primary_core
        for template in templates:
            cand = _Candidate(
                template, 4, 0, thread=f"req:{rid}", unit=unit if unit and unit.kind != "feature" else None
            )
            title = _title(cand, basis)
            if title.lower() in seen:
                title = clip(f"{title} ({info.requirement.id})", 200)
            seen.add(title.lower())
            if target not in chosen:
                target = numbers[0]
            if filler.violates(filler.step(cand, title)) is None:
                chosen[target].append((cand, title))
                covered.add(rid)


def _custom_fallback(phase: PhaseInput, basis: Basis, seen: set[str]) -> list[tuple[_Candidate, str]]:
    """Steps built around the title of a phase nothing else gave a step (two phases may share a title)."""
    pairs = []
    for i, template in enumerate(custom_templates(phase.title)):
        cand = _Candidate(template, 0, i, thread="custom")
        title = _title(cand, basis)
        if title.lower() in seen:
            title = clip(f"{title} (phase {phase.number})", 200)
        seen.add(title.lower())
        pairs.append((cand, title))
    return pairs
