"""Drive handler classes in-process (no socket) or over loopback, and parse what they write."""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import io
import json
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
API_DIR = REPO / "api"
ENV_PREFIXES = ("DEVUSSY_", "OPENAI_", "ANTHROPIC_", "VERCEL_")


def load_api_handler(relative: str) -> type[BaseHTTPRequestHandler]:
    """The ``handler`` class of ``api/<relative>``, loaded the way the host loads it (by file)."""
    path = API_DIR / relative
    name = "test_api_" + relative.removesuffix(".py").replace("/", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler  # type: ignore[no-any-return]


class FakeConnection:
    """Stands in for the client socket: the request bytes to read, what the handler sends."""

    def __init__(self, raw_request: bytes, *, fail_after_writes: int | None = None) -> None:
        self._rfile = io.BytesIO(raw_request)
        self.sent = bytearray()
        self.writes = 0
        self.fail_after_writes = fail_after_writes

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BytesIO:
        assert "r" in mode
        return self._rfile

    def sendall(self, data: bytes) -> None:
        if self.fail_after_writes is not None and self.writes >= self.fail_after_writes:
            raise BrokenPipeError("client went away")
        self.writes += 1
        self.sent += data

    def settimeout(self, timeout: float | None) -> None:
        return None


class _FakeServer:
    server_name = "testserver"
    server_port = 80


@dataclass
class SSEEvent:
    id: int
    event: str
    data: dict[str, Any]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    comments: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def events(self) -> list[SSEEvent]:
        return parse_sse(self.body)[0]


def parse_sse(body: bytes) -> tuple[list[SSEEvent], list[str]]:
    """Strict parse of our SSE framing: every event is id + event + one data line + blank line."""
    text = body.decode("utf-8")
    assert text == "" or text.endswith("\n\n"), f"stream does not end with a blank line: {text[-80:]!r}"
    events: list[SSEEvent] = []
    comments: list[str] = []
    for block in text.split("\n\n"):
        if not block:
            continue
        lines = block.split("\n")
        if all(line.startswith(":") for line in lines):
            comments.extend(line[1:].strip() for line in lines)
            continue
        assert len(lines) == 3, f"bad event block {block!r}"
        assert (
            lines[0].startswith("id: ") and lines[1].startswith("event: ") and lines[2].startswith("data: ")
        )
        event_type = lines[1][len("event: ") :]
        data = json.loads(lines[2][len("data: ") :])
        assert data["type"] == event_type
        events.append(SSEEvent(int(lines[0][len("id: ") :]), event_type, data))
    return events, comments


def parse_response(raw: bytes) -> Response:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    response = Response(status, headers, body)
    if (response.header("Content-Type") or "").startswith("text/event-stream"):
        response.comments = parse_sse(body)[1]
    return response


def build_request(
    method: str,
    path: str,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    *,
    content_type: str | None = "application/json",
) -> bytes:
    if isinstance(body, bytes | bytearray):
        payload = bytes(body)
    elif isinstance(body, str):
        payload = body.encode()
    else:
        payload = b"" if body is None else json.dumps(body).encode()
    all_headers = {"Host": "localhost"}
    if body is not None:
        if content_type:
            all_headers["Content-Type"] = content_type
        all_headers["Content-Length"] = str(len(payload))
    all_headers.update(headers or {})
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers.items())
    return head.encode("iso-8859-1") + b"\r\n" + payload


def call_raw(handler_class: type[BaseHTTPRequestHandler], raw_request: bytes) -> Response:
    """Run exactly ``raw_request`` (request line, headers, body) through ``handler_class`` in memory."""
    connection = FakeConnection(raw_request)
    handler_class(connection, ("127.0.0.1", 50000), _FakeServer())  # type: ignore[arg-type]
    return parse_response(bytes(connection.sent))


def call(
    handler_class: type[BaseHTTPRequestHandler],
    method: str,
    path: str,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    *,
    content_type: str | None = "application/json",
    fail_after_writes: int | None = None,
) -> Response:
    """Run one request through ``handler_class`` entirely in memory and parse its response."""
    connection = FakeConnection(
        build_request(method, path, body, headers, content_type=content_type),
        fail_after_writes=fail_after_writes,
    )
    handler_class(connection, ("127.0.0.1", 50000), _FakeServer())  # type: ignore[arg-type]
    return parse_response(bytes(connection.sent))


def http_call(
    port: int,
    method: str,
    path: str,
    body: bytes | Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    timeout: float = 30.0,
) -> Response:
    """One request over loopback with http.client; reads the whole response."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if isinstance(body, Mapping) else body
        all_headers = {"Content-Type": "application/json"} if payload is not None else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=payload, headers=all_headers)
        reply = connection.getresponse()
        data = reply.read()
        response = Response(reply.status, dict(reply.getheaders()), data)
        if (response.header("Content-Type") or "").startswith("text/event-stream"):
            response.comments = parse_sse(data)[1]
        return response
    finally:
        connection.close()


@contextlib.contextmanager
def running_dev_server(static_dir: Path | None = None) -> Iterator[int]:
    """The dev server on a free loopback port, in a thread; yields the port."""
    from devussy.web.devserver import make_server

    server = make_server("127.0.0.1", 0, static_dir=static_dir or REPO / "no-ui-here")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def stream_until_first_token(port: int, path: str, body: Mapping[str, Any]) -> socket.socket:
    """POST ``body`` to ``path`` over a raw socket and read until the first token event arrives.

    Returns the open socket so a test can close it mid-stream (a client that goes away).
    """
    raw = json.dumps(body).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n".encode()
        + f"Content-Length: {len(raw)}\r\n\r\n".encode()
        + raw
    )
    received = b""
    while b'"type":"token"' not in received:
        chunk = sock.recv(4096)
        assert chunk, received  # the server closed before the first token
        received += chunk
    return sock
