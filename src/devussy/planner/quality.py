"""Measures of a plan's quality, computed by code (``bench/plan_quality.py`` and the corpus tests).

- ``recalled``: is a requirement phrase a reviewer expects among the extracted requirements?
  (every content word of the phrase, up to a plural or verb ending, in one requirement of a
  compatible kind: feature/integration, constraint/non-goal, quality)
- ``made_up_entities``: records the design's data model names that no word of the brief supports, or
  that only a word which names no thing supports ("What" from "who has booked what", "Too", "Cached")
- ``made_up_capabilities``: steps that build what no word of the brief asks for (checkout and payment
  records for a dashboard that shows refunds, sign-up or offline states nobody mentioned)
- ``unrelated_covers``: a step citing a feature requirement it shares no word with
- ``command_problems`` (from ``commands``): shell syntax, unknown tools and sub-commands
- ``stack_mismatches``: a test command whose tool belongs to a language the plan does not use
- ``boilerplate_titles``: step titles shared by more than a given share of a set of plans
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from devussy.models import DevPlan, ProjectBrief, ProjectDesign, Requirement
from devussy.planner.analysis import Analysis
from devussy.planner.domain import is_adverb, names_no_record, stem, word_set

FAMILIES = {
    "feature": "build",
    "integration": "build",
    "constraint": "guard",
    "non_goal": "guard",
    "quality": "quality",
}
_STOP = word_set(
    "a an the and or of for to in on at by with from into via our their my your its it is are be",
    "when that which who as",
)
# The language (knowledge-base id) a command's tool belongs to.
TOOL_LANGUAGE = {
    "pytest": "python",
    "python": "python",
    "python3": "python",
    "ruff": "python",
    "uvicorn": "python",
    "alembic": "python",
    "cargo": "rust",
    "go": "go",
    "gofmt": "go",
    "./mvnw": "java",
    "mvn": "java",
    "dotnet": "csharp",
    "mix": "elixir",
    "bundle": "ruby",
    "bin/rails": "ruby",
    "rails": "ruby",
    "gem": "ruby",
    "php": "php",
    "composer": "php",
    "vendor/bin/phpunit": "php",
    "flutter": "dart",
    "dart": "dart",
    "swift": "swift",
    "xcodebuild": "swift",
    "npm": "javascript",
    "npx": "javascript",
    "node": "javascript",
}
_ENTITY_BLOCK = re.compile(r"Entities:\n((?:- .*\n?)+)")
_ENTITY_BULLET = re.compile(r"^- ([A-Z][A-Za-z0-9]+)\b", re.MULTILINE)
_ENTITY_LIST = re.compile(r"^(?:Records it keeps|Records the features work with): (.+)\.$", re.MULTILINE)


def content_stems(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9][a-z0-9+#.-]*[a-z0-9+#]|[a-z0-9]", text.lower())
    words += [part for w in words if "-" in w for part in w.split("-") if part]  # "plus-ones": plus, ones
    words += [w.replace("-", "") for w in words if "-" in w]  # "check-ups": checkups
    return {stem(w) for w in words if w not in _STOP}


def recalled(phrase: str, kind: str, requirements: Sequence[Requirement], *, strict: bool = False) -> bool:
    """Whether ``phrase`` (of ``kind``) is among ``requirements``: all its content words in one of them."""
    wanted = content_stems(phrase)
    for requirement in requirements:
        same = requirement.kind == kind if strict else FAMILIES[requirement.kind] == FAMILIES[kind]
        if same and wanted <= content_stems(requirement.text):
            return True
    return False


def brief_text(brief: ProjectBrief) -> str:
    return "\n".join(
        [
            brief.name,
            brief.summary,
            *brief.goals,
            *brief.constraints,
            *brief.languages,
            *brief.frameworks,
            *brief.data_stores,
            *brief.integrations,
        ]
    )


def data_model_entities(design: ProjectDesign) -> list[str]:
    block = _ENTITY_BLOCK.search(design.data_model)
    names = list(_ENTITY_BULLET.findall(block.group(1))) if block else []
    for listed in _ENTITY_LIST.findall(design.data_model):
        names += [n.strip() for n in re.split(r",\s*|\s+and\s+", listed) if n.strip()]
    return list(dict.fromkeys(names))


# Words a brief uses that name no record: pronouns, question words, particles and quantifiers.
_NOT_THINGS = word_set(
    "what who whom whose which where when why how too also very really just only even still already",
    "each every all any some none both either neither other another same such own much many more most",
    "few less least here there then now today tonight yesterday tomorrow instead else again",
)


def _names_no_thing(word: str) -> bool:
    lowered = word.lower()
    participle = len(lowered) > 4 and lowered.endswith("ed") and not lowered.endswith("eed")
    return lowered in _NOT_THINGS or is_adverb(lowered) or participle


def made_up_entities(design: ProjectDesign, brief: ProjectBrief) -> list[str]:
    """Entities of the data model with a word the brief does not use ("Order" for a class-booking app), or
    a word that names no thing ("What" from "who has booked what")."""
    words = content_stems(brief_text(brief))
    made_up = []
    for entity in data_model_entities(design):
        parts = re.findall(r"[A-Z][a-z0-9]*", entity) or [entity]
        whole = stem(entity.lower()) in words  # "check-ups"
        supported = all(stem(p) in words for p in parts) or whole
        # "What" from "who has booked what", "Too" from "files too": words of the brief that name no record
        no_record = not whole and any(names_no_record(p) for p in parts)
        if not supported or no_record or any(_names_no_thing(p) for p in parts):
            made_up.append(entity)
    return made_up


# What a step may build only when the brief asks for it: (pattern over a step title, brief words that ask).
_CAPABILITIES = [
    (
        re.compile(r"\b(?:checkout|payments?|billing|refunds? (?:flow|handling))\b", re.IGNORECASE),
        re.compile(
            r"\b(?:pay\w*|checkout|bill\w*|purchas\w*|buy\w*|sell\w*|subscri\w*|charg\w*|fees?|prices?|"
            r"stripe|paypal|adyen|mollie|braintree|paddle|square)\b",
            re.IGNORECASE,
        ),
    ),
    (
        re.compile(r"\b(?:sign[- ]?ups?|registration|passwords?|profile settings|account deletion)\b", re.I),
        re.compile(
            r"\b(?:sign[- ]?(?:up|in|on)\w*|log[- ]?in\w*|register\w*|registration|accounts?|"
            r"passwords?|profiles?|users?|members?)\b",
            re.I,
        ),
    ),
    (re.compile(r"\boffline\b", re.I), re.compile(r"\b(?:offline|connection|connectivity|network)\b", re.I)),
    (re.compile(r"\bdocker compose\b", re.I), re.compile(r"\b(?:docker|compose|containers?)\b", re.I)),
]


def made_up_capabilities(plan: DevPlan, brief: ProjectBrief) -> list[str]:
    """Step titles that build what no word of the brief asks for."""
    text = brief_text(brief)
    found = []
    for phase in plan.phases:
        for step in phase.steps:
            if any(built.search(step.title) and not asked.search(text) for built, asked in _CAPABILITIES):
                found.append(step.title)
    return found


def unrelated_covers(plan: DevPlan) -> list[str]:
    """``step id → requirement id`` for steps that cite a feature requirement whose words they never use."""
    features = {r.id: content_stems(r.text) for r in plan.requirements if r.kind == "feature"}
    found = []
    for phase in plan.phases:
        for step in phase.steps:
            words = content_stems(f"{step.title}\n{step.details}\n" + "\n".join(step.acceptance_criteria))
            found += [
                f"{step.id}→{rid}" for rid in step.covers if rid in features and not features[rid] & words
            ]
    return found


def stack_mismatches(commands: Iterable[str], analysis: Analysis) -> list[str]:
    """Commands whose tool belongs to a language the plan's stack does not include."""
    from devussy.planner.knowledge import knowledge

    kb = knowledge()
    languages = {t for t in analysis.stack if kb.technologies[t].category == "language"}
    if "typescript" in languages:
        languages.add("javascript")
    if "kotlin" in languages:
        languages.add("java")
    wrong = []
    for command in commands:
        for part in re.split(r"&&|\|\||;|\|", command):
            tokens = [t for t in part.split() if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", t)]
            language = TOOL_LANGUAGE.get(tokens[0]) if tokens else None
            if language and languages and language not in languages:
                wrong.append(command)
                break
    return wrong


def boilerplate_titles(plans: Sequence[DevPlan], share: float = 0.25) -> set[str]:
    """Normalised step titles that appear in more than ``share`` of the plans."""
    counts: Counter[str] = Counter()
    for plan in plans:
        counts.update({normalise_title(s.title, plan.project_name) for p in plan.phases for s in p.steps})
    limit = share * len(plans)
    return {title for title, n in counts.items() if n > limit}


def normalise_title(title: str, project_name: str = "") -> str:
    """Lower case, single spaces, the project's name as {name}: "CI for Shop" and "CI for Crux" are one
    title, so naming the project does not make a generic step look specific."""
    if project_name.strip():
        title = re.sub(re.escape(project_name.strip()), "{name}", title, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", title.lower()).strip()
