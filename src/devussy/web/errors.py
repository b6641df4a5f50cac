"""HTTP errors with a status, a stable code and a message that is safe to show."""

from __future__ import annotations

from collections.abc import Iterable


class HTTPError(Exception):
    """Raised while checking a request; becomes ``{"error": message, "code": code}`` with ``status``."""

    def __init__(
        self, status: int, message: str, code: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"error": self.message, "code": self.code}


INTERNAL_ERROR_MESSAGE = "the server hit an unexpected error; it has been logged"

# Status of a DevussyError code raised before a stream opens (anything else is a server fault).
CODE_STATUS = {
    "model_not_offered": 422,
    "provider_not_offered": 422,
    "unknown_phase": 404,
    "config_error": 500,
}


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value replaced; a last line of defence for messages we pass on."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
