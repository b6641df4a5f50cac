"""What each requirement means to the planner, and the units of work the plan builds from them.

For every requirement: the knowledge-base features and technologies its text names, the
technologies no entry knows (kept by name), the constraint rules that recognise it and its quality
tags. From those, the *units* a plan builds, in brief order:

- ``feature`` units: a knowledge-base feature ("bookings and scheduling") with the requirements that
  name it, written with the first requirement's words ("climbing gym classes");
- ``domain`` units: a feature requirement no entry knows ("members vote on proposals"), built from
  its own words;
- ``unknown`` units: a technology the knowledge base does not know ("Adyen", "HealthKit"), kept as
  a spike plus an integration step.

Units that share a requirement form a *group* and are always planned in the same phase, so a
phase's ``requirements`` line is enough to tell which units it builds (also in an edited plan).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from devussy.models import Requirement
from devussy.planner.analysis import analyzer
from devussy.planner.domain import DomainWords, stem, words_of
from devussy.planner.knowledge import knowledge
from devussy.requirements.extract import find_technologies
from devussy.requirements.lexicon import lexicon
from devussy.requirements.rules import rule_classes, rules_for

UnitKind = Literal["feature", "domain", "unknown"]
# A requirement that is the migration itself ("Move our legacy PHP invoicing system to Laravel").
MIGRATION_WORK = re.compile(
    r"^(?:move|moves|migrate|migrates|port|ports|rewrite|rewrites|replace|replaces|modernise|modernize|"
    r"rebuild|rebuilds)\b.*\b(?:legacy|old|existing|current|to)\b",
    re.IGNORECASE,
)
DOMAIN_POINTS = 4
UNKNOWN_POINTS = 3
QUALITY_TAGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "performance",
        re.compile(r"\b(latency|ms|milliseconds?|seconds?|fast|load times?|response times?|p\d\d)\b", re.I),
    ),
    ("availability", re.compile(r"\b(uptime|availab\w+|99\.\d+|downtime|failover)\b", re.I)),
    (
        "scale",
        re.compile(r"\b(concurrent|simultaneous|thousands|millions|per second|requests|scal\w+)\b", re.I),
    ),
    ("accessibility", re.compile(r"\b(wcag|accessib\w+|screen[- ]readers?|a11y)\b", re.I)),
    ("compliance", re.compile(r"\b(gdpr|hipaa|soc ?2|pci|iso ?27001|ccpa|complian\w+)\b", re.I)),
    ("typing", re.compile(r"\b(type[- ]hint\w*|typed|type hints|types)\b", re.I)),
    ("bundle", re.compile(r"\b(tree[- ]shak\w+|bundle size|lightweight)\b", re.I)),
    (
        "parity",
        re.compile(r"\b(match\w*|to the cent|parity|bit[- ]for[- ]bit|same (output|results))\b", re.I),
    ),
    ("security", re.compile(r"\b(secur\w+|encrypt\w+|penetration|owasp)\b", re.I)),
)


# How the brief names a technology the knowledge base does not know: a service the product talks to
# ("pulls my Strava activities", "to Salesforce", "Zendesk account", "Hetzner Cloud API") or a tool it is
# built with or runs on ("in Rust with Bevy", "with YOLOv8", "on a Jetson Nano", "Julia package").
_SERVICE_AFTER = re.compile(
    r"\A(?:'s)?\s++(?:\w+\s+)?(?:api|apis|account|accounts|service|system|platform|webhooks?|cloud|server|"
    r"instance|workspace|org|organi[sz]ation|tenant|contacts|activities|vault|inbox|calendar|deals|tickets)\b",
    re.IGNORECASE,
)
_SERVICE_BEFORE = re.compile(
    r"\b(?:from|to|into|via|through|sync\w*|send\w*|post\w*|pull\w*|push\w*|fetch\w*|upload\w*|"
    r"register\w*|read\w*|writ\w*|import\w*|export\w*|call\w*|query\w*|reads|talks?|pay\w*|charg\w*|bill\w*|"
    r"sign\w*|log\w*|authenticat\w*|notif\w*|email\w*|messag\w*|ship\w*|deliver\w*|verif\w*|checkout|"
    r"existing|current|legacy)\b"
    r"(?:\W+\w+){0,3}?\W*\Z",
    re.IGNORECASE,
)
_TOOL_BEFORE = re.compile(
    r"\b(?:with|using|in|on|built|made|written|powered|based|runs?|running|atop)\b(?:\W+\w+){0,2}?\W*\Z",
    re.IGNORECASE,
)


def tool_names(names: Iterable[str], text: str) -> frozenset[str]:
    """The technologies among ``names`` that the brief builds with or runs on rather than calls as a
    service (a spike confirms them; there is no adapter, credential or retry to write)."""
    tools: set[str] = set()
    lowered = text.lower()
    for name in names:
        at = lowered.find(name.lower())
        if at < 0:
            continue
        before = text[max(0, at - 40) : at]
        after = text[at + len(name) : at + len(name) + 40]
        if _SERVICE_AFTER.match(after) or _SERVICE_BEFORE.search(before):
            continue
        words = re.findall(r"[a-z0-9]+", lowered[:at])
        opens = len(words) <= 1  # "Julia package for ...": the brief starts with it
        if (
            _TOOL_BEFORE.search(before)
            or opens
            or re.search(r"\d", name)
            or name.lower() in lexicon().languages
        ):
            tools.add(name)
    return frozenset(tools)


@dataclass(frozen=True)
class RequirementInfo:
    requirement: Requirement
    features: tuple[str, ...]  # knowledge-base feature ids named in its text
    techs: tuple[str, ...]  # knowledge-base technology ids named in its text
    unknown: tuple[str, ...]  # technology names no entry knows (integration requirements)
    rules: tuple[str, ...]  # constraint rules that recognise it
    quality: tuple[str, ...]  # quality tags
    words: DomainWords


@dataclass(frozen=True)
class Unit:
    key: str  # "feature:booking", "req:R4", "tech:Adyen"
    kind: UnitKind
    ref: str  # feature id, requirement id or technology name
    requirements: tuple[str, ...]  # ids it covers
    words: DomainWords  # the brief's words for its steps
    points: int

    @property
    def label(self) -> str:
        if self.kind == "feature":
            return knowledge().features[self.ref].name
        if self.kind == "unknown":
            return self.ref
        return _short(self.words.text)


@dataclass(frozen=True)
class RequirementMap:
    infos: tuple[RequirementInfo, ...]
    units: tuple[Unit, ...]
    groups: tuple[tuple[str, ...], ...]  # unit keys; units sharing a requirement share a group
    rules: frozenset[str]  # every constraint rule the requirements trigger
    unknown_techs: tuple[str, ...]
    by_id: dict[str, RequirementInfo] = field(default_factory=dict)
    # names of what the product reads ("nginx" in "our nginx access logs"): no spike, no adapter; the
    # steps that read it cover their integration requirement
    data_formats: tuple[str, ...] = ()
    # feature requirements that state a measurable target ("handle 5 GB of logs in under a minute"): a
    # benchmark serves them, not a feature step restating the sentence
    targets: frozenset[str] = frozenset()

    def ids(self, *kinds: str) -> list[str]:
        return [i.requirement.id for i in self.infos if not kinds or i.requirement.kind in kinds]

    def for_tech(self, tid: str) -> list[str]:
        return [i.requirement.id for i in self.infos if tid in i.techs]

    def for_rule(self, rule: str) -> list[str]:
        return [
            i.requirement.id
            for i in self.infos
            if rule in i.rules and i.requirement.kind in ("constraint", "non_goal")
        ]

    def for_quality(self, tag: str | None = None) -> list[str]:
        return [
            i.requirement.id
            for i in self.infos
            if i.requirement.kind == "quality" and (tag is None or tag in i.quality)
        ]

    def unit(self, key: str) -> Unit:
        return next(u for u in self.units if u.key == key)

    def group_of(self, key: str) -> tuple[str, ...]:
        return next(g for g in self.groups if key in g)

    def group_requirements(self, group: Sequence[str]) -> list[str]:
        ids = {r for key in group for r in self.unit(key).requirements}
        return sorted(ids, key=lambda r: int(r[1:]))

    @property
    def entities(self) -> list[str]:
        """Records the brief's own feature words imply, in brief order: from features that keep data (a
        feature in the brief's words, or a known one that needs storage), not from "normalises prices"."""
        kb = knowledge()
        keeps = {
            rid
            for u in self.units
            if u.kind == "domain" or (u.kind == "feature" and "data" in kb.features[u.ref].needs)
            for rid in u.requirements
        }
        names: list[str] = []
        for info in self.infos:
            if info.requirement.kind == "feature" and info.requirement.id in keeps:
                names.extend(e for e in info.words.entities if e not in names)
        return names


