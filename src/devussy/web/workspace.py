"""The living plan over HTTP, stateless: the client sends the plan's files (or the zip ``devussy plan``
wrote), the server answers with the state and, for an update, the changed files.

Same code as the CLI and the MCP server (``devussy.workspace``), so a tick in the browser edits the
files exactly as ``devussy done`` would. Nothing is stored on the server.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from devussy.models import DevussyModel, slugify
from devussy.web.errors import HTTPError
from devussy.workspace import (
    Action,
    Snapshot,
    StepView,
    WorkspaceError,
    WorkspaceStatus,
    apply_actions,
    workspace_status,
)
from devussy.workspace.folder import PLAN_FILE_NAME
from devussy.workspace.status import Analysis, step_view

MAX_FILES = 100
MAX_ZIP_ENTRIES = 500
MAX_UNZIPPED_BYTES = 5_000_000
# unknown_step is the one "not found"; every other workspace problem is a request the plan cannot take.
_STATUS = {"unknown_step": 404}

FileName = Annotated[str, Field(min_length=1, max_length=100)]
Text = Annotated[str, Field(max_length=2000)]


class _Verbatim(DevussyModel):
    """File texts travel byte for byte: no whitespace stripping (a final newline is part of a file)."""

    model_config = ConfigDict(**{**DevussyModel.model_config, "str_strip_whitespace": False})


class WorkspaceFilesRequest(_Verbatim):
    files: dict[FileName, str] | None = Field(
        default=None,
        description="The plan's files, name → text (plan.json, devplan.md, phaseN.md, handoff.md, "
        "design.md). Other names are ignored.",
    )
    zip: str | None = Field(
        default=None, description="Instead of files: the plan zip `devussy plan` writes, base64-encoded."
    )

    @model_validator(mode="after")
    def _files_or_zip(self) -> WorkspaceFilesRequest:
        if (self.files is None) == (self.zip is None):
            raise ValueError("send either files or zip")
        if self.files is not None and len(self.files) > MAX_FILES:
            raise ValueError(f"at most {MAX_FILES} files")
        return self

    def plan_files(self) -> dict[str, str]:
        if self.files is not None:
            return {name: text for name, text in self.files.items() if PLAN_FILE_NAME.fullmatch(name)}
        return files_from_zip(self.zip or "")


class WorkspaceAction(DevussyModel):
    action: Literal["done", "block", "reopen", "note"]
    step: Annotated[str, Field(min_length=1, max_length=20, description="A step id, e.g. '2.3'.")]
    note: Text | None = Field(default=None, description="For done and note.")
    reason: Text | None = Field(default=None, description="For block.")

    def to_action(self) -> Action:
        return Action(self.action, self.step, self.reason if self.action == "block" else self.note)


class WorkspaceUpdateRequest(WorkspaceFilesRequest):
    actions: list[WorkspaceAction] = Field(
        min_length=1,
        max_length=100,
        description="Applied in order; all or none (the first one that cannot apply fails the request).",
    )
    now: datetime | None = Field(
        default=None, description="The client's local time, to date the progress log (default: the server's)."
    )


class WorkspaceStep(StepView):
    """One step as a client lists it: its state (read from the phase file) and what it asks for."""

    details: str = ""
    acceptance_criteria: list[str] = Field(default_factory=list)
    test_command: str | None = None


class WorkspaceStatusResponse(_Verbatim):
    status: WorkspaceStatus
    steps: list[WorkspaceStep] = Field(
        description="Every step in phase order, with its state: what a client shows as a checklist."
    )
    files: dict[str, str] = Field(description="The plan files read (useful when a zip was sent).")


class WorkspaceUpdateResponse(_Verbatim):
    status: WorkspaceStatus
    steps: list[WorkspaceStep] = Field(description="Every step in phase order, after the update.")
    files: dict[str, str] = Field(description="Every plan file after the update, changed or not.")
    changed: list[str] = Field(description="Names of the files the update changed.")
    logged: list[str] = Field(description="The progress log entries added to devplan.md.")
    messages: list[str] = Field(default_factory=list, description="Worth telling (e.g. anchors restored).")


def files_from_zip(encoded: str) -> dict[str, str]:
    """The plan files inside a base64 zip: at its root or in one top folder, nothing else."""
    try:
        data = base64.b64decode(encoded, validate=True)
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (binascii.Error, ValueError, zipfile.BadZipFile):
        raise HTTPError(422, "zip is not a base64-encoded zip archive", "invalid_zip") from None
    entries = [info for info in archive.infolist() if not info.is_dir()]
    if len(entries) > MAX_ZIP_ENTRIES or sum(info.file_size for info in entries) > MAX_UNZIPPED_BYTES:
        raise HTTPError(
            413,
            f"the zip unpacks to more than {MAX_UNZIPPED_BYTES} bytes or {MAX_ZIP_ENTRIES} files",
            "body_too_large",
        )
    files: dict[str, str] = {}
    for info in entries:
        parts = info.filename.replace("\\", "/").split("/")
        if len(parts) > 2 or not PLAN_FILE_NAME.fullmatch(parts[-1]):
            continue
        try:
            with archive.open(info) as member:
                raw = member.read(MAX_UNZIPPED_BYTES + 1)
            files[parts[-1]] = raw.decode("utf-8")
        except (zipfile.BadZipFile, UnicodeDecodeError, RuntimeError, NotImplementedError, OSError):
            message = f"{info.filename} in the zip cannot be read as UTF-8 text"
            raise HTTPError(422, message, "invalid_zip") from None
    return files


def _checked(error: WorkspaceError) -> HTTPError:
    return HTTPError(_STATUS.get(error.code, 422), error.message, error.code)


def workspace_steps(snapshot: Snapshot, analysis: Analysis) -> list[WorkspaceStep]:
    return [
        WorkspaceStep(
            **step_view(info, analysis).model_dump(),
            details=info.step.details,
            acceptance_criteria=info.step.acceptance_criteria,
            test_command=info.step.test_command,
        )
        for info in snapshot.steps.values()
    ]


def status_answer(request: WorkspaceFilesRequest) -> WorkspaceStatusResponse:
    files = request.plan_files()
    try:
        snapshot = Snapshot.from_files(files)
        analysis = Analysis(snapshot)
        status = workspace_status(snapshot, analysis)
    except WorkspaceError as exc:
        raise _checked(exc) from None
    return WorkspaceStatusResponse(status=status, steps=workspace_steps(snapshot, analysis), files=files)


def update_answer(request: WorkspaceUpdateRequest) -> WorkspaceUpdateResponse:
    files = request.plan_files()
    try:
        actions = [item.to_action() for item in request.actions]
        result = apply_actions(files, actions, request.now or datetime.now())
    except WorkspaceError as exc:
        raise _checked(exc) from None
    assert result.status is not None
    after = Snapshot.from_files(result.files)
    return WorkspaceUpdateResponse(
        status=result.status,
        steps=workspace_steps(after, Analysis(after)),
        files=result.files,
        changed=result.changed,
        logged=result.logged,
        messages=result.messages,
    )


def zip_answer(request: WorkspaceFilesRequest) -> tuple[bytes, str]:
    """The plan files as the zip ``devussy plan`` would write (after a check that they are a plan)."""
    from devussy.artifacts import build_zip

    files = request.plan_files()
    try:
        snapshot = Snapshot.from_files(files)
    except WorkspaceError as exc:
        raise _checked(exc) from None
    slug = slugify(snapshot.plan.project_name)
    return build_zip(files, root=slug), f"{slug}-devplan.zip"
