"""Step templates written from the brief's own words, for what the knowledge base has no entry for.

- a feature requirement no entry knows ("members vote on proposals") gets a step titled with its
  words, and a screen when the product has a UI;
- a technology no entry knows ("Adyen", "HealthKit") gets a spike in the foundation phase and an
  integration step marked "not in the built-in knowledge base: confirm the SDK and its docs";
- a quality target no step meets, a technology whose own steps were not chosen, and a phase whose
  title matches nothing get steps built around their text.

Braces in the brief's text are replaced, so its words can never be read as placeholders.
"""

from __future__ import annotations

import re
from functools import lru_cache

from devussy.planner.analysis import Analysis
from devussy.planner.commands import name_forms
from devussy.planner.domain import DomainWords, doing, imperative, lower_first, word_set
from devussy.planner.knowledge import StepTemplate, knowledge
from devussy.planner.requirement_map import forbids, is_target
from devussy.requirements.lexicon import lexicon

UNKNOWN_MARK = "not in the built-in knowledge base: confirm the SDK and its docs"
NO_UI_TYPES = frozenset(
    {
        "game",
        "embedded",
        "cli",
        "library",
        "data_pipeline",
        "operator",
        "infrastructure",
        "chat_bot",
        "plugin",
    }
)


# Work that happens behind the scenes: nobody opens a screen to be emailed a reminder.
BACKGROUND_VERBS = word_set(
    "email text sms notify remind send post push sync import ingest fetch poll scrape crawl watch archive",
    "rotate purge expire schedule back alert page forward mirror replicate harvest collect retry",
)
# Work that only reads: it has no conflicts or limits of its own to enforce.
READING_VERBS = word_set(
    "see view show display list print read report export search find browse chart plot compare summarise",
    "summarize count query check monitor inspect analyse analyze visualise visualize download",
)


# What people receive rather than do: "residents get an SMS when their repair is done".
_MESSAGES = word_set(
    "sms text texts email emails notification notifications reminder reminders alert alerts message messages",
    "push digest digests summary summaries newsletter newsletters",
)


_COMPOSING = frozenset(
    {"write", "compose", "draft", "edit", "read", "view", "see", "browse", "search", "reply"}
)
# What has no rules of its own to enforce: reading, and work that only reacts or retries.
NO_RULES_VERBS = READING_VERBS | {
    "retry",
    "poll",
    "alert",
    "notify",
    "remind",
    "email",
    "text",
    "push",
    "log",
}


def _is_message(words: DomainWords) -> bool:
    """A message people receive ("get an SMS", "overdue books trigger an email"), not one they write."""
    last = words.thing.split()[-1].lower() if words.thing.split() else ""
    base = (lexicon().base_verb(words.verb) or words.verb) if words.verb else ""
    return last in _MESSAGES and base not in _COMPOSING


def safe(text: str, limit: int = 160) -> str:
    cleaned = text.replace("{", "(").replace("}", ")").strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def domain_templates(words: DomainWords, analysis: Analysis) -> tuple[StepTemplate, ...]:
    """Steps for a feature requirement in its own words."""
    return _domain_templates(words, analysis.project_type, analysis.flags)


