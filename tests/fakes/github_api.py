"""A fake of the GitHub REST subset the export uses, in process (``httpx.MockTransport``) or as a real
loopback HTTP server.

    fake = FakeGitHub(token="ghp_test", repo="octo/plans")
    transport = fake.transport()                       # for GitHubClient(..., transport=transport)
    with FakeGitHubServer(fake) as server:             # or over a socket
        GitHubClient("octo/plans", "ghp_test", base_url=server.base_url)
    fake.fail_next(403, {"message": "API rate limit exceeded"}, {"x-ratelimit-remaining": "0"})
    fake.drop_next()                                   # the loopback server closes the connection unanswered

Endpoints: ``GET/POST /repos/{o}/{r}/labels``, ``GET/POST /repos/{o}/{r}/issues`` (``labels``, ``state``,
``per_page``, ``page``; ``Link: rel="next"``), ``PATCH /repos/{o}/{r}/issues/{n}``. Every call is recorded.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

Answer = tuple[int, dict[str, str], Any]


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str | None


@dataclass
class FakeGitHub:
    token: str = "ghp_test"
    repo: str = "octo/plans"
    issues: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    base_url: str = "https://api.github.test"
    _failures: list[Answer | None] = field(default_factory=list)  # None: drop the connection
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- test controls ---------------------------------------------------------------------------

    def fail_next(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._failures.append((status, headers or {}, body))

    def drop_next(self) -> None:
        self._failures.append(None)

    def add_pull_request(self, title: str, labels: list[str]) -> None:
        number = self._next_number()
        self.issues.append(
            {
                "number": number,
                "title": title,
                "body": "",
                "state": "open",
                "labels": [{"name": name} for name in labels],
                "pull_request": {"url": "x"},
            }
        )

    def writes(self) -> list[Call]:
        return [call for call in self.calls if call.method != "GET"]

    # -- the API ---------------------------------------------------------------------------------

    def _next_number(self) -> int:
        return max((issue["number"] for issue in self.issues), default=0) + 1

    def handle(self, method: str, url: str, body: bytes, authorization: str | None) -> Answer | None:
        parts = urlsplit(url)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        payload = json.loads(body) if body else None
        with self._lock:
            self.calls.append(Call(method, parts.path, query, payload, authorization))
            if self._failures:
                return self._failures.pop(0)
            if authorization != f"Bearer {self.token}":
                return 401, {}, {"message": "Bad credentials", "documentation_url": "https://docs.github.com"}
            return self._route(method, parts.path, query, payload)

    def _route(self, method: str, path: str, query: dict[str, str], payload: Any) -> Answer:
        prefix = f"/repos/{self.repo}"
        if not path.startswith(prefix + "/"):
            return 404, {}, {"message": "Not Found"}
        rest = path[len(prefix) :]
        if rest == "/labels" and method == "GET":
            return self._page(f"{prefix}/labels", self.labels, query)
        if rest == "/labels" and method == "POST":
            if any(label["name"].lower() == payload["name"].lower() for label in self.labels):
                return (
                    422,
                    {},
                    {
                        "message": "Validation Failed",
                        "errors": [{"resource": "Label", "code": "already_exists", "field": "name"}],
                    },
                )
            self.labels.append(dict(payload))
            return 201, {}, dict(payload)
        if rest == "/issues" and method == "GET":
            return self._page(f"{prefix}/issues", self._filtered(query), query)
        if rest == "/issues" and method == "POST":
            if not payload.get("title"):
                return (
                    422,
                    {},
                    {
                        "message": "Validation Failed",
                        "errors": [{"resource": "Issue", "code": "missing_field", "field": "title"}],
                    },
                )
            labels = [{"name": name} for name in payload.get("labels", [])]
            issue = {
                "number": self._next_number(),
                "title": payload["title"],
                "body": payload.get("body", ""),
                "state": "open",
                "labels": labels,
            }
            self.issues.append(issue)
            return 201, {}, dict(issue)
        match = re.fullmatch(r"/issues/(\d+)", rest)
        if match and method == "PATCH":
            issue = next((i for i in self.issues if i["number"] == int(match.group(1))), None)
            if issue is None:
                return 404, {}, {"message": "Not Found"}
            for key in ("title", "body", "state"):
                if key in payload:
                    issue[key] = payload[key]
            if "labels" in payload:
                issue["labels"] = [{"name": name} for name in payload["labels"]]
            return 200, {}, dict(issue)
        return 404, {}, {"message": "Not Found"}

    def _filtered(self, query: dict[str, str]) -> list[dict[str, Any]]:
        wanted = [name for name in query.get("labels", "").split(",") if name]
        state = query.get("state", "open")
        return [
            issue
            for issue in self.issues
            if (state == "all" or issue["state"] == state)
            and all(name in {label["name"] for label in issue["labels"]} for name in wanted)
        ]

    def _page(self, path: str, items: list[dict[str, Any]], query: dict[str, str]) -> Answer:
        size = int(query.get("per_page", "30"))
        page = int(query.get("page", "1"))
        chunk = items[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(items):
            rest = "&".join(f"{k}={v}" for k, v in {**query, "page": str(page + 1)}.items())
            headers["Link"] = f'<{self.base_url}{path}?{rest}>; rel="next"'
        return 200, headers, [dict(item) for item in chunk]

    # -- transports ------------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            answer = self.handle(
                request.method, str(request.url), request.content, request.headers.get("Authorization")
            )
            if answer is None:
                raise httpx.ConnectError("connection dropped by the fake", request=request)
            status, headers, body = answer
            return httpx.Response(status, headers=headers, json=body)

        return httpx.MockTransport(handler)


class FakeGitHubServer:
    """``fake`` served over HTTP on 127.0.0.1 (a free port), one thread per connection."""

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        handler = type("Handler", (_Handler,), {"fake": fake})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/v3"

    def __enter__(self) -> FakeGitHubServer:
        self._thread.start()
        self.fake.base_url = self.base_url
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.removeprefix("/api/v3")  # GitHub Enterprise serves the API under /api/v3
        answer = self.fake.handle(self.command, path, body, self.headers.get("Authorization"))
        if answer is None:
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        status, headers, payload = answer
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = _serve
