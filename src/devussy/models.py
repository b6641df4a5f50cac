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
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

STEP_ID_PATTERN = r"^[1-9]\d*\.[1-9]\d*$"
REQUIREMENT_ID_PATTERN = r"^R[1-9]\d{0,3}$"

ShortText = Annotated[str, Field(min_length=1, max_length=500)]
LongText = Annotated[str, Field(min_length=1, max_length=50_000)]
OptionalText = Annotated[str, Field(max_length=50_000)]
StepId = Annotated[str, Field(pattern=STEP_ID_PATTERN)]
RequirementId = Annotated[str, Field(pattern=REQUIREMENT_ID_PATTERN, description="'R<n>', e.g. 'R3'")]
RequirementKind = Literal["feature", "integration", "constraint", "non_goal", "quality"]
RequirementSource = Literal["brief", "interview", "design"]
# Kinds a plan must cover with at least one step; constraints and non-goals must not be contradicted.
COVERED_KINDS: tuple[RequirementKind, ...] = ("feature", "integration")
GUARDED_KINDS: tuple[RequirementKind, ...] = ("constraint", "non_goal")
MAX_REQUIREMENTS = 100


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
    cost: float | None = Field(
        default=None,
        ge=0,
        description="USD, when the provider reports it or a price table is configured; in a sum, the cost "
        "of the parts whose cost is known.",
    )

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        costs = [usage.cost for usage in (self, other) if usage.cost is not None]
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost=round(sum(costs), 6) if costs else None,
        )


class UnitUsage(DevussyModel):
    """What one unit of a run (a stage, or one phase's detail) used."""

    stage: Annotated[str, Field(min_length=1, max_length=50)] = Field(description="The stage's name.")
    phase: int | None = Field(default=None, description="Only for a phase detail.")
    usage: Usage
    reused: bool = Field(default=False, description="Reused from a checkpoint: spent by an earlier run.")


class UsageReport(DevussyModel):
    """Usage per unit of a run and in total (``plan.json``'s ``usage``)."""

    total: Usage = Field(default_factory=Usage)
    units: list[UnitUsage] = Field(default_factory=list)

    @classmethod
    def of(cls, units: list[UnitUsage]) -> UsageReport:
        total = Usage()
        for unit in units:
            total = total + unit.usage
        return cls(total=total, units=units)


class Requirement(DevussyModel):
    """One thing the user asked for, numbered so every phase and step can cite it (DESIGN §6)."""

    id: RequirementId
    text: ShortText
    kind: RequirementKind = "feature"
    source: RequirementSource = "brief"


