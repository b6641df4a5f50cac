"""The Host allow-list: what a DNS-rebinding page sends is refused; local and configured names pass."""

from __future__ import annotations

import pytest

from devussy.config import Settings
from devussy.web.errors import HTTPError
from devussy.web.hosts import check_host, host_allowed, host_name, request_host
from tests.web.helpers import call, load_api_handler

SAMPLE_DESIGN = {"projectName": "Blog", "requirements": "A tiny blog where I write posts and readers comment"}


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "localhost:8000",
        "LOCALHOST:3000",
        "app.localhost",
        "127.0.0.1",
        "127.0.0.1:8000",
        "[::1]:8000",
        "[::1]",
        "192.168.1.20:8000",
        "10.0.0.5",
        "localhost.",
    ],
)
def test_ip_literals_and_localhost_need_no_configuration(host: str) -> None:
    assert host_allowed(host, Settings())


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:8000",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "x:y",
        "a@b",
        "h/x",
        "[::1",
        "h:99999",
        "a b",
    ],
)
def test_other_names_are_refused_by_default(host: str) -> None:
    assert not host_allowed(host, Settings())


def test_configured_names_subdomains_and_wildcard() -> None:
    names = ("App.Example.com", ".corp.example", "*.preview.example", "lan-box:8000")
    settings = Settings(allowed_hosts=names)
    assert host_allowed("app.example.com", settings)
    assert host_allowed("app.example.com:443", settings)
    assert not host_allowed("other.example.com", settings)
    assert host_allowed("corp.example", settings) and host_allowed("a.b.corp.example", settings)
    assert not host_allowed("evilcorp.example", settings)
    assert host_allowed("pr-1.preview.example", settings) and not host_allowed("preview.example", settings)
    assert host_allowed("lan-box:9000", settings)
    assert host_allowed("anything.example", Settings(allowed_hosts=("*",)))


def test_forwarded_host_is_read_only_when_trusted() -> None:
    headers = {"Host": "localhost:8000", "X-Forwarded-Host": "evil.example, proxy.internal"}
    assert request_host(headers, Settings()) == "localhost:8000"
    assert request_host(headers, Settings(trust_forwarded_host=True)) == "evil.example"
    check_host(headers, Settings())  # the forwarded value is ignored: not a reason to refuse either
    with pytest.raises(HTTPError) as caught:
        check_host(headers, Settings(trust_forwarded_host=True))
    assert (caught.value.status, caught.value.code) == (403, "host_not_allowed")
    assert "DEVUSSY_ALLOWED_HOSTS" in caught.value.message and "evil" not in caught.value.message


def test_a_request_without_host_is_not_a_browser_and_passes() -> None:
    check_host({}, Settings())


def test_host_name_parsing() -> None:
    assert host_name("[::1]:8000") == "::1"
    assert host_name("example.com.:80") == "example.com"
    assert host_name("") is None


# -- the attack, end to end ---------------------------------------------------------------------------

REBOUND = {"Host": "evil.example:8000", "Origin": "http://evil.example:8000"}


def test_a_rebinding_page_cannot_drive_a_local_server() -> None:
    response = call(load_api_handler("design.py"), "POST", "/api/design", SAMPLE_DESIGN, headers=REBOUND)
    assert response.status == 403 and response.json()["code"] == "host_not_allowed"
    preflight = call(
        load_api_handler("design.py"),
        "OPTIONS",
        "/api/design",
        headers={**REBOUND, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 403 and preflight.header("Access-Control-Allow-Origin") is None
    health = call(load_api_handler("health.py"), "GET", "/api/health", headers=REBOUND)
    assert health.status == 403


def test_a_configured_deployment_name_is_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_ALLOWED_HOSTS", "plans.example.com")
    headers = {"Host": "plans.example.com", "Origin": "https://plans.example.com"}
    response = call(load_api_handler("design.py"), "POST", "/api/design", SAMPLE_DESIGN, headers=headers)
    assert response.status == 200 and response.events[-1].event == "done"
    assert response.header("Access-Control-Allow-Origin") == "https://plans.example.com"


def test_vercel_deployment_urls_are_served_without_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERCEL_URL", "devussy-abc123.vercel.app")
    headers = {"Host": "devussy-abc123.vercel.app"}
    assert call(load_api_handler("health.py"), "GET", "/api/health", headers=headers).status == 200
