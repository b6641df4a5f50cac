"""The planner's knowledge base: YAML files under ``planner/knowledge/``, validated with pydantic.

Each file holds one or more top-level lists: ``technologies``, ``features``, ``project_types`` and
``phases``. Everything the planner says about a tool (its commands, files, steps and risks) lives in
those files, so adding a technology is a data change; see docs/planner.md for the schema.

A bad entry fails loudly on load with the file and entry named, e.g.
``web_frameworks.yaml, entry 'django': steps.0.acceptance: Field required``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from devussy.errors import ConfigError
from devussy.requirements.rules import load_rules
from devussy.validation import describe_errors

KNOWLEDGE_DIR = Path(__file__).with_name("knowledge")

PhaseKind = Literal[
    "foundation",
    "data",
    "auth",
    "core",
    "integrations",
    "ui",
    "hardening",
    "observability",
    "docs",
    "release",
]
PHASE_ORDER: tuple[str, ...] = get_args(PhaseKind)  # the order phases are planned in

Category = Literal[
    "language",
    "web_framework",
    "frontend",
    "mobile",
    "database",
    "cache",
    "search",
    "queue",
    "auth",
    "payments",
    "email",
    "messaging",
    "storage",
    "cloud",
    "deploy",
    "ci",
    "testing",
    "data",
    "ml",
    "cli",
    "game",
    "embedded",
    "infra",
    "observability",
    "api",
    "scraping",
    "platform",
    "registry",
    "desktop",  # a desktop app framework: Electron, Tauri
    "host",  # an application plugins are written for: VS Code, Home Assistant, Minecraft (Fabric)
]
# Categories whose members are third-party services an "integrations" phase wires in.
INTEGRATION_CATEGORIES = frozenset({"auth", "payments", "email", "messaging", "storage", "api"})

# Placeholders a template may use; every one has a value (or a generic wording) for every brief.
PLACEHOLDERS = frozenset(
    {
        "name",
        "slug",
        "pkg",
        "language",
        "test",
        "check",
        "run",
        "migrate",
        "init",
        "manifest",
        "db",
        "db_label",
        "framework",
        "frontend",
        "deploy",
        "payments",
        "email",
        "auth",
        "queue",
        "entity",
        "entities",
        "feature",
        "features",
        "subject",
        "ci",
        "build",
        "publish",
        "lib",
        "req",
        "thing",
        "top_features",
        "first_feature",
        "idp",
        "sensitive",
        "settings",
        "services",
        "surface",
        "chat",
        "host",
    }
)
# Placeholders of toolchain commands: {kw} snake_case test name, {Kw} PascalCase, {kwf} flat lower case,
# {kwk} kebab-case; {slug}/{pkg}/{name}/{Name}/{qname} project name forms ({qname} is shell-quoted);
# {ext} is "ts" or "js".
TOOLCHAIN_PLACEHOLDERS = frozenset({"kw", "Kw", "kwf", "kwk", "slug", "pkg", "name", "Name", "qname", "ext"})
IDENTIFIER = r"^[a-z][a-z0-9_]*$"
# libyaml's loader when PyYAML was built with it (several times faster); same safe subset either way.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KnowledgeError(ConfigError):
    """A knowledge-base file is missing, unreadable or invalid."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_placeholders(text: str) -> str:
    for _, field_name, _, _ in string.Formatter().parse(text):
        if field_name is not None and field_name not in PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {{{field_name}}} in {text!r}")
    return text


class StepTemplate(_Entry):
    """One concrete step a technology, feature, project type or phase contributes."""

    phase: PhaseKind
    title: str = Field(min_length=1, max_length=200)
    details: str = Field(min_length=1)
    acceptance: list[str] = Field(min_length=1, max_length=6)
    command: str = "{test}"
    order: int = Field(default=50, ge=0, le=100)
    optional: bool = False  # dropped first when a phase has more steps than the depth target
    when_types: list[str] = Field(default_factory=list)  # only for these project types
    unless_types: list[str] = Field(default_factory=list)  # not for these project types
    when_all: list[str] = Field(default_factory=list)  # only when these technologies/features are present
    when_any: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)  # not when any of these are present
    key: str | None = Field(default=None, pattern=IDENTIFIER)  # names a generic step others may replace
    replaces: list[str] = Field(default_factory=list)  # generic steps (keys) this more specific step does

    @field_validator("title", "details", "command")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        return _check_placeholders(value)

    @field_validator("acceptance")
    @classmethod
    def _placeholders_in_list(cls, value: list[str]) -> list[str]:
        return [_check_placeholders(item) for item in value]


