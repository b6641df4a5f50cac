"""Malformed and hostile requests over a real socket to the dev server: every one gets a 4xx (never a
5xx, a traceback or a hang), and one slow client never holds up anyone else. ``bench/http_fuzz.py``
fires many more, generated at random, and reports the counts."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from devussy.web.devserver import DevRequestHandler
from tests.web.helpers import http_call, running_dev_server

ANSWER_SECONDS = 5.0  # a hang detector: every answer here takes milliseconds

DESIGN = b'{"projectName": "Blog", "requirements": "A tiny blog where I write posts and readers comment"}'


def post(content_length: str | None, body: bytes = b"", *extra: str) -> bytes:
    lines = ["POST /api/design HTTP/1.1", "Host: localhost", "Content-Type: application/json", *extra]
    if content_length is not None:
        lines.append(f"Content-Length: {content_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def post_json(body: bytes) -> bytes:
    return post(str(len(body)), body)


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()


CASES: dict[str, tuple[bytes, int]] = {
    "garbage request line": (b"\x00\xff\xfe garbage\r\n\r\n", 400),
    "no version": (b"GET /api/health junk junk\r\n\r\n", 400),
    "path of 70 000 characters": (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n", 414),
    "header line of 70 000 bytes": (
        b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"b" * 70_000 + b"\r\n\r\n",
        431,
    ),
    "200 headers": (
        b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n"
        + b"".join(b"X-%d: 1\r\n" % i for i in range(200))
        + b"\r\n",
        431,
    ),
    "negative Content-Length": (post("-5"), 400),
    "Content-Length with a sign": (post("+2", b"{}"), 400),
    "Content-Length with underscores": (post("1_0", b"{}"), 400),
    "Content-Length that is a list": (post("2, 2", b"{}"), 400),
    "two Content-Lengths": (post("2", b"{}", "Content-Length: 2"), 400),
    "Content-Length of 10^26": (post(str(10**26)), 413),
    "Content-Length over the limit, body never sent": (post("1000001"), 413),
    "chunked body": (post(None, b"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding: chunked"), 411),
    "chunked and Content-Length": (post("2", b"{}", "Transfer-Encoding: chunked"), 411),
    "API path of 5 000 characters": (get("/api/" + "x" * 5000), 404),
    "static path of 5 000 characters": (get("/" + "x" * 5000), 404),
    "non-ASCII path": ("GET /api/h\u00e9alth HTTP/1.1\r\nHost: localhost\r\n\r\n".encode(), 404),
    "Host that is not a host": (b"GET /api/health HTTP/1.1\r\nHost: [zz\r\n\r\n", 403),
    "rebinding Host": (b"GET /api/health HTTP/1.1\r\nHost: evil.example\r\n\r\n", 403),
    "body that is not UTF-8": (post_json(b'{"a": "\xff"}'), 400),
    "lone surrogate escape": (post_json(b'{"projectName": "\\ud83d", "requirements": "x"}'), 400),
    "NaN": (post_json(b'{"a": NaN}'), 400),
    "a number with 5 000 digits": (post_json(b'{"a": ' + b"9" * 5000 + b"}"), 400),
    "JSON nested 100 000 deep": (post_json(b"[" * 100_000), 400),
}


@pytest.fixture
def port(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Iterator[int]:
    caplog.set_level(logging.ERROR, logger="devussy")
    with running_dev_server() as dev_port:
        yield dev_port
    time.sleep(0.05)  # let handler threads finish their log lines
    assert "Traceback" not in capsys.readouterr().err
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


def exchange(port: int, data: bytes, *, shut_write: bool = False) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_SECONDS) as sock:
        sock.sendall(data)
        if shut_write:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pytest.fail(f"no answer within {ANSWER_SECONDS}s; got {b''.join(chunks)[:200]!r}")
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    if answer.startswith(b"HTTP/"):
        return int(answer.split(b" ", 2)[1])
    # http.server answers a request line it cannot read like HTTP/0.9: the error page, no status line
    assert b"Error code: " in answer, answer[:200]
    return int(answer.split(b"Error code: ")[1][:3])


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_requests_get_a_4xx(port: int, name: str) -> None:
    data, expected = CASES[name]
    assert status_of(exchange(port, data)) == expected


def test_an_unsupported_http_version_is_the_clients_error_not_a_5xx(port: int) -> None:
    answer = exchange(port, b"GET / HTTP/9.9\r\nHost: localhost\r\n\r\n")
    assert status_of(answer) == 400 and b"only HTTP/1.0 and HTTP/1.1" in answer


@pytest.mark.parametrize("path", ["/", "/api/health", "/api/design"])
def test_an_unknown_method_is_a_405_naming_the_allowed_ones(port: int, path: str) -> None:
    answer = exchange(port, f"BREW {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    assert status_of(answer) == 405 and b"\r\nAllow: " in answer


def test_a_body_cut_short_by_the_client_is_a_400(port: int) -> None:
    answer = exchange(port, post("100", b"{}"), shut_write=True)
    assert status_of(answer) == 400 and b"shorter than its Content-Length" in answer


def test_a_body_that_stops_arriving_is_a_408(port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DevRequestHandler, "timeout", 0.5)  # seconds a read may block (120 when serving)
    answer = exchange(port, post("100", b"{}"))
    assert status_of(answer) == 408


def test_a_client_that_resets_mid_request_leaves_no_traceback(port: int) -> None:
    sock = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_SECONDS)
    sock.sendall(b"POST /api/design HTTP/1.1\r\nHost: local")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST on close
    sock.close()
    assert http_call(port, "GET", "/api/health").status == 200  # the fixture checks stderr and the log


def test_a_slow_sender_is_served_and_holds_up_no_one(port: int) -> None:
    request = post(str(len(DESIGN)), DESIGN)
    answer: list[bytes] = []

    def dribble() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_SECONDS) as sock:
            for index in range(0, len(request), 8):
                sock.sendall(request[index : index + 8])
                time.sleep(0.02)
            answer.append(b"".join(iter(lambda: sock.recv(65536), b"")))

    slow = threading.Thread(target=dribble)
    slow.start()
    time.sleep(0.1)
    assert slow.is_alive()
    for _ in range(5):  # served while the slow one is still sending
        assert http_call(port, "GET", "/api/health", timeout=ANSWER_SECONDS).status == 200
    assert slow.is_alive()
    slow.join(30)
    assert answer and answer[0].startswith(b"HTTP/1.0 200") and b'"type":"done"' in answer[0]