def repeated_ids(ids: Iterable[str]) -> list[str]:
    """The ids that occur more than once, in id order (R2 before R10; safe on ids not yet validated)."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for requirement_id in ids:
        (repeated if requirement_id in seen else seen).add(requirement_id)
    return sorted(repeated, key=lambda i: (len(i), i))


def check_requirement_ids(requirements: list[Requirement]) -> list[Requirement]:
    """Ids are unique; the error names every duplicate."""
    duplicates = repeated_ids(r.id for r in requirements)
    if duplicates:
        raise ValueError(f"duplicate requirement ids: {', '.join(duplicates)}")
    return requirements


def _id_order(requirement_id: str) -> int:
    return int(requirement_id[1:])


def check_cited_ids(cited: list[str]) -> list[str]:
    """A phase's ``requirements`` or a step's ``covers``: each id once, in R-number order."""
    return sorted(set(cited), key=_id_order)


Requirements = Annotated[
    list[Requirement], Field(max_length=MAX_REQUIREMENTS), AfterValidator(check_requirement_ids)
]
CitedIds = Annotated[list[RequirementId], Field(max_length=MAX_REQUIREMENTS), AfterValidator(check_cited_ids)]


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
    requirements: Requirements = Field(
        default_factory=list, description="Numbered requirements stated in the brief or the interview."
    )


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
    # None when the engine named the risk without a mitigation: a gap, never made up.
    mitigation: ShortText | None = None


class ProjectDesign(DevussyModel):
    """A design needs a summary; every other part may be empty when the engine gave none (a section
    it left out stays empty, never invented). The artifacts show an empty part as such."""

    project_name: ShortText
    summary: LongText
    objectives: list[ShortText] = Field(default_factory=list, max_length=50)
    tech_stack: list[ShortText] = Field(default_factory=list, max_length=80)
    architecture: OptionalText = ""
    data_model: OptionalText = ""
    risks: list[Risk] = Field(default_factory=list, max_length=50)
    testing_strategy: OptionalText = ""
    requirements: Requirements = Field(
        default_factory=list,
        description="The numbered requirements the plan must cover (the brief's, plus any the design adds).",
    )
    # Context carried along so later stages (and the offline planner) stay specific to the brief.
    brief: ProjectBrief | None = None
    complexity: ComplexityProfile | None = None


class Step(DevussyModel):
    id: str = Field(pattern=STEP_ID_PATTERN, description="'<phase>.<step>', e.g. '2.3'")
    title: ShortText
    details: LongText
    # Empty / None when the engine gave none: a gap the artifacts and the coverage report flag,
    # never something made up.
    acceptance_criteria: list[ShortText] = Field(default_factory=list, max_length=30)
    test_command: ShortText | None = None
    depends_on: list[StepId] = Field(default_factory=list)
    covers: CitedIds = Field(default_factory=list, description="Ids of the requirements this step serves.")


class Phase(DevussyModel):
    number: int = Field(ge=1, le=99)
    title: ShortText
    summary: LongText
    depends_on: list[int] = Field(default_factory=list)
    requirements: CitedIds = Field(
        default_factory=list, description="Ids of the requirements this phase serves."
    )
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
    requirements: Requirements = Field(default_factory=list, description="What the phases and steps cite.")
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

    @model_validator(mode="after")
    def _citations_known(self) -> DevPlan:
        """Every cited requirement id exists (when the plan carries its requirements)."""
        if not self.requirements:
            return self
        known = {r.id for r in self.requirements}
        unknown: dict[str, set[str]] = {}
        for phase in self.phases:
            for cited_by, ids in [(f"phase {phase.number}", phase.requirements)] + [
                (f"step {step.id}", step.covers) for step in phase.steps
            ]:
                for requirement_id in ids:
                    if requirement_id not in known:
                        unknown.setdefault(requirement_id, set()).add(cited_by)
        if unknown:
            details = "; ".join(
                f"{rid} (cited by {', '.join(sorted(unknown[rid]))})"
                for rid in sorted(unknown, key=_id_order)
            )
            raise ValueError(f"unknown requirement ids: {details}")
        return self

    def requirement(self, requirement_id: str) -> Requirement:
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(requirement_id)

    def phase(self, number: int) -> Phase:
        for phase in self.phases:
            if phase.number == number:
                return phase
        raise KeyError(number)

    def with_phase(self, detailed: Phase) -> DevPlan:
        """A copy of the plan with one phase replaced (matched by number)."""
        phases = [detailed if p.number == detailed.number else p for p in self.phases]
        return self.model_copy(update={"phases": phases})


CoverageStatus = Literal["covered", "planned", "uncovered", "respected", "violated"]
GapKind = Literal["acceptance_criteria", "test_command", "covers"]


class Violation(DevussyModel):
    """A step that contradicts a constraint or non-goal, found by a rule in code."""

    requirement: RequirementId
    step: StepId
    rule: ShortText = Field(description="The rule that fired, e.g. 'existing_database'.")
    message: ShortText = Field(description="Why the step contradicts the requirement.")


class RequirementCoverage(DevussyModel):
    id: RequirementId
    kind: RequirementKind
    status: CoverageStatus = Field(
        description="covered (a step covers it), planned (a phase that is not detailed yet cites it), "
        "uncovered, respected (a constraint nothing contradicts) or violated."
    )
    steps: list[StepId] = Field(default_factory=list, description="Covering steps, or violating ones.")
    phases: list[int] = Field(default_factory=list, description="Phases that cite it.")


class StepGap(DevussyModel):
    """Something a step lacks: kept as a gap and flagged, never invented."""

    step: StepId
    missing: list[GapKind] = Field(min_length=1)


class CoverageReport(DevussyModel):
    """How a plan covers its requirements (computed by code, see ``devussy.requirements.coverage``)."""

    requirements: list[RequirementCoverage] = Field(default_factory=list)
    violations: list[Violation] = Field(default_factory=list)
    gaps: list[StepGap] = Field(default_factory=list)
    pending_phases: list[int] = Field(default_factory=list, description="Phases with no steps yet.")

    def with_status(self, *statuses: CoverageStatus) -> list[RequirementCoverage]:
        return [entry for entry in self.requirements if entry.status in statuses]

    @property
    def ok(self) -> bool:
        """Every feature/integration requirement covered or still planned, and no violation."""
        return not self.violations and not any(
            entry.status == "uncovered" and entry.kind in COVERED_KINDS for entry in self.requirements
        )


ReviewSource = Literal["rules", "reviewer"]


class ReviewFinding(DevussyModel):
    """Something wrong with a design: found by a rule in code, or by the LLM reviewer."""

    source: ReviewSource
    rule: Annotated[str, Field(min_length=1, max_length=60)] = Field(
        description="The rule that fired (e.g. 'requirement_not_addressed'), or 'reviewer'."
    )
    message: ShortText
    requirement: RequirementId | None = Field(default=None, description="The requirement concerned, if any.")


class ReviewNotes(DevussyModel):
    """What the LLM reviewer found (each a short, actionable problem; empty: nothing)."""

    project_name: ShortText
    findings: list[ShortText] = Field(default_factory=list, max_length=30)


class DesignReview(DevussyModel):
    """The design review (``review.md``): rule checks, optionally an LLM reviewer, and what one
    correction round made of their findings."""

    findings: list[ReviewFinding] = Field(default_factory=list, description="Found in the design as written.")
    reviewer: bool = Field(default=False, description="An LLM reviewer read the design too.")
    corrected: bool = Field(default=False, description="One correction round rewrote the design.")
    remaining: list[ReviewFinding] = Field(
        default_factory=list, description="Rule findings still true of the final design."
    )
    note: ShortText | None = Field(
        default=None, description="Why there was no correction, if there was none."
    )

    @property
    def clean(self) -> bool:
        return not self.findings


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
        Requirement,
        CoverageReport,
        UsageReport,
        DesignReview,
    ]
    schemas = {model.__name__: model.model_json_schema(by_alias=True) for model in models}
    return json.dumps(schemas, indent=2, sort_keys=True)
