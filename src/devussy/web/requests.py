"""Request bodies: reading them safely and validating them into typed request models.

Field names are the front end's camelCase (DESIGN §4); unknown fields are ignored.
"""

from __future__ import annotations

import json
import re
from io import BufferedIOBase
from typing import Annotated, Any, TypeVar

from pydantic import AliasChoices, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from devussy.models import (
    ChatTurn,
    DesignReview,
    DevPlan,
    DevussyModel,
    Handoff,
    LongText,
    ModelConfig,
    ProjectBrief,
    ProjectDesign,
    ShortText,
    UsageReport,
)
from devussy.requirements.edited import EditedRequirements, with_requirements
from devussy.validation import describe_errors
from devussy.web.errors import HTTPError
from devussy.web.headers import Headers


def derive_name(idea: str) -> str:
    """A project name from the idea, as the CLI names it (the planner is imported only when needed)."""
    from devussy.planner.interview import name_from_idea

    return name_from_idea(idea)


RequestT = TypeVar("RequestT", bound=DevussyModel)

# A too-large body up to this size is read and dropped (by the endpoint layer) so the client can read
# our 413 before we close; a larger Content-Length gets its 413 at once and the connection closes.
DRAIN_LIMIT = 4 * 1024 * 1024
_DIGITS = re.compile(r"[0-9]{1,30}")
# Longest integer a body may hold; Python refuses to parse more than 4 300 digits, nothing needs 100.
MAX_INT_DIGITS = 100


def _split_commas(value: Any) -> Any:
    """The original front end sent some lists as comma-separated text; accept both."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


TextList = Annotated[list[ShortText], BeforeValidator(_split_commas), Field(max_length=50)]


class APIRequest(DevussyModel):
    llm_config: ModelConfig | None = Field(
        default=None,
        validation_alias=AliasChoices("modelConfig", "model_config"),
        serialization_alias="modelConfig",
        description="Optional choice among the models the server offers.",
    )


class InterviewRequest(APIRequest):
    user_input: Annotated[str, Field(min_length=1, max_length=20_000)]
    history: list[ChatTurn] = Field(default_factory=list, max_length=200)


Instruction = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        description="Refine by asking: what to change in the previous result, in plain words.",
    ),
]
REQUIREMENTS_FIELD = Field(
    default=None,
    description="The user's reviewed list: replaces the one the input carries. Duplicate ids, empty text, "
    "or ids the plan cites that the list lacks are a 422 naming the ids.",
)


class DesignRequest(APIRequest):
    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["requirements"]}, {"required": ["brief"]}]}
    )

    project_name: ShortText | None = Field(
        default=None, description="Without one, the project is named from the idea (as `devussy plan` does)."
    )
    requirements: LongText | None = Field(default=None, description="The free-text project idea.")
    languages: TextList = Field(default_factory=list)
    frameworks: TextList = Field(default_factory=list)
    apis: TextList = Field(default_factory=list)
    brief: ProjectBrief | None = Field(default=None, description="A full brief; wins over the fields above.")
    review: bool = Field(
        default=False,
        description="After the rule checks (always), an LLM reviewer reads the design and one correction "
        "round applies every finding; the done event's review says what was found and corrected.",
    )
    instruction: Instruction | None = None
    previous_design: ProjectDesign | None = Field(
        default=None, description="The design the instruction revises (LLM engines quote it)."
    )

    @model_validator(mode="after")
    def _brief_or_idea(self) -> DesignRequest:
        if self.brief is None and self.requirements is None:
            raise ValueError("give requirements (the idea), or a full brief")
        return self

    def to_brief(self) -> ProjectBrief:
        if self.brief is not None:
            return self.brief
        assert self.requirements is not None
        return ProjectBrief(
            name=self.project_name or derive_name(self.requirements),
            summary=self.requirements,
            languages=self.languages,
            frameworks=self.frameworks,
            integrations=self.apis,
        )


class BasicPlanRequest(APIRequest):
    design: ProjectDesign
    project_name: ShortText | None = None
    requirements: EditedRequirements | None = REQUIREMENTS_FIELD
    instruction: Instruction | None = None
    previous_plan: DevPlan | None = Field(
        default=None, description="The plan the instruction revises (LLM engines quote it)."
    )

    def to_design(self) -> ProjectDesign:
        """The design, carrying the edited requirement list when one was sent."""
        if self.requirements is None:
            return self.design
        return self.design.model_copy(update={"requirements": list(self.requirements)})


class DetailRequest(APIRequest):
    plan: DevPlan = Field(validation_alias=AliasChoices("plan", "basicPlan"))
    phase_number: int = Field(ge=1, le=99)
    project_name: ShortText | None = None
    # False while the plan is still streaming (the web UI's run-everything mode starts details early).
    plan_complete: bool = True
    requirements: EditedRequirements | None = REQUIREMENTS_FIELD
    design: ProjectDesign | None = Field(
        default=None, description="The design, so the prompt can quote its architecture and data model."
    )
    instruction: Instruction | None = Field(
        default=None,
        description="Refine by asking: regenerate this phase following the instruction (the plan's phase "
        "holds the previous steps).",
    )

    @model_validator(mode="after")
    def _plan_with_requirements(self) -> DetailRequest:
        if self.requirements is not None:
            self.plan = with_requirements(self.plan, list(self.requirements))
        return self


class HandoffRequest(APIRequest):
    design: ProjectDesign
    plan: DevPlan


class CoverageRequest(DevussyModel):
    plan: DevPlan = Field(validation_alias=AliasChoices("plan", "basicPlan"))
    requirements: EditedRequirements | None = REQUIREMENTS_FIELD

    @model_validator(mode="after")
    def _plan_with_requirements(self) -> CoverageRequest:
        if self.requirements is not None:
            self.plan = with_requirements(self.plan, list(self.requirements))
        return self


class ArtifactsRequest(DevussyModel):
    design: ProjectDesign | None = None
    plan: DevPlan = Field(validation_alias=AliasChoices("plan", "basicPlan"))
    handoff: Handoff | None = None
    review: DesignReview | None = Field(default=None, description="The design's review: becomes review.md.")
    usage: UsageReport | None = Field(default=None, description="Tokens and cost per stage, for plan.json.")


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def content_length(headers: Headers) -> int | None:
    """The one Content-Length, as a number (None if absent); HTTPError 400 for anything odd.

    Only plain digits: ``int()`` would also take ``+5``, ``1_000``, `` 5 `` or non-ASCII digits, and a
    second, different Content-Length is how request smuggling starts.
    """
    get_all = getattr(headers, "get_all", None)  # email.message.Message keeps repeated headers
    found: list[str | None] = (
        get_all("Content-Length") or [] if get_all is not None else [headers.get("Content-Length")]
    )
    values = [value for value in found if value is not None]
    if not values:
        return None
    if len(values) > 1:
        raise HTTPError(400, "send one Content-Length header, not several", "invalid_request")
    raw = values[0].strip()
    if raw == "":
        return None
    if not _DIGITS.fullmatch(raw):
        raise HTTPError(400, "Content-Length must be a whole number of bytes", "invalid_request")
    return int(raw)


def read_body(headers: Headers, rfile: BufferedIOBase, max_bytes: int) -> bytes:
    """The raw body, or an HTTPError for a missing/too-large/unreadable one (a too-large one is not read)."""
    if headers.get("Transfer-Encoding", "").strip().lower() not in ("", "identity"):
        raise HTTPError(411, "send the body with a Content-Length", "length_required")
    length = content_length(headers)
    if length is None:
        return b""
    if length > max_bytes:
        raise HTTPError(413, f"the body is larger than {max_bytes} bytes", "body_too_large")
    try:
        body = rfile.read(length)
    except (TimeoutError, OSError):
        raise HTTPError(408, "timed out reading the request body", "request_timeout") from None
    if len(body) < length:
        raise HTTPError(400, "the body is shorter than its Content-Length", "invalid_request")
    return body


def drain(rfile: BufferedIOBase, length: int) -> None:
    """Read and drop ``length`` bytes (stopping early at the end of input or an error)."""
    try:
        while length > 0:
            chunk = rfile.read(min(length, 65536))
            if not chunk:
                return
            length -= len(chunk)
    except (TimeoutError, OSError, ValueError):
        return


class _NotAccepted(ValueError):
    """Valid JSON this API does not take (an infinite or overlong number)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise _NotAccepted(f"the number {shown} is too large")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _NotAccepted(f"a number has more than {MAX_INT_DIGITS} digits")
    return int(text)


