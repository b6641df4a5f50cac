"""Domain models shared by every part of Devussy.

Python code uses snake_case attributes; JSON (API bodies, ``plan.json``, the web UI) uses camelCase.
Both spellings are accepted on input, and unknown fields are ignored so that a newer front end can
talk to an older server.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

STEP_ID_PATTERN = r"^[1-9]\d*\.[1-9]\d*$"

ShortText = Annotated[str, Field(min_length=1, max_length=500)]
LongText = Annotated[str, Field(min_length=1, max_length=50_000)]


class DevussyModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="ignore",
        str_strip_whitespace=True,
    )

    def to_json_dict(self) -> dict[str, Any]:
        """The camelCase JSON form, as sent over the API and written to plan.json."""
        return self.model_dump(mode="json", by_alias=True)


class Usage(DevussyModel):
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class ProjectBrief(DevussyModel):
    """What the user wants built: the free-text idea plus whatever structure is known."""

    name: ShortText
    summary: LongText
    goals: list[ShortText] = Field(default_factory=list, max_length=50)
    languages: list[ShortText] = Field(default_factory=list, max_length=50)
    frameworks: list[ShortText] = Field(default_factory=list, max_length=50)
    data_stores: list[ShortText] = Field(default_factory=list, max_length=50)
    integrations: list[ShortText] = Field(default_factory=list, max_length=50)
    constraints: list[ShortText] = Field(default_factory=list, max_length=50)
    deployment: ShortText | None = None
    team_size: int | None = Field(default=None, ge=1, le=10_000)


class ComplexityFactor(DevussyModel):
    name: ShortText
    points: int
    reason: ShortText


class ComplexityProfile(DevussyModel):
    """Deterministic sizing of a project; drives how many phases and steps the plan gets."""

    score: int = Field(ge=0, le=100)
    level: Literal["minimal", "standard", "complex", "enterprise"]
    factors: list[ComplexityFactor] = Field(default_factory=list)
    phase_count: int = Field(ge=1, le=20)
    depth: int = Field(ge=1, le=20, description="Target number of steps per phase.")


class Risk(DevussyModel):
    risk: ShortText
    mitigation: ShortText


class ProjectDesign(DevussyModel):
    project_name: ShortText
    summary: LongText
    objectives: list[ShortText] = Field(min_length=1, max_length=50)
    tech_stack: list[ShortText] = Field(min_length=1, max_length=80)
    architecture: LongText
    data_model: LongText
    risks: list[Risk] = Field(min_length=1, max_length=50)
    testing_strategy: LongText
    # Context carried along so later stages (and the offline planner) stay specific to the brief.
    brief: ProjectBrief | None = None
    complexity: ComplexityProfile | None = None


class Step(DevussyModel):
    id: str = Field(pattern=STEP_ID_PATTERN, description="'<phase>.<step>', e.g. '2.3'")
    title: ShortText
    details: LongText
    acceptance_criteria: list[ShortText] = Field(min_length=1, max_length=30)
    test_command: ShortText
    depends_on: list[Annotated[str, Field(pattern=STEP_ID_PATTERN)]] = Field(default_factory=list)


class Phase(DevussyModel):
    number: int = Field(ge=1, le=99)
    title: ShortText
    summary: LongText
    depends_on: list[int] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list, max_length=60)

    @field_validator("depends_on")
    @classmethod
    def _no_self_dependency(cls, value: list[int], info: Any) -> list[int]:
        number = info.data.get("number")
        if number is not None and number in value:
            raise ValueError(f"phase {number} cannot depend on itself")
        return sorted(set(value))

    @model_validator(mode="after")
    def _steps_belong_to_phase(self) -> Phase:
        ids = [step.id for step in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError(f"phase {self.number} has duplicate step ids")
        for step in self.steps:
            if int(step.id.split(".")[0]) != self.number:
                raise ValueError(f"step {step.id} does not belong to phase {self.number}")
        return self


class DevPlan(DevussyModel):
    project_name: ShortText
    summary: LongText
    phases: list[Phase] = Field(min_length=1, max_length=40)
    tech_stack: list[ShortText] = Field(default_factory=list, max_length=80)
    brief: ProjectBrief | None = None
    complexity: ComplexityProfile | None = None

    @model_validator(mode="after")
    def _phase_numbers_consistent(self) -> DevPlan:
        numbers = [phase.number for phase in self.phases]
        if len(numbers) != len(set(numbers)):
            raise ValueError("phase numbers must be unique")
        known = set(numbers)
        for phase in self.phases:
            missing = [dep for dep in phase.depends_on if dep not in known]
            if missing:
                raise ValueError(f"phase {phase.number} depends on unknown phases {missing}")
        return self

    def phase(self, number: int) -> Phase:
        for phase in self.phases:
            if phase.number == number:
                return phase
        raise KeyError(number)

    def with_phase(self, detailed: Phase) -> DevPlan:
        """A copy of the plan with one phase replaced (matched by number)."""
        phases = [detailed if p.number == detailed.number else p for p in self.phases]
        return self.model_copy(update={"phases": phases})


class Handoff(DevussyModel):
    project_name: ShortText
    prompt: LongText = Field(description="Markdown prompt for the next agent or developer.")
    start_phase: int | None = Field(default=None, ge=1, le=99)  # a phase number (Phase.number)
    start_step: str | None = Field(default=None, pattern=STEP_ID_PATTERN)


class ChatTurn(DevussyModel):
    role: Literal["user", "assistant"]
    content: Annotated[str, Field(max_length=20_000)]


class InterviewReply(DevussyModel):
    reply: LongText
    brief: ProjectBrief | None = None

    @property
    def complete(self) -> bool:
        return self.brief is not None


class ModelConfig(DevussyModel):
    """A request's choice among what the server offers (``modelConfig`` in API bodies)."""

    provider: Annotated[str, Field(min_length=1, max_length=50)] | None = None  # an engine the server has
    model: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, ge=1, le=200_000)


MAX_SLUG_LENGTH = 60


def slugify(text: str) -> str:
    """A short ASCII name for folders and files: "Café Menu" → ``cafe-menu``.

    Accents fold to their letter. Letters with no ASCII form (Cyrillic, CJK, …) and names longer than
    ``MAX_SLUG_LENGTH`` get a short hash of the whole name, so different names never share a folder
    ("Проект" → ``project-1f0c7b2e``); a name is never cut into a path the file system refuses.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    slug = re.sub(r"[^a-z0-9]+", "-", decomposed.encode("ascii", "ignore").decode().lower()).strip("-")
    lost = any(char.isalnum() and not char.isascii() for char in decomposed)
    if not lost and len(slug) <= MAX_SLUG_LENGTH:
        return slug or "project"
    digest = hashlib.sha256(unicodedata.normalize("NFC", text.strip()).encode("utf-8", "replace")).hexdigest()
    head = slug[: MAX_SLUG_LENGTH - 9]
    if len(slug) > len(head) and "-" in head:
        head = head[: head.rindex("-")]  # cut between words
    return f"{head.strip('-') or 'project'}-{digest[:8]}"


def export_json_schema() -> str:
    """JSON schema of every domain model, keyed by model name (``devussy schema`` prints it)."""
    models: list[type[DevussyModel]] = [
        ProjectBrief,
        ComplexityProfile,
        ProjectDesign,
        DevPlan,
        Phase,
        Step,
        Handoff,
        Usage,
        ChatTurn,
        InterviewReply,
    ]
    schemas = {model.__name__: model.model_json_schema(by_alias=True) for model in models}
    return json.dumps(schemas, indent=2, sort_keys=True)
