"""Constraint and non-goal rules: data in ``rules.yaml``, validated when loaded.

A rule says how to recognise a class of constraint in a requirement's text ("the database already
exists") and what a step that contradicts it looks like ("create the schema", "write a migration").
Matching is sentence by sentence, and a sentence that negates what it mentions ("do not add a
sign-up form") never counts, so a step that explains how it honours a constraint is not flagged.

Non-goals that no named rule recognises ("No mobile app", "Payments are out of scope") get a
generic rule: the thing ruled out, when every one of its words appears in a step's title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from devussy.models import Requirement, RequirementKind

# Words that, before a match in the same sentence, turn it into a statement of what NOT to do.
NEGATION = re.compile(
    r"\b(no|not|never|without|avoid\w*|instead of|rather than|don't|do not|does not|doesn't|must not|"
    r"mustn't|cannot|can't|won't|will not|no need to|skip\w*|forbid\w*|prevent\w*|refus\w*|reject\w*|"
    r"disabl\w*|block\w*|out of scope|none)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_KINDS: frozenset[str] = frozenset({"constraint", "non_goal"})


class RulesError(ValueError):
    """``rules.yaml`` is malformed (raised at load time, naming the rule and field)."""


@dataclass(frozen=True)
class ConstraintRule:
    name: str
    applies_to: frozenset[RequirementKind]
    when: tuple[re.Pattern[str], ...]
    contradicted_by: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    message: str
    # "Migrate our legacy monolith to ..." starts with a verb: the work itself, so the extractor makes
    # it a feature (the planner still recognises the class from its text).
    imperative_is_feature: bool = False

    def recognises(self, requirement: Requirement) -> bool:
        return requirement.kind in self.applies_to and any(p.search(requirement.text) for p in self.when)

    def contradiction(self, text: str) -> str | None:
        """The first sentence of ``text`` that contradicts this rule, or None."""
        return first_contradiction(text, self.contradicted_by, self.unless)


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def first_contradiction(
    text: str, patterns: tuple[re.Pattern[str], ...], unless: tuple[re.Pattern[str], ...] = ()
) -> str | None:
    for sentence in sentences(text):
        if any(p.search(sentence) for p in unless):
            continue
        for pattern in patterns:
            match = pattern.search(sentence)
            if match and not NEGATION.search(sentence, 0, match.start()):
                return sentence
    return None


@cache
def load_rules() -> tuple[ConstraintRule, ...]:
    text = resources.files("devussy.requirements").joinpath("rules.yaml").read_text(encoding="utf-8")
    return parse_rules(yaml.safe_load(text))


def parse_rules(data: Any) -> tuple[ConstraintRule, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulesError("rules.yaml must hold a 'rules' list")
    rules: list[ConstraintRule] = []
    for index, entry in enumerate(data["rules"]):
        where = f"rule {index + 1}"
        if not isinstance(entry, dict):
            raise RulesError(f"{where} must be a mapping")
        name = entry.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise RulesError(f"{where}: name must be a snake_case word")
        where = f"rule {name!r}"
        kinds = entry.get("applies_to")
        if not isinstance(kinds, list) or not kinds or not set(kinds) <= _KINDS:
            raise RulesError(f"{where}: applies_to must list some of {sorted(_KINDS)}")
        message = entry.get("message")
        if not isinstance(message, str) or not message.strip():
            raise RulesError(f"{where}: message must be a sentence")
        imperative_is_feature = entry.get("imperative_is_feature", False)
        if not isinstance(imperative_is_feature, bool):
            raise RulesError(f"{where}: imperative_is_feature must be true or false")
        rules.append(
            ConstraintRule(
                name=name,
                applies_to=frozenset(kinds),
                when=_patterns(entry, "when", where, required=True),
                contradicted_by=_patterns(entry, "contradicted_by", where, required=True),
                unless=_patterns(entry, "unless", where, required=False),
                message=message.strip(),
                imperative_is_feature=imperative_is_feature,
            )
        )
    names = [rule.name for rule in rules]
    if len(names) != len(set(names)):
        raise RulesError("rule names must be unique")
    return tuple(rules)


def _patterns(
    entry: dict[str, Any], field: str, where: str, *, required: bool
) -> tuple[re.Pattern[str], ...]:
    raw = entry.get(field, [])
    if not isinstance(raw, list) or not all(isinstance(item, str) and item for item in raw):
        raise RulesError(f"{where}: {field} must be a list of regular expressions")
    if required and not raw:
        raise RulesError(f"{where}: {field} needs at least one pattern")
    try:
        return tuple(re.compile(item, re.IGNORECASE) for item in raw)
    except re.error as exc:
        raise RulesError(f"{where}: {field} has an invalid pattern: {exc}") from None


def rules_for(requirement: Requirement) -> list[ConstraintRule]:
    """The named rules that recognise this requirement."""
    return [rule for rule in load_rules() if rule.recognises(requirement)]


def rule_classes(text: str) -> list[str]:
    """Names of the rules whose ``when`` patterns recognise ``text``, whatever its kind (the planner
    uses this to read "Migrate our legacy monolith ..." as an incremental migration)."""
    return [rule.name for rule in load_rules() if any(p.search(text) for p in rule.when)]


# -- generic non-goals ----------------------------------------------------------------------------

_NON_GOAL_LEAD = re.compile(
    r"^\s*(?:there (?:is|are|will be)\s+)?(?:not building|no need for|don't build|do not build|"
    r"won't (?:have|build|support)|no|not|without|never)\s+(?:an?\s+|the\s+|any\s+)?(?P<subject>.+)$",
    re.IGNORECASE,
)
_NON_GOAL_TAIL = re.compile(
    r"^\s*(?:an?\s+|the\s+|any\s+)?(?P<subject>.+?)\s+(?:is|are)\s+(?:out of scope|not (?:needed|required|"
    r"in scope|part of (?:this|the) (?:project|scope|release))|a non[- ]goal)\b.*$",
    re.IGNORECASE,
)
# "Out of scope: backups, restores." / "Non-goals for v1: SSO": a label, a colon, then what is ruled out.
RULED_OUT_LABEL = re.compile(
    r"^\s*(?P<label>(?:out of scope|not in scope|non[- ]goals?|not (?:needed|planned|wanted)|excluded|"
    r"later|deferred)(?:\s+(?:for|in)\s+(?:now|v\d+|the first (?:release|version)|this (?:release|version)|"
    r"(?:the\s+)?mvp))?)\s*:\s*(?P<items>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_STOP_WORDS = (
    "a an the and or of for to in on at by with from any some this that these those is are be it its "
    "we our they their support supported needed required yet now ever"
)
_STOP = frozenset(_STOP_WORDS.split())


def non_goal_subject(text: str) -> tuple[str, ...]:
    """The content words of what a non-goal rules out ("No native mobile app" → native, mobile, app)."""
    labelled = RULED_OUT_LABEL.match(text)
    clause = re.split(r"[.;:(—–]|\s-\s", labelled.group("items") if labelled else text, maxsplit=1)[0]
    match = _NON_GOAL_LEAD.match(clause) or _NON_GOAL_TAIL.match(clause)
    subject = match.group("subject") if match else clause
    subject = re.split(r"\b(?:for now|in v1|in the first release|at first|initially|yet)\b", subject)[0]
    words = [w for w in re.findall(r"[a-z0-9+#]+", subject.lower()) if w not in _STOP]
    return tuple(words[:4])


def mentions_phrase(words: tuple[str, ...], text: str) -> bool:
    """The words appear in ``text`` in this order, at most two other words apart (a plural 's' is
    allowed either way): "mobile app" matches "the mobile companion app", not "app … mobile-friendly"."""
    if not words:
        return False
    stems = [re.escape(w[:-1] if len(w) > 3 and w.endswith("s") else w) + "s?" for w in words]
    gap = r"(?:[^a-z0-9]+[a-z0-9+#]+){0,2}?[^a-z0-9]+"
    pattern = r"(?<![a-z0-9])" + gap.join(stems) + r"(?![a-z0-9])"
    return re.search(pattern, text.lower()) is not None
