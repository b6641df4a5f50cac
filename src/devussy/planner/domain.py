"""The brief's own words for a requirement: its verb, the thing it acts on, an entity and a test name.

"Members vote on proposals" → verb "vote", thing "proposals", entity "Proposal", test name
"vote_on_proposals". Steps are written with these words, so a plan for a class-booking app talks
about classes, not about a guessed "Order". Nothing here invents a noun: every word comes from the
requirement's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from devussy.requirements.lexicon import lexicon

_WORD = re.compile(r"\d+(?:[,.]\d+)+|[A-Za-z0-9][A-Za-z0-9'’+#.-]*[A-Za-z0-9+#]|[A-Za-z0-9]")


def word_set(*chunks: str) -> frozenset[str]:
    """The words of whitespace-separated strings (word lists kept readable in code)."""
    return frozenset(" ".join(chunks).split())


# Where the thing a verb acts on ends.
_THING_STOPS = word_set(
    "when whenever while before after until with without for to from in on at by via using into onto over",
    "under through per every each daily weekly monthly nightly hourly online offline that which who where so",
    "because as if but between across during than",
)
_SKIP_BEFORE_THING = word_set(
    "a an the our their his her its my your all any some new up out down off on in me us them him you"
)
_DETERMINERS = word_set("a an the each every our their his her its my your this these those")
# "Configuration lives in a TOML file": the subject is the thing, not what follows the verb.
_STATIVE = word_set("is are was be lives live stays stay sits resides remains")
_MODALS = word_set("can could may might must shall should will would")
_WEAK_VERBS = word_set("use uses using used let lets allow allows help helps enable enables")
# Head nouns too vague to name an entity alone: "place" → "WaitlistPlace", "class" → "GymClass".
_VAGUE_HEADS = word_set(
    "class item items type types place entry entries record records data info information list lists detail",
    "details thing things count counts set sets page pages time times state status choice choices code codes",
    "key keys id ids request requests entity entities",
)
# "when a plant needs water": a condition after the verb names what the requirement is about.
# Views of records, not records: "match history" keeps matches, "change log" changes.
_VIEW_HEADS = word_set("history histories log logs feed feeds overview timeline summary summaries")
_CONDITIONS = word_set("when whenever if once before after until unless")
# Prepositions after which a verb-like word is a noun ("idempotent through request keys").
_PREPOSITIONS = word_set("by with via using through from of in on at for into onto over under per about")
# "Match history", "search history", "change log": a verb-like word before one of these is a noun.
_COMPOUND_HEADS = word_set(
    "history log logs list lists queue page pages screen screens mode modes settings view views form forms",
    "table feed details status overview summary count limit rate box button bar panel board card cards",
)
_ADVERB_ENDINGS = (
    "ally",
    "ively",
    "ously",
    "ently",
    "antly",
    "ately",
    "fully",
    "lessly",
    "ingly",
    "edly",
    "ctly",
    "ckly",
    "tly",
    "rly",
    "sily",
)
_NUMBERS = word_set("one two three four five six seven eight nine ten eleven twelve dozen")
_NOT_NOUNS = word_set(
    "it them this that these those everything something anything one ones",
    "out up down off away back twice once too also either",  # "split the module out", "files too"
    "paid sent made done built given taken seen known shown written gone",  # irregular participles
    "have has had is are was were be been do does did",  # auxiliaries: "students have paid"
)
_META_NOUNS = word_set(
    "data thing things stuff info information content everything anything",
    "morning mornings evening evenings night nights today tomorrow tonight weekend weekends",
    "url urls link links command commands flag flags option options support",
    # units
    "second seconds minute minutes hour hours day days week weeks month months year years time times",
    "longer shorter faster slower older newer bigger smaller higher lower",  # comparisons, not records
    "step steps stage stages table tables",  # parts of a workflow or of storage, not records
    "failure failures error errors success",  # outcomes: "retries on failure"
)
_CLAUSE_WORDS = word_set("how what why whether which who when where")


@dataclass(frozen=True)
class DomainWords:
    text: str  # the requirement as a phrase: "members vote on proposals"
    title: str  # the same, capitalised: "Members vote on proposals"
    verb: str | None  # "vote"
    thing: str  # what it acts on: "proposals" (the whole phrase when there is no verb)
    entity: str | None  # a record it implies, from its own words: "Proposal"
    keyword: str  # test name: "vote_on_proposals"
    entities: tuple[str, ...] = ()  # every record it names ("inventory items and stock movements": two)


_ASIDE = re.compile(r"\s*\([^()]*\)")
# "a reminder the evening before": a time after the object says when, it is not what is sent
_TIMES = word_set(
    "morning mornings evening evenings night nights day days week weeks month months year years weekend",
    "afternoon hour hours minute minutes",
)


@lru_cache(maxsize=1024)
def words_of(text: str) -> DomainWords:
    cleaned = re.sub(r"\s+", " ", text).strip().rstrip(".")
    # "(gzip rotated files too)": an aside says more about the thing, it is not part of its name
    tokens = _WORD.findall(_ASIDE.sub("", cleaned))
    lowered = [t.lower() for t in tokens]
    lex = lexicon()
    verb_at = next((i for i in range(len(lowered)) if _is_verb_at(lowered, i)), None)
    if verb_at is not None and lowered[verb_at] in _WEAK_VERBS:
        later = next(
            (
                i
                for i in range(verb_at + 1, len(lowered))
                if lex.is_verb(lowered[i]) and lowered[i] not in _WEAK_VERBS
            ),
            None,
        )
        verb_at = later if later is not None else verb_at
    start = 0 if verb_at is None else verb_at + 1
    # "confirm or cancel their appointment": two verbs share one object.
    while (
        verb_at is not None
        and start + 1 < len(tokens)
        and lowered[start] in ("and", "or")
        and (
            (lex.is_verb(lowered[start + 1]) and lowered[start + 1] not in lex.noun_forms)
            or start + 2 == len(tokens)  # "walkers accept or decline": two verbs, no object
        )
    ):
        start += 2
    while start < len(tokens) and lowered[start] in _SKIP_BEFORE_THING - _CONDITIONS:
        start += 1
    condition = start < len(tokens) and lowered[start] in _CONDITIONS
    no_object = verb_at is not None and start < len(tokens) and lowered[start] in _PREPOSITIONS - {"on", "in"}
    while start < len(tokens) and lowered[start] in _SKIP_BEFORE_THING | _THING_STOPS | {"and", "or"}:
        start += 1
    thing_tokens: list[str] = []
    for index, token in enumerate(tokens[start:], start=start):
        low = token.lower()
        previous = thing_tokens[-1].lower() if thing_tokens else ""
        after_of = previous in ("of", "for") and low in ("each", "every", "all")
        if (low in _THING_STOPS or low in _STATIVE) and thing_tokens and not after_of:
            break
        if condition and thing_tokens and (lex.is_verb(low) or low in _MODALS) and low not in lex.noun_forms:
            break  # "when a plant needs water" → plant
        if condition and index > start and low in ("needs", "need", "has", "have", "gets", "is", "are"):
            break
        thing_tokens.append(token)
    inner = next(
        (
            i
            for i in range(1, len(thing_tokens) - 1)
            if thing_tokens[i].lower() in ("the", "a", "an")
            and thing_tokens[i - 1].lower() not in _PREPOSITIONS
        ),
        None,
    )
    if inner is not None and thing_tokens[inner + 1].lower() in _TIMES:
        thing_tokens = thing_tokens[:inner]  # "a reminder the evening before a booking": the reminder
    elif inner is not None:
        thing_tokens = thing_tokens[inner + 1 :]  # "DM each reviewer the pull requests": what is sent
    if len(thing_tokens) > 1 and thing_tokens[-1].lower().endswith("ing") and thing_tokens[-2].endswith("s"):
        thing_tokens = thing_tokens[:-1]  # "pull requests waiting" → "pull requests"
    while thing_tokens and (
        thing_tokens[-1].lower() in _THING_STOPS | {"of", "and", "or"}
        or (len(thing_tokens) > 1 and is_adverb(thing_tokens[-1].lower()))
    ):
        thing_tokens.pop()  # "photos of" → "photos", "audio locally" → "audio"
    no_record = no_object and not condition
    if no_record:
        thing_tokens = list(tokens[verb_at + 1 :]) if verb_at is not None else thing_tokens
    elif not thing_tokens and verb_at is not None:
        # "Let members vote": nothing after the verb, so who does it is what it is about
        thing_tokens = [
            t for t in tokens[:verb_at] if t.lower() not in _WEAK_VERBS | _MODALS | _SKIP_BEFORE_THING
        ][-3:]
    if not thing_tokens:
        thing_tokens = [t for t in tokens if t.lower() not in _THING_STOPS][:4]
    elif len(thing_tokens) == 1 and thing_tokens[0].lower() in _VAGUE_HEADS:
        # "a code from the invitation" is an invitation code, "the list of guests" a guest list
        end = start + 1
        owner = re.match(
            r"(?:from|of|on|in|for) (?:the |a |an |their |our |your |its )?([A-Za-z][\w-]*)$",
            " ".join(tokens[end : end + 3]).split(" and ")[0],
        )
        if owner is None:
            owner = re.match(
                r"(?:from|of|on|in|for) (?:the |a |an |their |our |your |its )?([A-Za-z][\w-]*)",
                " ".join(tokens[end : end + 3]),
            )
        if owner and owner.group(1).lower() not in _NOT_NOUNS | _META_NOUNS:
            thing_tokens = [singular(owner.group(1).lower()), thing_tokens[0]]
    thing = " ".join(thing_tokens[:6])
    keyword = _keyword(lowered[verb_at] if verb_at is not None else None, thing_tokens, lowered)
    first = tokens[0] if tokens else ""
    keeps_case = first[1:] != first[1:].lower() or first.isupper()  # "BackupSchedule", "NFC", "Go"
    phrase = cleaned if keeps_case else cleaned[:1].lower() + cleaned[1:]
    conjuncts: list[list[str]] = [[]]
    for token in thing_tokens:
        if token.lower() in ("and", "or"):
            conjuncts.append([])
        else:
            conjuncts[-1].append(token)
    found = [] if no_record else [e for part in conjuncts if (e := entity_of(part))]
    # "my houseplants' watering schedule": the owner is a record too.
    owners = [m.group(1) or m.group(2) for m in _POSSESSIVE.finditer(cleaned)]
    found += [e for owner in owners if (e := entity_of([owner]))]
    entities = tuple(dict.fromkeys(found))
    return DomainWords(
        text=phrase,
        title=cleaned[:1].upper() + cleaned[1:],
        verb=lowered[verb_at] if verb_at is not None else None,
        thing=thing,
        entity=entities[0] if entities else None,
        keyword=keyword,
        entities=entities,
    )


def activity(words: DomainWords) -> str:
    """The requirement as an activity: "members can book a spot" → "booking a spot", so it reads in
    "Roles and permission checks for …"; the phrase itself when it has no verb."""
    if words.verb is None:
        return words.text
    tokens = words.text.split()
    at = next((i for i, t in enumerate(tokens) if t.lower().strip(",.;:") == words.verb), None)
    base = lexicon().base_verb(words.verb)
    if at is None or base is None:
        return words.text
    return " ".join([gerund(base), *tokens[at + 1 :]])


_CUT_BEFORE = word_set(
    "in on at with for from to into by via through when before after as across between",
    "during over",
    "under without within so because while until using instead that which",
)


def imperative(words: DomainWords, limit: int = 8, whole: bool = False) -> str:
    """The requirement as a short instruction in its own words: "members of our allotment society book
    the shared rotavator and trailer by the half day" → "Book the shared rotavator and trailer"; a
    requirement with no verb keeps its phrase ("Refunds and top products")."""
    text = _ASIDE.sub("", words.text)
    tokens = text.split()
    at = (
        next((i for i, t in enumerate(tokens) if t.lower().strip(",.;:") == words.verb), None)
        if words.verb
        else None
    )
    base = lexicon().base_verb(words.verb) if words.verb else None
    if at is None or base is None:
        return _cut(tokens, max(limit, 8), first=len(tokens))  # a phrase is cut only when long
    said = tokens[at]
    # "DM", "OCRs", "RSVP": an acronym stays one
    verb = base.upper() if sum(c.isupper() for c in said) >= 2 else base.capitalize()
    phrasal = at + 1 < len(tokens) and tokens[at + 1].lower() in _PARTICLES  # "sign up for food bank shifts"
    return _cut([verb, *tokens[at + 1 :]], limit, first=limit if whole else 3 if phrasal else 2)


def doing(words: DomainWords, limit: int = 8) -> str:
    """The short instruction as an activity: "booking the shared rotavator and trailer"."""
    action = imperative(words, limit)
    base = lexicon().base_verb(words.verb) if words.verb else None
    head, _, rest = action.partition(" ")
    if base is None or head.lower() != base:
        return action if sum(c.isupper() for c in head) >= 2 else action[:1].lower() + action[1:]
    form = f"{head}ing" if head.isupper() else gerund(base)  # "RSVPing"
    joined = re.match(r"(and|or) (\S+)(.*)$", rest)
    second = lexicon().base_verb(joined.group(2)) if joined else None
    if joined and second:
        rest = f"{joined.group(1)} {gerund(second)}{joined.group(3)}"  # "accepting or declining"
    return f"{form} {rest}".strip()


def lower_first(text: str) -> str:
    """ "Book the trailer" → "book the trailer"; "RSVP to rehearsals" and "NFC tags" keep their case."""
    head = text.split(" ", 1)[0]
    return text if sum(c.isupper() for c in head) >= 2 else text[:1].lower() + text[1:]


_PARTICLES = word_set("in out up down off over")
# Words a short title does not end on ("Post a summary of" → "Post a summary"); particles stay ("check in").
_TRAILING = (_SKIP_BEFORE_THING | _THING_STOPS | {"and", "or", "of"}) - _PARTICLES


def _is_particle(tokens: list[str], i: int) -> bool:
    """ "check books in and out by scanning": "in" belongs to the verb, it starts no phrase."""
    if tokens[i].lower() not in _PARTICLES:
        return False
    after = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
    return after in ("", "and", "or", "by", "with", "when", "before", "after", "each", "every")


def _cut(tokens: list[str], limit: int, first: int) -> str:
    """At most ``limit`` words, cut before a preposition that leaves a whole phrase."""
    tokens = [t.rstrip(",;:") for t in tokens]
    cuts = [
        i
        for i in range(first, min(len(tokens), limit + 1))
        if (tokens[i].lower() in _CUT_BEFORE and not _is_particle(tokens, i))
        or (tokens[i].lower() in _DETERMINERS and i + 1 < len(tokens) and tokens[i + 1].lower() in _TIMES)
    ]
    if cuts:
        at = cuts[0]
        if (
            at >= 2
            and tokens[at - 1].lower() in _TIMES
            and re.fullmatch(r"\d+|an?|" + "|".join(_NUMBERS), tokens[at - 2].lower())
        ):
            at -= 2  # "the lab manager 14 days before …": the time goes with what follows
        tokens = tokens[:at]
    elif len(tokens) > limit + 2:  # two words more than the limit are kept rather than a phrase cut short
        # a phrase that ends within those two words ends the title: "converting between UK Ordnance Survey
        # grid references", not "… Survey grid"
        ends = [
            i
            for i in range(limit, min(len(tokens), limit + 3))
            if tokens[i].lower() in ("and", "or") or tokens[i].lower() in _CUT_BEFORE
        ]
        if ends:
            tokens = tokens[: ends[0]]
        else:
            tokens = tokens[:limit]
            inner = [i for i in range(first, len(tokens)) if tokens[i].lower() in ("of", "for", "to", "from")]
            if inner:
                tokens = tokens[: inner[-1]]  # "replacing our Excel tracking", not "… tracking of lab"
    while len(tokens) > 1 and tokens[-1].lower() in _TRAILING:
        tokens.pop()
    phrase = " ".join(tokens)
    return phrase[:1].upper() + phrase[1:]


def gerund(verb: str) -> str:
    """ "book" → "booking", "vote" → "voting", "plan" → "planning", "see" → "seeing"."""
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")) and len(verb) > 2:
        return verb[:-1] + "ing"
    if re.fullmatch(r"[^aeiou]*[aeiou][bdglmnprt]", verb):  # one vowel, one final consonant
        return verb + verb[-1] + "ing"
    return verb + "ing"


def _is_verb_at(lowered: list[str], i: int) -> bool:
    """Whether the word at ``i`` is a verb here: "uploads new files" (an -s form before what it acts on),
    not "the exports" or "a TOML file" (a noun after a determiner)."""
    lex = lexicon()
    word = lowered[i]
    if word in _WEAK_VERBS and i > 0:
        return True  # "guests use a code": a verb, if a weak one
    if not lex.is_verb(word) or word in _STATIVE:
        return False
    if i > 0 and lowered[i - 1] in _PREPOSITIONS and not word.endswith("ing"):
        return False  # "through request keys", "with intents": a noun after a preposition
    after = lowered[i + 1] if i + 1 < len(lowered) else ""
    if after in _COMPOUND_HEADS and (i + 2 >= len(lowered) or lowered[i + 2] in _THING_STOPS):
        return False  # "match history", "change log"
    if any(w in _DETERMINERS for w in lowered[max(0, i - 2) : i]) and not any(
        w in _THING_STOPS for w in lowered[max(0, i - 2) : i]
    ):
        return False
    if i == len(lowered) - 1 and i > 0:
        # Last word: "members vote", "users can vote" end on a verb; "real-time chat" on a noun.
        before = lowered[i - 1]
        plural = before.endswith("s") and not before.endswith("ss")
        return before in _MODALS or before in _WEAK_VERBS or plural
    if word in lex.noun_forms:
        if i == 0 and after and after not in _THING_STOPS and after not in _PREPOSITIONS:
            return True  # a requirement opening on "Tracks", "Logs", "Records" states what it does
        return after in _SKIP_BEFORE_THING and after not in ("on", "in", "up", "out", "down", "off")
    return True


def _keyword(verb: str | None, thing_tokens: list[str], lowered: list[str]) -> str:
    """A short test name: the verb's base form and the last content words of what it acts on
    ("booking climbing gym classes" → book_gym_classes)."""
    lex = lexicon()
    content = [
        t.lower()
        for t in thing_tokens
        if t.lower() not in _SKIP_BEFORE_THING | _THING_STOPS | _NUMBERS | _NOT_NOUNS
        and t.lower() not in lex.generic_words
        and re.search(r"[a-z]", t.lower())
    ]
    words = ([lex.base_verb(verb) or verb] if verb else []) + content[-2:]
    if not words:
        words = [w for w in lowered if re.search(r"[a-z]", w)][:3]
    keyword = "_".join(re.sub(r"[^a-z0-9]+", "_", w).strip("_") for w in words)
    return re.sub(r"_+", "_", keyword).strip("_")[:40] or "feature"


_POSSESSIVE = re.compile(r"\b([a-z][a-z-]*s)['’](?=\s)|\b([a-z][a-z-]*)['’]s\b")


def names_no_record(word: str) -> bool:
    """Words that can never be a record's name: pronouns, clause words, particles, units, auxiliaries."""
    low = word.lower()
    return low in _NOT_NOUNS or low in _CLAUSE_WORDS or low in _META_NOUNS or is_adverb(low)