class RiskTemplate(_Entry):
    risk: str = Field(min_length=1, max_length=300)
    mitigation: str = Field(min_length=1, max_length=300)


class Toolchain(_Entry):
    """Commands and files of a language or tool; later (more specific) entries override earlier ones."""

    init: str | None = None
    test: str | None = None
    # Runs one named test file or test id, so a step's command fails until its test exists:
    # "pytest tests/test_{kw}.py", "cargo test --test {kw}", "go test ./internal/{kwf}/".
    test_one: str | None = None
    check: str | None = None
    run: str | None = None
    migrate: str | None = None
    manifest: str | None = None
    build: str | None = None  # the release build ("python -m build", "cargo build --release")
    # The file ``test_one`` runs when its command names no file ("cargo test --test {kw}" → "tests/{kw}.rs").
    test_file: str | None = None
    publish: str | None = None  # a dry run of publishing ("cargo publish --dry-run")

    @field_validator("*")
    @classmethod
    def _toolchain_placeholders(cls, value: str | None) -> str | None:
        if value is not None:
            for _, field_name, _, _ in string.Formatter().parse(value):
                if field_name is not None and field_name not in TOOLCHAIN_PLACEHOLDERS:
                    allowed = ", ".join(sorted(TOOLCHAIN_PLACEHOLDERS))
                    raise ValueError(f"unknown placeholder {{{field_name}}} in {value!r} (use {allowed})")
        return value


class Matcher(_Entry):
    """How an entry is recognised in free text: aliases on word boundaries, plus optional regexes."""

    aliases: list[str] = Field(default_factory=list)  # case-insensitive, whole words
    case_sensitive: list[str] = Field(default_factory=list)  # e.g. "Go", "React": too common lower-case
    patterns: list[str] = Field(default_factory=list)  # full regexes, for context-dependent names

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regex {pattern!r}: {exc}") from exc
        return value


class Condition(_Entry):
    all: list[str] = Field(default_factory=list)  # technology ids that must all be present
    types: list[str] = Field(default_factory=list)  # and the project type is one of these
    unless: list[str] = Field(default_factory=list)  # and none of these technologies is present


class Technology(_Entry):
    id: str = Field(pattern=IDENTIFIER)
    name: str = Field(min_length=1, max_length=60)
    category: Category
    summary: str = Field(min_length=1, max_length=300)
    match: Matcher
    implies: list[str] = Field(default_factory=list)
    implied_when: list[Condition] = Field(default_factory=list)
    project_types: list[str] = Field(default_factory=list)  # votes when the brief names no type
    # The role a tool plays in some kinds of project: Playwright scrapes in a scraper, tests elsewhere.
    category_by_type: dict[str, Category] = Field(default_factory=dict)
    toolchain: Toolchain = Toolchain()
    # The usual client library per language id, for {lib} in this technology's steps.
    libraries: dict[str, str] = Field(default_factory=dict)
    steps: list[StepTemplate] = Field(default_factory=list)
    risks: list[RiskTemplate] = Field(default_factory=list)


class Feature(_Entry):
    id: str = Field(pattern=IDENTIFIER)
    name: str = Field(min_length=1, max_length=60)
    match: Matcher
    entities: list[str] = Field(default_factory=list)
    needs: list[Literal["data", "auth", "ui", "integrations"]] = Field(default_factory=list)
    points: int = Field(default=4, ge=0, le=20)
    # A feature people use gets a screen in the brief's words when the product has a UI; one that works
    # behind the scenes (ingestion, jobs, sensors) does not.
    screen: bool = True
    # The usual library per language id, for {lib} in this feature's steps ("python: watchdog").
    libraries: dict[str, str] = Field(default_factory=dict)
    steps: list[StepTemplate] = Field(min_length=1)
    risks: list[RiskTemplate] = Field(default_factory=list)


