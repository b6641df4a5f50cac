"""HTTP errors with a status, a stable code and a message that is safe to show."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable

from devussy.redaction import redact


class HTTPError(Exception):
    """Raised while checking a request; becomes ``{"error": message, "code": code}`` with ``status``."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        *,
        headers: dict[str, str] | None = None,
        details: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}
        self.details = details or {}  # more fields of the JSON body, e.g. the questions a vague brief needs

    def body(self) -> dict[str, object]:
        return {"error": self.message, "code": self.code, **self.details}


INTERNAL_ERROR_MESSAGE = "the server hit an unexpected error; it has been logged"

# Status of a DevussyError code raised before a stream opens (anything else is a server fault).
CODE_STATUS = {
    "model_not_offered": 422,
    "provider_not_offered": 422,
    "unknown_phase": 404,
    "input_too_large": 413,
    "config_error": 500,
}


def log_failure(logger: logging.Logger, message: str, exc: BaseException, secrets: Iterable[str]) -> None:
    """Log ``message`` with ``exc``'s traceback, secrets redacted (exception text can quote a key)."""
    details = "".join(traceback.format_exception(exc))
    logger.error("%s\n%s", message, redact(details, secrets))