def requirements_key(requirements: Iterable[Requirement]) -> tuple[tuple[str, str, str, str], ...]:
    return tuple((r.id, r.text, r.kind, r.source) for r in requirements)


def build_map(requirements: Sequence[Requirement]) -> RequirementMap:
    return _build_map(requirements_key(requirements))


@lru_cache(maxsize=256)
def _build_map(key: tuple[tuple[str, str, str, str], ...]) -> RequirementMap:
    requirements = [Requirement(id=i, text=t, kind=k, source=s) for i, t, k, s in key]  # type: ignore[arg-type]
    found = _entries([r.text for r in requirements])
    read_only = any(
        "read_only" in rule_classes(r.text) for r in requirements if r.kind in ("constraint", "non_goal")
    )
    infos = _resolve_pronouns(tuple(_info(r, *found[r.text], read_only=read_only) for r in requirements))
    kb = knowledge()
    units: list[Unit] = []
    targets: set[str] = set()
    seen_features: set[str] = set()
    for info in infos:
        for fid in info.features:
            if fid in seen_features or info.requirement.kind in ("constraint", "non_goal"):
                continue
            seen_features.add(fid)
            covering = tuple(
                i.requirement.id for i in infos if fid in i.features and i.requirement.kind != "non_goal"
            )
            words = _feature_words(fid, [i for i in infos if fid in i.features])
            units.append(Unit(f"feature:{fid}", "feature", fid, covering, words, kb.features[fid].points))
        text = info.requirement.text
        if (
            info.requirement.kind == "feature"
            and not info.features
            and (is_target(text) or is_code_quality(text) or forbids(text))
        ):
            targets.add(info.requirement.id)
        elif (
            info.requirement.kind == "feature"
            and not info.features
            and not _only_unknown_tech(info)
            and not ships_the_product(info)
        ):
            units.append(
                Unit(
                    f"req:{info.requirement.id}",
                    "domain",
                    info.requirement.id,
                    (info.requirement.id,),
                    info.words,
                    DOMAIN_POINTS,
                )
            )
    unknown: list[str] = []
    for info in infos:
        for name in info.unknown:
            if name.lower() not in {u.lower() for u in unknown}:
                unknown.append(name)
    formats = data_format_names(unknown, (i.requirement.text for i in infos))
    unknown = [n for n in unknown if n not in formats]
    for name in unknown:
        covering = tuple(i.requirement.id for i in infos if name in i.unknown)
        units.append(Unit(f"tech:{name}", "unknown", name, covering, words_of(name), UNKNOWN_POINTS))
    units.sort(key=lambda u: min((int(r[1:]) for r in u.requirements), default=0))
    rules = {rule for info in infos for rule in info.rules}
    return RequirementMap(
        infos=infos,
        units=tuple(units),
        groups=_groups(units),
        rules=frozenset(rules),
        unknown_techs=tuple(unknown),
        by_id={i.requirement.id: i for i in infos},
        data_formats=tuple(sorted(formats)),
        targets=frozenset(targets),
    )


