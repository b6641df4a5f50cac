"""Brief analysis: what kind of project this is, which technologies and features it names.

Matching is on word boundaries ("pg" is not found in "upgrade", "Go" is only the language in contexts
such as "written in Go" or "a Go service"), tolerant of synonyms and common misspellings (both are
aliases in the knowledge base), and aware of simple negations ("no database", "without login").
Everything here is deterministic: results are ordered by knowledge-base order, never by set order.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from devussy.models import ProjectBrief
from devussy.planner.domain import is_adverb, word_set
from devussy.planner.knowledge import (
    INTEGRATION_CATEGORIES,
    Feature,
    KnowledgeBase,
    Matcher,
    ProjectType,
    Technology,
    Toolchain,
    knowledge,
)
from devussy.requirements.extract import context_technologies
from devussy.requirements.lexicon import lexicon
from devussy.requirements.rules import load_rules

# Used when two project types match equally often: the more specific type wins.
TYPE_PRIORITY = (
    "migration",
    "operator",
    "scraper",
    "saas",
    "mobile_app",
    "browser_extension",
    "desktop_app",
    "plugin",
    "chat_bot",
    "game",
    "embedded",
    "ml_service",
    "data_pipeline",
    "infrastructure",
    "web_app",
    "web_api",
    "cli",
    "library",
)
FALLBACK_TYPE = "web_app"
# Identities come from the platform, the host application or nobody: no sign-in phase of their own.
_NO_ACCOUNT_TYPES = frozenset(
    {
        *("game", "cli", "library", "embedded", "data_pipeline", "operator", "infrastructure", "scraper"),
        *("chat_bot", "desktop_app", "plugin"),
    }
)
HOSTED_TYPES = frozenset(
    {
        *("web_api", "web_app", "saas", "ml_service", "data_pipeline", "infrastructure", "migration"),
        *("scraper", "chat_bot"),
    }
)
# Hits in the brief's opening noun phrase ("A Telegram bot in Python that ...") say what the product is;
# later ones may only mention something ("... lets me log photos", "... deploying our 5 microservices").
OPENING_WEIGHT = 3
_GREETING = re.compile(r"^\s*+(?:(?:hi|hello|hey|so|well|ok(?:ay)?)\b[\s!,.]*+)*", re.IGNORECASE)
_OPENING_END = re.compile(
    r"[.!?:;(]|\b(?:that|which|where|who|so|for|to|with|in|using|on|from|by|built|written|made|where)\b",
    re.IGNORECASE,
)

_LEFT = r"(?<![\w+#])(?<!\w[.-])"
_RIGHT = r"(?![\w+#])(?!\.\w)"
_NEGATION_BEFORE = re.compile(
    r"(?:\bno|\bnot|\bwithout|\bnever|n't|\bskip|\bexcluding)\s+(?:(?:a|an|any|the|need|needs|use|using|"
    r"require|requires|include|real|separate|external|user)\s+){0,3}(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)
_NEGATED_AREAS = {
    "database": re.compile(
        r"\b(?:(?:no|without)\s*|not?\s+need(?:s|ing)?\s++(?:(?:a|an|any)\s*+)?)(?:a\s+|an\s+|any\s+)?"
        r"(?:database|db|persistence|persistent storage|storage|backend)\b",
        re.IGNORECASE,
    ),
    "auth": re.compile(
        r"\b(?:no|without|not?\s+need(?:s|ing)?)\s+(?:a\s+|an\s+|any\s+|user\s+)?"
        r"(?:auth|authentication|login|logins|sign[- ]?in|accounts|user accounts)\b",
        re.IGNORECASE,
    ),
    "ui": re.compile(
        r"\b(?:headless|(?:no|without)\s+(?:a\s+|any\s+)?(?:ui|gui|user interface|frontend|front[- ]end))\b",
        re.IGNORECASE,
    ),
}
_MULTI_SERVICE = re.compile(
    r"\b(?:micro-?services?|multi-?service|multiple services|several services|service mesh|event-driven "
    r"services|distributed system)\b",
    re.IGNORECASE,
)
_SCALE = re.compile(
    r"\b(?:millions? of|high availability|highly available|high traffic|at scale|web[- ]scale|"
    r"(?<![\d,.])\d[\d,.]*+\s*+(?:k\s*+)?(?:requests|rps|qps|concurrent)|"
    r"thousands of (?:concurrent|simultaneous)|"
    r"99\.9+%?|low latency|horizontally scal\w*)",
    re.IGNORECASE,
)
_TEAM = re.compile(
    r"\b(?:team of|(?:we are|we're)\s+)(\d{1,4})\b|\b(\d{1,4})\s+(?:developers|devs|engineers|people)\b",
    re.IGNORECASE,
)
_SOLO = re.compile(r"\b(?:solo|by myself|on my own|just me|one-person|single developer)\b", re.IGNORECASE)

_ENTITY_VERBS = (
    "track|tracks|tracking|manage|manages|managing|share|shares|sharing|store|stores|propose|proposes|sell|sells|"
    "selling|buy|buys|list|lists|log|logs|logging|browse|browsing|publish|publishes|organi[sz]e|organi[sz]es|"
    "catalog|catalogue|plan|plans|planning|record|records|collect|collects|monitor|monitors|monitoring|rent|"
    "rents|order|orders|compare|swap|trade|donate|review|reviews|rate|rates|split|splits|schedule|"
    "schedules|convert|converts|convert(?:ing)?|generate|generates|scrape|scrapes|ingest|ingests|import|"
    "imports|sync|syncs|backup|backs up|analy[sz]e|analy[sz]es|moderate|curate|curates|send|sends|post|posts|"
    "create|creates|edit|edits|rename|renames|resize|resizes|validate|validates|lint|lints|format|formats|"
    "deploy|deploys|provision|provisions|classify|classifies|predict|predicts|recommend|recommends|lend|lends|"
    "borrow|borrows|exchange|exchanges|host|hosts|publish|discover|discovers|find|finds|upload|uploads"
)
_ENTITY_PATTERN = re.compile(
    rf"\b(?:{_ENTITY_VERBS})[ \t]+(?:(?:their|your|my|our|the|a|an|all|personal|shared|daily|team|household|"
    rf"local|new|incoming|customer|user|multiple|large|small)[ \t]+)*"
    rf"(?=([a-z][a-z]+(?:-[a-z]+)?(?:[ \t]+[a-z][a-z]+(?:-[a-z]+)?){{0,2}}))",
    re.IGNORECASE,
)
_PHRASE_STOP = frozenset(
    [
        "and",
        "or",
        "with",
        "for",
        "to",
        "in",
        "on",
        "from",
        "by",
        "that",
        "which",
        "as",
        "at",
        "into",
        "of",
        "per",
        "across",
        "using",
        "via",
        "so",
        "then",
        "while",
        "when",
        "where",
        "who",
        "whose",
        "than",
        "each",
        "every",
        "against",
        "like",
        "about",
        "over",
        "through",
        "backed",
        "before",
        "after",
    ]
)
_DATA_TYPES = frozenset({"data_pipeline", "ml_service"})
# Words without which no technology of a brief is context (a cheap test before looking for them).
_CONTEXT_HINT = re.compile(
    r"\b(?:logs?|exports?|exported|dumps?|dumped|downloaded|copied|backups?|output|legacy|old|outdated|"
    r"existing|current|ageing|aging|writes?|feeds?|fills?|populates?|produces?|generates?|owns?|maintains?|"
    r"emits?|from|out\s+of|by)\b",
    re.IGNORECASE,
)
# Categories that say what the product is built in: a legacy system's stack gives way to them.
_BUILD_CATEGORIES = frozenset({"language", "web_framework", "frontend", "mobile", "desktop", "game", "cli"})
# Product features a data job's words can mention without asking for them, with the category of
# technology that would make them real.
_PRODUCT_FEATURES = {"user_accounts": "auth", "payments": "payments"}
# Words the pattern can reach that name no record: pronouns, states and manners ("tracks fully offline",
# "log attacks quickly", "what they've sent").
_NOT_RECORD_WORDS = word_set(
    "i we you he she they they've we've i've live lives stays runs works",
    "offline online locally remotely fully quickly database databases",
)
_NOT_ENTITIES = frozenset(
    [
        "and",
        "or",
        "with",
        "for",
        "from",
        "into",
        "data",
        "things",
        "stuff",
        "it",
        "them",
        "time",
        "money",
        "people",
        "users",
        "user",
        "app",
        "apps",
        "application",
        "way",
        "ways",
        "everything",
        "something",
        "what",
        "how",
        "when",
        "where",
        "which",
        "who",
        "whose",
        "their",
        "your",
        "my",
        "our",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "up",
        "out",
        "files",
        "file",
        "information",
        "info",
        "content",
        "via",
        "using",
        "use",
        "it's",
        "its",
        "this",
        "that",
        "these",
        "those",
        "simple",
        "quick",
        "easy",
        "real",
        "fast",
        "all",
        "any",
        "each",
        "every",
        "more",
        "most",
        "other",
        "others",
        "some",
        "such",
        "own",
        "same",
        "new",
        "api",
        "apis",
        "service",
        "services",
        "system",
        "systems",
        "platform",
        "website",
        "web",
    ]
)


@dataclass(frozen=True)
class Analysis:
    """Everything the planner derives from a brief, in stable order."""

    project_type: str
    project_type_stated: bool  # recognised from the text rather than inferred or assumed
    explicit: tuple[str, ...]  # technology ids the brief names
    implied: tuple[str, ...]  # added because a named technology (or the type) implies them
    assumed: tuple[str, ...]  # defaults the planner chose because the brief is silent (stated in the design)
    unknown: tuple[str, ...]  # names from structured fields that match no knowledge-base entry
    unknown_stores: tuple[str, ...]  # ...of those, the ones given as data stores ("SQL Server")
    unknown_services: tuple[str, ...]  # ...and the ones given as integrations ("BambooHR")
    features: tuple[str, ...]
    entities: tuple[str, ...]
    flags: frozenset[str]
    negated: frozenset[str]
    team_size: int | None
    stack: tuple[str, ...] = field(default=())  # explicit + implied + assumed, in knowledge-base order
    # Of the technologies no knowledge-base entry knows, those the product is built with or runs on
    # (Bevy, YOLOv8, a Jetson board) rather than a service it calls (Strava, Salesforce).
    unknown_tools: tuple[str, ...] = field(default=())
    # ...and those that are only the identity provider users sign in with (the SSO step wires them in).
    unknown_idps: tuple[str, ...] = field(default=())

    def has(self, item: str) -> bool:
        return item in self.stack or item in self.features or item in self.flags

    def category(self, tid: str) -> str:
        """A technology's role in this project: Playwright scrapes in a scraper and tests elsewhere."""
        tech = knowledge().technologies[tid]
        return tech.category_by_type.get(self.project_type, tech.category)

    def in_category(self, *categories: str) -> list[Technology]:
        kb = knowledge()
        return [kb.technologies[t] for t in self.stack if self.category(t) in categories]


