"""Which knowledge-base steps a project gets, and which of its own requirements they already build.

``applies(step, analysis)`` checks a step's conditions (project types, technologies, features, flags).

``absorbed_units(analysis, rmap)``: a requirement in the brief's words that restates what a project-type
or technology step builds ("BackupSchedule custom resource" for an operator, whose steps already define
the custom resource types) gets no step of its own: that step covers it and names it, so the plan does
not build the same thing twice under two titles.
"""

from __future__ import annotations

import re
from functools import lru_cache

from devussy.planner.analysis import Analysis
from devussy.planner.domain import stem
from devussy.planner.knowledge import StepTemplate, knowledge
from devussy.planner.requirement_map import MIGRATION_WORK, RequirementMap
from devussy.requirements.lexicon import lexicon

# Shared words that say nothing about what a step builds.
_FILLER = frozenset(
    {
        *("with", "that", "which", "from", "into", "their", "every", "each", "when"),
        *("then", "than", "them", "they", "this", "these", "those", "what", "where"),
    }
)
MIN_SHARED = 2  # content words a requirement and a step title must share


def applies(step: StepTemplate, analysis: Analysis) -> bool:
    if step.when_types and analysis.project_type not in step.when_types:
        return False
    if analysis.project_type in step.unless_types:
        return False
    if step.when_all and not all(analysis.has(x) for x in step.when_all):
        return False
    if step.when_any and not any(analysis.has(x) for x in step.when_any):
        return False
    return not any(analysis.has(x) for x in step.unless)


@lru_cache(maxsize=4096)
def content_stems(text: str) -> frozenset[str]:
    """The stems of a text's content words, placeholders left out ("{name}")."""
    text = re.sub(r"\{[^}]*\}", " ", text)
    return (
        frozenset(
            stem(w) for w in re.findall(r"[a-z][a-z0-9]+", text.lower()) if len(w) > 3 and w not in _FILLER
        )
        - _generic_stems()
    )


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in lexicon().generic_words)


def absorbed_units(analysis: Analysis, rmap: RequirementMap) -> dict[str, StepTemplate]:
    """Unit key → the project-type or technology core step that already builds that requirement."""
    kb = knowledge()
    steps = [s for s in kb.project_types[analysis.project_type].steps if s.phase == "core"]
    steps += [s for tid in analysis.stack for s in kb.technologies[tid].steps if s.phase == "core"]
    steps = [s for s in steps if applies(s, analysis)]
    if not steps:
        return {}
    titles = [(s, content_stems(s.title)) for s in steps]
    result: dict[str, StepTemplate] = {}
    for unit in rmap.units:
        # A known feature is absorbed only when all it brings is a core step ("reconcile loops" in an
        # operator, whose own reconcile step is the more specific one).
        if unit.kind == "unknown" or (
            unit.kind == "feature" and any(s.phase != "core" for s in kb.features[unit.ref].steps)
        ):
            continue
        words = content_stems(unit.words.text)
        best, shared = None, 0
        for step, title in titles:
            common = len(words & title)
            if common > shared:
                best, shared = step, common
        if best is not None and shared >= MIN_SHARED and shared * 2 >= len(words):
            result[unit.key] = best
        elif (
            analysis.project_type == "migration"
            and unit.kind == "domain"
            and MIGRATION_WORK.match(unit.words.text)
        ):
            # "Move our legacy invoicing system to Laravel piece by piece" is what the migration steps do.
            result[unit.key] = steps[0]
    return result