_ENTRIES: dict[str, tuple[list[str], list[str]]] = {}
_MAX_ENTRIES = 4096


def _entries(texts: Sequence[str]) -> dict[str, tuple[list[str], list[str]]]:
    """Knowledge-base technologies and features named in each text (one scan for the new ones, memoised)."""
    new = [t for t in dict.fromkeys(texts) if t not in _ENTRIES]
    if new:
        if len(_ENTRIES) + len(new) > _MAX_ENTRIES:
            _ENTRIES.clear()
        for text, found in zip(new, analyzer().find_entries_each(new), strict=True):
            _ENTRIES[text] = found
    return {t: (list(_ENTRIES[t][0]), list(_ENTRIES[t][1])) for t in texts}


def clear_entries() -> None:
    _ENTRIES.clear()


_TARGET = re.compile(
    r"\b\d[\d.,]*\s*(?:[kmgt]b|ms|milliseconds?|seconds?|minutes?|hours?|rows|records|requests|events|files|"
    r"users|messages)\b[^.;]{0,60}?\b(?:in|under|within|below|less\s+than|per)\s+(?:an?|one|\d[\d.,]*)\s*"
    r"(?:ms|milliseconds?|seconds?|minutes?|hours?|second|minute|hour)\b",
    re.IGNORECASE,
)


