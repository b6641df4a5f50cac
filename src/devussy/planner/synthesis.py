"""Plan synthesis: the text context of a brief, phase classification and the phase layout.

A phase is described by its *kinds* (foundation, data, auth, core, integrations, ui, hardening,
observability, docs, release; a merged phase has several) plus, for core phases, the *units* it
builds (see ``requirement_map``). Kinds are recovered from a phase's title (and summary), never from
its position, so a plan the user edited (retitled, reordered, added or deleted phases) still gets
sensible steps; which units a core phase builds comes from its ``requirements`` line.
The steps themselves are chosen plan-wide in ``steps.py``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from devussy.models import slugify
from devussy.planner.analysis import HOSTED_TYPES, Analysis, analyzer, resolve_toolchain
from devussy.planner.commands import name_forms
from devussy.planner.domain import doing, names_no_record, singular, stem, word_set
from devussy.planner.job_shape import WEBHOOK_CHATS
from devussy.planner.knowledge import INTEGRATION_CATEGORIES, PHASE_ORDER, knowledge
from devussy.planner.requirement_map import (
    MIGRATION_WORK,
    SIGN_IN_THROUGH,
    RequirementMap,
    Unit,
    built_features,
)
from devussy.planner.templates import absorbed_units
from devussy.requirements.lexicon import lexicon

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
# Points of work one core phase takes before the next feature starts a new one.
CORE_PHASE_POINTS = 12
MAX_PHASES = 12
MAX_TITLE_LABELS = 3


# -- placeholder values --------------------------------------------------------------------------


class TestCommand:
    """Formats as the full test command, or with a spec as the run of one named test:
    ``{test:booking}`` → ``pytest tests/test_booking.py``."""

    def __init__(self, full: str, one: str | None, file: str | None = None) -> None:
        self.full = full
        self.one = one
        self.file = file  # the file ``one`` runs, when its command does not name it ("tests/{kw}.rs")

    def __format__(self, spec: str) -> str:
        if not spec or not self.one:
            return self.full
        return fill_names(self.one, name_forms(spec))

    def target(self, spec: str) -> str | None:
        """The test file or test id ``{test:spec}`` runs (for "write the tests in ..." lines)."""
        if not spec or not self.one:
            return None
        if self.file:
            return fill_names(self.file, name_forms(spec))
        return _test_target(self.one, spec)

    def __str__(self) -> str:
        return self.full


@lru_cache(maxsize=4096)
def _test_target(one: str, spec: str) -> str | None:
    for token in shlex.split(one):
        if any(f"{{{key}}}" in token for key in ("kw", "Kw", "kwf", "kwk")):
            value = fill_names(token, name_forms(spec))
            return re.sub(r"^(?:-\w+[=:]|--\w+[=:]|-only-testing:|FullyQualifiedName~)", "", value)
    return None


def fill_names(template: str, names: dict[str, str]) -> str:
    for key in sorted(names, key=len, reverse=True):
        template = template.replace("{" + key + "}", names[key])
    return template


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


def _list(labels: Sequence[str]) -> str:
    """Labels for a title: "a, b and c", or "a, b, c" when a label has its own "and" (never "; ")."""
    if len(labels) <= 1 or any(" and " in label for label in labels):
        return ", ".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    if any(" and " in n for n in names):
        return "; ".join(names)  # "used-car listings; prices and mileage", not "… and prices and mileage"
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

    def test_command(self, kind: str) -> TestCommand:
        value = (self.ui_values if kind == "ui" else self.values)["test"]
        assert isinstance(value, TestCommand)
        return value


def build_context(
    analysis: Analysis, name: str, deployment: str | None = None, rmap: RequirementMap | None = None
) -> Context:
    kb = knowledge()

    def named(categories: Iterable[str], generic: str) -> str:
        cats = set(categories)
        names = [kb.technologies[t].name for t in analysis.stack if analysis.category(t) in cats]
        return _join(names) if names else generic

    slug = slugify(name)
    pkg = slug.replace("-", "_")
    entities = brief_entities(analysis, rmap)
    frameworks = [kb.technologies[t].name for t in analysis.stack if analysis.category(t) == "web_framework"]
    features = [kb.features[f].name for f in analysis.features]
    hosted = analysis.project_type in HOSTED_TYPES
    deploy_generic = deployment or ("the chosen hosting platform" if hosted else "the release channel")
    framework_ids = [t for t in analysis.stack if analysis.category(t) == "web_framework"]
    auth_generic = _AUTH_LIBRARIES.get(
        framework_ids[0] if framework_ids else "", "a maintained authentication library"
    )
    language = named(["language"], "the chosen language")
    ptype = kb.project_types[analysis.project_type]
    alert_chats = [t for t in analysis.stack if t in WEBHOOK_CHATS and "chat_alerts_only" in analysis.flags]
    services = [
        kb.technologies[t].name
        for t in analysis.stack
        if analysis.category(t) in INTEGRATION_CATEGORIES and t not in alert_chats
    ]
    services += [
        n
        for n in (rmap.unknown_techs if rmap else analysis.unknown_services)
        if n not in services and n not in analysis.unknown_tools and n not in analysis.unknown_idps
    ]
    top = _top_features(rmap) or ([_join(features[:3])] if features else [])
    chat = (
        named(["messaging"], "the chat platform")
        if analysis.project_type == "chat_bot"
        else _join([kb.technologies[t].name for t in alert_chats]) or "the chat platform"
    )
    host = named(["host"], "the host application")
    vendors = _unknown_vendors(rmap)
    has_typescript = "typescript" in analysis.stack
    names = {
        "slug": slug,
        "pkg": pkg,
        "name": name,
        "Name": "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", name)) or "App",
        "qname": shlex.quote(name),
        "ext": "ts" if has_typescript else "js",
    }

    def values_for(side: str) -> dict[str, object]:
        tc = {
            key: None if value is None else fill_names(value, names)
            for key, value in resolve_toolchain(analysis, side=side).items()
        }
        test = TestCommand(
            tc["test"] or "make test", tc["test_one"] or "make test TEST={kw}", tc["test_file"]
        )
        migrate = tc["migrate"] or format(test, "migrations")
        db = (
            "local files (the brief rules a database out)"
            if "database" in analysis.negated
            else named(["database"], _join(list(analysis.unknown_stores)) or "the database")
        )
        settings = []
        if "has_data" in analysis.flags and "database" not in analysis.negated:
            settings.append(f"{'' if db.startswith('the ') else 'the '}{db} connection")
        if services:
            settings.append(f"the {_join(services)} credentials")
        if alert_chats:
            settings.append(f"the {chat} webhook URL")
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
            "build": tc["build"] or "make build",
            "publish": tc["publish"] or tc["build"] or "make release",
            "db": db,
            "db_label": db.removeprefix("the "),  # "Map the existing database tables", not "the the database"
            "framework": named(["web_framework"], "the HTTP layer"),
            "frontend": named(
                ["frontend", "mobile"], f"{frameworks[0]} templates" if frameworks else "the UI toolkit"
            ),
            "deploy": named(["deploy", "cloud"], deploy_generic),
            "payments": named(["payments"], vendors.get("payments", "the payment provider")),
            "email": named(["email"], vendors.get("email", "the email provider")),
            "auth": named(["auth"], vendors.get("auth", auth_generic)),
            "idp": named(["auth"], vendors.get("auth", "the identity provider")),
            "queue": named(["queue"], "a job queue"),
            "ci": named(["ci"], "CI"),
            "entity": entities[0] if entities else "record",
            "entities": _join(entities)
            if entities
            else "the records the features need (the brief names none)",
            "features": _join(top) if top else "the primary workflow",
            "top_features": _join(top) if top else "the primary workflow",
            "first_feature": top[0] if top else "the primary workflow",
            "sensitive": _join(_sensitive_areas(analysis, rmap)),
            "settings": _join(settings) if settings else "every setting the code reads",
            "services": _join(services or _unnamed_services(analysis, vendors)),
            "surface": ptype.surface.replace("{slug}", slug).replace("{chat}", chat).replace("{host}", host),
            "chat": chat,
            "host": host,
            "feature": "",
            "subject": "",
            "req": "the feature",
            "thing": "the feature's records",
            "lib": "a maintained library",
        }

    return Context(
        analysis=analysis, name=name, values=values_for("backend"), ui_values=values_for("frontend")
    )


# How each web framework signs users in: its own authentication where it has one, else the usual library
# (Flask has no built-in authentication).
_AUTH_LIBRARIES = {
    "django": "Django's built-in authentication",
    "rails": "Rails' built-in authentication generator",
    "laravel": "Laravel's built-in authentication",
    "phoenix": "Phoenix's generated authentication (phx.gen.auth)",
    "aspnet_core": "ASP.NET Core Identity",
    "spring_boot": "Spring Security",
    "fastapi": "FastAPI's security utilities (fastapi.security)",
    "flask": "Flask-Login",
    "express": "Passport.js",
    "nestjs": "Passport.js with @nestjs/passport",
}

_VENDOR_FEATURES = {
    "payments": {"payments", "subscriptions"},
    "email": {"notifications"},
    "auth": {"user_accounts", "single_sign_on"},
}


def _unknown_vendors(rmap: RequirementMap | None) -> dict[str, str]:
    """A service the knowledge base does not know fills its role's placeholder ("Pay with Adyen" makes
    {payments} "Adyen"; "Sign in with Azure AD" makes {auth} "Azure AD")."""
    if rmap is None:
        return {}
    found: dict[str, list[str]] = {}
    for info in rmap.infos:
        # "Pay with Adyen": the feature's own text names the service.
        in_text = [n for n in rmap.unknown_techs if n in info.requirement.text]
        named = list(dict.fromkeys([*info.unknown, *in_text]))
        for role, features in _VENDOR_FEATURES.items():
            if named and set(info.features) & features:
                found.setdefault(role, []).extend(n for n in named if n not in found.get(role, []))
    sso = " ".join(
        i.requirement.text
        for i in rmap.infos
        if "sso_only" in i.rules or SIGN_IN_THROUGH.search(i.requirement.text)
    )
    for name in rmap.unknown_techs:
        if name in sso and name not in found.get("auth", []):
            found.setdefault("auth", []).append(name)
    return {role: _join(names) for role, names in found.items()}


def brief_entities(analysis: Analysis, rmap: RequirementMap | None) -> list[str]:
    """Records named by the brief's own words: the requirements' nouns, then knowledge-base feature
    entities only where the brief uses their name ("Payment" for "Stripe payments", never "Order")."""
    names: list[str] = list(rmap.entities) if rmap else []
    text = " ".join(i.requirement.text for i in rmap.infos).lower() if rmap else ""
    kb = knowledge()
    for fid in analysis.features:
        for entity in kb.features[fid].entities:
            words = re.findall(r"[A-Z][a-z]+", entity)
            if words and all(re.search(rf"\b{w.lower()}", text) for w in words) and entity not in names:
                names.append(entity)
    # "Stock" and "Movement" are parts of "StockMovement": keep the compound the brief uses.
    parts = {n: re.findall(r"[A-Z][a-z0-9]*", n) for n in names}
    kept = [
        n
        for n in names
        if not any(o != n and len(parts[o]) > len(parts[n]) and set(parts[n]) <= set(parts[o]) for o in names)
    ]
    return kept[:6]


def _unnamed_services(analysis: Analysis, vendors: dict[str, str]) -> list[str]:
    """The services the features need when the brief names none: "the email provider"."""
    services = []
    if {"payments", "subscriptions"} & set(analysis.features):
        services.append(vendors.get("payments", "the payment provider"))
    if "notifications" in analysis.features:
        services.append(vendors.get("email", "the email provider"))
    return services or ["the external services"]


def _top_features(rmap: RequirementMap | None, count: int = 2) -> list[str]:
    """The first features of the brief, in its own words (short)."""
    if rmap is None:
        return []
    picked: list[str] = []
    for group in rmap.groups:
        units = [
            rmap.unit(k)
            for k in group
            if rmap.unit(k).kind != "unknown" and not MIGRATION_WORK.match(rmap.unit(k).words.text)
        ]
        if not units:
            continue
        label = group_label(rmap, [u.key for u in units], words=5)
        if label and label.lower() not in {p.lower() for p in picked}:
            picked.append(label)
        if len(picked) == count:
            break
    return picked


def group_label(rmap: RequirementMap, group: Sequence[str], words: int = 7) -> str:
    """A group of units named by the brief's words for its first requirement: what it acts on when that
    is short ("waitlist place"), else the requirement itself."""
    units = [rmap.unit(k) for k in group if rmap.unit(k).kind != "unknown"]
    if not units:
        return ""
    first = min(units, key=lambda u: min((int(r[1:]) for r in u.requirements), default=0))
    thing = first.words.thing
    if not first.words.verb and len(first.words.text.split()) <= 6:
        thing = first.words.text  # a short noun phrase names itself: "client portal with real-time chat"
    parts = thing.split()
    if (
        not parts
        or parts[0].lower() in _CUT_BEFORE
        or parts[0].lower() in _CLAUSE_OPENERS
        or names_no_record(parts[-1])  # "the lab manager 14 days before …"
    ):
        return doing(first.words, min(words, 6))  # "deduplicating by email", "seeing who has booked what"
    if first.kind == "feature" and first.words.verb and len(parts) <= 2:
        # "reminds me when a plant needs water" → "plant reminders", "search orders by …" → "order search"
        name = knowledge().features[first.ref].name.split(" and ")[0]  # "bookings and scheduling" → bookings
        if len(name.split()) <= 2 and not _shares_a_stem(thing, name):
            *rest, last = parts
            return " ".join([*rest, singular(last) if last.islower() else last, name])
        if len(name.split()) <= 2:
            return name  # "email a reminder the evening before a booking" → "reminders"
    owner = re.fullmatch(r"(\w+) of (?:(?:each|every|the|all|our|their|its)\s+)?(.+)", thing)
    if owner and len(parts) > 3 and len(owner.group(2).split()) <= 4:
        # "summary of each merged pull request" → "merged pull request summary"
        return f"{owner.group(2)} {owner.group(1)}"
    size = len(parts)
    if size <= min(words, 5) and (size > 1 or not first.words.verb):
        first_word = parts[0]
        # "PostgreSQL", "BackupSchedule", "NFC", and names such as "Stripe payments"
        keeps_case = first_word[1:] != first_word[1:].lower() or first_word.lower() in lexicon().by_alias
        return thing if keeps_case else thing[:1].lower() + thing[1:]
    return doing(first.words, min(words, 6))


# A thing that opens a clause ("who has booked what") names no thing: the activity says more.
# "who has booked what" opens a clause, and "up for food bank shifts" a verb's particle: no thing to name.
_CLAUSE_OPENERS = word_set(
    "who what which whom whose how why whether has have had is are was were",
    "up out off down over",
)


def _shares_a_stem(a: str, b: str) -> bool:
    stems = {stem(w) for w in re.findall(r"[a-z]+", b.lower())}
    return any(stem(w) in stems for w in re.findall(r"[a-z]+", a.lower()))


_CUT_BEFORE = frozenset(
    {*("in", "on", "at", "with", "for", "from", "to", "into"), *("by", "via", "through", "of", "when")}
)


def _sensitive_areas(analysis: Analysis, rmap: RequirementMap | None = None) -> list[str]:
    areas = []
    said = " ".join(i.requirement.text for i in rmap.infos).lower() if rmap else ""
    if re.search(r"\b(api keys?|access tokens?|credentials|passwords?)\b", said):
        areas.append("the keys and credentials users store")
    if "has_auth" in analysis.flags:
        areas.append("sign-in and permissions")
    named = {
        "payments": "payments",
        "subscriptions": "billing",
        "file_uploads": "file uploads",
        "admin_dashboard": "admin operations",
        "public_api": "API keys",
        "web_scraping": "fetching third-party pages",
    }
    areas += [label for fid, label in named.items() if fid in analysis.features]
    if "has_data" in analysis.flags:
        areas.append("stored personal data")
    return areas or ["every input the program accepts"]


# -- phase classification ------------------------------------------------------------------------

_LABELLED_TITLE = re.compile(r"^\s*(core features?|features?|build|integrations?)\s*:\s*(.+)$", re.IGNORECASE)


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
    features: tuple[str, ...] = ()  # knowledge-base features named in the title/summary (core phases)
    techs: tuple[str, ...] = ()  # technologies named in the title/summary


@lru_cache(maxsize=1024)
def classify(title: str, summary: str = "") -> PhaseShape:
    """Recover what a phase is about from its title (falling back to its summary)."""
    labelled = _LABELLED_TITLE.match(title)
    if labelled:
        # "Core features: members vote on proposals": the names after the label are not kind keywords,
        # and each label is read on its own ("water and photos" names no photo uploads).
        techs, features = _entries_per_label(labelled.group(2))
        kind = "integrations" if labelled.group(1).lower().startswith("integration") else "core"
        return PhaseShape(kinds=(kind,), features=tuple(features), techs=tuple(techs))
    head, colon, tail = title.partition(":")
    if colon and tail.strip():
        # "Core features and user interface: syncs ... with chrome.storage.sync": kinds from the label only.
        head_kinds = [k for k, p in _kind_patterns().items() if p.search(head)]
        if head_kinds:
            techs, features = analyzer().find_entries(tail)
            return PhaseShape(kinds=tuple(head_kinds), features=tuple(features), techs=tuple(techs))
    techs, features, spans = analyzer().find_entries_with_spans(title)
    remainder = title
    for start, end in spans:
        remainder = remainder[:start] + " " * (end - start) + remainder[end:]
    kinds = [k for k, p in _kind_patterns().items() if p.search(remainder)]
    if not kinds and (features or techs):
        kb = knowledge()
        if features:
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


def _entries_per_label(labels: str) -> tuple[list[str], list[str]]:
    techs: list[str] = []
    features: list[str] = []
    for label in re.split(r"\s*[,;]\s*|\s+and\s+", labels):
        found_techs, found_features = analyzer().find_entries(label)
        found_features = built_features(label, found_features)
        techs += [t for t in found_techs if t not in techs]
        features += [f for f in found_features if f not in features]
    return techs, features


# -- phase layout (basic plan) -------------------------------------------------------------------


@dataclass
class PhaseDraft:
    kinds: list[str]
    units: list[str] = field(default_factory=list)  # unit keys a core phase builds
    techs: list[str] = field(default_factory=list)  # services an integrations phase wires in


def layout(analysis: Analysis, target: int, rmap: RequirementMap) -> list[PhaseDraft]:
    flags = analysis.flags
    drafts = [PhaseDraft(["foundation"])]
    if "has_data" in flags:
        drafts.append(PhaseDraft(["data"]))
    if "has_auth" in flags:
        drafts.append(PhaseDraft(["auth"]))
    drafts.extend(_core_drafts(rmap, absorbed_units(analysis, rmap)))
    wired = (*analysis.unknown_tools, *analysis.unknown_idps)
    if "integrations_present" in flags or any(n not in wired for n in rmap.unknown_techs):
        drafts.append(PhaseDraft(["integrations"]))
    if "has_ui" in flags:
        drafts.append(PhaseDraft(["ui"]))
    drafts.append(PhaseDraft(["hardening"]))
    drafts.append(PhaseDraft(["release"]))

    merges = [("hardening", "release"), ("auth", "data"), ("ui", "core"), ("data", "foundation")]
    for source, into in merges:
        if len(drafts) <= target:
            break
        _merge(drafts, source, into)
    _fit_core(drafts, target, rmap)

    if len(drafts) < target and analysis.project_type in HOSTED_TYPES and "local_data" not in flags:
        _insert_before(drafts, PhaseDraft(["observability"]), "release")
    if len(drafts) < target and "integrations_present" in flags:
        _split_integrations(drafts, analysis, target)
    if len(drafts) < target:
        _insert_before(drafts, PhaseDraft(["docs"]), "release")
    _fit_core(drafts, MAX_PHASES, rmap)
    return drafts


def _fit_core(drafts: list[PhaseDraft], limit: int, rmap: RequirementMap) -> None:
    """Merge neighbouring feature phases, the lightest pair first, until the plan has ``limit`` phases
    (or a single feature phase): a big brief gets fuller feature phases, never a plan cut short."""
    while len(drafts) > limit:
        pairs = [
            (sum(rmap.unit(k).points for k in drafts[i].units + drafts[i + 1].units), i)
            for i in range(len(drafts) - 1)
            if drafts[i].kinds == ["core"] and drafts[i + 1].kinds == ["core"]
        ]
        if not pairs:
            return
        _, i = min(pairs)
        drafts[i].units.extend(drafts.pop(i + 1).units)


def _core_drafts(rmap: RequirementMap, absorbed: Collection[str]) -> list[PhaseDraft]:
    """Feature groups spread over core phases by size, in brief order. A group whose units have no core
    steps (user accounts live in the sign-in phase) takes no core phase of its own."""
    groups = [g for g in rmap.groups if any(_builds_in_core(rmap.unit(k)) for k in g)]
    if not groups:
        return [PhaseDraft(["core"])]
    drafts: list[PhaseDraft] = []
    points = 0
    for group in groups:
        # A requirement a project-type step already builds adds no work of its own.
        size = sum(rmap.unit(k).points for k in group if k not in absorbed)
        if not drafts or (points and points + size > CORE_PHASE_POINTS):
            drafts.append(PhaseDraft(["core"]))
            points = 0
        drafts[-1].units.extend(group)
        points += size
    return drafts


def _builds_in_core(unit: Unit) -> bool:
    if unit.kind == "unknown":
        return False
    if unit.kind == "domain":
        return True
    return any(step.phase == "core" for step in knowledge().features[unit.ref].steps)


def _merge(drafts: list[PhaseDraft], source: str, into: str) -> None:
    src = next((d for d in drafts if d.kinds == [source]), None)
    targets = [d for d in drafts if into in d.kinds]
    # A screen phase merges into the last feature phase, never before the features it shows.
    dst = (targets[-1] if source == "ui" else targets[0]) if targets else None
    if src is None or dst is None or src is dst:
        return
    drafts.remove(src)
    dst.kinds = [k for k in PHASE_ORDER if k in {*dst.kinds, *src.kinds}]


def _insert_before(drafts: list[PhaseDraft], draft: PhaseDraft, kind: str) -> None:
    index = next((i for i, d in enumerate(drafts) if kind in d.kinds), len(drafts))
    drafts.insert(index, draft)


def _split_integrations(drafts: list[PhaseDraft], analysis: Analysis, target: int) -> None:
    kb = knowledge()
    current = next((d for d in drafts if d.kinds == ["integrations"]), None)
    services = [t for t in analysis.stack if analysis.category(t) in INTEGRATION_CATEGORIES]
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


def draft_title(draft: PhaseDraft, ctx: Context, rmap: RequirementMap) -> str:
    kb = knowledge()
    groups = [g for g in rmap.groups if set(g) & set(draft.units)]
    labels = [label for g in groups if (label := group_label(rmap, g))]
    if not labels and draft.kinds == ["core"]:
        return "Core features"
    if len(labels) > MAX_TITLE_LABELS:
        labels = [*labels[:MAX_TITLE_LABELS], f"{len(labels) - MAX_TITLE_LABELS} more"]
    if draft.kinds == ["core"] and labels:
        return clip("Core features: " + _list(labels))
    if draft.kinds == ["integrations"] and draft.techs:
        return "Integrations: " + _join([kb.technologies[t].name for t in draft.techs])
    if len(draft.kinds) == 1:
        title = _KIND_TITLES[draft.kinds[0]]
    else:
        parts = [_SHORT_KIND_TITLES[k] for k in draft.kinds]
        title = (", ".join(parts[:-1]) + " and " + parts[-1]).capitalize()
    if "core" in draft.kinds and labels:
        title += ": " + _list(labels)
    return clip(title)


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
    "release": "Release and deployment",
}


def draft_summary(draft: PhaseDraft, ctx: Context, rmap: RequirementMap, integration_names: str) -> str:
    kb = knowledge()
    groups = [g for g in rmap.groups if set(g) & set(draft.units)]
    labels = [label for g in groups if (label := group_label(rmap, g, words=12))]
    features = _join(labels) if labels else None
    if "core" in draft.kinds and not labels:
        features = ctx.values["top_features"]  # type: ignore[assignment]
    subject = _join([kb.technologies[t].name for t in draft.techs]) if draft.techs else integration_names
    parts = []
    for kind in draft.kinds:
        extra: dict[str, object] = {"subject": subject}
        if features:
            extra["features"] = features
        parts.append(ctx.fill(kb.phases[kind].summary, kind, **extra))
    return clip(" ".join(parts), 50_000)


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


def unit_label(unit: Unit) -> str:
    return unit.label
