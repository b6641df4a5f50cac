"""Rule checks of a design against its brief, in code (no prompt): the first half of the design
review (the second is the optional LLM reviewer, ``stages/review.py``).

- ``requirement_not_addressed``: a feature, integration or quality requirement the design never
  mentions (by id, by the technologies it names, or by most of its words);
- ``requirement_contradicted``: the tech stack or architecture contradicts a constraint or non-goal
  (the same rules as the plan's coverage check, ``requirements/rules.yaml``);
- ``brief_technology_missing``: a technology the brief names that the design does not use;
- ``technology_conflict``: a database or web framework in the tech stack where the brief names
  another one;
- ``unjustified_service``: a cache, queue, search engine or orchestrator in the tech stack that
  neither the brief asks for nor the design explains (no sentence says what it is needed for).

Technologies are recognised with the offline planner's knowledge base (aliases on word boundaries).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from devussy.models import GUARDED_KINDS, ProjectBrief, ProjectDesign, Requirement, ReviewFinding
from devussy.planner.analysis import analyze_brief, analyze_text
from devussy.planner.knowledge import knowledge
from devussy.requirements.rules import NEGATION, mentions_phrase, non_goal_subject, rules_for, sentences

ADDRESSED_KINDS = ("feature", "integration", "quality")
# Categories where the brief's choice excludes another one in the tech stack.
EXCLUSIVE_CATEGORIES = ("database", "web_framework")
# Services that cost money and operations: what each is needed for, in words a brief or a design uses.
SERVICE_NEEDS: dict[str, tuple[str, ...]] = {
    "cache": (
        "cache", "caching", "session", "rate limit", "rate-limit", "leaderboard", "real-time", "realtime",
        "pub/sub", "latency", "queue", "background", "throttl", "hot data",
    ),
    "queue": (
        "queue", "background", "async", "job", "worker", "event", "stream", "notification", "email",
        "schedul", "batch", "pipeline", "ingest", "retry", "throughput",
    ),
    "search": ("search", "full-text", "full text", "autocomplete", "fuzzy", "faceted", "relevance"),
    "kubernetes": (
        "kubernetes", "k8s", "scale", "scaling", "high availability", "cluster", "microservice", "millions",
        "uptime", "autoscal", "multi-region",
    ),
}  # fmt: skip
_STOP_WORDS = (
    "a an the and or of for to in on at by with from into that this these those is are be can will must "
    "should have has their they them it its as via per each every all any some user users able allow "
    "allows support supports using use used make makes when where which who what while also only "
    "need needs want wants"
)
_STOP = frozenset(_STOP_WORDS.split())


def check_design(design: ProjectDesign, brief: ProjectBrief | None = None) -> list[ReviewFinding]:
    """Every rule finding for ``design`` (``brief`` defaults to the one the design carries)."""
    brief = brief or design.brief
    findings = [*requirements_addressed(design), *requirements_respected(design)]
    if brief is not None:
        findings += technologies_consistent(design, brief)
        findings += services_justified(design, brief)
    return findings


def design_text(design: ProjectDesign) -> str:
    """Everything the design says (its requirements list aside)."""
    risks = [f"{r.risk}. {r.mitigation or ''}" for r in design.risks]
    return "\n".join(
        [design.summary, *design.objectives, *design.tech_stack, design.architecture, design.data_model,
         design.testing_strategy, *risks]
    )  # fmt: skip


# -- requirements ---------------------------------------------------------------------------------


def requirements_addressed(design: ProjectDesign) -> list[ReviewFinding]:
    text = design_text(design)
    found = []
    for requirement in design.requirements:
        if requirement.kind in ADDRESSED_KINDS and not addressed(requirement, text):
            found.append(
                ReviewFinding(
                    source="rules",
                    rule="requirement_not_addressed",
                    requirement=requirement.id,
                    message=_clip(
                        f"{requirement.id} is not addressed anywhere in the design: {requirement.text}"
                    ),
                )
            )
    return found


def addressed(requirement: Requirement, text: str) -> bool:
    """The design cites the requirement's id, uses every technology it names, or mentions most of
    its words (stems, so "notify" meets "notifications")."""
    if re.search(rf"(?<![A-Za-z0-9]){requirement.id}(?!\d)", text):
        return True
    named = set(analyze_text(requirement.text).explicit)
    if named:
        return named <= set(analyze_text(text).explicit)
    words = content_stems(requirement.text)
    if not words:
        return True
    present = content_stems(text)
    return sum(word in present for word in words) >= math.ceil(len(words) / 2)


def content_stems(text: str) -> set[str]:
    return {word[:5] for word in re.findall(r"[a-z][a-z0-9+#-]{3,}", text.lower()) if word not in _STOP}


def requirements_respected(design: ProjectDesign) -> list[ReviewFinding]:
    """Constraints and non-goals the tech stack or architecture contradicts."""
    found = []
    stack_text = "\n".join([*design.tech_stack, design.architecture])
    for requirement in design.requirements:
        if requirement.kind not in GUARDED_KINDS:
            continue
        sentence = _contradiction(requirement, stack_text, design.tech_stack)
        if sentence is not None:
            found.append(
                ReviewFinding(
                    source="rules",
                    rule="requirement_contradicted",
                    requirement=requirement.id,
                    message=_clip(
                        f"the design contradicts {requirement.id} ({requirement.text}): {sentence}"
                    ),
                )
            )
    return found


def _contradiction(requirement: Requirement, text: str, stack: Iterable[str]) -> str | None:
    rules = rules_for(requirement)
    for rule in rules:
        sentence = rule.contradiction(text)
        if sentence is not None:
            return sentence
    if not rules and requirement.kind == "non_goal":
        words = non_goal_subject(requirement.text)
        for item in stack:
            if mentions_phrase(words, item) and not NEGATION.search(item):
                return item
    return None


# -- technologies ---------------------------------------------------------------------------------


def technologies_consistent(design: ProjectDesign, brief: ProjectBrief) -> list[ReviewFinding]:
    kb = knowledge()
    asked = set(analyze_brief(brief).explicit)
    used = set(analyze_text(design_text(design)).explicit) | stack_technologies(design, all_lines=True)
    found = []
    for tid in sorted(asked - used, key=list(kb.technologies).index):
        name = kb.technologies[tid].name
        found.append(
            ReviewFinding(
                source="rules",
                rule="brief_technology_missing",
                message=f"the brief names {name}, but the design does not use it",
            )
        )
    stack = stack_technologies(design)
    for category in EXCLUSIVE_CATEGORIES:
        chosen = {tid for tid in asked if kb.technologies[tid].category == category}
        for tid in sorted(stack - asked, key=list(kb.technologies).index):
            if chosen and kb.technologies[tid].category == category:
                wanted = ", ".join(sorted(kb.technologies[t].name for t in chosen))
                found.append(
                    ReviewFinding(
                        source="rules",
                        rule="technology_conflict",
                        message=f"the tech stack has {tech_name(tid)} where the brief asks for {wanted}",
                    )
                )
    return found


def stack_technologies(design: ProjectDesign, *, all_lines: bool = False) -> set[str]:
    """Technologies the tech stack adopts: named in a line, or a line that starts with a
    technology's name (``Go``, ``Go 1.22 — services``). Unless ``all_lines``, a line about tests or
    local development does not count."""
    lines = [
        line
        for line in design.tech_stack
        if all_lines or not re.search(r"\b(tests?|testing|local|dev)\b", line, re.IGNORECASE)
    ]
    if not lines:
        return set()
    found = set(analyze_text("\n".join(lines)).explicit)
    names = _names()
    for line in lines:
        lead = re.split(r"\s+[-–—(:]|\s+\d|:|,|\(", line.strip(), maxsplit=1)[0].strip().lower()
        if lead in names:
            found.add(names[lead])
    return found


def _names() -> dict[str, str]:
    """Every technology's name and aliases (lower case) → its id."""
    names: dict[str, str] = {}
    for tid, tech in knowledge().technologies.items():
        for name in (tech.name, *tech.match.aliases, *tech.match.case_sensitive):
            names.setdefault(name.lower(), tid)
    return names