class ProjectType(_Entry):
    id: str = Field(pattern=IDENTIFIER)
    name: str
    match: Matcher
    base_points: int = Field(ge=0, le=60)
    default_language: str | None = None
    needs_data: bool = False
    # Keeps its state locally (files, the device, the cluster's API): no server database unless the
    # brief names one (a CLI, a library, a game, firmware, a mobile app, an operator).
    local_data: bool = False
    # Databases the brief names are what it manages (backs up, provisions), not where it keeps its own state.
    manages_databases: bool = False
    user_facing: bool = False  # has end users who sign in
    has_ui: bool = False
    surface: str = Field(default="the application", min_length=1)  # where a user exercises a feature
    architecture: str = Field(min_length=1)
    deliverable: str = Field(min_length=1)  # what "released" means, e.g. "a package on the registry"
    steps: list[StepTemplate] = Field(default_factory=list)
    risks: list[RiskTemplate] = Field(min_length=1)

    @field_validator("architecture")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        return _check_placeholders(value)


class PhaseSpec(_Entry):
    id: PhaseKind
    title: str
    keywords: list[str] = Field(min_length=1)  # how a (possibly user-edited) phase title is classified
    summary: str
    steps: list[StepTemplate] = Field(min_length=1)

    @field_validator("summary")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        return _check_placeholders(value)


class _KnowledgeFile(_Entry):
    technologies: list[dict[str, Any]] = Field(default_factory=list)
    features: list[dict[str, Any]] = Field(default_factory=list)
    project_types: list[dict[str, Any]] = Field(default_factory=list)
    phases: list[dict[str, Any]] = Field(default_factory=list)


@dataclass(frozen=True)
class KnowledgeBase:
    technologies: dict[str, Technology]  # in file order (files sorted by name), which is stable
    features: dict[str, Feature]
    project_types: dict[str, ProjectType]
    phases: dict[str, PhaseSpec]
    sources: dict[str, str]  # entry id -> file name, for error messages and docs

    def by_category(self, category: str) -> list[Technology]:
        return [tech for tech in self.technologies.values() if tech.category == category]


def _format_error(file_name: str, entry: str, exc: ValidationError) -> str:
    return f"{file_name}, entry {entry!r}: {describe_errors(exc, limit=None, root='(entry)')}"


def _validate_entries(
    file_name: str, kind: str, raw_entries: Iterable[dict[str, Any]], model: type[BaseModel]
) -> list[Any]:
    entries = []
    for index, raw in enumerate(raw_entries):
        label = raw.get("id", f"{kind}[{index}]") if isinstance(raw, dict) else f"{kind}[{index}]"
        try:
            entries.append(model.model_validate(raw))
        except ValidationError as exc:
            raise KnowledgeError(_format_error(file_name, str(label), exc)) from None
    return entries


