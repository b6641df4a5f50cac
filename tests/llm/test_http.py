"""HTTP helpers: status → code, Retry-After parsing, URL redaction; upstream text is redacted."""

from __future__ import annotations

import email.utils

import pytest

from devussy.errors import ConfigError
from devussy.llm.http import (
    check_base_url,
    error_for_status,
    error_from_payload,
    join_url,
    parse_retry_after,
    redact_url,
)


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [
        (400, "provider_bad_request", False),
        (401, "provider_auth", False),
        (403, "provider_auth", False),
        (404, "provider_bad_request", False),
        (408, "provider_timeout", True),
        (422, "provider_bad_request", False),
        (429, "provider_rate_limited", True),
        (500, "provider_unavailable", True),
        (503, "provider_unavailable", True),
        (529, "provider_unavailable", True),
    ],
)
def test_status_codes(status: int, code: str, retryable: bool) -> None:
    error = error_for_status("p", status, '{"error": {"message": "why"}}', secrets=())
    assert (error.code, error.retryable, error.status) == (code, retryable, status)
    assert error.message.startswith(f"p returned HTTP {status}: why")


def test_retry_after_header_is_parsed_into_the_error() -> None:
    assert error_for_status("p", 429, "", secrets=(), retry_after="12").retry_after == 12
    assert error_for_status("p", 503, "", secrets=(), retry_after="1.5").retry_after == 1.5


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("30") == 30
    assert parse_retry_after(email.utils.formatdate(now + 45, usegmt=True), now=now) == pytest.approx(45)
    assert parse_retry_after(email.utils.formatdate(now - 45, usegmt=True), now=now) == 0
    assert parse_retry_after("-3") == 0
    for junk in (None, "", "soon", "nan", "Mon, 99 Foo"):
        assert parse_retry_after(junk) is None


def test_error_body_is_quoted_short_and_scrubbed() -> None:
    key = "sk-live-abcdefghijklmnop"
    error = error_for_status("p", 401, f"<html>bad key {key}</html>" + "x" * 1000, secrets=(key,))
    assert key not in error.message and "***" in error.message
    assert len(error.message) < 400


def test_redact_url_drops_credentials_and_query() -> None:
    assert redact_url("https://bob:pa55@host.test:8443/v1?key=s") == "https://host.test:8443/v1"


def test_check_base_url() -> None:
    assert check_base_url("http://localhost:11434/v1/") == "http://localhost:11434/v1"
    for bad in ("localhost:11434", "ftp://x", "", "http://"):
        with pytest.raises(ConfigError, match="DEVUSSY_BASE_URL"):
            check_base_url(bad)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"type": "overloaded_error", "message": "Overloaded"}, "provider_unavailable"),
        ({"code": 502, "message": "bad gateway"}, "provider_unavailable"),
        ({"type": "rate_limit_error", "message": "slow"}, "provider_rate_limited"),
        ({"type": "invalid_request_error", "message": "no"}, "provider_bad_request"),
        ({"type": "authentication_error", "message": "no"}, "provider_auth"),
        ("plain string", "provider_unavailable"),
    ],
)
def test_error_from_payload(payload: object, code: str) -> None:
    assert error_from_payload("p", payload, secrets=()).code == code


def test_join_url_keeps_the_query_at_the_end() -> None:
    assert join_url("http://h:1/v1", "/chat/completions") == "http://h:1/v1/chat/completions"
    assert (
        join_url("https://h/v1/?api-version=2", "/chat/completions")
        == "https://h/v1/chat/completions?api-version=2"
    )
