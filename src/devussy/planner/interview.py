"""The offline interview: ask only what the brief is missing and what would change the plan.

Stateless like an HTTP endpoint: every turn rebuilds the brief from the whole history, works out which
questions are still open, and asks the next one. Questions are recognised in the history by their
fixed wording, so a client only has to send the turns back. "skip" or "done" finishes early.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from devussy.models import ChatTurn, InterviewReply, ProjectBrief
from devussy.planner.analysis import Analysis, analyze_text, analyzer
from devussy.planner.domain import words_of
from devussy.planner.knowledge import INTEGRATION_CATEGORIES, knowledge
from devussy.planner.synthesis import clip
from devussy.planner.vague import NOT_ENGLISH, VagueBrief, assess_brief, reads_as_english
from devussy.requirements.extract import extract_requirements, split_sentences
from devussy.requirements.lexicon import lexicon
from devussy.requirements.rules import load_rules

MAX_QUESTIONS = 6
_FINISH = re.compile(
    r"^\s*(?:skip|done|finish(?:ed)?|stop|enough|that'?s (?:all|it)|that is (?:all|it)|"
    r"no more(?: questions)?|"
    r"go ahead|generate(?: the plan)?|just (?:plan|build) it)\s*+[.!]*+\s*+$",
    re.IGNORECASE,
)
_UNSURE = re.compile(
    r"^\s*(?:i )?(?:don'?t know|do not know|not sure|no preference|no idea|any|anything|whatever|you choose|"
    r"up to you|dunno|n/?a)\b",
    re.IGNORECASE,
)
_NO = re.compile(r"^\s*(?:no|nope|none|not needed|no need|nothing)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    idea: str
    answers: dict[str, str]  # question key -> answer text (only questions that were asked)
    analysis: Analysis


@dataclass(frozen=True)
class Question:
    key: str
    text: str  # fixed wording: it is how the question is recognised in the history
    needed: Callable[[Draft], bool]


def _categories(draft: Draft) -> set[str]:
    kb = knowledge()
    return {kb.technologies[t].category for t in draft.analysis.explicit}


def _needs_idea(d: Draft) -> bool:
    return len(d.idea.split()) < 4 and not d.analysis.features and not d.analysis.explicit


def _needs_type(d: Draft) -> bool:
    return not d.analysis.project_type_stated and not any(
        knowledge().technologies[t].project_types for t in d.analysis.explicit
    )


def _needs_features(d: Draft) -> bool:
    return (
        not d.analysis.features
        and d.analysis.project_type in {"web_app", "saas", "mobile_app", "web_api"}
        and len(d.idea.split()) < 40
    )


def _needs_language(d: Draft) -> bool:
    return not _categories(d) & {"language", "web_framework", "frontend", "mobile", "game", "cli"}


def _needs_data_store(d: Draft) -> bool:
    return (
        "has_data" in d.analysis.flags
        and not _categories(d) & {"database"}
        and "database" not in d.analysis.negated
    )


def _needs_auth(d: Draft) -> bool:
    ptype = knowledge().project_types[d.analysis.project_type]
    return ptype.user_facing and "has_auth" not in d.analysis.flags and "auth" not in d.analysis.negated


def _needs_deployment(d: Draft) -> bool:
    return not _categories(d) & {"deploy", "cloud"}


QUESTIONS: tuple[Question, ...] = (
    Question(
        "idea",
        "What would you like to build? Describe it in a sentence or two: who it is for and "
        "what it should do.",
        _needs_idea,
    ),
    Question(
        "project_type",
        "What kind of project is it: a command-line tool, a library, a web API, a web "
        "app, a SaaS product, a mobile app, a data pipeline, an ML service, a browser extension, a game, "
        "an embedded/IoT device, or infrastructure?",
        _needs_type,
    ),
    Question(
        "features",
        "What are the two or three things users must be able to do in the first version? "
        "(For example: payments, real-time chat, an admin dashboard, offline sync.)",
        _needs_features,
    ),
    Question(
        "language",
        'Which language or framework should it use? Say "no preference" and I will pick '
        "the usual choice for this kind of project.",
        _needs_language,
    ),
    Question(
        "data_store",
        "Where should the data live (for example PostgreSQL, MySQL, SQLite, MongoDB), or "
        "does it need no database at all?",
        _needs_data_store,
    ),
    Question(
        "auth",
        "Do users need to sign in? If so, how: email and password, social login, a hosted "
        "provider, or company single sign-on?",
        _needs_auth,
    ),
    Question(
        "deployment",
        "Where will it run or be distributed (a cloud platform, your own servers, an app "
        "store, a package registry)?",
        _needs_deployment,
    ),
)
_BY_KEY = {q.key: q for q in QUESTIONS}


def _question_key(assistant_text: str) -> str | None:
    for question in QUESTIONS:
        if question.text in assistant_text:
            return question.key
    return None


def _rebuild(turns: list[ChatTurn]) -> Draft:
    idea = ""
    answers: dict[str, str] = {}
    extra: list[str] = []
    pending: str | None = None
    for turn in turns:
        if turn.role == "assistant":
            pending = _question_key(turn.content)
            if pending is not None:
                answers.setdefault(pending, "")
            continue
        text = turn.content.strip()
        if _FINISH.match(text):
            pending = None
            continue
        if pending is not None:
            answers[pending] = text
            if pending == "idea":
                idea = text
        elif not idea:
            idea = text
        else:
            extra.append(text)
        pending = None
    if not idea and answers.get("idea"):
        idea = answers["idea"]
    text = "\n".join([idea, *extra, *_answer_lines(answers)])
    return Draft(idea=idea, answers=answers, analysis=analyzer().analyze(text))


def _answer_lines(answers: dict[str, str]) -> list[str]:
    lines = []
    for key, answer in answers.items():
        if not answer or key == "idea" or _UNSURE.match(answer):
            continue
        if key == "data_store" and _NO.match(answer):
            lines.append("No database: nothing needs to be stored.")
        elif key == "auth" and _NO.match(answer):
            lines.append("No login: users do not need accounts.")
        elif key == "auth":
            lines.append(f"Users sign in: {answer}")
        elif key == "project_type":
            lines.append(f"It is a {answer}.")
        else:
            lines.append(answer)
    return lines


def _to_brief(draft: Draft, turns: list[ChatTurn]) -> ProjectBrief:
    kb = knowledge()
    analysis = draft.analysis

    def names(*categories: str) -> list[str]:
        return [
            kb.technologies[t].name for t in analysis.explicit if kb.technologies[t].category in categories
        ]

    goals = []
    features_answer = draft.answers.get("features", "")
    if features_answer and not _UNSURE.match(features_answer) and not _NO.match(features_answer):
        parts = re.split(r"[,;\n]|\band\b", features_answer)
        goals = [clip(g.strip(" .")) for g in parts if g.strip(" .")][:10]
    constraints = [
        line[:500]
        for key, answer in draft.answers.items()
        if key in ("auth", "data_store") and answer and _NO.match(answer)
        for line in _answer_lines({key: answer})
    ]
    auth = draft.answers.get("auth", "")
    if auth and not _UNSURE.match(auth) and not _NO.match(auth):
        goals.append(clip(f"Users sign in with {auth.strip(' .')}"))  # a feature, in the user's words
    languages = names("language")
    data_stores = names("database", "cache", "search")
    # An answer naming nothing the knowledge base knows is kept as the user wrote it ("Zig").
    for key, target in (("language", languages), ("data_store", data_stores)):
        answer = draft.answers.get(key, "")
        if _names_something(answer) and len(answer.split()) <= 3 and not analyzer().match_name(answer):
            target.append(answer[:500])
    extra = [t.content.strip() for t in turns if t.role == "user"]
    deployment_answer = draft.answers.get("deployment", "")
    deployment = None
    if deployment_answer and not _UNSURE.match(deployment_answer) and not _NO.match(deployment_answer):
        deployment = deployment_answer[:500]
    elif names("deploy", "cloud"):
        deployment = _join_names(names("deploy", "cloud"))
    summary = draft.idea or next((e for e in extra if e and not _FINISH.match(e)), "") or "An unnamed project"
    kind = draft.answers.get("project_type", "")
    if kind and not _UNSURE.match(kind):
        summary = f"{summary.rstrip()}\n\nIt is a {kind.strip(' .')}."  # what the user called it
    return ProjectBrief(
        name=derive_name(draft.idea or summary, analysis),
        summary=clip(summary, 50_000),
        goals=goals,
        languages=languages,
        frameworks=names("web_framework", "frontend", "mobile", "cli", "game", "data", "ml", "testing"),
        data_stores=data_stores,
        integrations=names(*INTEGRATION_CATEGORIES, "queue", "observability"),
        constraints=constraints,
        deployment=deployment,
        team_size=analysis.team_size,
    )


def _names_something(answer: str) -> bool:
    return bool(answer) and not _UNSURE.match(answer) and not _NO.match(answer)


def _join_names(names: list[str]) -> str:
    return ", ".join(names)


_CALLED = re.compile(
    r"\b(?:called|named|codename|code-named)\s+[\"'“]?([A-Za-z0-9][\w.+-]*(?:\s+[A-Z0-9][\w.+-]*){0,3})"
)
_LEADING = re.compile(
    r"^[\s\-*•]*(?:(?:what\s+)?(?:i|we)(?:'d|’d|\s+would)\s+(?:love|like)(?:\s+is)?\s+|"
    r"(?:i|we)\s+(?:want|would like|need|'d like|plan)\s+(?:to\s+)?"
    r"(?:(?:build|make|create|write|have)(?:\s+(?:me|her|him|us|them)\b)?)?\s*|"
    r"(?:please\s+)?(?:build|make|create|write|develop|design|move|migrate|port|rewrite|modernise|modernize|"
    r"train|fine-tune|split|replace)"
    r"\s+(?:me\s+)?|let'?s\s+build\s+)?"
    r"(?:(?:a|an|the|some|my|our)\b)?\s*",
    re.IGNORECASE,
)
_STOP = re.compile(
    r"\b(?:that|which|who|where|so|to|for|of|out|with|in|using|on|from|and|built|written|where|allowing|letting|"
    r"backed|powered|running|via|by|over|across|through|about|between|at|w/)\b|[,;:!?(]|\.(?!\w)|\bw/",
    re.IGNORECASE,
)
# What the product is for or about: "iOS app in Swift for a climbing gym", "Weekly report of Jira cycle time".
_FOR_PHRASE = re.compile(
    r"^\s*(?:(?:in|with|using|on)\s+[\w#+.-]+(?:\s*\([^)]*\))?\s+)?(?:for|of)\s+(?:(?:a|an|the|my|our)\s+)?(.+)",
    re.IGNORECASE,
)
# "Replace X with Y": the project is Y.
# A relative clause that says what the product does ("a Go service that takes nightly backups ...").
_SAYS_WHAT_IT_DOES = re.compile(r"\b(?:that|which|where|to)\s+[a-z]", re.IGNORECASE)
_REPLACE = re.compile(r"^\s*replace\s+(.+?)\s+with\s+(?:an?\s+|the\s+)?(.+)", re.IGNORECASE)
_GENERIC = frozenset(
    [
        "cli",
        "tool",
        "app",
        "application",
        "api",
        "service",
        "platform",
        "website",
        "site",
        "saas",
        "library",
        "package",
        "web",
        "mobile",
        "dashboard",
        "system",
        "bot",
        "extension",
        "game",
        "pipeline",
        "simple",
        "small",
        "tiny",
        "new",
        "script",
        "command",
        "job",
        "module",
        "plugin",
        "mod",
        "page",
        "panel",
        "client",
        "something",
        "sketch",
        "firmware",
        "command-line",
        "project",
        "model",
        "report",
        "ios",
        "android",
        "iphone",
        "ipad",
        "desktop",
        "cross-platform",
        "crate",
    ]
)
# Words that qualify the product without naming it: dropped when a subject names it.
_SIZES = frozenset(
    {
        "small",
        "simple",
        "tiny",
        "little",
        "quick",
        "basic",
        "internal",
        "weekly",
        "daily",
        "nightly",
        "monthly",
    }
)
# Words that stand in for a product without naming it: dropped when a subject names it instead.
_PLACEHOLDER_HEADS = frozenset({"something", "thing", "way", "place"})


_SHOWN = {"cli": "CLI", "api": "API", "sdk": "SDK", "saas": "SaaS", "ios": "iOS", "tui": "TUI"}
# Nouns too vague to name a project by ("IBAN numbers" is about IBANs).
_VAGUE_NAME_WORDS = frozenset({"numbers", "files", "data", "items", "records", "things", "stuff", "info"})


def _opening(idea: str) -> str:
    """The first line of the idea that is not context ("Hi!", "I get migraines a lot.", "Our support team
    answers questions in Intercom.") nor a given ("Employees already sign in through Azure AD.")."""
    lex = lexicon()
    for line in idea.strip().splitlines():
        for _, sentence in split_sentences(line):
            if not any(p.search(sentence) for p in lex.background) and not _only_a_given(sentence):
                return re.sub(r"^(?:hi|hello|hey)\b[\s!,.]*", "", sentence, flags=re.IGNORECASE)
    return idea.strip().splitlines()[0] if idea.strip() else ""


def _only_a_given(sentence: str) -> bool:
    """A sentence that states a limit or a given (a constraint rule recognises it) and names no product."""
    lex = lexicon()
    if any(w.lower() in lex.heads for w in re.findall(r"[\w-]+", sentence)):
        return False
    return any(p.search(sentence) for rule in load_rules() for p in rule.when)


def _subject(purpose: str) -> list[str]:
    """What a purpose acts on, as name words: "parsing and validating IBAN numbers" → ["IBAN"]."""
    lex = lexicon()
    purpose = re.split(r"[,;:]", purpose)[0]
    shared = re.match(r"\s*(\w+)\s+and\s+(\w+)\s+", purpose)  # "validates and formats phone numbers"
    if shared and lex.is_verb(shared.group(1)) and lex.is_verb(shared.group(2)):
        purpose = purpose[shared.start(2) :]
    finite = next(
        (
            m
            for m in re.finditer(r"[A-Za-z][\w-]*", purpose)
            if m.start() > 0
            and m.group().lower().endswith("s")
            and lex.is_verb(m.group())
            and (
                m.group().lower() not in lex.noun_forms
                or re.fullmatch(r"\s*(?:a|an|the|each|every)\s+[\w-]+\s+", purpose[: m.start()], re.I)
                is not None
            )
            and not re.search(
                r"\b(?:a|an|the|their|our|my|his|her|its|your|some|all)\s+$", purpose[: m.start()], re.I
            )
        ),
        None,
    )
    if finite is not None and not lex.is_verb(re.match(r"\s*([A-Za-z][\w-]*)", purpose).group(1)):  # type: ignore[union-attr]
        purpose = purpose[finite.end() :]  # "a teacher creates quizzes" is about quizzes
    words = words_of(purpose)
    # "durations like '3h 20m' in 10 languages" → durations; "a folder of scanned receipts" → receipts
    phrase = re.split(
        r"[,;:]|\s+(?:like|such|in|per|from|into|to|with|by|on|across|backed|have|has|had|is|are|was|were|will|"
        r"can|i|we|you|they|he|she)\b",
        words.thing,
        flags=re.IGNORECASE,
    )[0]
    *owned_by, phrase = re.split(r"\bof\s+", phrase)
    # "takes nightly backups of our MySQL database": a light verb's noun is the action, done to the thing
    light = re.match(r"\s*(\w+)", purpose)
    action = (
        owned_by[-1].split()[-1]
        if owned_by and owned_by[-1].split() and light and lex.base_verb(light.group(1)) in _LIGHT_VERBS
        else None
    )
    thing = [
        w.strip("'’")
        for i, w in enumerate(phrase.split())
        if w.lower() not in _GENERIC
        and not (i == 0 and len(phrase.split()) > 1 and lex.is_verb(w))  # "scanned receipts", "rate limiter"
        and not re.match(r"['’\d]", w)
        and w.lower() not in ("the", "a", "an", "my", "our", "every", "each", "all", "its", "their", "your")
    ]
    while len(thing) > 1 and thing[-1].lower() in _VAGUE_NAME_WORDS:
        thing = thing[:-1]
    # "the previous day's conversations": a possessive before the noun qualifies it, it does not name it
    owner = max((i for i, w in enumerate(thing[:-1]) if re.search(r"['’]s$", w)), default=-1)
    thing = thing[owner + 1 :]
    named = [re.sub(r"['’]s$", "", w) for w in thing[-2:]]
    if action and named:
        return [named[0], _singular_word(action)]  # "MySQL database" + "backups" → MySQL Backup
    return named


_LIGHT_VERBS = frozenset({"take", "make", "run", "do", "perform", "keep"})


_JOB_HEADS = frozenset({"job", "task", "pipeline", "script"})


def _action_noun(clause: str) -> str | None:
    """The clause's verb when it is a noun too ("exports" → "Export", "backs up" no): the lexicon's noun
    forms are such verbs' plurals."""
    first = re.match(r"\s*([A-Za-z]+)", clause)
    if first is None:
        return None
    lex = lexicon()
    base = lex.base_verb(first.group(1))
    return base.capitalize() if base and f"{base}s" in lex.noun_forms else None


def _singular_word(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


def _names_people(word: str) -> bool:
    """ "surveyors", "allotment holders", "volunteers": who the product is for."""
    lowered = word.lower()
    return lowered in lexicon().audience_words or lowered.endswith(("ers", "ors", "ists", "ants", "ents"))


def _is_tech_name(word: str) -> bool:
    return word.lower() in lexicon().by_alias or word in lexicon().by_alias


def lex_is_verb(word: str) -> bool:
    return lexicon().is_verb(word)


def derive_name(idea: str, analysis: Analysis) -> str:
    """A short project name: "called X" if given, else the idea's leading noun phrase."""
    called = _CALLED.search(idea)
    if called:
        return called.group(1).strip(" .\"'”")[:80]
    first_line = _opening(idea)
    replace = _REPLACE.match(first_line)
    if replace and (
        not all(
            w.lower() in _GENERIC or lex_is_verb(w) or w.lower() in lexicon().by_alias
            for w in _STOP.split(replace.group(2))[0].split()
        )
        or _SAYS_WHAT_IT_DOES.search(replace.group(2))
    ):  # "Replace the cron scripts with a Go service that takes backups": named by the new thing
        first_line = replace.group(2)
    rest = _LEADING.sub("", first_line, count=1)
    # "A small Express and React app for ...": two technologies joined by "and" are one stack, not a stop
    rest = re.sub(
        r"\b([\w.#+-]+)\s+and\s+(?=([\w.#+-]+)\b)",
        lambda m: f"{m.group(1)} " if _is_tech_name(m.group(1)) and _is_tech_name(m.group(2)) else m.group(),
        rest,
    )
    # "Go package implementing a token-bucket rate limiter": the participle starts what it does.
    participle = re.search(r"\s(\w+ing)\s+(?=(?:a|an|the|our|my|your|their)\s)", rest)
    if participle and lex_is_verb(participle.group(1)) and not _STOP.search(rest[: participle.start()]):
        rest = f"{rest[: participle.start()]} that {participle.group(1)} {rest[participle.end() :].lstrip()}"
    stop = _STOP.search(rest)
    lex = lexicon()
    # A verb ends the noun phrase too: "our robotics club needs a web app" is named by "robotics club".
    verb = next(
        (
            m
            for m in re.finditer(r"[A-Za-z][\w'’-]*", rest[: stop.start() if stop else len(rest)])
            if m.start() > 0
            and lex.is_verb(m.group())
            and m.group().lower() not in lex.noun_forms
            and m.group().lower().endswith("s")
        ),
        None,
    )
    end = verb.start() if verb else (stop.start() if stop else len(rest))
    phrase = rest[:end].strip()
    words = [re.sub(r"['’]s$", "", w) for w in phrase.split()[:5]]
    techs = lex.by_alias

    def is_tech(word: str) -> bool:
        # "Chrome" in "A Chrome extension": the platform the analysis found, not what the product does
        stripped = word.strip("-")
        return (
            stripped.lower() in techs
            or stripped in techs
            or any(t in analysis.stack for t in analyzer().match_name(stripped))
        )

    after = rest[stop.start() :] if stop else ""
    purpose = _FOR_PHRASE.match(after)
    subject = _STOP.split(purpose.group(1))[0].split()[:3] if purpose else []
    gerund = re.match(r"[A-Za-z-]+ing\b", purpose.group(1)) if purpose else None
    if purpose and gerund and lex_is_verb(gerund.group()) and words_of(purpose.group(1)).verb:
        subject = _subject(purpose.group(1))  # "a library for parsing IBAN numbers" → IBAN
    elif purpose and subject and _names_people(subject[-1]):
        # "an Android app for volunteer bird surveyors: record sightings ...": named by what they do with it
        does = re.search(r"(?::\s*|\b(?:to|that|who|where)\s+)(.+)", purpose.group(1))
        subject = (_subject(does.group(1)) if does else []) or subject
    elif not purpose:
        relative = re.search(r"\b(?:to|that|which|where)\s+(.+)", after, re.IGNORECASE)
        if relative and relative.start() < 60:
            clause = re.split(r"[,;:(]", relative.group(1))[0]
            if not re.match(r"\s*\w+\s+and\s", clause):  # "validates and formats X" shares its object
                clause = re.split(r"\band\b", clause)[0]
            subject = _subject(clause)
            action = _action_noun(clause)
            if subject and action and any(w.lower() in _JOB_HEADS for w in words):
                # "a nightly job that exports the previous day's conversations" → "Conversation Export Job"
                subject = [*subject[:-1], _singular_word(subject[-1]), action]
    words = [w for w in words if not re.match(r"[~\d]", w)]  # "~80 Jenkins pipelines"
    if subject and any(w.lower() in _PLACEHOLDER_HEADS for w in words):
        words = [w for w in words if w.lower() not in _PLACEHOLDER_HEADS] or subject
    if subject:
        words = [w for w in words if w.lower() not in _SIZES] or subject
    if words and all(w.lower().strip("-") in _GENERIC for w in words):
        # "A SaaS for team task tracking" names its subject after "for"; else fall back to an entity.
        if subject:
            words = [*subject, *words]
        elif analysis.entities:
            words = [analysis.entities[0], *words]
    elif subject and words and all(w.lower().strip("-") in _GENERIC | _SIZES or is_tech(w) for w in words):
        # "A Flask API for a vet clinic", "An internal Phoenix LiveView app where editors schedule posts"
        words = [*subject, *(w for w in words if not is_tech(w) and w.lower() not in _SIZES)]
    name = " ".join(
        _SHOWN.get(w.lower()) or (w if w.isupper() or any(c.isupper() for c in w[1:]) else w.capitalize())
        for w in words
    )
    if not name and analysis.entities:
        name = analysis.entities[0]
    return name[:80] or "New Project"


def name_from_idea(idea: str) -> str:
    """A project name from a free-text idea (the CLI and the API name unnamed projects with it)."""
    return derive_name(idea, analyze_text(idea, ()))


def interview_reply(history: list[ChatTurn], user_input: str) -> InterviewReply:
    turns = [*history, ChatTurn(role="user", content=user_input)]
    draft = _rebuild(turns)
    if draft.idea and not reads_as_english(draft.idea):
        # Asked again with the idea question, so the next answer replaces the idea.
        return InterviewReply(reply=_vague_reply(NOT_ENGLISH))
    asked = sum(1 for t in history if t.role == "assistant" and _question_key(t.content) is not None)
    finished = bool(_FINISH.match(user_input)) and bool(draft.idea)
    if not finished and asked < MAX_QUESTIONS:
        for question in QUESTIONS:
            if question.key not in draft.answers and question.needed(draft):
                return InterviewReply(reply=_with_recap(draft, question.text))
    if not draft.idea:
        return InterviewReply(reply=_BY_KEY["idea"].text)
    brief = _to_brief(draft, turns)
    requirements = extract_requirements(brief, source="interview")
    brief = brief.model_copy(update={"requirements": requirements})
    vague = assess_brief(brief, requirements)
    if vague is not None and _vague_replies(history) < MAX_VAGUE_REPLIES:
        # A plan from this would be boilerplate: ask for what users must be able to do.
        return InterviewReply(reply=_vague_reply(vague))
    closing = _closing(brief, draft.analysis)
    if vague is not None:
        closing += f"\n\n{_STILL_VAGUE}"
    return InterviewReply(reply=closing, brief=brief)


MAX_VAGUE_REPLIES = 2  # then the interview ends; planning offline says again what is missing
_NOT_ENOUGH = "That is not enough to plan yet without inventing the product."
_NOT_ENGLISH = (
    "I can only read English here, and that does not look like English: please describe it in English."
)
_STILL_VAGUE = (
    "This is still too vague for the offline planner: it will ask again what users must be able to do "
    "before it plans."
)


def _vague_replies(history: list[ChatTurn]) -> int:
    return sum(1 for t in history if t.role == "assistant" and t.content.startswith(_NOT_ENOUGH))


def _vague_reply(vague: VagueBrief) -> str:
    """What is missing, with the question whose answer supplies it (so the answer is read as that)."""
    if vague.reason == "not_english":
        return f"{_NOT_ENGLISH}\n\n{_BY_KEY['idea'].text}"
    return f"{_NOT_ENOUGH}\n\n{_BY_KEY['features'].text}"


def _with_recap(draft: Draft, question: str) -> str:
    if not draft.idea:
        return question
    kb = knowledge()
    ptype = kb.project_types[draft.analysis.project_type].name.lower()
    known = [kb.technologies[t].name for t in draft.analysis.explicit]
    features = [kb.features[f].name for f in draft.analysis.features]
    if not (draft.analysis.project_type_stated or known or features):
        return question
    recap = f"So far: a {ptype}" if draft.analysis.project_type_stated else "So far: the project"
    if known:
        recap += f" with {', '.join(known)}"
    if features:
        recap += f", covering {', '.join(features)}"
    return f"{recap}.\n\n{question}"


def _closing(brief: ProjectBrief, analysis: Analysis) -> str:
    kb = knowledge()
    ptype = kb.project_types[analysis.project_type].name.lower()
    lines = [f"Thanks, that is enough to plan **{brief.name}** ({ptype})."]
    stack = [*brief.languages, *brief.frameworks, *brief.data_stores, *brief.integrations]
    if stack:
        lines.append(f"Stack: {', '.join(stack)}.")
    features = [kb.features[f].name for f in analysis.features]
    if features:
        lines.append(f"Features: {', '.join(features)}.")
    if brief.deployment:
        lines.append(f"Runs on: {brief.deployment}.")
    lines.append("Anything I did not ask about gets a stated assumption in the design.")
    return "\n".join(lines)