def is_target(text: str) -> bool:
    """ "Handle 5 GB of logs in under a minute on a laptop": a size and a time to meet, not a feature."""
    return bool(_TARGET.search(text))


# A level of quality the code must reach, even when listed as a feature: "100% test coverage", "full type
# hints". It gets a check in CI, not a feature step named after it.
_CODE_QUALITY = re.compile(
    r"\b\d{1,3}(?:\.\d+)?\s*%\s*(?:(?:test|code|line|branch|statement)\s+)?coverage\b|"
    r"\b(?:full|complete|strict|100\s*%)\s+(?:type\s+(?:hints|annotations|checking)|typing)\b",
    re.IGNORECASE,
)


def is_code_quality(text: str) -> bool:
    return bool(_CODE_QUALITY.search(text))


# A feature that says what must not happen ("Don't keep photos on the phone longer than a week") is a limit to
# enforce and test, never the action it forbids ("Keep photos").
_FORBIDS = re.compile(
    r"^\W*(?:don't|don’t|do\s+not|never|must\s+not|mustn't|should\s+not|shouldn't)\b", re.IGNORECASE
)


def forbids(text: str) -> bool:
    return bool(_FORBIDS.search(text))


_ANALYTICS = re.compile(
    r"\b(?:funnels?|cohorts?|retention|conversion rates?|churn|daily active users|dau|mau|lifetime value|"
    r"attribution)\b",
    re.IGNORECASE,
)
_MEASURED_FEATURES = frozenset({"user_accounts", "payments", "subscriptions", "orders_cart"})
# Money a text reports on rather than takes: "daily revenue, refunds and top products", "sales by region".
_REPORTED_MONEY = re.compile(
    r"\b(?:revenue|turnover|takings|gross\s+margin)\b|"
    r"\b(?:show|shows|showing|see|sees|seeing|report|reports|reporting|chart|charts|charting|summari[sz]e\w*|"
    r"totals?\s+of|breakdown\s+of|analy[sz]e\w*)\s+(?:\w+\s+){0,3}?(?:refunds?|payments?|purchases?|orders?|sales)\b",
    re.IGNORECASE,
)
_TRANSACTION_FEATURES = frozenset({"payments", "subscriptions", "orders_cart"})
# what a read-only product can only look at: stock it shows is not stock it moves
_WRITING_FEATURES = _TRANSACTION_FEATURES | {"inventory_stock"}


# Work a model does in the same sentence is not a feature people use: "tags each one with a topic using a
# small local model" is the model's output, not tags users add and filter by.
_MODEL_FEATURES = frozenset({"local_model", "ml_inference"})
_DONE_BY_A_MODEL = frozenset({"tagging"})


