"""Briefs the offline planner cannot plan: too vague, or not in English.

A plan made from "todo" or from a Spanish sentence would be boilerplate, so the offline engine
answers with questions instead: ``assess_brief`` says why and what to ask, ``BriefTooVague`` (code
``brief_too_vague``) carries that to the CLI (exit 2, pointing to ``--interview``) and the API
(a 422 answer with the questions, before any stream opens).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devussy.errors import StageError
from devussy.models import ProjectBrief, Requirement
from devussy.planner.domain import word_set
from devussy.requirements.lexicon import lexicon

CODE = "brief_too_vague"
MIN_CONTENT_WORDS = 2
MIN_ENGLISH_SHARE = 0.12  # English prose of a few words has far more function words than this
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_WORDS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_ENGLISH = word_set(
    "a an the and or of for to in on at by with from into that which who where when what is are be",
    "it its this these my our your their we i you they should can will would want need lets let",
    "users user app tool build make create web site api data",
)
QUESTIONS = (
    "What should it do? Name two or three things a user must be able to do with it.",
    "Who uses it, and where: in a browser, on a phone, in a terminal, or as a service other programs call?",
    "Which language, framework or services must it use, if any (for example Django, Stripe, PostgreSQL)?",
)


@dataclass(frozen=True)
class VagueBrief:
    reason: str  # "not_english", "too_short" or "no_features"
    message: str
    questions: tuple[str, ...]


NOT_ENGLISH = VagueBrief(
    "not_english",
    "The offline planner only reads English, and this brief does not look like English. Describe the "
    "project in English (or configure an LLM engine, see docs/providers.md). It needs to know:",
    QUESTIONS,
)


class BriefTooVague(StageError):
    """The offline planner will not plan this brief; ``questions`` say what it needs to know."""

    def __init__(self, vague: VagueBrief) -> None:
        lines = "\n".join(f"  {n}. {q}" for n, q in enumerate(vague.questions, start=1))
        super().__init__(f"{vague.message}\n{lines}", code=CODE)
        self.reason = vague.reason
        self.questions = vague.questions


def assess_brief(brief: ProjectBrief, requirements: list[Requirement]) -> VagueBrief | None:
    """None when the brief can be planned; else why not and what to ask. A brief states a feature when a
    requirement is a feature, or names a service for one ("Stripe payments", "Firebase auth")."""
    from devussy.planner.requirement_map import build_map

    units = [u for u in build_map(requirements).units if u.kind != "unknown"]
    text = "\n".join([brief.summary, *brief.goals])
    words = [w.lower() for w in _WORDS.findall(text)]
    if not _reads_as_english(text, words):
        return NOT_ENGLISH
    lex = lexicon()
    content = [w for w in words if w not in _ENGLISH and w not in lex.generic_words and w not in lex.heads]
    stated = [r for r in requirements if r.kind == "feature"] or units
    if len(content) < MIN_CONTENT_WORDS:
        return VagueBrief(
            "too_short",
            "This brief is too short to plan without inventing the product. Run `devussy plan --interview` "
            "to answer a few questions, or describe it in a sentence or two. It needs to know:",
            QUESTIONS,
        )
    if not stated:
        return VagueBrief(
            "no_features",
            "This brief names no feature, so a plan would be boilerplate. Run `devussy plan --interview`, or "
            "say what the product must do. It needs to know:",
            QUESTIONS[:1] + QUESTIONS[2:]
            if any(r.kind == "integration" for r in requirements)
            else QUESTIONS,
        )
    return None


def reads_as_english(text: str) -> bool:
    """Whether ``text`` looks like English (the only language the offline planner reads)."""
    return _reads_as_english(text, [w.lower() for w in _WORDS.findall(text)])


def _reads_as_english(text: str, words: list[str]) -> bool:
    letters = _LETTERS.findall(text)
    if letters and sum(1 for c in letters if ord(c) > 127) / len(letters) > 0.15:
        return False
    if len(words) < 4:
        return True  # too short to tell; the other checks decide
    return sum(1 for w in words if w in _ENGLISH) / len(words) >= MIN_ENGLISH_SHARE
