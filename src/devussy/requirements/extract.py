"""Deterministic requirement extraction: a brief → numbered requirements (DESIGN §6).

``extract_requirements(brief)`` reads the brief's summary, goals, constraints and structured fields
(languages, frameworks, data stores, integrations, deployment) and returns ``Requirement``s in brief
order, keeping the ids of the requirements the brief already carries:

- every named technology, service, platform or SDK becomes an ``integration`` requirement, whether
  or not any engine knows it ("Garmin Connect API", "Adyen", "chrome.storage.sync");
- limits become ``constraint`` requirements — the classes of ``rules.yaml`` ("read-only", "existing
  database", "sign-in through Okta", "without downtime") and the cues of ``lexicon.yaml`` ("data
  stays on the device", "do not change the schema");
- what the brief rules out ("no accounts", "No server") becomes a ``non_goal``;
- quality targets (latency, availability, WCAG, GDPR, "tree-shakeable") become ``quality``;
- everything else the product does becomes a ``feature``, in the user's own words ("members vote on
  proposals", "waitlist place when a class is full").

It is engine-agnostic (it imports only the domain models and this package's data), so the LLM
path can use it when a model gives no requirements. Work is linear in the brief's length: each
sentence is scanned a fixed number of times by regexes without nested quantifiers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from devussy.models import MAX_REQUIREMENTS, ProjectBrief, Requirement, RequirementKind, RequirementSource
from devussy.requirements.lexicon import LEFT, RIGHT, Lexicon, lexicon
from devussy.requirements.rules import ConstraintRule, load_rules

MAX_TEXT = 300
# Sentence ends: . ! ? ; or a line break (bullets), but not after common abbreviations.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=\S)|\n+\s*(?:[-*•]\s+|\d+[.)]\s+)?")
_ABBREVIATIONS = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|incl|approx|e\.?g|dr|mr|mrs|ms|no)\.)$", re.IGNORECASE)
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’+#.-]*[A-Za-z0-9+#]|[A-Za-z0-9]")
# Clause boundaries inside a sentence: ; : , (not a thousands separator) dashes and parentheses.
_CLAUSE_BREAK = re.compile(r"\s*[;:]\s+|,(?=\s)\s*|\s+[—–]\s+|\s+-\s+|\s*[()]\s*")
# A parenthesis and what it holds (not nested); unmatched ones are clause breaks.
_PARENTHESIS = re.compile(r"\(([^()]{0,200})\)")
# Clauses that only say when or how something happens ("every morning", "team by team"): they belong
# to the clause they qualify, not a requirement of their own.
_TIME_WORDS = frozenset(
    " ".join(
        [
            "every each once twice a an the at on in of per first last next this morning mornings evening",
            "evenings night nights day days daily week weeks weekly month months monthly year yearly hour",
            "hours hourly minute minutes noon midnight weekday weekdays weekend weekends monday tuesday",
            "wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays",
            "saturdays sundays am pm quarter",
        ]
    ).split()
)
_MANNER = re.compile(
    r"^(?:(\w+)\s+by\s+\1|one\s+at\s+a\s+time|one\s+by\s+one|bit\s+by\s+bit|gradually|"
    r"incrementally|over\s+(?:the\s+)?(?:next\s+|coming\s+)?(?:\w+\s+)?(?:weeks?|months?|quarters?|years?|sprints?))$",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[A-Z][A-Za-z0-9+#]*(?:\.[A-Za-z0-9]+|-[A-Z0-9][A-Za-z0-9]*)*|[a-z]+[A-Z][A-Za-z0-9]*)"
_CAPITALISED = re.compile(r"(?<![\w.+#-])" + _NAME_WORD + r"(?:\s+" + _NAME_WORD + r")*")
_DOMAIN_AFTER_NAME = re.compile(
    r"\s+(?:custom resources?|resources?|crds?|kinds?|objects?|class(?:es)?|models?|entit(?:y|ies)|"
    r"components?)\b",
    re.IGNORECASE,
)
# "Training data is 40k labelled emails": a subject of up to four words, "is"/"are", then what it is.
_COPULA = re.compile(r"(?:[\w'’-]+\s+){1,4}(?:is|are)\s+(?:not\s+)?([\w'’-]+)", re.IGNORECASE)
# An acronym that qualifies the noun after it ("SIR epidemic models", "DM each reviewer", "ID3 tags").
_DOMAIN_ACRONYM = re.compile(
    r"[A-Z][A-Z0-9]{1,5}\s++(?!(?:api|sdk|apis|sdks|app|account|instance|cluster|bucket|server)\b)[a-z]"
)
_NEGATION_LEAD = re.compile(r"^(?:no|not|never|without|zero|nothing|none)\b", re.IGNORECASE)
# "run no servers", "show no ads": a verb that takes "no" as its object rules something out too.
_VERB_NO = re.compile(r"^([A-Za-z]+)\s+(?:no|zero|nothing|none)\b", re.IGNORECASE)
_SPLIT_NEGATIONS = re.compile(r"\s+(?:and|or|so|,)\s+(?=(?:no|not|never|without)\b)", re.IGNORECASE)
# "... so they know what to bake", "... so I can see if pressure matters": the reason, not the requirement.
_REASON = re.compile(
    r"\s+so\s+(?:that\s+)?(?:i|we|they|you|he|she|it|users?|people|everyone)\b.*$", re.IGNORECASE
)
_EXAMPLE_LEAD = re.compile(r"^(?:for example|for instance|e\.?g\.?|i\.?e\.?|such as|like)\b", re.IGNORECASE)
_LEADING_FILLER = re.compile(
    # First-person lead-ins first ("what I'd love is", "it would be nice to", "I want"), so a bare "I"
    # is not taken before them; then the connectives, pronouns and modals a clause may start with.
    r"^(?:(?:(?:what\s+)?(?:i|we)(?:'d|’d|\s+would)\s+(?:really\s+)?(?:love|like|want|need)(?:\s+is)?(?:\s+to)?|"
    r"(?:what\s+)?(?:i|we)\s+(?:really\s+)?(?:want|need)(?:\s+is|\s+to)?"
    r"(?:\s+(?:build|make|create|write|get)\s+(?:(?:me|her|him|us|them)\s+)?"
    r"(?:something|an?\s+(?:simple|small|little)\s+(?:app|tool|thing|website|site))?(?:\s+(?:simple|small|easy))?"
    r"(?:\s+(?:to|that|where|which))?)?|"
    r"(?:it\s+)?(?:would|'d|’d)\s+be\s+(?:nice|great|cool|good|awesome|handy|helpful)\s+(?:to|if)|"
    r"(?:lets?|allows?|enables?|helps?)\s+(?:me|us|you|them|him|her|people|everyone|users?)(?:\s+to)?|"
    r"and|or|but|then|also|plus|including|as well as|so that|so|that|which|who|where|whereby|to|it|"
    r"they|we|i|you|with|while|when|users? can|you can|can(?!not)|"
    r"(?:should|must|will|would)(?!\s+(?:not|never)\b)|lets? users|"
    r"allows? users to|lets?|allows?|enables?|helps?|of|a|an|the|honestly|basically|ideally|really|please)"
    r"\s+)+",
    re.IGNORECASE,
)
_TRAILING_FILLER = re.compile(
    r"(?:\s+(?:and|or|but|with|while|when|to|for|of|from|by|so|etc|and more|as well|please))+\s*[.!?]*$"
    r"|[.!?]+$",
    re.IGNORECASE,
)
_FOR_PHRASE = re.compile(r"\s*for\s+(.+?)(?=\s+(?:that|which|who|where|to|with)\b|$)", re.IGNORECASE)
# Verbs that place the product on its stack rather than say what users do with it.
_STACK_VERBS = frozenset(
    {"store", "build", "write", "host", "deploy", "run", "use", "back", "power", "base", "develop", "make"}
)
_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
# What introduces a list of features: "showing a, b and c", "with a, b and c", "such as a and b".
_INTRODUCER = re.compile(
    r"\b(showing|shows|displaying|displays|listing|lists|charting|charts|plotting|plots|"
    r"with|including|such\s+as|featuring|covering)\s+(?=\w)",
    re.IGNORECASE,
)
_STYLE_SUFFIX = re.compile(r"-(?:style|like|inspired|esque|ish|alike)\b", re.IGNORECASE)
# Verbs that are adjectives before a noun ("open incidents", "free rooms"): a list item may start with them.
_ADJECTIVE_VERBS = frozenset({"open", "free", "live", "clean", "top", "total", "average", "close"})
_PREPOSITIONS = frozenset({"by", "per", "of", "in", "on", "at", "from", "to", "into", "via", "for", "over"})
_MAKE_VERBS = frozenset({"build", "create", "make", "write", "develop", "design", "code"})
# "Replace <what the product replaces> with a/an/the <product> ...".
_REPLACE_WITH = re.compile(
    r"\s*(?:replace|supersede|swap\s+out)\s+(?P<old>[^,;:]{2,80}?)\s+with\s+(?=(?:an?|the|one|our)\s)",
    re.IGNORECASE,
)
_MAKE_LEAD = re.compile(
    r"^(?:build|create|make|write|develop|design|code)\s+(?:(?:me|us)\s+)?(?=(?:an?|the)\s)", re.IGNORECASE
)
_NOUN_INTRODUCERS = frozenset({"with", "including", "such as", "featuring", "covering"})
# Words a list item never starts with: a preposition, a pronoun or a conjunction starts a clause of its own.


def _wordset(*chunks: str) -> frozenset[str]:
    return frozenset(" ".join(chunks).split())


_ITEM_STOPS = _wordset(
    "with for in on at via through using to from by into that which who where when while so but because if",
    "no not without it they we i you he she them then also plus as including such like especially",
)
_STOPWORDS = _wordset(
    "a an the and or but of for to in on at by with from into via over under through per as is are be been",
    "it its during before after until since because while whenever once this that these those their our my",
    "your his her them they we i you he she who which where when than then so not no only also just very",
    "each every any all some both either can could should must will would may might shall do does did has",
    "have had get gets got let lets",
)
# What stops the extension of a constraint or quality phrase to the right / to the left.
_RIGHT_STOPS = _wordset(
    "during while when whenever because so but and or that which where who with without over for of"
)
_LEFT_STOPS = _RIGHT_STOPS | _wordset("on in to from into at by of through via under")
_MAX_RIGHT, _MAX_LEFT = 6, 4


@dataclass(frozen=True)
class _Found:
    order: tuple[int, int, int]  # (segment, sentence offset, position in the sentence)
    kind: RequirementKind
    text: str
    key: str


@dataclass(frozen=True)
class _TechSpan:
    start: int
    end: int
    name: str


ContextRole = Literal["source", "legacy"]


@dataclass(frozen=True)
class ContextTech:
    """A technology the brief names as context: ``source`` of data the product reads ("our nginx access
    logs", "a legacy PHP app writes to"), or a ``legacy`` system ("our legacy PHP monolith")."""

    start: int
    end: int
    name: str
    role: ContextRole


def extract_requirements(brief: ProjectBrief, *, source: RequirementSource = "brief") -> list[Requirement]:
    """The brief's requirements: the ones it carries (ids kept), then the ones found in its text."""
    found = list(_find_all(brief))
    return number_requirements(brief.requirements, found, source)


def number_requirements(
    existing: Iterable[Requirement], found: Iterable[_Found], source: RequirementSource
) -> list[Requirement]:
    kept = list(existing)
    seen = {_key_of(r.kind, r.text) for r in kept}
    next_id = max((int(r.id[1:]) for r in kept), default=0) + 1
    result = list(kept)
    for item in sorted(found, key=lambda f: f.order):
        if len(result) >= MAX_REQUIREMENTS:
            break
        if item.key in seen or _integration_already_listed(item, kept):
            continue
        seen.add(item.key)
        result.append(Requirement(id=f"R{next_id}", text=item.text, kind=item.kind, source=source))
        next_id += 1
    return result


def _integration_already_listed(item: _Found, existing: list[Requirement]) -> bool:
    """A technology found again in new text ("Stripe") that a listed integration already names
    ("Stripe payments", as the user reviewed it) is not a second requirement."""
    if item.kind != "integration":
        return False
    name = _key_of(item.kind, item.text)
    return any(
        r.kind == "integration" and (_key_of(r.kind, r.text) + " ").startswith(name + " ") for r in existing
    )


def _find_all(brief: ProjectBrief) -> Iterator[_Found]:
    lex = lexicon()
    rules = load_rules()
    name_words = {w.lower() for w in _WORD.findall(brief.name)}
    segments: list[tuple[str, str]] = [(brief.summary, "summary")]
    segments += [(goal, "goal") for goal in brief.goals]
    segments += [(constraint, "constraint") for constraint in brief.constraints]
    techs_seen: set[str] = set()
    in_pages = bool(_RUNS_IN_PAGES.search(brief.summary))
    produced = False
    head_read = False  # the first sentence that is not context ("Hi!", "So I run a bakery") names the product
    head_fallback: _Found | None = None
    for seg_index, (text, role) in enumerate(segments):
        for offset, sentence in split_sentences(text):
            reader = _SentenceReader(
                sentence, (seg_index, offset), role, lex, rules, name_words, in_pages=in_pages
            )
            for item in reader.read(first=seg_index == 0 and not head_read):
                if item.kind == "integration":
                    if item.key in techs_seen:
                        continue
                    techs_seen.add(item.key)
                produced = produced or item.kind == "feature"
                yield item
            head_read = head_read or not reader.only_context
            fallback_text = reader.subject_text or reader.head_text
            if fallback_text and head_fallback is None:
                head_fallback = _Found(
                    (seg_index, offset, 0), "feature", fallback_text, _key_of("feature", fallback_text)
                )
    if not produced and head_fallback is not None:
        yield head_fallback
    structured = [*brief.languages, *brief.frameworks, *brief.data_stores, *brief.integrations]
    base = len(segments)
    for index, name in enumerate(structured):
        canonical = lex.canonical(name.strip())
        key = _tech_key(canonical)
        if key not in techs_seen and canonical:
            techs_seen.add(key)
            yield _Found((base, index, 0), "integration", _clip(canonical), key)
    if brief.deployment:
        canonical = lex.canonical(brief.deployment.strip())
        key = _tech_key(canonical)
        if key not in techs_seen:
            yield _Found((base + 1, 0, 0), "integration", _clip(f"Deployed on {canonical}"), key)


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; abbreviations such as "e.g." do not end a sentence."""
    result: list[tuple[int, str]] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        if _ABBREVIATIONS.search(text, max(0, match.start() - 8), match.start()):
            continue
        piece = text[start : match.start()].strip()
        if piece:
            result.append((start, piece))
        start = match.end()
    piece = text[start:].strip()
    if piece:
        result.append((start, piece))
    return result


class _SentenceReader:
    """Requirements in one sentence: technologies, guarded and quality phrases, then features."""

    def __init__(
        self,
        sentence: str,
        where: tuple[int, int],
        role: str,
        lex: Lexicon,
        rules: tuple[ConstraintRule, ...],
        name_words: set[str],
        *,
        in_pages: bool = False,
    ) -> None:
        self.sentence = sentence
        self.where = where
        self.role = role
        self.lex = lex
        self.rules = rules
        self.name_words = name_words
        self.techs = find_technologies(sentence, lex, name_words, in_pages=in_pages)
        self.head_text: str | None = None
        self.subject_text: str | None = None
        self.found: list[_Found] = []
        self.tech_text: dict[int, str] = {}
        self.excluded: list[tuple[int, int]] = []  # what the brief rules out: no integration from there
        self.only_context = True  # every clause was context ("Hi!", "I get migraines a lot")

    def read(self, *, first: bool) -> list[_Found]:
        words = _WORD.findall(self.sentence[:120])
        if (
            words
            and self.lex.base_verb(words[0]) in _MAKE_VERBS
            and any(w.lower() in self.lex.heads for w in words[1:9])
        ):
            first = True  # "... Build a Go API that serves invoices": an order names the product anywhere
        if self.role == "goal" and any(p.search(self.sentence) for p in self.lex.business_goals):
            self._add(0, "quality", self.sentence)
            self._add_techs()
            return self.found
        plain = _clauses(self.sentence, self._apart)
        clauses = _object_lists(plain, self.sentence, self.lex)
        groups = [
            serial and span in plain
            for serial, span in zip(_list_groups(clauses, self.sentence), clauses, strict=True)
        ]
        # An example in parentheses ("(for example "5 km/h" to m/s)") is left out of the clause around it.
        shown = _PARENTHESIS.sub(
            lambda m: " " * len(m.group()) if _EXAMPLE_LEAD.match(m.group(1).strip()) else m.group(),
            self.sentence,
        )
        listed = self._introduced_lists(clauses, shown)
        for index, (start, end) in enumerate(clauses):
            text = shown[start:end]
            if _EXAMPLE_LEAD.match(text.strip()):
                continue
            if index not in listed:
                self._clause(start, text, first=first and index == 0, serial=groups[index])
                continue
            # "... dashboard showing daily revenue, refunds and top products": one feature per item
            lead, cut, prefix = listed[index]
            if lead > start:
                self._clause(start, shown[start:lead], first=first and index == 0, serial=False)
            self._clause(cut, shown[cut:end], first=False, serial=True, prefix=prefix)
        self._add_techs()
        return self.found

    # -- one clause ---------------------------------------------------------------------------

    def _apart(self, inner: str) -> bool:
        """Whether a parenthesis is a requirement of its own: a limit, a quality, or something done."""
        if any(p.search(inner) for rule in self.rules for p in rule.when):
            return True
        if any(
            p.search(inner) for p in (*self.lex.constraint_cues, *self.lex.quality, *self.lex.non_goal_cues)
        ):
            return True
        for item in re.split(r"[,;]|\s+(?:and|or)\s+", inner):
            words = [w.lower() for w in _WORD.findall(item)]
            if len(words) >= 3 and any(self.lex.is_verb(w) and w not in self.lex.noun_forms for w in words):
                return True
        return False

    def _introduced_lists(
        self, clauses: list[tuple[int, int]], shown: str
    ) -> dict[int, tuple[int, int, str]]:
        """Lists a clause introduces ("showing a, b and c", "with a, b and c", "such as a and b"): for each
        clause of the list, (where the introducer starts, where its items start, the verb every item takes).

        The items are short nominal phrases, the first one in the introducing clause, the others in the
        comma-separated clauses after it; a two-item list needs a verb or "including" / "such as" to be
        read as one ("with Stripe payments and a waitlist" stays as the clause reading splits it)."""
        listed: dict[int, tuple[int, int, str]] = {}
        index = 0
        while index < len(clauses):
            start, end = clauses[index]
            match = None
            for candidate in _INTRODUCER.finditer(shown, start, end):
                match = candidate  # the last introducer of the clause
            word = re.sub(r"\s+", " ", match.group(1).lower()) if match else ""
            verb = None if word in _NOUN_INTRODUCERS else self.lex.base_verb(word)
            if (
                match is None
                or not self._nominal(shown[match.end() : end])
                or (verb is None and self._has_verb(_strip_leading(shown[start : match.start()])))
            ):
                # "submit expenses with receipt photos": "with" qualifies the action, it lists no features
                index += 1
                continue
            following = index + 1
            while (
                following < len(clauses)
                and "," in shown[clauses[following - 1][1] : clauses[following][0]]
                and self._nominal(shown[clauses[following][0] : clauses[following][1]])
            ):
                following += 1
            two_items = re.search(r"\s(?:and|or)\s", shown[match.end() : end]) is not None
            if following > index + 1 or (two_items and (verb or word in ("including", "such as"))):
                prefix = verb.capitalize() if verb else ""
                listed[index] = (match.start(), match.end(), prefix)
                for item in range(index + 1, following):
                    listed[item] = (clauses[item][0], clauses[item][0], prefix)
            index = following
        return listed

    def _nominal(self, text: str) -> bool:
        """A short phrase that is a thing, not an action ("top products", "heart rate", not "syncs with
        Strava") and does not start with a preposition or a pronoun: a list item."""
        words = [w.lower() for w in _WORD.findall(text)]
        while words and words[0] in ("and", "or"):
            words = words[1:]
        if not words or len(words) > 8 or words[0] in _ITEM_STOPS:
            return False
        part: list[str] = []
        for word in [*words, "and"]:
            if word not in ("and", "or"):
                part.append(word)
                continue
            first = part[0] if part else ""
            if not part or first in _ITEM_STOPS:
                return False  # "SLA breaches by agent and by week": one item
            if (
                len(part) > 1
                and self.lex.is_verb(first)
                and first not in self.lex.noun_forms
                and first not in _ADJECTIVE_VERBS
            ):
                return False  # "syncs with Strava", "collect loyalty stamps", "see travel info"
            part = []
        return True

    def _has_verb(self, text: str) -> bool:
        return any(self.lex.is_verb(w) and w.lower() not in self.lex.noun_forms for w in _WORD.findall(text))

    def _clause(self, start: int, text: str, *, first: bool, serial: bool, prefix: str | None = None) -> None:
        for part_start, part in _negation_parts(start, text):
            stripped = _strip_leading(part)
            if not any(p.search(part) for p in self.lex.background):
                self.only_context = False
            verb_no = _VERB_NO.match(stripped)
            if _NEGATION_LEAD.match(stripped) or (verb_no and self.lex.is_verb(verb_no.group(1))):
                kind = self._guarded_kind(stripped)
                self._add(part_start, kind, stripped)
                if kind == "non_goal":
                    self.excluded.append((part_start, part_start + len(part)))
                continue
            if any(p.search(stripped) for p in self.lex.non_goal_cues):
                # "A Steam release is out of scope for now": ruled out, and Steam is no integration.
                self._add(part_start, "non_goal", stripped)
                self.excluded.append((part_start, part_start + len(part)))
                continue
            remainder = self._guarded_and_quality(part_start, part)
            if self.role == "constraint":
                if _content_words(remainder, self.lex):
                    self._add(part_start, "constraint", stripped)
                continue
            self._features(part_start, remainder, first=first, serial=serial, prefix=prefix)

    def _guarded_kind(self, text: str) -> RequirementKind:
        matching = [rule for rule in self.rules if any(p.search(text) for p in rule.when)]
        if any(p.search(text) for p in self.lex.constraint_cues):
            return "constraint"
        if matching:
            return "non_goal" if any("non_goal" in rule.applies_to for rule in matching) else "constraint"
        words = _WORD.findall(text)
        if len(words) > 1 and words[1].lower().endswith("ing"):  # "without losing writes"
            return "constraint"
        return "non_goal"

    def _guarded_and_quality(self, start: int, text: str) -> str:
        """Record the constraint and quality phrases of a clause; return what is left (same length)."""
        spans: list[tuple[int, int, RequirementKind, bool]] = []  # start, end, kind, imperative feature
        for rule in self.rules:
            for pattern in rule.when:
                match = pattern.search(text)
                if match:
                    spans.append((match.start(), match.end(), "constraint", rule.imperative_is_feature))
                    break
        for pattern in self.lex.constraint_cues:
            match = pattern.search(text)
            if match:
                spans.append((match.start(), match.end(), "constraint", False))
        for pattern in self.lex.quality:
            match = pattern.search(text)
            if match:
                spans.append((match.start(), match.end(), "quality", False))
        if not spans:
            return text
        stripped = text.lstrip()
        first_word = _WORD.match(stripped)
        imperative = bool(first_word and first_word.start() == 0 and self.lex.is_verb(first_word.group()))
        if imperative and any(feature for *_, feature in spans):
            # "Migrate our legacy monolith to ...": the work itself, a feature in the user's words.
            others = [(s, e, k) for s, e, k, feature in spans if not feature]
            for s, e, kind in _merge([(*_extend(text, s, e, self.lex), k) for s, e, k in others]):
                self._add(start + s, kind, text[s:e])
                text = text[:s] + " " * (e - s) + text[e:]
            self._add(start + (len(text) - len(stripped)), "feature", text)
            return ""
        extended = _merge([(*_extend(text, s, e, self.lex), k) for s, e, k, _ in spans])
        outside = text
        for s, e, _ in extended:
            e = self._before_head(text, s, e)  # the product's head stays for the feature reading
            outside = outside[:s] + " " * (e - s) + outside[e:]
        leftover = _content_words(outside, self.lex, exclude=self._tech_names())
        has_head = any(w.lower() in self.lex.heads for w in _WORD.findall(outside))
        listed = any(  # "full type hints and 100% test coverage": two targets, not one
            re.fullmatch(r"\s*(?:,|and|or|,\s*and)\s*", text[a[1] : b[0]], re.IGNORECASE)
            for a, b in pairwise(extended)
        )
        if len(leftover) <= 1 and not has_head and len({kind for *_, kind in extended}) == 1 and not listed:
            # the whole clause is the constraint (or the target: "handle 5 GB of logs in under a minute")
            self._add(start, extended[0][2], text)
            return ""
        for s, e, kind in extended:
            phrase = text[s:e]
            if re.match(r"\s*(?:while|when|whenever|even\s+when)\b", phrase, re.IGNORECASE):
                phrase = f"Works {phrase.strip()}"  # "... while offline": a condition the product works under
            self._add(start + s, kind, phrase)
        return outside

    def _before_head(self, text: str, start: int, end: int) -> int:
        words = list(_WORD.finditer(text, start, end))
        if len(words) > 1 and words[-1].group().lower() in self.lex.heads:
            return words[-1].start()
        return end

    def _features(
        self, start: int, text: str, *, first: bool, serial: bool, prefix: str | None = None
    ) -> None:
        if any(p.search(text) for p in self.lex.background):
            return  # "So I run a small bakery", "I get migraines a lot": context, not a requirement
        self.only_context = False
        if first:
            text = self._drop_head(start, text)
        pieces = _split_and(text, self.lex, serial=serial, listed=prefix is not None)
        for offset, piece in pieces:
            self._feature_piece(start + offset, piece, head_clause=first, prefix=prefix)

    def _drop_head(self, base: int, text: str) -> str:
        """The first clause usually names the product ("A Django web app for ..."): keep what it does."""
        replacing = _REPLACE_WITH.match(text)
        if replacing and any(w.lower() in self.lex.heads for w in _WORD.findall(text[replacing.end() :])[:9]):
            # "Replace the cron scripts on our VPS with a Go service that takes backups": what is replaced is
            # the setting (a given), the product is the new thing and its clause says what it does.
            self._add(base, "constraint", f"Replaces {replacing.group('old')}")
            rest = text[replacing.end() :]
            return " " * replacing.end() + self._drop_head(base + replacing.end(), rest)
        tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        if not tokens:
            return text
        # "Build (me) a read-only dashboard in Next.js showing ...": the order names the product too.
        ordered = self.lex.base_verb(tokens[0][2]) in _MAKE_VERBS and any(
            w.lower() in self.lex.heads for _, _, w in tokens[1:9]
        )
        if self.lex.is_verb(tokens[0][2]) and not ordered:
            return text
        head_at = None
        for index, (_, _, word) in enumerate(tokens[:9]):
            if word.lower() in self.lex.heads:
                head_at = index
                while head_at + 1 < len(tokens) and tokens[head_at + 1][2].lower() in self.lex.heads:
                    head_at += 1
                break
        if head_at is None:
            if self._names_the_product(base, text, tokens):
                return " " * len(text)
            return text
        head_end = tokens[head_at][1]
        head_words = [w for _, _, w in tokens[: head_at + 1]]
        kept = [w for w in head_words if w.lower() not in _STOPWORDS and not self._is_tech_word(w)]
        if ordered:
            kept = [w for w in kept[1:] if w.lower() not in ("me", "us", "them", "her", "him")]
        if _names_an_activity(" ".join(kept), self.lex):
            self.head_text = _display(" ".join(kept))  # "A recipe sharing website"
        aside = re.match(r"\s*\([^()]*\)", text[head_end:])  # "custom integration (HACS) for ..."
        if aside:
            head_end += aside.end()
        rest = self._skip_tech_phrase(base + head_end, text[head_end:])
        rest = self._to_relative_clause(rest)
        blank = " " * head_end
        for_phrase = _FOR_PHRASE.match(rest)
        if for_phrase:
            phrase = for_phrase.group(1)
            after = rest[for_phrase.end() :]
            first_word = _WORD.match(phrase)
            purposeful = (
                first_word is not None
                and first_word.group().lower().endswith("ing")
                and self.lex.is_verb(first_word.group())
                and not re.match(r"\s+(?:that|which|who|where)\b", after, re.IGNORECASE)
            )
            if not purposeful:
                rest = " " * for_phrase.end() + after
                subject = _display(_strip_trailing(_ARTICLE.sub("", phrase.strip())))
                if _names_an_activity(subject, self.lex):
                    self.subject_text = subject  # "for sharing recipes": what the product is for
                else:
                    self._activity_for(base, kept, subject)
        return blank + rest

    def _names_the_product(self, base: int, text: str, tokens: list[tuple[int, int, str]]) -> bool:
        """ "A roguelike deckbuilder in Rust with Bevy: ...": a first clause without a verb that a colon
        follows names the product, and the list after the colon says what it does."""
        end = base + len(text)
        if not re.match(r"\s*:", self.sentence[end:]):
            return False
        if any(self.lex.is_verb(w) and w.lower() not in self.lex.noun_forms for _, _, w in tokens[1:]):
            return False
        kept = [w for _, _, w in tokens if w.lower() not in _STOPWORDS and not self._is_tech_word(w)]
        self.head_text = _display(" ".join(kept)) if kept else None
        return True

    def _to_relative_clause(self, rest: str) -> str:
        """ "something on the tablet at the counter where we take preorders": what follows the product's
        place or audience is the relative clause that says what it does."""
        match = next(
            (
                m
                for m in re.finditer(r"\b(?:that|which|where|who|to\s+([a-z]+))\b", rest[:160], re.IGNORECASE)
                if not m.group(1) or self.lex.is_verb(m.group(1))  # "something simple to see which ..."
            ),
            None,
        )
        if match is None or not rest[: match.start()].strip():
            return rest
        before = rest[: match.start()]
        if re.match(r"\s*for\b", before, re.IGNORECASE):
            return rest  # "for booking classes" is handled as the product's purpose
        words = [w.lower() for w in _WORD.findall(before)]
        if any(self.lex.is_verb(w) and w not in self.lex.noun_forms for w in words) or len(words) > 8:
            return rest
        return " " * match.start() + rest[match.start() :]

    def _activity_for(self, base: int, head_words: list[str], subject: str) -> None:
        """ "A booking app for yoga classes": the product's activity applied to what it is for ("Booking
        yoga classes"), unless that names who it is for ("a sharing site for families")."""
        activity = next(
            (w for w in reversed(head_words[:-1]) if w.lower().endswith("ing") and self.lex.is_verb(w)), None
        )
        words = [w.lower() for w in _WORD.findall(subject)]
        if activity is None or not words or len(words) > 5:
            return
        if any(w in self.lex.audience_words for w in words):
            return
        self._add(base, "feature", f"{activity.lower()} {subject[:1].lower()}{subject[1:]}")

    def _skip_tech_phrase(self, offset: int, rest: str) -> str:
        """Blank "in Kotlin with Jetpack Compose" right after the head: the stack, not a feature.

        ``offset`` is where ``rest`` starts in the sentence (technology spans are sentence positions)."""
        match = re.match(
            r"\s*(?:in|with|using|on|(?:built|made|developed|written|powered|backed) (?:with|in|on|by))\s+",
            rest,
            re.IGNORECASE,
        )
        if not match:
            return rest
        end = match.end()
        while True:
            m = re.match(r"[\s,(]*(?:(?:and|with|in|on|using)\s+)?", rest[end:], re.IGNORECASE)
            position = end + (m.end() if m else 0)
            span = next((t for t in self.techs if t.start - offset == position), None)
            if span is None:
                word = _WORD.match(rest, position)
                if (
                    word
                    and word.start() == position
                    and word.group().lower() in self.lex.generic_words
                    and word.group().lower() not in _PREPOSITIONS  # "in Rust for amateur astronomers"
                ):
                    end = word.end()
                    continue
                break
            end = span.end - offset
            closing = re.match(r"\s*\)", rest[end:])  # "in Unity (C#)"
            if closing and rest[:end].count("(") > rest[:end].count(")"):
                end += closing.end()
        if end == match.end():
            return rest
        return " " * end + rest[end:]

    def _tech_names(self) -> list[str]:
        return [self.sentence[t.start : t.end] for t in self.techs]

    def _is_tech_word(self, word: str) -> bool:
        return any(word in self.sentence[t.start : t.end] for t in self.techs)

    def _feature_piece(self, start: int, piece: str, *, head_clause: bool, prefix: str | None = None) -> None:
        cleaned = _strip_trailing(_REASON.sub("", _strip_leading(piece)))
        if not cleaned:
            return
        lead = start + max(0, piece.find(cleaned))
        audience = re.match(r"\s*for\s+(?:the\s+|a\s+|an\s+|our\s+|my\s+)?([\w-]+)", piece, re.IGNORECASE)
        if head_clause and audience:
            if not (audience.group(1).lower().endswith("ing") and self.lex.is_verb(audience.group(1))):
                # An audience ("for the call centre"), unless a purpose follows ("... to record sightings").
                purpose = re.search(r"\s(?:to|that|which|who)\s+(.+)$", cleaned)
                if purpose is None:
                    return
                cleaned = _strip_trailing(purpose.group(1))
                lead = start + max(0, piece.find(cleaned))
            cleaned = re.sub(r"^for\s+", "", cleaned, flags=re.IGNORECASE)  # a purpose: "for booking classes"
        inside = [t for t in self.techs if lead <= t.start < lead + len(cleaned)]
        names = [self.sentence[t.start : t.end] for t in inside]
        content = _content_words(cleaned, self.lex, exclude=names)
        capability = self._names_a_capability(cleaned, names)
        if inside and len(content) <= 1 and not capability:
            if len(inside) == 1 and content and not self.lex.is_verb(content[0]):
                # "Adyen terminal", not "Backend in NestJS" or "Stores them in DuckDB"
                self.tech_text[inside[0].start] = _display(cleaned)
            return
        if not content and not capability:
            return
        lead_word = _WORD.findall(cleaned)[0].lower()
        if prefix and (not self.lex.is_verb(lead_word) or lead_word in _ADJECTIVE_VERBS):
            cleaned = f"{prefix} {cleaned[:1].lower()}{cleaned[1:]}"  # "showing a, b and c": "Show b"
        self._add(lead, "constraint" if self._states_a_given(cleaned) else "feature", cleaned)

    def _states_a_given(self, text: str) -> bool:
        """ "Training data is 40k labelled emails in a CSV": a statement of what is given (a constraint),
        not something to build; "users are notified ..." (passive) and "X is able to ..." still are."""
        match = _COPULA.match(text)
        if match is None:
            return False
        after = match.group(1).lower()
        if after.endswith(("ed", "en", "ing")) or after in (
            "able",
            "notified",
            "shown",
            "sent",
            "told",
            "given",
        ):
            return False
        subject = [w.lower() for w in _WORD.findall(text[: match.start(1)])][:-1]
        if any(
            self.lex.is_verb(w) and w not in self.lex.noun_forms and not w.endswith("ing") for w in subject
        ):
            return False  # "shows how the team is feeling": the subject is a clause
        words = [w.lower() for w in _WORD.findall(text[match.end() :])]
        return not any(
            self.lex.is_verb(w) and w not in self.lex.noun_forms and not w.endswith("ed") for w in words
        )

    def _names_a_capability(self, text: str, tech_names: list[str]) -> bool:
        """ "Pay online with Stripe", "online payments via Stripe": something users do, through a service."""
        for name in tech_names:
            text = text.replace(name, " ")
        words = [w.lower() for w in _WORD.findall(text)]
        if any(w in self.lex.capability_words for w in words):
            return True
        first = words[0] if words else ""
        # "pay with Adyen" is something users do; "stored in PostgreSQL", "runs on AWS" only place the stack.
        return (
            self.lex.is_verb(first)
            and first not in self.lex.noun_forms
            and not first.endswith("ed")
            and self.lex.base_verb(first) not in _STACK_VERBS
        )

    # -- technologies -------------------------------------------------------------------------

    def _add_techs(self) -> None:
        for tech in self.techs:
            if any(s <= tech.start < e for s, e in self.excluded):
                continue
            if context_role(self.sentence, tech.start, tech.end, self.lex) == "source":
                continue  # "our nginx access logs": a format the product reads, nothing to integrate with
            text = self.tech_text.get(tech.start) or self._with_role(tech)
            key = _tech_key(tech.name)
            self.found.append(_Found((*self.where, tech.start), "integration", _clip(text), key))

    def _with_role(self, tech: _TechSpan) -> str:
        after = self.sentence[tech.end :]
        match = re.match(r"\s+([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)", after)
        # "written in Go" is how the lexicon finds Go; the requirement names the language.
        written = re.sub(
            r"^(?:written|built|coded)\s+in\s+", "", self.sentence[tech.start : tech.end], flags=re.I
        )
        # The user's spelling ("Postgres") unless it is an all-lower-case alias ("postgres", "k8s").
        label = written if written != written.lower() else tech.name
        if match:
            two = match.group(1).lower()
            one = two.split()[0]
            if two.replace(" ", "") in self.lex.role_words and " " in two:
                label = f"{label} {match.group(1)}"
            elif one in self.lex.role_words:
                label = f"{label} {match.group(1).split()[0]}"
            elif one == "for":
                # "Stripe for payments", but not "Kotlin for volunteer bird surveyors" (an audience)
                target = re.match(r"\s+for\s+([a-z][\w-]*)(?=\s*(?:[,.;:!?)]|$|(?:and|or)\b))", after)
                if target and target.group(1).lower() not in _STOPWORDS:
                    label = f"{label} for {target.group(1)}"
        return label

    # -- recording ----------------------------------------------------------------------------

    def _add(self, position: int, kind: RequirementKind, text: str) -> None:
        shown = _display(_strip_trailing(_strip_leading(text)) if kind == "feature" else _tidy(text))
        if not shown or not _WORD.search(shown):
            return
        self.found.append(_Found((*self.where, position), kind, _clip(shown), _key_of(kind, shown)))


def context_role(sentence: str, start: int, end: int, lex: Lexicon) -> ContextRole | None:
    """Whether the technology at ``sentence[start:end]`` is context rather than stack or a service."""
    after = sentence[end : end + 80]
    before = sentence[max(0, start - 80) : start]
    system = any(p.search(after) for p in lex.system_after)
    if any(p.search(after) for p in lex.source_after) or any(p.search(before) for p in lex.export_before):
        return "source"
    if system and any(p.search(before) for p in lex.source_before):
        # "Split the orders tables out of our Rails monolith": the system the work replaces, not a data feed
        return "legacy" if _migrates(sentence) else "source"
    if (system or _API_AFTER.match(after)) and any(p.search(before) for p in lex.legacy_before):
        return "legacy"  # "our existing Django REST API": a service we call, not what we build in
    return None


_API_AFTER = re.compile(r"\s+(?:[A-Za-z]+\s+)?apis?\b", re.IGNORECASE)


# Words without which no pattern of lexicon.yaml's ``context`` section can match a sentence.
_DATA_WORDS = re.compile(r"\b(?:logs?|exports?|exported|downloaded|dumped|copied|output)\b", re.IGNORECASE)
_SYSTEM_WORDS = re.compile(
    r"\b(?:apps?|applications?|apis?|systems?|sites?|monoliths?|backends?|codebases?|servers?|services?|platforms?|"
    r"stacks?|shops?|stores?|macros?|spreadsheets?|workbooks?)\b",
    re.IGNORECASE,
)
_SYSTEM_CUES = re.compile(
    r"\b(?:writes?|feeds?|fills?|populates?|produces?|generates?|owns?|maintains?|dumps?|emits?|from|out\s+of|"
    r"by|legacy|old|outdated|existing|current|ageing|aging)\b",
    re.IGNORECASE,
)


def _migrates(sentence: str) -> bool:
    return any(
        p.search(sentence) for rule in load_rules() if rule.name == "incremental_migration" for p in rule.when
    )


def context_technologies(text: str) -> list[ContextTech]:
    """The technologies ``text`` names as context, with their positions in ``text`` (for the planner:
    they are not the stack the brief asks us to build in)."""
    lex = lexicon()
    found = []
    for offset, sentence in split_sentences(text):
        if not (
            _DATA_WORDS.search(sentence) or (_SYSTEM_WORDS.search(sentence) and _SYSTEM_CUES.search(sentence))
        ):
            continue  # no word a context pattern needs: skip the (costlier) technology scan
        for span in find_technologies(sentence, lex):
            role = context_role(sentence, span.start, span.end, lex)
            if role is not None:
                found.append(ContextTech(offset + span.start, offset + span.end, span.name, role))
    return found


def find_technologies(
    sentence: str,
    lex: Lexicon,
    name_words: set[str] | frozenset[str] = frozenset(),
    *,
    in_pages: bool = False,
) -> list[_TechSpan]:
    """Named technologies in a sentence: the lexicon's names, then capitalised and CamelCase names.

    ``in_pages``: the product runs inside web pages (a browser extension), so "on Amazon product pages"
    names the site it runs on, not a service it integrates with."""
    spans: list[_TechSpan] = []
    for pattern in (lex.tech_pattern, lex.tech_pattern_exact):
        if pattern is None:
            continue
        for match in pattern.finditer(sentence):
            spans.append(_TechSpan(match.start(), match.end(), lex.canonical(match.group())))
    first_word = _WORD.search(sentence)
    for match in _CAPITALISED.finditer(sentence):
        name = _trim_name(match.group(), lex)
        if not name:
            continue
        start = match.start() + match.group().find(name)
        end = start + len(name)
        words = name.split()
        single = len(words) == 1
        at_start = first_word is not None and start == first_word.start()
        if single and at_start and not _looks_like_a_name(name):
            continue  # an ordinary word that starts the sentence
        rest = " ".join(words[1:])
        if at_start and not single and (rest in lex.by_alias or rest.lower() in lex.by_alias):
            continue  # "Internal React dashboard": the lexicon's name is found on its own
        if all(w.lower() in lex.not_technologies or not re.search(r"[A-Za-z]", w) for w in words):
            continue
        if name_words and {w.lower() for w in words} >= name_words:
            continue  # the project's own name ("ModBot"), not "VS Code" in "VS Code Extension"
        if single and (len(name) == 1 or _DOMAIN_ACRONYM.match(sentence, start)) and name not in lex.by_alias:
            continue  # "D&D", "SIR epidemic models", "ID3 tags": a letter or a domain term, not a technology
        if single and re.fullmatch(r"[A-Z]{2,}s", name) and name not in lex.by_alias:
            continue  # "OCRs them", "PDFs", "APIs": a plural acronym is a verb or a thing, not a product
        if _DOMAIN_AFTER_NAME.match(sentence, end):
            continue  # "a BackupSchedule custom resource" is a domain name
        if (
            name not in lex.by_alias
            and name.lower() not in lex.by_alias
            and _qualifies_a_noun(sentence, end, lex)
        ):
            continue  # "UK Ordnance Survey grid references": a name that qualifies a domain noun, no service
        spans.append(_TechSpan(start, end, lex.canonical(name)))
    # "a Grafana-style status page" names a look, not a technology
    spans = [s for s in spans if not _STYLE_SUFFIX.match(sentence, s.end)]
    if in_pages:
        spans = [
            s
            for s in spans
            if not (
                _HOST_PAGE_BEFORE.search(sentence, 0, s.start) and _HOST_PAGE_AFTER.match(sentence, s.end)
            )
        ]
    return _outermost(spans)


# A product that runs inside the pages it is shown on: a browser extension, add-on or userscript.
_RUNS_IN_PAGES = re.compile(
    r"\b(?:browser\s+)?(?:extensions?|add-?ons?|userscripts?|bookmarklets?)\b", re.IGNORECASE
)
# "on Amazon product pages", "across GitHub pull request pages", "on the YouTube website"
_HOST_PAGE_BEFORE = re.compile(
    r"\b(?:on|onto|across|into|in)\s+(?:the\s+|every\s+|all\s+|any\s+)?$", re.IGNORECASE
)
_HOST_PAGE_AFTER = re.compile(
    r"(?:[’']s)?(?:\s+[a-z][a-z-]*){0,3}\s+(?:pages?|web\s*pages?|websites?|sites?|tabs?|listings?)\b"
    r"|\.com\b|(?:[’']s)?\s+(?:website|site)\b"
)


_QUESTION_WORDS = frozenset(
    {"what", "how", "why", "i", "i'd", "i'm", "i’d", "i’m", "i'll", "so", "hi", "hello"}
)


# "grid references", "weather station observations": a compound noun (last word plural) after a name.
_COMPOUND_AFTER = re.compile(r"(?:\s+[a-z][a-z-]+){1,3}?\s+[a-z][a-z-]+s\b")
# How a brief uses a name as a service: an API, an account, an integration, a sync.
_SERVICE_CUE = re.compile(
    r"\b(?:apis?|sdks?|accounts?|integrat\w*|sync\w*|webhooks?|connect\w*|oauth|sign\s+in|log\s+in|login)\b",
    re.IGNORECASE,
)


def _qualifies_a_noun(sentence: str, end: int, lex: Lexicon) -> bool:
    """An unknown name that qualifies a compound domain noun ("UK Ordnance Survey grid references",
    "Met Office rainfall readings") in a sentence that uses nothing as a service; not a system ("our
    Spring monolith") nor the subject of a verb ("Looker already reads the tables")."""
    match = _COMPOUND_AFTER.match(sentence, end)
    if match is None or _SERVICE_CUE.search(sentence) or _SYSTEM_WORDS.match(sentence, end + 1):
        return False
    words = match.group().split()
    return not any(
        w in _STOPWORDS
        or w in lex.role_words
        or w in lex.heads
        or w in lex.generic_words
        or (lex.is_verb(w) and w not in lex.noun_forms)
        or _SYSTEM_WORDS.fullmatch(w)
        for w in words
    )


def _trim_name(name: str, lex: Lexicon) -> str:
    """Drop generic words at either end of a capitalised run: "Garmin Connect API" → "Garmin Connect"."""
    words = name.split()
    while words and (words[0].lower() in _STOPWORDS or words[0].lower() in _QUESTION_WORDS):  # "A Slack bot"
        words = words[1:]
    while words and words[-1] not in lex.by_alias:
        last = words[-1].lower()
        if last in lex.role_words:
            words = words[:-1]  # "Garmin Connect API" → "Garmin Connect"
        elif last in lex.not_technologies and (
            len(words) == 1
            or " ".join(words[:-1]) in lex.by_alias
            or " ".join(words[:-1]).lower() in lex.by_alias
        ):
            words = words[:-1]  # "Kubernetes Secrets" → "Kubernetes", but "Sealed Secrets" is a name
        else:
            break
    return " ".join(words)


def _looks_like_a_name(word: str) -> bool:
    """CamelCase, digits, dots or all caps: a name even at the start of a sentence."""
    return bool(re.search(r"[a-z][A-Z]|\d|\.\w|^[A-Z]{2,}[a-z]*$|[+#]", word))


def _outermost(spans: list[_TechSpan]) -> list[_TechSpan]:
    """Longest non-overlapping spans, in sentence order (one pass after a sort)."""
    ordered = sorted(spans, key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[_TechSpan] = []
    for span in ordered:
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept


# -- clauses ------------------------------------------------------------------------------------


def _clauses(sentence: str, apart: Callable[[str], bool] = lambda inner: True) -> list[tuple[int, int]]:
    """Clause spans of a sentence.

    A parenthesis is a clause of its own only when ``apart(inner)`` says so (it states a constraint or
    does something: "(read-only)", "(it also emails me)"); otherwise it belongs to the clause around
    it: "preorders for cakes (flavour, size, pickup date)" is one requirement, not four. A clause that
    only says when or how ("every morning", "team by team") joins the clause it qualifies."""
    masked = sentence
    for match in _PARENTHESIS.finditer(sentence):
        if not apart(match.group(1)):
            inner = re.sub(r"\S", "x", match.group())
            masked = masked[: match.start()] + inner + masked[match.end() :]
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CLAUSE_BREAK.finditer(masked):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(sentence):
        spans.append((start, len(sentence)))
    return _join_adverbials(spans, sentence)


def _join_adverbials(spans: list[tuple[int, int]], sentence: str) -> list[tuple[int, int]]:
    joined: list[tuple[int, int]] = []
    pending: int | None = None  # start of a time phrase waiting for the clause it qualifies
    for start, end in spans:
        text = sentence[start:end].strip()
        words = [w.lower() for w in _WORD.findall(text)]
        timing = bool(words) and all(w in _TIME_WORDS or re.fullmatch(r"\d+(?:am|pm|h)?", w) for w in words)
        if timing and any(w not in ("a", "an", "the", "at", "on", "in", "of") for w in words):
            pending = start if pending is None else pending
            continue
        if pending is not None:
            start, pending = pending, None
        if _MANNER.match(text) and joined:
            joined[-1] = (joined[-1][0], end)  # "team by team" qualifies the clause before it
            continue
        joined.append((start, end))
    if pending is not None:
        if joined:
            joined[-1] = (joined[-1][0], len(sentence.rstrip()))
        else:
            joined.append((pending, len(sentence)))
    return joined


def _object_lists(clauses: list[tuple[int, int]], sentence: str, lex: Lexicon) -> list[tuple[int, int]]:
    """ "appends the date, vendor and total to a Google Sheet" is one clause: a verb's objects listed
    with commas, the last of them carrying the verb's destination, are not requirements of their own."""

    def has_verb(text: str) -> bool:
        words = [w.lower() for w in _WORD.findall(_strip_leading(text))]
        return any(lex.is_verb(w) and w not in lex.noun_forms for w in words)

    merged: list[tuple[int, int]] = []
    index = 0
    while index < len(clauses):
        start, end = clauses[index]
        last = index
        if has_verb(sentence[start:end]):
            probe = index + 1
            while probe < len(clauses) and "," in sentence[clauses[probe - 1][1] : clauses[probe][0]]:
                text = sentence[clauses[probe][0] : clauses[probe][1]]
                words = _WORD.findall(text)
                if has_verb(text) or len(words) > 8:
                    break
                if re.search(r"\band\b.+\b(?:to|into|onto|in|on|as)\s+(?:an?|the|my|our|their|your)\b", text):
                    last = probe
                    break
                if len(words) > 2:
                    break
                probe += 1
        merged.append((start, clauses[last][1]))
        index = last + 1
    return merged


def _list_groups(clauses: list[tuple[int, int]], sentence: str) -> list[bool]:
    """Whether each clause belongs to a comma list of three or more items ("a, b, c and d")."""
    serial = [False] * len(clauses)
    group: list[int] = []

    def close() -> None:
        if len(group) >= 3:
            serial[group[-1]] = True  # only the last item holds "... and z"

    for index, (start, _) in enumerate(clauses):
        separator = sentence[clauses[index - 1][1] : start] if index else ""
        if index and "," not in separator:
            close()
            group = []
        group.append(index)
    close()
    return serial


def _negation_parts(start: int, text: str) -> list[tuple[int, str]]:
    """ "No database and no network access" is two requirements."""
    parts: list[tuple[int, str]] = []
    position = 0
    for match in _SPLIT_NEGATIONS.finditer(text):
        parts.append((start + position, text[position : match.start()]))
        position = match.end()
    parts.append((start + position, text[position:]))
    # "... as defective or not": a lone negation word is not a requirement of its own.
    merged: list[tuple[int, str]] = []
    for s, p in parts:
        if merged and len(_WORD.findall(p)) < 2:
            merged[-1] = (merged[-1][0], text[merged[-1][0] - start : s - start + len(p)])
        else:
            merged.append((s, p))
    return [(s, p) for s, p in merged if p.strip()]


def _split_and(text: str, lex: Lexicon, *, serial: bool, listed: bool = False) -> list[tuple[int, str]]:
    """Split on " and " before a verb ("reads counts and shows trends"), or the last " and " of a list."""
    points: list[tuple[int, int]] = []
    for match in re.finditer(r"\s+and\s+", text):
        before = text[: match.start()]
        after = text[match.end() :]
        next_word = _WORD.match(after)
        left_words = _content_words(before, lex)
        last_left = left_words[-1] if left_words else ""
        # "lend and borrow tools", "validates and formats numbers": two verbs share one object.
        shared_object = lex.is_verb(last_left) and last_left not in lex.noun_forms
        if next_word and lex.is_verb(next_word.group()) and len(left_words) >= 2 and not shared_object:
            points.append((match.start(), match.end()))
        elif (
            next_word
            and next_word.group().lower() in ("a", "an")
            and _has_two_words(before)
            and not _WITH_OBJECT.search(before)  # "record sightings with GPS and a photo": one thing
        ):
            points.append((match.start(), match.end()))  # "payments via Stripe and a waitlist": two things
    if serial and not points:
        last = None
        for match in re.finditer(r"\s+and\s+", text):
            last = match
        tail = [w.lower() for w in _WORD.findall(text[: last.start()])][-3:] if last else []
        if last is not None and (listed or not set(tail) & _PREPOSITIONS):
            points.append((last.start(), last.end()))  # not "search items by date and colour"
    pieces: list[tuple[int, str]] = []
    position = 0
    for start, end in points:
        pieces.append((position, text[position:start]))
        position = end
    pieces.append((position, text[position:]))
    return pieces


# "... with GPS" right before " and a ...": the "and" adds a second object of "with", not a second feature.
_WITH_OBJECT = re.compile(r"\bwith\s+(?:an?\s+|the\s+)?\S+(?:\s+\S+)?$", re.IGNORECASE)


def _has_two_words(text: str) -> bool:
    return len([w for w in _WORD.findall(text) if w.lower() not in _STOPWORDS]) >= 2


def _extend(text: str, start: int, end: int, lex: Lexicon | None = None) -> tuple[int, int]:
    """Widen a match to whole words, a few words to the right and left within the phrase; to the right
    at most up to the product's head noun ("read-only internal dashboard", not what it shows)."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    first = next((i for i, (s, e) in enumerate(tokens) if e > start), None)
    last = next((i for i, (s, e) in reversed(list(enumerate(tokens))) if s < end), None)
    if first is None or last is None:
        return start, end
    right = last
    while right + 1 < len(tokens) and right - last < _MAX_RIGHT:
        word = text[tokens[right + 1][0] : tokens[right + 1][1]].lower().strip(".,;:!?")
        if word in _RIGHT_STOPS or text[tokens[right][0] : tokens[right][1]].endswith((",", ";", ":")):
            break
        if lex is not None and _INTRODUCER.fullmatch(word + " "):
            break  # "... dashboard showing daily revenue": what follows is what it does
        right += 1
        if lex is not None and word in lex.heads:
            break
    left = first
    opening = text[tokens[first][0] : tokens[first][1]].lower()
    if _NEGATION_LEAD.match(opening) or opening in ("while", "when", "whenever", "even"):
        return tokens[first][0], tokens[right][
            1
        ]  # "without downtime", "while offline" start their own phrase
    while left > 0 and first - left < _MAX_LEFT:
        word = text[tokens[left - 1][0] : tokens[left - 1][1]].lower().strip(".,;:!?")
        if word in _LEFT_STOPS:
            break
        left -= 1
    return tokens[left][0], tokens[right][1]


def _merge(spans: list[tuple[int, int, RequirementKind]]) -> list[tuple[int, int, RequirementKind]]:
    merged: list[tuple[int, int, RequirementKind]] = []
    for start, end, kind in sorted(spans):
        if merged and start < merged[-1][1]:
            s, e, k = merged[-1]
            merged[-1] = (s, max(e, end), k if k != "quality" else kind)
        else:
            merged.append((start, end, kind))
    return merged


# -- words ---------------------------------------------------------------------------------------


def _names_an_activity(text: str, lex: Lexicon) -> bool:
    """Whether a noun phrase says what the product does ("recipe sharing"), not only what it is about
    ("staff records", "a 2D platformer"): the only kind of product phrase that can stand for a feature."""
    words = [w.lower() for w in _WORD.findall(text)]
    agent = any(w.endswith(("er", "or")) and (lex.is_verb(w[:-2]) or lex.is_verb(w[:-1])) for w in words)
    return agent or any(lex.is_verb(w) and w not in lex.noun_forms for w in _content_words(text, lex))


def _content_words(text: str, lex: Lexicon, exclude: Iterable[str] = ()) -> list[str]:
    for name in exclude:
        text = text.replace(name, " ")
    return [
        w
        for w in (word.lower() for word in _WORD.findall(text))
        if w not in _STOPWORDS and w not in lex.generic_words and w not in lex.role_words
    ]


def _strip_leading(text: str) -> str:
    stripped = _keep_closing(text.strip(" \t,;:-—–()\"'"), text)
    previous = None
    while previous != stripped:
        previous = stripped
        stripped = _keep_closing(_LEADING_FILLER.sub("", stripped).strip(" \t,;:-—–()\"'"), previous)
    return stripped


def _strip_trailing(text: str) -> str:
    previous = None
    stripped = text.strip()
    while previous != stripped:
        previous = stripped
        stripped = _keep_closing(_TRAILING_FILLER.sub("", stripped).strip(" \t,;:-—–()\"'"), previous)
        if len(_WORD.findall(stripped)) > 2:  # "Train a model weekly on", but "Log in" keeps its particle
            stripped = re.sub(
                r"(?<!\bsign)(?<!\blog)(?<!\bopt)(?<!\bcheck)(?<!\bplug)\s+(?:on|in|at|into)$",
                "",
                stripped,
                flags=re.IGNORECASE,
            )
    return stripped


def _keep_closing(stripped: str, before: str) -> str:
    """Put back a closing parenthesis that stripping took from "... (flavour, size)"."""
    if stripped.count("(") > stripped.count(")") and before.rstrip(" .!?").endswith(")"):
        return stripped + ")"
    return stripped


def _tidy(text: str) -> str:
    text = _strip_trailing(text.strip(" \t,;:-—–()\"'"))
    text = re.sub(r"^(?:and|or|but|with|while|during|it|so)\s+", "", text, flags=re.IGNORECASE)
    text = _MAKE_LEAD.sub("", text)  # "Build a read-only dashboard" → "read-only dashboard"
    return _ARTICLE.sub("", text)


def _display(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = _ARTICLE.sub("", text)
    return text[:1].upper() + text[1:] if text else text


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


def _key_of(kind: str, text: str) -> str:
    words = [w for w in re.findall(r"[a-z0-9+#]+", text.lower()) if w not in _STOPWORDS]
    family = "guard" if kind in ("constraint", "non_goal") else kind
    return family + ":" + " ".join(words)


def _tech_key(name: str) -> str:
    return "integration:" + re.sub(r"[^a-z0-9+#]+", " ", name.lower()).strip()


def content_words(text: str) -> list[str]:
    """Lower-cased words of ``text`` that carry meaning (for matching requirement phrases)."""
    return _content_words(text, lexicon())


def tokenize(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


__all__ = [
    "LEFT",
    "RIGHT",
    "ContextTech",
    "context_technologies",
    "extract_requirements",
    "find_technologies",
    "split_sentences",
]