def built_features(text: str, features: Sequence[str], read_only: bool = False) -> list[str]:
    """The features a text asks to build: "a funnel from signup to first purchase" measures sign-ups and
    purchases; it builds neither. Refunds and revenue a dashboard shows, or any a read-only product names,
    are data to report, not a payment flow to build. Tags a model assigns are the model's work."""
    if _MODEL_FEATURES.intersection(features):
        features = [f for f in features if f not in _DONE_BY_A_MODEL]
    if _ANALYTICS.search(text):
        return [f for f in features if f not in _MEASURED_FEATURES]
    if read_only:
        return [f for f in features if f not in _WRITING_FEATURES]
    if _REPORTED_MONEY.search(text):
        return [f for f in features if f not in _TRANSACTION_FEATURES]
    return list(features)


# Where a requirement refers to a thing rather than asks for it: "Email a reminder the evening before a
# booking" asks for reminders; the booking is what they are about.
_REFERENCE = re.compile(
    r"\b(?:before|after|ahead\s+of|following|about|of|per|until|once|for\s+(?:each|every|a|an|the))\s+"
    r"(?:(?:a|an|the|each|every|their|our|his|her|its|my|your)\s+)?",
    re.IGNORECASE,
)


def asked_features(text: str, features: Sequence[str]) -> list[str]:
    """The features a requirement asks for: those named before the first phrase that refers to a thing
    (when any is), not the ones only named inside that phrase."""
    if len(features) < 2:
        return list(features)
    cut = _REFERENCE.search(text)
    if cut is None or cut.start() == 0:
        return list(features)
    # the reference runs to the next item of a list: "a dashboard for the organisers and payments for …"
    end = re.compile(r",|\b(?:and|or)\b").search(text, cut.end())
    outside = text[: cut.start()] + (" ; " + text[end.end() :] if end else "")
    _, asked = analyzer().find_entries(outside)
    kept = [f for f in features if f in asked]
    return kept or list(features)


# A technology named as the source or format of data the product reads ("our nginx access logs", "Apache
# Parquet files", "Zeek logs") is input, not a service to integrate.
_DATA_AFTER = re.compile(
    r"\A(?:'s)?\s++(?:[\w-]+\s+){0,2}?(?:logs?|log\s+files|files|exports?|dumps?|archives?|traces?|"
    r"datasets?|records|output|reports?)\b",
    re.IGNORECASE,
)


def data_format_names(names: Iterable[str], texts: Iterable[str]) -> frozenset[str]:
    """The names among ``names`` every mention of which is followed by what the product reads."""
    texts = list(texts)
    found: set[str] = set()
    for name in names:
        pattern = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", re.IGNORECASE)
        after = [text[m.end() : m.end() + 40] for text in texts for m in pattern.finditer(text)]
        named = [a for a in after if a.strip()]  # the integration requirement that is the bare name
        if named and all(_DATA_AFTER.match(a) for a in named):
            found.add(name)
    return frozenset(found)


_CAPITALISED = re.compile(r"[A-Z][\w&'-]*")


def named_in_proper_noun(text: str, fid: str) -> bool:
    """Whether every word of the text naming a feature is part of a proper noun: "UK Ordnance Survey grid
    references" names a mapping agency, not a survey; "the Survey Monkey export" a product. A capitalised
    alias right after another capitalised word that does not start the text is inside a name."""
    aliases = knowledge().features[fid].match.aliases
    spans = [
        m
        for alias in aliases
        for m in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text, re.IGNORECASE)
    ]
    if not spans:
        return False
    for match in spans:
        if not match.group(0)[:1].isupper():
            return False
        before = text[: match.start()].rstrip().split()
        if (
            len(before) < 1
            or not _CAPITALISED.fullmatch(before[-1])
            or (len(before) == 1 and before[-1] in {"A", "An", "The"})
        ):
            return False
    return True