def is_adverb(word: str) -> bool:
    return len(word) >= 5 and word.endswith(_ADVERB_ENDINGS)


def entity_of(tokens: list[str]) -> str | None:
    """A record name from a noun phrase's own words: its head noun, with the word before it when the
    head alone says little ("gym classes" → GymClass); None when it has no noun to offer."""
    if tokens and tokens[0].lower() in _CLAUSE_WORDS:
        return None  # "how the team is feeling" is a clause, not a record
    if any(t.lower() == "of" for t in tokens[1:]):
        # "photos of each plant" is about photos; "the list of guests" about guests.
        at = next(i for i, t in enumerate(tokens) if t.lower() == "of" and i > 0)
        before = [t for t in tokens[:at] if t.lower() not in _SKIP_BEFORE_THING]
        if before and before[-1].lower() not in _VAGUE_HEADS:
            tokens = tokens[:at]
    lex = lexicon()
    words = [t for t in tokens if re.fullmatch(r"[A-Za-z][A-Za-z-]*", t)]
    words = [
        w
        for w in words
        if w.lower() not in _NUMBERS | _NOT_NOUNS | _CLAUSE_WORDS and not is_adverb(w.lower())
    ]
    if not words:
        return None
    head = words[-1]
    lowered = head.lower()
    plural = singular(lowered) != lowered
    if lowered in _META_NOUNS or lowered in lex.capability_words or (lowered in lex.heads and not plural):
        return None  # "admin dashboard" is a screen, "borrow tools" keeps Tool records
    modifier = len(words) > 1 and words[-2].lower().endswith("ing")
    if lex.is_verb(lowered) and lowered not in lex.noun_forms and not plural and not modifier:
        return None  # "let members vote" ends on a verb; "watering schedule" on a noun
    if lowered in _VIEW_HEADS and len(words) > 1:
        owner = words[-2].lower()
        if any(names_no_record(part) for part in owner.split("-")):
            return None  # "an OpenAI-written summary" is a view of nothing the brief keeps
        return singular(owner).title().replace("-", "")  # "match history" keeps Match records
    if head[:1].isupper() and len(words) == 1 and head.lower() not in lex.noun_forms:
        return None  # a proper name ("Strava"), not a record
    if lowered in lex.by_alias or head in lex.by_alias or lowered in lex.not_technologies:
        return None  # a technology or a format ("pandas", "gRPC", "GPX"), not a record
    parts = [singular(head.lower())]
    before = [w for w in words[:-1] if w.lower() not in _SKIP_BEFORE_THING]
    if before and (parts[0] in _VAGUE_HEADS or before[-1].lower().endswith("ing")):
        parts.insert(0, singular(before[-1].lower()))  # "gym classes" → GymClass, "watering schedule"
    name = "".join(p.replace("-", " ").title().replace(" ", "") for p in parts)
    return name if len(name) >= 3 else None


def singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("zzes"):
        return word[:-3]  # "quizzes" → "quiz"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def stem(word: str) -> str:
    """A crude stem: a plural ending, then a verb ending, then a final "e", so "ratings", "rating" and
    "rated" meet, and so do "responses" and "response" or "classes" and "class"."""
    word = word.lower().strip("'’")
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("es") and word[:-2].endswith(("s", "x", "ch", "sh", "z")) and len(word) > 4:
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    if word.endswith("zz"):
        word = word[:-1]  # "quizzes" → "quizz" meets "quiz"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word.rstrip("e")
