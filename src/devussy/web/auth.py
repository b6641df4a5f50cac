"""Optional bearer token (``DEVUSSY_ACCESS_TOKEN``); compared in constant time."""

from __future__ import annotations

import contextlib
import hmac

from devussy.config import Settings
from devussy.web.errors import HTTPError
from devussy.web.headers import Headers

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="devussy"'}


def check_access(headers: Headers, settings: Settings) -> None:
    if settings.access_token is None:
        return
    scheme, _, token = (headers.get("Authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPError(
            401,
            "this server needs an access token: Authorization: Bearer <token>",
            "unauthorized",
            headers=_CHALLENGE,
        )
    expected = settings.access_token.get_secret_value().encode("utf-8")
    # Compare every reading of the header's bytes (each in constant time): http.server decodes header
    # values as ISO-8859-1, so a UTF-8 token arrives as one character per byte; a host may decode UTF-8.
    matches = [hmac.compare_digest(candidate, expected) for candidate in _token_bytes(token.strip())]
    if not any(matches):
        raise HTTPError(401, "the access token is not valid", "unauthorized", headers=_CHALLENGE)


def _token_bytes(token: str) -> list[bytes]:
    """The bytes the client may have sent for ``token``: as ISO-8859-1 (if it can be) and as UTF-8."""
    readings = [token.encode("utf-8", "surrogateescape")]
    with contextlib.suppress(UnicodeEncodeError):
        readings.append(token.encode("latin-1"))
    return readings