@lru_cache(maxsize=2048)
def _domain_templates(
    words: DomainWords, project_type: str, flags: frozenset[str]
) -> tuple[StepTemplate, ...]:
    phrase = safe(words.text)
    keyword = words.keyword
    names = list(words.entities)
    # every record it names: "Rotavator and Trailer records", not the first one only
    entity = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else words.entity
    base = (lexicon().base_verb(words.verb) or words.verb) if words.verb else None
    existing = "existing_database" in flags or "read_only" in flags
    record = (
        f"It works with {entity} records read from {{services}} through the adapter"
        + (", and writes nothing back." if "read_only" in flags else ".")
        if entity and "api_source" in flags
        else "It reads what it needs from {services} through the adapter."
        if "api_source" in flags
        else f"It works with {entity} records: map them from the existing tables (never a schema change); if "
        "they are not there, stop and ask where they should live."
        if entity and "has_data" in flags and existing
        else f"It keeps {entity} records: add them to the data model if the data phase did not."
        if entity and "has_data" in flags
        else "It reads the records the other features keep and stores nothing of its own."
        if "has_data" in flags and base in READING_VERBS
        else (
            "The brief names no record for it: settle what it stores before writing code (see the open "
            "questions in handoff.md)."
            if "has_data" in flags
            else ""
        )
    )
    read_only = " It only reads: no write path, no migration." if "read_only" in flags else ""
    who = (
        "\n- A user without the right role gets a clear refusal, and the attempt is tested"
        if "has_auth" in flags
        else ""
    )
    action = imperative(words)
    core = StepTemplate(
        phase="core",
        order=30,
        title=safe(action, 120),
        details=(
            f'Build "{phrase}" end to end through {{surface}}: the behaviour, its input validation and its '
            "failure cases, with its logic apart from the interface so it is tested directly. "
            f"{record}{read_only} Write the examples first as tests — the main path, invalid input"
            + (", a forbidden case" if who else "")
            + " — then the code."
        ),
        acceptance=[
            f'"{safe(words.title, 200)}" works end to end through {{surface}}, shown by a test',
            "Invalid input is rejected with a message that names the problem, and nothing changes",
            *([who.strip("\n- ")] if who else []),
        ],
        command="{test:" + keyword + "}",
    )
    templates = [core]
    changes_records = (
        "has_data" in flags
        and not existing
        and "api_source" not in flags
        and base not in NO_RULES_VERBS
        and not _is_message(words)
    )
    if changes_records and base is not None:
        thing = safe(words.thing, 80)
        templates.append(
            StepTemplate(
                phase="core",
                order=30,
                title=safe(f"Rules for {doing(words)}", 120),
                details=(
                    f'Write down and enforce the rules "{phrase}" implies, in the service layer and the '
                    f"database rather than only in {{surface}}: who may do it, its limits, and what happens "
                    f"when two people act on the same {thing} at once (exactly one wins: a uniqueness "
                    "constraint or a transaction, not a check-then-write). A rule the brief does not state "
                    "is an open question to settle (see handoff.md), not a guess."
                ),
                acceptance=[
                    f"Two concurrent requests for the same {thing} leave exactly one change, shown by a test",
                    "Each rule has a test that fails when the rule is removed",
                ],
                command="{test:" + keyword + "_rules}",
            )
        )
    background = base in BACKGROUND_VERBS or _is_message(words)
    if "has_ui" in flags and project_type not in NO_UI_TYPES and not background:
        templates.append(
            StepTemplate(
                phase="ui",
                order=40,
                title=safe(
                    f"Screen to {lower_first(action)}" if base else f"Screen for {words.text}",
                    120,
                ),
                details=(
                    f'Add the screen for "{phrase}" in {{frontend}} on top of the core step: the form or '
                    "view it needs, with loading, empty and error states, and a visible confirmation."
                ),
                acceptance=[
                    f'"{safe(words.title, 200)}" can be done from the UI without reloading, with a visible '
                    "confirmation",
                    "A failed request keeps what the user entered and shows the error next to it",
                ],
                command="{test:" + keyword + " screen}",
            )
        )
    return tuple(templates)


@lru_cache(maxsize=1024)
def unknown_templates(name: str, words: DomainWords, service: bool = True) -> tuple[StepTemplate, ...]:
    """A spike and an integration step for a service the knowledge base does not know; a spike alone for
    a tool the product is built with or runs on (a framework, an engine, a model, a board, a language)."""
    shown = safe(name, 80)
    forms = name_forms(name)
    purpose = safe(words.text, 120)
    if not service:
        return (
            StepTemplate(
                phase="foundation",
                order=25,
                title=f"Spike: {shown} — confirm it fits",
                details=(
                    f"{shown} is {UNKNOWN_MARK} before building on it. Find its current version, "
                    "documentation and licence, check it supports {language} and the platforms the plan "
                    f"targets, and build the smallest piece the plan needs with it ({purpose}); write down "
                    f"the version, limits and surprises in docs/spikes/{forms['kwk']}.md."
                ),
                acceptance=[
                    f"docs/spikes/{forms['kwk']}.md names the {shown} version, its docs and its licence",
                    f"A test exercises the smallest piece built with {shown}",
                ],
                command="{test:" + forms["kw"] + "}",
            ),
        )
    spike = StepTemplate(
        phase="foundation",
        order=25,
        title=f"Spike: {shown} — confirm the SDK and its docs",
        details=(
            f"{shown} is {UNKNOWN_MARK} before building on it. Find its official SDK or API for "
            f"{{language}}, its documentation, how it authenticates and whether it has a sandbox or test "
            f"account; make one real call the plan needs ({purpose}) from a throwaway script, and write down "
            f"the SDK and version, limits, pricing and surprises in docs/spikes/{forms['kwk']}.md."
        ),
        acceptance=[
            f"docs/spikes/{forms['kwk']}.md names the {shown} SDK or API, its version, its docs and how to "
            "authenticate",
            f"A contract test makes one real call to {shown} (skipped when its credentials are absent)",
        ],
        command="{test:" + forms["kw"] + "_contract}",
    )
    integrate = StepTemplate(
        phase="integrations",
        order=65,
        title=f"Integrate {shown} ({UNKNOWN_MARK})",
        details=(
            f"The brief names {shown} ({purpose}). Put it behind an adapter module with an interface the "
            "features call, a fake for tests, credentials from the environment, explicit timeouts and "
            "retries, following what the spike found."
        ),
        acceptance=[
            f"Features reach {shown} only through the adapter; tests run against the fake",
            f"A failing or slow {shown} call ends with a clear error, never a hang",
        ],
        command="{test:" + forms["kw"] + "}",
    )
    return (spike, integrate)


