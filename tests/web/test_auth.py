from __future__ import annotations

import socket

import pytest
from pydantic import SecretStr

from devussy.config import Settings
from devussy.web.auth import check_access
from devussy.web.errors import HTTPError
from tests.web.helpers import running_dev_server


def test_no_token_configured_means_open() -> None:
    check_access({}, Settings())


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer wrong",
        "Basic t0ken-value",
        "t0ken-value",
        "Bearer t0ken-valuE",
        "Bearer \udcff",
    ],
)
def test_missing_or_wrong_token_is_401(header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    with pytest.raises(HTTPError) as error:
        check_access(headers, Settings(access_token=SecretStr("t0ken-value")))
    assert (error.value.status, error.value.code) == (401, "unauthorized")
    assert "t0ken-value" not in error.value.message


@pytest.mark.parametrize("header", ["Bearer t0ken-value", "bearer t0ken-value", "  Bearer   t0ken-value "])
def test_right_token_passes(header: str) -> None:
    check_access({"Authorization": header}, Settings(access_token=SecretStr("t0ken-value")))


UTF8_TOKEN = "пароль-🔑-clé"


@pytest.mark.parametrize(
    "received",
    [
        UTF8_TOKEN.encode("utf-8").decode("latin-1"),  # what http.server makes of the UTF-8 bytes
        UTF8_TOKEN,  # a host that decodes header values as UTF-8
    ],
    ids=["as-latin-1", "as-utf-8"],
)
def test_a_non_ascii_token_matches_however_the_host_decoded_it(received: str) -> None:
    settings = Settings(access_token=SecretStr(UTF8_TOKEN))
    check_access({"Authorization": f"Bearer {received}"}, settings)
    with pytest.raises(HTTPError):
        check_access({"Authorization": f"Bearer {received[:-1]}"}, settings)


def test_a_non_ascii_token_over_a_real_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_ACCESS_TOKEN", UTF8_TOKEN)
    head = b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer "
    with running_dev_server() as port, socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head + UTF8_TOKEN.encode("utf-8") + b"\r\n\r\n")
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.0 200"), answer[:200]
