"""Optional bearer token (``DEVUSSY_ACCESS_TOKEN``); compared in constant time."""

from __future__ import annotations

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
        raise HTTPError(401, "this server needs an access token: Authorization: Bearer <token>",
                        "unauthorized", headers=_CHALLENGE)
    expected = settings.access_token.get_secret_value().encode("utf-8")
    if not hmac.compare_digest(token.strip().encode("utf-8", "surrogateescape"), expected):
        raise HTTPError(401, "the access token is not valid", "unauthorized", headers=_CHALLENGE)
