"""CORS: the page's own origin plus ``DEVUSSY_ALLOWED_ORIGINS``; ``*`` only when configured."""

from __future__ import annotations

from urllib.parse import urlsplit

from devussy.config import Settings
from devussy.web.errors import HTTPError
from devussy.web.headers import Headers
from devussy.web.hosts import request_host

ALLOWED_HEADERS = "Content-Type, Authorization"
EXPOSED_HEADERS = "Content-Disposition"
PREFLIGHT_MAX_AGE = "600"


def _same_origin(origin: str, headers: Headers, settings: Settings) -> bool:
    """The page's own origin: its host is the one the request was sent to (X-Forwarded-Host only if trusted).

    On its own this would let a DNS-rebinding page pass as same-origin; ``hosts.check_host`` runs first.
    """
    netloc = urlsplit(origin).netloc.lower()
    return bool(netloc) and netloc == request_host(headers, settings)


def origin_allowed(origin: str, headers: Headers, settings: Settings) -> bool:
    allowed = settings.allowed_origins
    if "*" in allowed:
        return True
    if origin.rstrip("/") in {item.rstrip("/") for item in allowed}:
        return True
    return _same_origin(origin, headers, settings)


def cors_headers(headers: Headers, settings: Settings) -> dict[str, str]:
    """Headers to add to a response; raises 403 for a browser origin that is not allowed.

    Requests without ``Origin`` (curl, the CLI, server-to-server) are not subject to CORS.
    """
    origin = headers.get("Origin")
    if not origin:
        return {}
    if not origin_allowed(origin, headers, settings):
        raise HTTPError(403, "this origin is not allowed to call the API", "origin_not_allowed")
    value = "*" if "*" in settings.allowed_origins else origin
    return {
        "Access-Control-Allow-Origin": value,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Vary": "Origin",
    }


def preflight_headers(headers: Headers, settings: Settings, methods: str) -> dict[str, str]:
    """Headers for an ``OPTIONS`` answer (raises 403 like :func:`cors_headers`)."""
    result = cors_headers(headers, settings)
    result.update(
        {
            "Allow": f"{methods}, OPTIONS",
            "Access-Control-Allow-Methods": f"{methods}, OPTIONS",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
    )
    return result
