"""The extractor's vocabulary: ``lexicon.yaml``, validated and compiled once per process."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

LEFT = r"(?<![\w+#.-])"
RIGHT = r"(?![\w+#])(?!\.\w)"


class LexiconError(ValueError):
    """``lexicon.yaml`` is malformed (raised at load time, naming the field)."""


@dataclass(frozen=True)
class TechName:
    name: str
    aliases: tuple[str, ...]
    case_sensitive: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    technologies: tuple[TechName, ...]
    by_alias: dict[str, str]  # lower-cased alias or case-sensitive spelling -> display name
    tech_pattern: re.Pattern[str]  # case-insensitive aliases
    tech_pattern_exact: re.Pattern[str] | None  # case-sensitive spellings
    not_technologies: frozenset[str]
    verbs: frozenset[str]
    languages: frozenset[str]  # programming languages by name, lower case
    heads: frozenset[str]
    generic_words: frozenset[str]
    role_words: frozenset[str]
    capability_words: frozenset[str]  # role words that name something users do ("payments via Stripe")
    noun_forms: frozenset[str]
    audience_words: frozenset[str]  # who a product is for ("families", "small teams"), not what it acts on
    quality: tuple[re.Pattern[str], ...]
    business_goals: tuple[re.Pattern[str], ...]
    constraint_cues: tuple[re.Pattern[str], ...]
    non_goal_cues: tuple[re.Pattern[str], ...]  # "out of scope for now", "can wait"
    background: tuple[re.Pattern[str], ...]  # context, not requirements: "Hi!", "I run a small bakery"
    # A technology named as context (see ``context`` in lexicon.yaml): the source or format of data the
    # product reads, or a legacy system.
    source_after: tuple[re.Pattern[str], ...] = ()
    source_before: tuple[re.Pattern[str], ...] = ()
    export_before: tuple[re.Pattern[str], ...] = ()
    system_after: tuple[re.Pattern[str], ...] = ()
    legacy_before: tuple[re.Pattern[str], ...] = ()

    def canonical(self, name: str) -> str:
        """The display name of a technology the lexicon knows, else ``name`` itself."""
        return self.by_alias.get(name) or self.by_alias.get(name.lower()) or name

    def is_verb(self, word: str) -> bool:
        """``word`` is a verb of the list, in its base form or inflected (-s, -es, -ies, -ing, -ed)."""
        return self.base_verb(word) is not None

    def base_verb(self, word: str) -> str | None:
        """The base form of a verb of the list ("reads" → "read", "booking" → "book"), else None."""
        w = word.lower()
        if w in self.verbs:
            return w
        candidates = []
        if w.endswith("ies"):
            candidates.append(w[:-3] + "y")
        if w.endswith("es"):
            candidates.append(w[:-2])
        if w.endswith("s"):
            candidates.append(w[:-1])
        if w.endswith("ing"):
            stem = w[:-3]
            candidates += [stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem]
        if w.endswith("ed"):
            stem = w[:-2]
            candidates += [stem, w[:-1], stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem]
            if w.endswith("ied"):
                candidates.append(w[:-3] + "y")
        return next((c for c in candidates if c in self.verbs), None)


def _alternation(words: list[str], flags: int) -> re.Pattern[str] | None:
    if not words:
        return None
    parts = sorted(set(words), key=lambda w: (-len(w), w))
    escaped = [r"[\s_-]+".join(re.escape(piece) for piece in w.split()) for w in parts]
    return re.compile(LEFT + "(?:" + "|".join(escaped) + ")" + RIGHT, flags)


def _strings(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise LexiconError(f"lexicon.yaml: {key} must be a list of non-empty strings")
    return [item.strip() for item in value]


def _words(data: dict[str, Any], key: str) -> frozenset[str]:
    value = data.get(key)
    if not isinstance(value, str) or not value.split():
        raise LexiconError(f"lexicon.yaml: {key} must be a string of whitespace-separated words")
    return frozenset(word.lower() for word in value.split())


def _regexes(data: dict[str, Any], key: str, *, where: str | None = None) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in _strings(data, key):
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise LexiconError(f"lexicon.yaml: {where or key}: invalid pattern {pattern!r}: {exc}") from None
    return tuple(compiled)


def parse_lexicon(data: Any) -> Lexicon:
    if not isinstance(data, dict):
        raise LexiconError("lexicon.yaml must be a mapping")
    raw_techs = data.get("technologies")
    if not isinstance(raw_techs, list):
        raise LexiconError("lexicon.yaml: technologies must be a list")
    techs: list[TechName] = []
    by_alias: dict[str, str] = {}
    insensitive: list[str] = []
    exact: list[str] = []
    for index, entry in enumerate(raw_techs):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise LexiconError(f"lexicon.yaml: technologies[{index}] needs a name")
        name = entry["name"].strip()
        aliases = entry.get("aliases", [])
        spelled = entry.get("case_sensitive", [])
        if not isinstance(aliases, list) or not isinstance(spelled, list) or not (aliases or spelled):
            raise LexiconError(f"lexicon.yaml: technology {name!r} needs aliases or case_sensitive spellings")
        if not all(isinstance(a, str) and a.strip() for a in [*aliases, *spelled]):
            raise LexiconError(f"lexicon.yaml: technology {name!r} has an empty alias")
        techs.append(TechName(name, tuple(a.lower() for a in aliases), tuple(spelled)))
        for alias in aliases:
            by_alias[alias.lower()] = name
        for spelling in spelled:
            by_alias[spelling] = name
        by_alias.setdefault(name.lower(), name)
        insensitive.extend(a.lower() for a in aliases)
        exact.extend(spelled)
    pattern = _alternation(insensitive, re.IGNORECASE)
    if pattern is None:
        raise LexiconError("lexicon.yaml: technologies must name at least one alias")
    return Lexicon(
        technologies=tuple(techs),
        by_alias=by_alias,
        tech_pattern=pattern,
        tech_pattern_exact=_alternation(exact, 0),
        not_technologies=_words(data, "not_technologies"),
        verbs=_words(data, "verbs"),
        languages=_words(data, "languages"),
        heads=_words(data, "heads"),
        generic_words=_words(data, "generic_words"),
        role_words=_words(data, "role_words"),
        capability_words=_words(data, "capability_words"),
        noun_forms=_words(data, "noun_forms"),
        audience_words=_words(data, "audience_words"),
        quality=_regexes(data, "quality"),
        business_goals=_regexes(data, "business_goals"),
        constraint_cues=_regexes(data, "constraint_cues"),
        non_goal_cues=_regexes(data, "non_goal_cues"),
        background=_regexes(data, "background"),
        **_context(data),
    )


def _context(data: dict[str, Any]) -> dict[str, tuple[re.Pattern[str], ...]]:
    section = data.get("context")
    if not isinstance(section, dict):
        raise LexiconError("lexicon.yaml: context must be a mapping")
    fields = ("source_after", "source_before", "export_before", "system_after", "legacy_before")
    unknown = sorted(set(section) - set(fields))
    if unknown:
        raise LexiconError(f"lexicon.yaml: context has unknown fields {unknown}")
    return {name: _regexes(section, name, where=f"context.{name}") for name in fields}


@cache
def lexicon() -> Lexicon:
    text = resources.files("devussy.requirements").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    return parse_lexicon(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