_COVERAGE = re.compile(r"\bcoverage\b", re.IGNORECASE)
_TYPING = re.compile(r"\btype\s+(?:hints|annotations|checking)\b|\btyping\b|\btyped\b", re.IGNORECASE)


def quality_template(words: DomainWords) -> StepTemplate:
    phrase = safe(words.text)
    if is_target(words.text):
        target = lower_first(imperative(words, 16, whole=True)) if words.verb else words.text
        # a size and a time: a benchmark on generated input of that size, not a timed unit test
        return StepTemplate(
            phase="hardening",
            order=35,
            title=f"Benchmark: {safe(target, 150)}",
            details=(
                f'Turn "{phrase}" into a benchmark: a script that generates input of the stated size (kept '
                "out of the repository), runs the real code path on it and prints the time and peak memory "
                "as JSON; profile and fix what misses the target, and write down the machine it was "
                "measured on. CI runs it on a smaller input and compares against the last run."
            ),
            acceptance=[
                f'The benchmark shows "{safe(words.title, 200)}" is met on the stated input size',
                "Peak memory stays flat as the input grows (streamed, not loaded whole)",
            ],
            command="{test:" + words.keyword + "_benchmark}",
        )
    if forbids(words.text):
        return StepTemplate(
            phase="hardening",
            order=35,
            title=f"Enforce the limit: {safe(lower_first(words.text), 160)}",
            details=(
                f'"{phrase}" is a limit, not a feature: enforce it where the data lives (a check at the '
                "point of use, a scheduled clean-up, a setting that cannot be exceeded) and test that the "
                "forbidden state never occurs."
            ),
            acceptance=[f'A test shows "{safe(words.title, 200)}" holds and fails without the limit'],
            command="{test:" + words.keyword + "}",
        )
    how = "a test, a benchmark or a linter rule"
    if _COVERAGE.search(words.text):
        how = "the test runner's coverage report with a minimum the build fails below, branches included"
    elif _TYPING.search(words.text):
        how = "the type checker in strict mode over the whole package, including its public API"
    return StepTemplate(
        phase="hardening",
        order=35,
        title=f"Meet the target: {safe(words.text, 170)}",
        details=(
            f'Turn "{phrase}" into a measurable check that runs in CI ({how}) and fix what fails; write down '
            "how it is measured."
        ),
        acceptance=[f'A check for "{safe(words.title, 200)}" runs in CI and fails when the target is missed'],
        command="{test:" + words.keyword + "}",
    )


def technology_template(tid: str, kind: str) -> StepTemplate:
    tech = knowledge().technologies[tid]
    return StepTemplate(
        phase=kind,  # type: ignore[arg-type]
        order=60,
        title=f"Set up {tech.name}",
        details=(
            f"Add {tech.name} ({safe(tech.summary, 200)}) where the design places it, configured from the "
            "environment, with a test that exercises it."
        ),
        acceptance=[f"A test exercises the code path that uses {tech.name}"],
        command="{test:" + tech.id + "}",
    )


def custom_templates(title: str) -> list[StepTemplate]:
    """A phase whose title matches nothing: specify, build and verify what the title says."""
    subject = safe(title, 150)
    keyword = name_forms(subject)["kw"][:40] or "feature"
    return [
        StepTemplate(
            phase="core",
            order=10,
            title=f"Specify: {subject}",
            details=(
                f'Write down what "{subject}" must do as concrete examples (inputs, expected results, '
                "failure cases) and turn them into failing tests before implementing."
            ),
            acceptance=["Each example is a test that fails before the work starts"],
            command="{test:" + keyword + "}",
        ),
        StepTemplate(
            phase="core",
            order=30,
            title=f"Implement: {subject}",
            details=(
                f'Implement "{subject}" in small commits on top of the existing modules, reusing the '
                "service and data-access layers rather than adding parallel paths."
            ),
            acceptance=["All tests written for this phase pass", "No existing test regresses"],
            command="{test:" + keyword + "}",
        ),
        StepTemplate(
            phase="core",
            order=60,
            title=f"Verify and document: {subject}",
            details=(
                f'Test "{subject}" end to end, including the failure cases, and document the behaviour '
                "for users and maintainers."
            ),
            acceptance=["The behaviour is documented", "An end-to-end test covers the main path"],
            command="{test}",
        ),
    ]