def services_justified(design: ProjectDesign, brief: ProjectBrief) -> list[ReviewFinding]:
    kb = knowledge()
    asked = set(analyze_brief(brief).explicit)
    stated = [brief.summary, *brief.goals, *brief.constraints, *brief.integrations]
    brief_words = "\n".join([*stated, *(r.text for r in brief.requirements)]).lower()
    explained = [
        sentence.lower()
        for part in (design.summary, *design.objectives, design.architecture, design.data_model)
        for sentence in sentences(part)
    ]
    found = []
    for tid in sorted(stack_technologies(design) - asked, key=list(kb.technologies).index):
        tech = kb.technologies[tid]
        needs = SERVICE_NEEDS.get(tid) or SERVICE_NEEDS.get(tech.category)
        if needs is None:
            continue
        if any(need in brief_words for need in needs):
            continue
        names = [tech.name.lower(), *(alias.lower() for alias in tech.match.aliases)]
        if any(
            any(_word_in(name, sentence) for name in names) and any(need in sentence for need in needs)
            for sentence in explained
        ):
            continue
        found.append(
            ReviewFinding(
                source="rules",
                rule="unjustified_service",
                message=_clip(
                    f"{tech.name} is in the tech stack, but neither the brief nor the design says what it is "
                    f"needed for (e.g. {', '.join(needs[:3])}); drop it or explain it in the architecture"
                ),
            )
        )
    return found


def tech_name(tid: str) -> str:
    return knowledge().technologies[tid].name


def _word_in(name: str, text: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", text) is not None


def _clip(text: str) -> str:
    return text if len(text) <= 500 else text[:499].rstrip() + "…"