def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    """Read and validate every ``*.yaml`` file in ``directory`` (uncached; see :func:`knowledge`)."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise KnowledgeError(f"no knowledge files in {directory}")
    technologies: dict[str, Technology] = {}
    features: dict[str, Feature] = {}
    project_types: dict[str, ProjectType] = {}
    phases: dict[str, PhaseSpec] = {}
    sources: dict[str, str] = {}
    for path in files:
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        except yaml.YAMLError as exc:
            raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from None
        try:
            content = _KnowledgeFile.model_validate(raw)
        except ValidationError as exc:
            raise KnowledgeError(_format_error(path.name, "(file)", exc)) from None
        groups: list[tuple[str, list[dict[str, Any]], type[BaseModel], dict[str, Any]]] = [
            ("technologies", content.technologies, Technology, technologies),
            ("features", content.features, Feature, features),
            ("project_types", content.project_types, ProjectType, project_types),
            ("phases", content.phases, PhaseSpec, phases),
        ]
        for kind, raw_entries, model, target in groups:
            for entry in _validate_entries(path.name, kind, raw_entries, model):
                if entry.id in sources:
                    raise KnowledgeError(
                        f"{path.name}, entry {entry.id!r}: id already defined in {sources[entry.id]}"
                    )
                sources[entry.id] = path.name
                target[entry.id] = entry
    kb = KnowledgeBase(technologies, features, project_types, phases, sources)
    _check_references(kb)
    return kb


def _check_references(kb: KnowledgeBase) -> None:
    known = set(kb.technologies) | set(kb.features)
    types = set(kb.project_types)

    def fail(entry_id: str, message: str) -> None:
        raise KnowledgeError(f"{kb.sources[entry_id]}, entry {entry_id!r}: {message}")

    missing_phases = set(PHASE_ORDER) - set(kb.phases)
    if missing_phases:
        raise KnowledgeError(f"knowledge base defines no phase spec for {sorted(missing_phases)}")
    for pt in kb.project_types.values():
        if pt.default_language is not None and pt.default_language not in kb.technologies:
            fail(pt.id, f"default_language {pt.default_language!r} is not a known technology")
    entries: list[Technology | Feature | ProjectType | PhaseSpec] = [
        *kb.technologies.values(),
        *kb.features.values(),
        *kb.project_types.values(),
        *kb.phases.values(),
    ]
    rules = {rule.name for rule in load_rules()}
    keys = {step.key for entry in entries for step in entry.steps if step.key}
    for entry in entries:
        for index, step in enumerate(entry.steps):
            for ref in step.replaces:
                if ref not in keys:
                    fail(entry.id, f"steps.{index}: replaces unknown step key {ref!r}")
        if isinstance(entry, (Feature, Technology)):
            for ref in entry.libraries:
                if ref not in kb.technologies:
                    fail(entry.id, f"libraries names unknown technology {ref!r}")
        if isinstance(entry, Technology):
            for ref in entry.category_by_type:
                if ref not in types:
                    fail(entry.id, f"category_by_type names unknown project type {ref!r}")
            for ref in entry.implies:
                if ref not in kb.technologies:
                    fail(entry.id, f"implies unknown technology {ref!r}")
            for cond in entry.implied_when:
                for ref in (*cond.all, *cond.unless):
                    if ref not in kb.technologies:
                        fail(entry.id, f"implied_when names unknown technology {ref!r}")
                for ref in cond.types:
                    if ref not in types:
                        fail(entry.id, f"implied_when names unknown project type {ref!r}")
            for ref in entry.project_types:
                if ref not in types:
                    fail(entry.id, f"project_types names unknown project type {ref!r}")
        for index, step in enumerate(entry.steps):
            for ref in (*step.when_all, *step.when_any, *step.unless):
                if ref not in known and ref not in kb.phases and ref not in _FLAGS and ref not in rules:
                    fail(entry.id, f"steps.{index}: condition names unknown id {ref!r}")
            for ref in (*step.when_types, *step.unless_types):
                if ref not in types:
                    fail(entry.id, f"steps.{index}: when_types names unknown project type {ref!r}")


# Conditions a step may use besides technology/feature ids.
_FLAGS = frozenset(
    {
        "has_data",
        "has_auth",
        "has_ui",
        "integrations_present",
        "has_services",
        "no_language",
        "multi_service",
        "compliance",
        "scale",
        "local_data",
        "hosted",
        "has_language",
        "unknown_language",
        "edge_device",
        "batch_only",
        "api_source",
        "service_read_only",
        "scheduled_job",  # the product is a job run on a schedule (a nightly export): no API, no HTTPS deploy
        "notify_by_chat",  # every notification the brief asks for goes to an alert-only chat platform
        "chat_alerts_only",  # a chat platform is only where alerts go: an incoming webhook, not a chat app
        "containers_named",  # the brief names Docker or containers itself (not implied by Kubernetes)
    }
)


@lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded and validated once per process."""
    return load_knowledge(KNOWLEDGE_DIR)