def _info(
    requirement: Requirement, techs: list[str], features: list[str], read_only: bool = False
) -> RequirementInfo:
    unknown: list[str] = []
    if requirement.kind == "integration" and not techs:
        names = [t.name for t in find_technologies(requirement.text, lexicon())]
        words = requirement.text.split()
        while len(words) > 1 and words[-1].lower() in lexicon().role_words:
            words = words[:-1]  # "Zendesk account" → Zendesk
        named = len(words) < len(requirement.text.split()) and words[0][:1].isupper()
        if not names and (not features or named):
            names = [" ".join(words)]  # "Google accounts" names Google, whatever "accounts" matches
        for name in names:
            known = analyzer().match_name(name)  # structured-field rules: a bare "Go" is the language here
            if known:
                techs.extend(t for t in known if t not in techs)
            else:
                unknown.append(name)
    if requirement.kind in ("constraint", "non_goal"):
        rules = tuple(rule.name for rule in rules_for(requirement))
        features = []  # "no accounts" names accounts but asks for none
    else:
        rules = tuple(r for r in rule_classes(requirement.text) if r == "incremental_migration")
        if requirement.kind == "feature" and MIGRATION_WORK.match(requirement.text):
            features = []  # "Move our legacy invoicing system to Laravel": what moves, not what to build
    features = [f for f in features if not named_in_proper_noun(requirement.text, f)]
    features = asked_features(requirement.text, built_features(requirement.text, features, read_only))
    quality = tuple(tag for tag, pattern in QUALITY_TAGS if pattern.search(requirement.text))
    return RequirementInfo(
        requirement=requirement,
        features=tuple(features),
        techs=tuple(techs),
        unknown=tuple(unknown),
        rules=rules,
        quality=quality if requirement.kind == "quality" else (),
        words=words_of(requirement.text),
    )


# "Members already sign in with their society Google accounts", "Sign in with Google": an identity
# provider signs people in even when the brief states it as something users do rather than as a constraint.
SIGN_IN_THROUGH = re.compile(
    r"\b(?:sign|log)(?:s|ged|ing)?[- ]?in\b[^.;]{0,40}?\b(?:with|through|via|using)\b[^.;]{0,30}?"
    r"\b(?:google|microsoft|github|gitlab|apple|okta|azure\s+ad|entra|auth0|keycloak|onelogin|workspace|sso|"
    r"office\s+365)\b",
    re.IGNORECASE,
)
_PRONOUN_OBJECT = re.compile(r"^(\S+(?:\s+(?:and|or)\s+\S+)?)\s+(them|it|those|these)\b", re.IGNORECASE)


def _resolve_pronouns(infos: tuple[RequirementInfo, ...]) -> tuple[RequirementInfo, ...]:
    """ "OCRs them with Tesseract" after "watches a folder of scanned receipts": its steps say what "them"
    is ("OCR scanned receipts"), from the previous feature's thing (what a "folder of" holds)."""
    resolved: list[RequirementInfo] = []
    previous = ""
    for info in infos:
        words = info.words
        if info.requirement.kind == "feature" and words.verb:
            text = info.requirement.text
            at = re.search(rf"\b{re.escape(words.verb)}\b", text, re.IGNORECASE)
            tail = text[at.start() :] if at else ""
            match = _PRONOUN_OBJECT.match(tail)
            if match and previous:
                replaced = text[: at.start()] + tail[: match.start(2)] + previous + tail[match.end(2) :]  # type: ignore[union-attr]
                words = dataclasses.replace(words_of(replaced), title=words.title)
                info = dataclasses.replace(info, words=words)
            elif words.thing and not match:
                previous = words.thing.split(" of ")[-1]
        resolved.append(info)
    return tuple(resolved)


@lru_cache(maxsize=512)
def _feature_matchers(fid: str) -> tuple[re.Pattern[str], ...]:
    match = knowledge().features[fid].match
    names = sorted(match.aliases, key=len, reverse=True)
    found = [re.compile("|".join(rf"(?<![\w-]){re.escape(a)}(?![\w-])" for a in names), re.IGNORECASE)]
    found += [re.compile(rf"(?<![\w-]){re.escape(a)}(?![\w-])") for a in match.case_sensitive]
    return tuple(found + [re.compile(p) for p in match.patterns]) if names else tuple(found[1:])


