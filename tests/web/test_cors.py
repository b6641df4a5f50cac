from __future__ import annotations

import pytest

from devussy.config import Settings
from devussy.web.cors import cors_headers, origin_allowed, preflight_headers
from devussy.web.errors import HTTPError


def test_no_origin_means_no_cors_headers() -> None:
    assert cors_headers({"Host": "a.example"}, Settings()) == {}


def test_same_origin_is_allowed_by_host() -> None:
    settings = Settings()
    assert origin_allowed("http://a.example:8000", {"Host": "a.example:8000"}, settings)
    assert not origin_allowed("http://b.example", {"Host": "a.example"}, settings)
    assert not origin_allowed("null", {"Host": "a.example"}, settings)


def test_forwarded_host_counts_only_when_trusted() -> None:
    # Any client can write X-Forwarded-Host; it names the page's host only behind a proxy that sets it.
    headers = {"Host": "internal", "X-Forwarded-Host": "app.vercel.app"}
    assert not origin_allowed("https://app.vercel.app", headers, Settings())
    assert origin_allowed("https://app.vercel.app", headers, Settings(trust_forwarded_host=True))
    assert not origin_allowed("https://internal", headers, Settings(trust_forwarded_host=True))


def test_allowlist_and_explicit_wildcard() -> None:
    listed = Settings(allowed_origins=("https://ui.example/",))
    assert cors_headers({"Origin": "https://ui.example", "Host": "api"}, listed)[
        "Access-Control-Allow-Origin"
    ] == ("https://ui.example")
    with pytest.raises(HTTPError) as error:
        cors_headers({"Origin": "https://other.example", "Host": "api"}, listed)
    assert error.value.status == 403
    wildcard = Settings(allowed_origins=("*",))
    assert (
        cors_headers({"Origin": "https://any.example", "Host": "api"}, wildcard)[
            "Access-Control-Allow-Origin"
        ]
        == "*"
    )


def test_preflight_lists_methods_and_headers() -> None:
    headers = preflight_headers({"Origin": "http://api", "Host": "api"}, Settings(), "POST")
    assert headers["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert headers["Access-Control-Allow-Headers"] == "Content-Type, Authorization"