@dataclass(frozen=True)
class _Hit:
    entry: str
    start: int
    end: int


class Analyzer:
    """Compiled matchers for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._tech = {tid: _compile(t.match) for tid, t in kb.technologies.items()}
        self._features = {fid: _compile(f.match) for fid, f in kb.features.items()}
        self._types = {pid: _compile(p.match) for pid, p in kb.project_types.items()}
        # Prefilter: an alias can only match if its first word occurs in the text; entries with
        # free-form regexes are always tried.
        entries: list[Technology | Feature | ProjectType] = [
            *kb.technologies.values(),
            *kb.features.values(),
            *kb.project_types.values(),
        ]
        self._triggers: dict[str, frozenset[str] | None] = {
            e.id: None
            if e.match.patterns
            else frozenset(
                _words(alias)[0] for alias in (*e.match.aliases, *e.match.case_sensitive) if _words(alias)
            )
            for e in entries
        }
        self._languages = [tid for tid, t in kb.technologies.items() if t.category == "language"]
        # Languages the lexicon names that no knowledge-base entry covers ("Julia", "Lua").
        lex = lexicon()
        others = sorted(
            (lex.canonical(name) for name in lex.languages if not self._known_language(name)),
            key=lambda n: (-len(n), n),
        )
        self._other_languages = (
            re.compile(r"(?<![\w+#.])(?:" + "|".join(re.escape(n) for n in others) + r")(?![\w+#])", re.I)
            if others
            else None
        )

    def _known_language(self, name: str) -> bool:
        lowered = name.lower()
        return any(
            t.category == "language"
            and (lowered in (t.id, t.name.lower()) or lowered in (a.lower() for a in t.match.aliases))
            for t in self.kb.technologies.values()
        )

    def _other_language(self, text: str) -> str | None:
        """A programming language the brief names that the knowledge base has no toolchain for."""
        if self._other_languages is None:
            return None
        match = self._other_languages.search(text)
        return lexicon().canonical(match.group().lower()) if match else None

    # -- matching -------------------------------------------------------------------------------
    def _hits(self, text: str, matchers: dict[str, list[re.Pattern[str]]]) -> list[_Hit]:
        hits = []
        words = frozenset(_words(text))
        for entry, patterns in matchers.items():
            triggers = self._triggers[entry]
            if triggers is not None and not triggers & words:
                continue
            for pattern in patterns:
                for m in pattern.finditer(text):
                    if m.end() == m.start() or _NEGATION_BEFORE.search(
                        text, max(0, m.start() - 40), m.start()
                    ):
                        continue
                    hits.append(_Hit(entry, m.start(), m.end()))
        return hits

    def find_entries(self, text: str) -> tuple[list[str], list[str]]:
        """Technology and feature ids named in ``text`` (knowledge-base order)."""
        techs, features, _ = self.find_entries_with_spans(text)
        return techs, features

    def find_entries_with_spans(
        self, text: str, context: Sequence[tuple[int, int]] = ()
    ) -> tuple[list[str], list[str], list[tuple[int, int]]]:
        """Like :meth:`find_entries`, plus the spans of every name found; technologies named inside a
        ``context`` span (the source of the data, a legacy system) are left out."""
        techs_hit = [h for h in self._hits(text, self._tech) if not _inside(h, context)]
        hits = techs_hit + self._hits(text, self._features)
        kept = outermost_entries(hits)
        techs = [t for t in self.kb.technologies if t in kept]
        features = [f for f in self.kb.features if f in kept]
        return techs, features, [(h.start, h.end) for h in hits]

    def find_entries_each(self, texts: Sequence[str]) -> list[tuple[list[str], list[str]]]:
        """:meth:`find_entries` for several short texts (requirements) with one scan of them all."""
        starts: list[int] = []
        position = 0
        for text in texts:
            starts.append(position)
            position += len(text) + 2
        joined = "\n\n".join(texts)
        hits = self._hits(joined, self._tech) + self._hits(joined, self._features)
        buckets: list[list[_Hit]] = [[] for _ in texts]
        for hit in hits:
            buckets[bisect.bisect_right(starts, hit.start) - 1].append(hit)
        result = []
        for bucket in buckets:
            kept = outermost_entries(bucket)  # within one text, as find_entries_with_spans does
            result.append(
                ([t for t in self.kb.technologies if t in kept], [f for f in self.kb.features if f in kept])
            )
        return result

    def match_name(self, name: str) -> list[str]:
        """Technology ids for one structured-field value such as "Postgres" or "nextjs"."""
        techs, _ = self.find_entries(name)
        if techs:
            return techs
        # Structured fields may name a language bare ("go", "c"), which free text cannot rely on.
        lowered = name.strip().lower()
        for tid, tech in self.kb.technologies.items():
            if lowered in (tech.id.replace("_", " "), tech.name.lower()):
                return [tid]
        return []

    def project_type_scores(self, text: str) -> dict[str, int]:
        """Hits per project type (a hit inside a longer one of another type does not count: "firefox
        add-on" is a browser extension, not a plugin), those in the opening phrase counted thrice."""
        opening_start = _GREETING.match(text)
        start = opening_start.end() if opening_start else 0
        start = _after_context(text, start)
        end_match = _OPENING_END.search(text, start, start + 120)
        end = end_match.start() if end_match else min(len(text), start + 120)
        scores: dict[str, int] = {}
        for hit in outermost_hits(self._hits(text, self._types)):
            opening = start <= hit.start < end
            if not opening and _mentioned(text, hit):
                continue
            weight = OPENING_WEIGHT if opening else 1
            scores[hit.entry] = scores.get(hit.entry, 0) + weight
        return scores

    def _type_scores_after_name(self, text: str) -> dict[str, int]:
        """Type scores where the brief's own opening phrase weighs most, not the project's name above it
        (a name derived from "our robotics club needs a web app" must not make it firmware)."""
        name, newline, rest = text.partition("\n")
        if not newline or len(name.split()) > 6:
            return self.project_type_scores(text)
        scores = self.project_type_scores(rest)
        for entry, count in self.project_type_scores(name).items():
            scores[entry] = scores.get(entry, 0) + count // OPENING_WEIGHT
        return scores

    # -- the analysis ---------------------------------------------------------------------------
    def analyze(
        self,
        text: str,
        *,
        named: Sequence[str] = (),
        stores: Sequence[str] = (),
        services: Sequence[str] = (),
        deployment: str | None = None,
        team_size: int | None = None,
    ) -> Analysis:
        full_text = "\n".join([text, *named, *stores, *services, deployment or ""])
        explicit, features, context_only = self._entries_without_context(full_text, text)
        explicit = [t for t in explicit if t not in context_only]
        unknown: list[str] = []
        unknown_stores: list[str] = []
        unknown_services: list[str] = []
        for names, bucket in ((named, None), (stores, unknown_stores), (services, unknown_services)):
            for name in names:
                # a name the text gives only as an existing system ("our existing Django REST API") stays
                # out of the stack even when a requirement lists it as an integration
                found = [t for t in self.match_name(name) if t not in context_only]
                if found or self.match_name(name):
                    explicit.extend(t for t in found if t not in explicit)
                elif name.strip() and name.strip().lower() not in {u.lower() for u in unknown}:
                    unknown.append(name.strip())
                    if bucket is not None:
                        bucket.append(name.strip())
        explicit = [t for t in self.kb.technologies if t in set(explicit)]

        scores = self._type_scores_after_name(text)
        if scores and max(scores.values()) < OPENING_WEIGHT and _JOB_OPENING.search(_without_name(text)):
            scores = {}  # "Build a weekly job ... never sent to an external API": the job, not an API
        project_type_stated = bool(scores)
        if scores:
            best = max(scores.values())
            project_type = next(t for t in TYPE_PRIORITY if scores.get(t) == best)
        elif _JOB_OPENING.search(_without_name(text)) or _SCHEDULED_SERVICE.search(_without_name(text)):
            # "Build a nightly job that exports ...", "a Go service that takes nightly backups": the product
            # is scheduled work, not a web application a vote over its database and cloud would make it
            project_type = "data_pipeline"
        elif _TOOL_OPENING.search(_without_name(text)) and not any(
            self.kb.technologies[t].category in ("web_framework", "frontend", "mobile", "desktop")
            for t in explicit
        ):
            project_type = "cli"  # "Build a Rust tool that detects bots ...": a tool no type word names
        else:
            project_type = self._vote_type(explicit)
        if project_type in ("web_api", "data_pipeline"):
            # "A React Native app ... backend in NestJS" is the app; the backend is one of its parts. A
            # pipeline whose results people watch in React ("live positions for dispatchers") is a web app.
            categories = {self.kb.technologies[t].category for t in explicit}
            if "mobile" in categories and project_type == "web_api":
                project_type = "mobile_app"
            elif "frontend" in categories:
                project_type = "web_app"

        if project_type in _DATA_TYPES:
            # A pipeline's or model's brief describes its data ("a funnel from signup to first purchase"):
            # sign-up and payments are features only when it names the service that provides them.
            categories = {self.kb.technologies[t].category for t in explicit}
            features = [f for f in features if _PRODUCT_FEATURES.get(f, "") in categories | {""}]
        negated = frozenset(area for area, pattern in _NEGATED_AREAS.items() if pattern.search(full_text))
        implied = self._close_implications(explicit, project_type)
        assumed: list[str] = []
        other_language = self._other_language(full_text)
        if not any(t in self._languages for t in (*explicit, *implied)):
            default = self.kb.project_types[project_type].default_language
            if default is not None and other_language is None:  # "a Julia package" stays Julia
                assumed.append(default)
                implied = self._close_implications([*explicit, *assumed], project_type)
                implied = [t for t in implied if t not in assumed]
        if _OWN_HOST.search(full_text):
            # "on our single VPS": the product runs where the brief says; S3 does not make it an AWS deploy
            implied = [t for t in implied if self.kb.technologies[t].category != "cloud"]
        stack_set = set(explicit) | set(implied) | set(assumed)
        # An implied JavaScript is redundant when the brief uses TypeScript.
        if "typescript" in stack_set and "javascript" not in explicit:
            stack_set.discard("javascript")
            implied = [t for t in implied if t != "javascript"]
        stack = tuple(t for t in self.kb.technologies if t in stack_set)

        flags = self._flags(
            full_text, project_type, stack, features, negated, unknown_stores, unknown_services
        )
        if other_language is not None and not any(t in self._languages for t in stack):
            flags = flags | {"unknown_language"}
            unknown = [*unknown, other_language] if other_language not in unknown else unknown
        return Analysis(
            project_type=project_type,
            project_type_stated=project_type_stated,
            explicit=tuple(explicit),
            implied=tuple(t for t in stack if t in implied),
            assumed=tuple(assumed),
            unknown=tuple(unknown),
            unknown_stores=tuple(unknown_stores),
            unknown_services=tuple(unknown_services),
            features=tuple(features),
            entities=tuple(self._entities(text, features)),
            flags=flags,
            negated=negated,
            team_size=team_size if team_size is not None else _team_size(full_text),
            stack=stack,
        )

    def _entries_without_context(
        self, full_text: str, text: str
    ) -> tuple[list[str], list[str], frozenset[str]]:
        """Technologies and features of the brief, without the technologies it names only as context: the
        source of the data it reads ("our nginx access logs", "a legacy PHP app writes to") never, a legacy
        system ("our legacy PHP monolith", "our existing Django REST API") when the brief names what to build
        in instead. The third item holds the technologies left out that way."""
        context = context_technologies(text) if _CONTEXT_HINT.search(text) else []
        sources = [(c.start, c.end) for c in context if c.role == "source"]
        techs, features, _ = self.find_entries_with_spans(full_text, sources)
        legacy = [(c.start, c.end) for c in context if c.role == "legacy"]
        if legacy:
            without, _, _ = self.find_entries_with_spans(full_text, [*sources, *legacy])
            if any(self.kb.technologies[t].category in _BUILD_CATEGORIES for t in without):
                in_text, _, _ = self.find_entries_with_spans(text, [*sources, *legacy])
                named = {tid for c in context if c.role == "legacy" for tid in self.match_name(c.name)}
                return without, features, frozenset(named - set(in_text))
        return techs, features, frozenset()

    def _vote_type(self, techs: Iterable[str]) -> str:
        votes: dict[str, int] = {}
        for tid in techs:
            for ptype in self.kb.technologies[tid].project_types:
                votes[ptype] = votes.get(ptype, 0) + 1
        if not votes:
            return FALLBACK_TYPE
        best = max(votes.values())
        return next(t for t in TYPE_PRIORITY if votes.get(t) == best)

    def _close_implications(self, base: Sequence[str], project_type: str) -> list[str]:
        present = list(base)
        changed = True
        while changed:
            changed = False
            for tid, tech in self.kb.technologies.items():
                if tid in present:
                    for ref in tech.implies:
                        if ref not in present:
                            present.append(ref)
                            changed = True
                    continue
                for cond in tech.implied_when:
                    if (
                        all(r in present for r in cond.all)
                        and (not cond.types or project_type in cond.types)
                        and not any(r in present for r in cond.unless)
                    ):
                        present.append(tid)
                        changed = True
                        break
        return [t for t in self.kb.technologies if t in present and t not in base]

    def _flags(
        self,
        text: str,
        project_type: str,
        stack: Sequence[str],
        features: Sequence[str],
        negated: frozenset[str],
        unknown_stores: Sequence[str],
        unknown_services: Sequence[str],
    ) -> frozenset[str]:
        kb = self.kb
        ptype = kb.project_types[project_type]
        categories = {
            kb.technologies[t].category_by_type.get(project_type, kb.technologies[t].category) for t in stack
        }
        needs = {need for f in features for need in kb.features[f].needs}
        flags: set[str] = set()
        named_store = bool(categories & {"database"} or unknown_stores) and not ptype.manages_databases
        if ptype.local_data and not named_store:
            # A CLI, library, game, firmware or mobile app keeps its state locally unless a database is named.
            flags.add("local_data")
        elif "database" not in negated and (
            ptype.needs_data or named_store or categories & {"data"} or "data" in needs
        ):
            flags.add("has_data")
        if project_type in HOSTED_TYPES:
            flags.add("hosted")
        if categories & {"language"}:
            flags.add("has_language")
        # A feature that needs users (following friends) brings sign-in to a web or mobile product; a game,
        # a CLI or firmware gets its identities from the platform or a named service instead.
        users_need_auth = "auth" in needs and project_type not in _NO_ACCOUNT_TYPES
        if "auth" not in negated and ("auth" in categories or users_need_auth or project_type == "saas"):
            flags.add("has_auth")
        # A screen a feature needs ("a dashboard of results") only for products people use directly.
        wants_ui = "ui" in needs and (ptype.has_ui or ptype.user_facing)
        if "ui" not in negated and (ptype.has_ui or categories & {"frontend", "mobile"} or wants_ui):
            flags.add("has_ui")
        if categories & INTEGRATION_CATEGORIES or "integrations" in needs or unknown_services:
            flags.add("has_services")  # third-party services to put behind adapters
        wires_in = any(s.phase == "integrations" for t in stack for s in kb.technologies[t].steps)
        if categories & INTEGRATION_CATEGORIES or "integrations" in needs or unknown_services or wires_in:
            flags.add("integrations_present")  # MQTT's topics and reconnects have a phase to go to
        if not categories & {"language"} and not any(kb.technologies[t].toolchain.test for t in stack):
            flags.add("no_language")
        backend_frameworks = [t for t in stack if kb.technologies[t].category == "web_framework"]
        if _MULTI_SERVICE.search(text) or len(backend_frameworks) > 1:
            flags.add("multi_service")
        if "audit_compliance" in features:
            flags.add("compliance")
        if _SCALE.search(text):
            flags.add("scale")
        return frozenset(flags)

    def _entities(self, text: str, features: Sequence[str]) -> list[str]:
        names: list[str] = []
        blocked = set(_NOT_ENTITIES)
        for tech in self.kb.technologies.values():
            blocked.update(a.lower() for a in tech.match.aliases)
        for m in _ENTITY_PATTERN.finditer(text):
            # Head noun of a short phrase: "plan social media posts" -> Post, "track expenses and" -> Expense.
            phrase: list[str] = []
            for token in m.group(1).lower().split():
                if token in _PHRASE_STOP:
                    break
                phrase.append(token)
            heads = lexicon().heads
            candidates = [
                w
                for w in reversed(phrase)
                if w not in blocked
                and len(w) >= 3
                and w not in _NOT_RECORD_WORDS
                and not is_adverb(w)
                and not (
                    w.endswith(("ed", "ing")) and lexicon().is_verb(w)
                )  # "backed by", "invoicing module"
                and w not in heads  # the product's own head ("Go package", "bot"), not a record
            ]
            if not candidates:
                continue
            entity = _singular(candidates[0]).replace("-", " ").title().replace(" ", "")
            if entity.lower() not in blocked and entity not in names:
                names.append(entity)
        for fid in features:
            for entity in self.kb.features[fid].entities:
                if entity not in names:
                    names.append(entity)
        return names[:6]


_SENTENCE_END = re.compile(r"[.!?](?:\s+|$)|\n")


def _after_context(text: str, start: int) -> int:
    """Where the brief's opening phrase starts: after sentences that only give context ("We run a Postgres
    database of orders that a legacy PHP app writes to. Build a dashboard ..." opens with the dashboard)."""
    background = lexicon().background
    for _ in range(3):
        end = _SENTENCE_END.search(text, start)
        if end is None or not any(p.match(text, start, end.start()) for p in background):
            return start
        start = end.end()
    return start


_TOOL_OPENING = re.compile(
    r"^[^.!?:]{0,60}?(?<!\bweb\s)(?<!\bonline\s)(?<!\bbrowser\s)\b(?:tool|utility|script)\b(?![- ]kit)",
    re.IGNORECASE,
)
# A scheduled job named as the product, in any sentence ("Our team ... . Build a nightly job that ...").
_JOB_OPENING = re.compile(
    r"(?:^|[.!?]\s+)[^.!?:]{0,60}?\b(?:nightly|daily|weekly|hourly|monthly|scheduled|cron|batch)\s+"
    r"(?:[\w-]+\s+)?(?:jobs?|tasks?|batch)\b",
    re.IGNORECASE,
)
# A service, daemon or worker whose own clause says it runs on a schedule ("a small Go service that takes
# nightly backups", "a worker which cleans up expired uploads daily").
_SCHEDULED_SERVICE = re.compile(
    r"\b(?:service|daemon|worker)\s+(?:that|which|to)\s+[^.!?;:]{0,100}?\b(?:nightly|daily|hourly|weekly|"
    r"monthly|every\s+(?:night|day|hour|week|month|morning|\d+\s+(?:minutes?|hours?|days?))|on\s+a\s+schedule)\b",
    re.IGNORECASE,
)
# The brief's own host: "on our single VPS", "running on our own server", "on-premises".
_OWN_HOST = re.compile(
    r"\b(?:on|to|onto)\s+(?:our|my|the\s+company's|a)\s+(?:(?:own|single|existing|one|small|current|"
    r"dedicated|home|office)\s+)*(?:vps|server|box|machine|bare[- ]metal\s+server|raspberry\s+pi)\b"
    r"|\bon[- ]prem(?:ise|ises)?\b|\bself[- ]hosted\s+on\s+(?:our|my)\b",
    re.IGNORECASE,
)
_BEFORE_HIT = re.compile(r"([A-Za-z][\w.'’-]*)\s+(?:(?:the|an?|their|our|its|any|all)\s+)?$")
_NAME_BEFORE = re.compile(r"[A-Z][\w.+-]*(?:\s+[A-Z][\w.+-]*)*\s+$")


def _without_name(text: str) -> str:
    """The brief after its project name's line and the sentences that only give context."""
    name, newline, rest = text.partition("\n")
    body = rest if newline and len(name.split()) <= 6 else text
    return body[_after_context(body, 0) :]


def _mentioned(text: str, hit: _Hit) -> bool:
    """A type word that only mentions something rather than naming the product: the object of a verb
    ("detects bots", "blocks scrapers") or another organisation's API ("pulls from the Google Ads API")."""
    before = text[max(0, hit.start - 60) : hit.start]
    if text[hit.start : hit.end].lower() in ("api", "apis") and _NAME_BEFORE.search(before):
        return True
    if _in_a_given(text, hit.start):
        return True  # "Members log in with the logins they already use on the society website"
    word = _BEFORE_HIT.search(before)
    if word is None:
        return False
    lex = lexicon()
    verb = word.group(1).lower()
    return lex.is_verb(verb) and verb not in lex.noun_forms and not verb.endswith("ed")


def _in_a_given(text: str, position: int) -> bool:
    """Whether ``position`` lies in a sentence that states a given a constraint rule recognises (existing
    accounts, an existing database...): what it names is the world around the product, not the product."""
    start = max(text.rfind(". ", 0, position), text.rfind("\n", 0, position)) + 1
    stop = text.find(". ", position)
    sentence = text[start : stop if stop != -1 else len(text)]
    return any(p.search(sentence) for rule in load_rules() for p in rule.when)


def _inside(hit: _Hit, spans: Sequence[tuple[int, int]]) -> bool:
    return any(hit.start < end and start < hit.end for start, end in spans)


def outermost_entries(hits: Sequence[_Hit]) -> set[str]:
    """Entries with a hit that is not inside a longer hit of another entry (see :func:`outermost_hits`)."""
    return {hit.entry for hit in outermost_hits(hits)}


def outermost_hits(hits: Sequence[_Hit]) -> list[_Hit]:
    """The hits that are not inside a longer hit of another entry.

    A match inside a longer match of another entry is part of that name: "React" in "React Native",
    "real-time" in "real-time chat", "Firebase" in "Firebase Auth". One sort and one sweep
    (O(n log n)): comparing every pair of hits made a long text with many names cost minutes.
    """
    # Sorted by start, longest first: every hit before a span group starts earlier, or at the same
    # place and ends later, so it covers the group's span exactly when it ends at or after it.
    ordered = sorted(hits, key=lambda h: (h.start, -h.end))
    # The two furthest ends seen so far, from two different entries: whichever is not the group's
    # own entry is the furthest end "another entry" reaches.
    best: tuple[int, str] | None = None
    second: tuple[int, str] | None = None
    kept: list[_Hit] = []
    index = 0
    while index < len(ordered):
        span = (ordered[index].start, ordered[index].end)
        group_end = index
        while group_end < len(ordered) and (ordered[group_end].start, ordered[group_end].end) == span:
            group_end += 1
        group = ordered[index:group_end]
        for hit in group:
            other = best if best is None or best[1] != hit.entry else second
            if other is None or other[0] < hit.end:
                kept.append(hit)
        for hit in group:
            if best is None or hit.end > best[0]:
                if best is not None and best[1] != hit.entry:
                    second = best
                best = (hit.end, hit.entry)
            elif hit.entry != best[1] and (second is None or hit.end > second[0]):
                second = (hit.end, hit.entry)
        index = group_end
    return kept


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _compile(matcher: Matcher) -> list[re.Pattern[str]]:
    patterns: list[re.Pattern[str]] = []

    def alias_regex(aliases: Iterable[str]) -> str:
        parts = sorted({a.strip() for a in aliases if a.strip()}, key=lambda a: (-len(a), a))
        escaped = [r"[\s_-]+".join(re.escape(word) for word in a.split()) for a in parts]
        return _LEFT + "(?:" + "|".join(escaped) + ")" + _RIGHT

    if matcher.aliases:
        patterns.append(re.compile(alias_regex(matcher.aliases), re.IGNORECASE))
    if matcher.case_sensitive:
        patterns.append(re.compile(alias_regex(matcher.case_sensitive)))
    patterns.extend(re.compile(p) for p in matcher.patterns)
    return patterns


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _team_size(text: str) -> int | None:
    m = _TEAM.search(text)
    if m:
        size = int(m.group(1) or m.group(2))
        return size if 1 <= size <= 10_000 else None
    return 1 if _SOLO.search(text) else None


@lru_cache(maxsize=1)
def analyzer() -> Analyzer:
    return Analyzer(knowledge())


def brief_text(brief: ProjectBrief) -> str:
    return "\n".join([brief.name, brief.summary, *brief.goals, *brief.constraints])


def analyze_brief(brief: ProjectBrief) -> Analysis:
    """Analyse a brief: free text plus the structured technology fields."""
    return analyze_text(
        brief_text(brief),
        (*brief.languages, *brief.frameworks),
        tuple(brief.data_stores),
        tuple(brief.integrations),
        brief.deployment,
        brief.team_size,
    )


@lru_cache(maxsize=256)
def analyze_text(
    text: str,
    named: tuple[str, ...] = (),
    stores: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
    deployment: str | None = None,
    team_size: int | None = None,
) -> Analysis:
    """Memoised :meth:`Analyzer.analyze`: one request's stages (and a plan's phases) share the work."""
    return analyzer().analyze(
        text, named=named, stores=stores, services=services, deployment=deployment, team_size=team_size
    )


# -- toolchain resolution ---------------------------------------------------------------------------

_TOOLCHAIN_FIELDS = tuple(Toolchain.model_fields)
_BOUND_RANK = {
    "host": 3,
    "desktop": 4,
    "web_framework": 1,
    "data": 2,
    "ml": 2,
    "cli": 3,
    "game": 3,
    "embedded": 3,
    "infra": 3,
    "queue": 3,
    "mobile": 4,
    "frontend": 4,
    "testing": 9,
}
NEUTRAL_TOOLCHAIN: dict[str, str | None] = {
    "test": "make test",
    "test_one": "make test TEST={kw}",
    "build": "make build",
    "publish": None,
    "check": "make check",
    "run": "make run",
    "init": "git init",
    "manifest": "project manifest",
    "migrate": None,
    "test_file": None,
}


def languages_of(kb: KnowledgeBase, tid: str) -> set[str]:
    """The languages a technology is written in or for (transitively through ``implies``)."""
    seen: set[str] = set()
    stack = [tid]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(kb.technologies[current].implies)
    langs = {t for t in seen if kb.technologies[t].category == "language"}
    if "javascript" in langs:  # anything for JavaScript works for TypeScript too
        langs.add("typescript")
    return langs


def primary_language(analysis: Analysis) -> str | None:
    """The language of the main code: the backend framework's, else the first named, else any."""
    kb = knowledge()
    langs = [t for t in analysis.stack if kb.technologies[t].category == "language"]
    if not langs:
        return None

    def owner_language(categories: tuple[str, ...]) -> str | None:
        for category in categories:
            for tid in analysis.stack:
                if kb.technologies[tid].category == category:
                    owned = [lang for lang in langs if lang in languages_of(kb, tid)]
                    if owned:
                        return owned[0]
        return None

    found = owner_language(("web_framework", "cli", "game", "embedded", "data", "ml", "desktop", "host"))
    if found:
        return found
    # "Go and React": the named language the front end does not bring is the main code's.
    client = {
        lang
        for tid in analysis.stack
        if kb.technologies[tid].category in ("mobile", "frontend")
        for lang in languages_of(kb, tid)
    }
    named = [t for t in analysis.explicit if t in langs]
    backend = [t for t in named if t not in client]
    if backend:
        return backend[0]
    return owner_language(("mobile", "frontend")) or (named or langs)[0]


def frontend_language(analysis: Analysis) -> str | None:
    kb = knowledge()
    for tid in analysis.stack:
        if kb.technologies[tid].category in ("frontend", "mobile"):
            langs = [lang for lang in analysis.stack if lang in languages_of(kb, tid)]
            if langs:
                return langs[0]
    return None


def resolve_toolchain(analysis: Analysis, *, side: str = "backend") -> dict[str, str | None]:
    """Merge the toolchains of the stack: unbound tools, then the language, then tools for that language."""
    kb = knowledge()
    language = primary_language(analysis) if side == "backend" else frontend_language(analysis)
    if side == "frontend" and language is None:
        return resolve_toolchain(analysis)
    merged: dict[str, str | None] = dict(NEUTRAL_TOOLCHAIN)

    def apply(tid: str) -> None:
        toolchain = kb.technologies[tid].toolchain
        for name in _TOOLCHAIN_FIELDS:
            value = getattr(toolchain, name)
            if value is not None:
                merged[name] = value
        if toolchain.test_one is not None:
            merged["test_file"] = toolchain.test_file  # a file name goes with the command that runs it

    candidates = [t for t in analysis.stack if analysis.category(t) in _BOUND_RANK]
    unbound = [t for t in candidates if not languages_of(kb, t)]
    bound = [t for t in candidates if language is not None and language in languages_of(kb, t)]
    if side == "frontend":
        bound = [t for t in bound if analysis.category(t) in ("frontend", "mobile", "testing")]
    else:
        bound = [
            t
            for t in bound
            if analysis.category(t) not in ("frontend",)
            or (frontend_language(analysis) == language and not _has_backend(analysis))
        ]
    for tid in unbound:
        apply(tid)
    if language is not None:
        apply(language)
    for tid in sorted(bound, key=lambda t: _BOUND_RANK[analysis.category(t)]):
        apply(tid)
    return merged


def _has_backend(analysis: Analysis) -> bool:
    kb = knowledge()
    return any(kb.technologies[t].category == "web_framework" for t in analysis.stack)