def aspect_words(fid: str, words: DomainWords) -> DomainWords:
    """The part of a requirement a feature answers, when one sentence asks for several ("scan a barcode to
    look up a SKU": scanning answers "scan a barcode", search "look up a SKU"); the whole when no name of the
    feature is found in it."""
    hits = [m for pattern in _feature_matchers(fid) if (m := pattern.search(words.text))]
    found = min(hits, key=lambda m: m.start(), default=None)
    if found is None or found.start() == 0:
        return words
    before = words.text[: found.start()].split()
    # the verb just before a noun the feature is named by belongs to it ("scan a barcode")
    start = found.start()
    for back in range(1, min(3, len(before)) + 1):
        if lexicon().is_verb(before[-back].lower()):
            start = len(" ".join(before[:-back])) + (1 if len(before) > back else 0)
            break
    aspect = words_of(words.text[start:])
    return (
        aspect if aspect.verb else words
    )  # "for new orders" is no part of its own: "poll our Shopify store"


def _only_unknown_tech(info: RequirementInfo) -> bool:
    return bool(info.unknown) and info.requirement.kind == "integration"


# "Publish it to PyPI", "Release the app on the Play Store", "Deploy it to Fly.io": shipping the product
# itself is the release step of the named channel, not a feature about whatever "it" was.
_SHIP = re.compile(
    r"^\W*(?:and\s+)?(?:publish|publishes|published|release|released|ship|shipped|deploy|deployed|distribute|"
    r"distributed|upload|uploaded|push|pushed|make\s+it\s+available)\b",
    re.IGNORECASE,
)
_CHANNELS = frozenset({"registry", "deploy", "cloud", "platform"})


def ships_the_product(info: RequirementInfo) -> bool:
    """Whether a feature requirement only asks to publish or deploy the product to a channel it names."""
    kb = knowledge()
    return (
        bool(info.techs)
        and bool(_SHIP.search(info.requirement.text))
        and all(kb.technologies[t].category in _CHANNELS for t in info.techs)
    )


def _groups(units: Sequence[Unit]) -> tuple[tuple[str, ...], ...]:
    """Units linked by a shared requirement, each group in brief order (union-find)."""
    parent = {u.key: u.key for u in units}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    owner: dict[str, str] = {}
    for unit in units:
        if unit.kind == "unknown":
            continue  # a technology is wired in by the integrations phase, not a feature phase
        for rid in unit.requirements:
            if rid in owner:
                parent[find(unit.key)] = find(owner[rid])
            else:
                owner[rid] = unit.key
    grouped: dict[str, list[str]] = {}
    for unit in units:
        grouped.setdefault(find(unit.key), []).append(unit.key)
    return tuple(tuple(keys) for keys in grouped.values())


def _feature_words(fid: str, infos: list[RequirementInfo]) -> DomainWords:
    """The brief's words for a feature several requirements ask for: the first one's verb and test name,
    and every asking requirement named ("sales by region and top products")."""
    asking = [i for i in infos if i.requirement.kind in ("feature", "integration")] or infos
    # "Move our legacy invoicing system to Laravel" is the migration itself; "accountants issue invoices"
    # says what the feature does.
    asking = [i for i in asking if not i.rules] or asking
    if asking:
        # "owners book appointments online" names the booking feature by its verb; "vets manage appointments"
        # only by its records: the one that does what the feature does speaks for it
        feature_stems = {stem(w) for w in re.findall(r"[a-z]+", f"{fid} {knowledge().features[fid].name}")}
        doers = [i for i in asking if i.words.verb and stem(i.words.verb) in feature_stems]
        asking = doers + [i for i in asking if i not in doers]
    first = asking[0].words
    texts: list[str] = []
    said: set[str] = set()
    for info in asking:
        words = {stem(w) for w in re.findall(r"[a-z0-9]+", info.words.text.lower())}
        if not words <= said:  # "track stock" adds nothing to "tracking inventory and stock movements"
            texts.append(info.words.text)
            said |= words
    if len(texts) == 1:
        return first
    named = texts[:3]
    text = ", ".join(named[:-1]) + " and " + named[-1] + (" …" if len(texts) > 3 else "")
    return dataclasses.replace(first, text=text, title=text[:1].upper() + text[1:])


def _short(text: str, words: int = 7) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
