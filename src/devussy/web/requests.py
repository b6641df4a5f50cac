"""Request bodies: reading them safely and validating them into typed request models.

Field names are the front end's camelCase (DESIGN §4); unknown fields are ignored.
"""

from __future__ import annotations

import json
from io import BufferedIOBase
from typing import Annotated, Any, TypeVar

from pydantic import AliasChoices, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from devussy.models import (
    ChatTurn,
    DevPlan,
    DevussyModel,
    Handoff,
    LongText,
    ModelConfig,
    ProjectBrief,
    ProjectDesign,
    ShortText,
)
from devussy.validation import describe_errors
from devussy.web.errors import HTTPError
from devussy.web.headers import Headers


def derive_name(idea: str) -> str:
    """A project name from the idea, as the CLI names it (the planner is imported only when needed)."""
    from devussy.planner.interview import name_from_idea

    return name_from_idea(idea)

RequestT = TypeVar("RequestT", bound=DevussyModel)

# Extra bytes read (and dropped) after a too-large body so the client can read our 413 before we close.
_DRAIN_LIMIT = 4 * 1024 * 1024


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


class DetailRequest(APIRequest):
    plan: DevPlan = Field(validation_alias=AliasChoices("plan", "basicPlan"))
    phase_number: int = Field(ge=1, le=99)
    project_name: ShortText | None = None
    # False while the plan is still streaming (the web UI's run-everything mode starts details early).
    plan_complete: bool = True


class HandoffRequest(APIRequest):
    design: ProjectDesign
    plan: DevPlan


class ArtifactsRequest(DevussyModel):
    design: ProjectDesign | None = None
    plan: DevPlan = Field(validation_alias=AliasChoices("plan", "basicPlan"))
    handoff: Handoff | None = None


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def read_body(headers: Headers, rfile: BufferedIOBase, max_bytes: int) -> bytes:
    """The raw body, or an HTTPError for a missing/too-large/unreadable one."""
    if headers.get("Transfer-Encoding", "").strip().lower() not in ("", "identity"):
        raise HTTPError(411, "send the body with a Content-Length", "length_required")
    raw_length = headers.get("Content-Length")
    if raw_length is None or raw_length.strip() == "":
        return b""
    try:
        length = int(raw_length)
    except ValueError:
        raise HTTPError(400, "Content-Length is not a number", "invalid_request") from None
    if length < 0:
        raise HTTPError(400, "Content-Length is negative", "invalid_request")
    if length > max_bytes:
        _drain(rfile, min(length, _DRAIN_LIMIT))
        raise HTTPError(413, f"the body is larger than {max_bytes} bytes", "body_too_large")
    try:
        body = rfile.read(length)
    except (TimeoutError, OSError):
        raise HTTPError(408, "timed out reading the request body", "request_timeout") from None
    if len(body) < length:
        raise HTTPError(400, "the body is shorter than its Content-Length", "invalid_request")
    return body


def _drain(rfile: BufferedIOBase, length: int) -> None:
    try:
        while length > 0:
            chunk = rfile.read(min(length, 65536))
            if not chunk:
                return
            length -= len(chunk)
    except (TimeoutError, OSError):
        return


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json_object(headers: Headers, body: bytes) -> dict[str, Any]:
    if not _is_json(headers.get("Content-Type", "")):
        raise HTTPError(415, "send the body as application/json", "unsupported_media_type")
    if not body.strip():
        raise HTTPError(400, "the request body is empty; send a JSON object", "invalid_json")
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8 JSON"
        raise HTTPError(400, f"the body is not valid JSON: {detail}", "invalid_json") from None
    if not isinstance(data, dict):
        raise HTTPError(422, "the body must be a JSON object", "invalid_request")
    return data


def validate_request(model: type[RequestT], data: dict[str, Any]) -> RequestT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        message = f"invalid request: {describe_errors(exc, root='body')}"
        raise HTTPError(422, message, "invalid_request") from None
    except RecursionError:
        raise HTTPError(422, "invalid request: the body is nested too deeply", "invalid_request") from None
