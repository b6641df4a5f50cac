"""Errors with stable machine-readable codes.

The code is what the SSE ``error`` event, the CLI and the web UI show and branch on; the message is
for people and never contains a secret.
"""

from __future__ import annotations


class DevussyError(Exception):
    code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ConfigError(DevussyError):
    """The server or CLI is configured in a way that cannot work (unknown provider, missing key...)."""

    code = "config_error"


class CheckpointError(DevussyError):
    """A run cannot resume from its checkpoint: unreadable, invalid, from another version
    (``checkpoint_error``) or from another brief (``checkpoint_mismatch``)."""

    code = "checkpoint_error"


class CheckpointWriteError(DevussyError):
    """A checkpoint could not be written (a full disk, a folder gone read-only): the run stops at once,
    and the checkpoint keeps what the last successful save held. A run failure (exit 1), not a usage error."""

    code = "checkpoint_write_failed"


class InputTooLarge(DevussyError):
    """More input than an engine reads (e.g. the offline engine's interview limits); the message names
    the limit. Raised before any work starts: HTTP 413 in the API, exit code 2 in the CLI."""

    code = "input_too_large"


class ProviderError(DevussyError):
    """An LLM provider failed. ``retryable`` says whether a retry before the first token may help.

    Codes: provider_timeout, provider_rate_limited, provider_unavailable, provider_auth,
    provider_bad_request, provider_bad_response, provider_interrupted.
    """

    code = "provider_error"

    def __init__(
        self,
        message: str,
        *,
        code: str = "provider_error",
        retryable: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after


class StageError(DevussyError):
    """A pipeline stage could not produce a valid result. Keeps the raw model output."""

    code = "parse_failed"

    def __init__(self, message: str, *, raw_text: str = "", code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.raw_text = raw_text


class WorkspaceError(DevussyError):
    """A plan folder cannot take the request (exit 2 in the CLI, a 4xx in the API, an MCP tool error);
    nothing is written when one is raised. Codes: ``not_a_plan``, ``invalid_plan``,
    ``missing_phase_file``, ``unknown_step``, ``step_not_in_file``, ``already_done``, ``not_open``,
    ``step_done``, ``unknown_dependency``, ``dependency_cycle``, ``invalid_input``, ``tag_in_use``."""

    code = "workspace_error"


class WorkspaceBusy(DevussyError):
    """Another process kept the plan folder locked longer than we were willing to wait."""

    code = "workspace_busy"
