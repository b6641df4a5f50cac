"""HTTP helpers shared by the provider adapters: status → error code, Retry-After, URL redaction.

Nothing here knows a wire format; ``openai.py`` and ``anthropic.py`` parse their own events.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import ssl
import time
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

import httpx

from devussy.errors import ConfigError, ProviderError
from devussy.redaction import redact

MAX_QUOTED_BODY = 300  # characters of an upstream error body we quote in a message


def check_base_url(url: str, env_name: str = "DEVUSSY_BASE_URL") -> str:
    """Validate a configured base URL and return it without a trailing slash."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{env_name} must be an http(s) URL such as http://localhost:11434/v1, got {redact_url(url)!r}"
        )
    return url.rstrip("/")


def join_url(base_url: str, path: str) -> str:
    """``base_url`` + ``path``, keeping a query string (e.g. ``?api-version=``) at the end."""
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + path))


def redact_url(url: str) -> str:
    """The URL without user:password and query string, safe to show in messages and /api/models."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def error_message_from_body(body: str) -> str:
    """The human part of an upstream error body: ``error.message`` when it is JSON, else the text."""
    try:
        data = json.loads(body)
    except ValueError:
        return " ".join(body.split())[:MAX_QUOTED_BODY]
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict) and isinstance(message := error.get("message"), str):
            return message[:MAX_QUOTED_BODY]
        if isinstance(error, str):
            return error[:MAX_QUOTED_BODY]
    return " ".join(body.split())[:MAX_QUOTED_BODY]


def error_for_status(
    provider: str, status: int, body: str, *, secrets: Iterable[str], retry_after: str | None = None
) -> ProviderError:
    """Map a non-2xx HTTP response to a ProviderError with a stable code (never quoting a secret)."""
    detail = redact(error_message_from_body(body), secrets)
    message = f"{provider} returned HTTP {status}" + (f": {detail}" if detail else "")
    wait = parse_retry_after(retry_after)
    if status in (401, 403):
        return ProviderError(message + " (check the API key)", code="provider_auth", status=status)
    if status == 429:
        return ProviderError(
            message, code="provider_rate_limited", retryable=True, status=status, retry_after=wait
        )
    if status == 408:
        return ProviderError(
            message, code="provider_timeout", retryable=True, status=status, retry_after=wait
        )
    if status >= 500:
        return ProviderError(
            message, code="provider_unavailable", retryable=True, status=status, retry_after=wait
        )
    return ProviderError(message, code="provider_bad_request", status=status)


async def raise_for_status(provider: str, response: httpx.Response, secrets: Iterable[str]) -> None:
    if response.status_code < 400:
        return
    body = (await response.aread()).decode("utf-8", errors="replace")
    raise error_for_status(
        provider, response.status_code, body, secrets=secrets, retry_after=response.headers.get("retry-after")
    )


# Error "type"/"code" words used inside streamed error payloads, mapped to our codes.
_PAYLOAD_CODES = (
    (("rate_limit", "rate-limit", "too_many_requests", "429"), "provider_rate_limited", True),
    (
        (
            "overloaded",
            "server_error",
            "api_error",
            "unavailable",
            "timeout",
            "502",
            "503",
            "504",
            "500",
            "529",
        ),
        "provider_unavailable",
        True,
    ),
    (("authentication", "permission", "invalid_api_key", "401", "403"), "provider_auth", False),
    (
        ("invalid_request", "not_found", "bad_request", "request_too_large", "context_length", "400", "404"),
        "provider_bad_request",
        False,
    ),
)


def error_from_payload(provider: str, error: object, *, secrets: Iterable[str]) -> ProviderError:
    """A ProviderError for an ``{"error": {...}}`` object received inside a stream."""
    if isinstance(error, dict):
        words = " ".join(str(error.get(key, "")) for key in ("type", "code", "status")).lower()
        text = str(error.get("message") or error.get("type") or "unknown error")
    else:
        words, text = str(error).lower(), str(error)
    detail = redact(" ".join(text.split())[:MAX_QUOTED_BODY], secrets)
    for needles, code, retryable in _PAYLOAD_CODES:
        if any(needle in words for needle in needles):
            return ProviderError(f"{provider} stream error: {detail}", code=code, retryable=retryable)
    return ProviderError(f"{provider} stream error: {detail}", code="provider_unavailable", retryable=False)


def client_timeout(connect: float) -> httpx.Timeout:
    """httpx enforces the connect timeout; first-token and idle timeouts are enforced per chunk."""
    return httpx.Timeout(connect=connect, read=None, write=connect, pool=connect)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verified TLS context per process: building one costs ~30 ms, and we make a client per stream."""
    return httpx.create_ssl_context()


class RedactURLCredentials(logging.Filter):
    """httpx logs every request URL at INFO; drop user:password and the query string from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(arg, httpx.URL) for arg in record.args):
            record.args = tuple(
                redact_url(str(arg)) if isinstance(arg, httpx.URL) and (arg.userinfo or arg.query) else arg
                for arg in record.args
            )
        return True


_httpx_log = logging.getLogger("httpx")
if not any(isinstance(existing, RedactURLCredentials) for existing in _httpx_log.filters):
    _httpx_log.addFilter(RedactURLCredentials())