def _has_lone_surrogate(data: Any) -> bool:
    """True if a string (or key) holds half a UTF-16 surrogate pair, which no UTF-8 writer accepts."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def parse_json_object(headers: Headers, body: bytes) -> dict[str, Any]:
    if not _is_json(headers.get("Content-Type", "")):
        raise HTTPError(415, "send the body as application/json", "unsupported_media_type")
    if not body.strip():
        raise HTTPError(400, "the request body is empty; send a JSON object", "invalid_json")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPError(
            400, f"the body is not UTF-8 text (a bad byte at position {exc.start})", "invalid_json"
        ) from None
    try:
        data = json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_bounded_int
        )
    except json.JSONDecodeError as exc:
        raise HTTPError(
            400,
            f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            "invalid_json",
        ) from None
    except RecursionError:
        raise HTTPError(400, "the body is not accepted: JSON nested too deeply", "invalid_json") from None
    except _NotAccepted as exc:
        raise HTTPError(400, f"the body is not accepted: {exc}", "invalid_json") from None
    except ValueError as exc:  # NaN, Infinity
        raise HTTPError(400, f"the body is not valid JSON: {exc}", "invalid_json") from None
    if not isinstance(data, dict):
        raise HTTPError(422, "the body must be a JSON object", "invalid_request")
    if _has_lone_surrogate(data):
        raise HTTPError(
            400,
            "the body is not accepted: a string holds half a UTF-16 surrogate pair "
            "(a lone \\ud800-\\udfff escape)",
            "invalid_json",
        )
    return data


def validate_request(model: type[RequestT], data: dict[str, Any]) -> RequestT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        message = f"invalid request: {describe_errors(exc, root='body')}"
        raise HTTPError(422, message, "invalid_request") from None
    except RecursionError:
        raise HTTPError(422, "invalid request: the body is nested too deeply", "invalid_request") from None
