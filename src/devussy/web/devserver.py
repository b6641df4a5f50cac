"""Local server: ``/api/*`` is answered by the route table (``routes.serve``, the very code the
serverless host's ``api/`` handler classes run), everything else is the web UI's static export
(``devussy-web/out``), all on one origin.

``ThreadingHTTPServer``: one thread per request, each stream on its own event loop, exactly as on
the host. Run it with ``python dev_server.py`` or ``devussy serve``.
"""

from __future__ import annotations

import argparse
import html
import logging
import mimetypes
import re
import signal
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote, urlsplit

from devussy.redaction import redact, secrets_in_env
from devussy.web import endpoints, routes
from devussy.web.errors import HTTPError, log_failure
from devussy.web.responses import send_error

logger = logging.getLogger("devussy.web")

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",  # Next.js RSC payloads
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
}

_NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Devussy</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}}
code{{background:#f2f2f2;padding:.1rem .3rem}}</style></head><body>
<h1>Devussy API is running</h1>
<p>The web UI has not been built yet (looked in <code>{static_dir}</code>).</p>
<p>Build it with <code>make web-build</code>
(or <code>cd devussy-web &amp;&amp; npm ci &amp;&amp; npm run build</code>),
then reload this page. <code>make dev</code> does both.</p>
<p>The API works meanwhile: <a href="/api/health">/api/health</a>, <a href="/api/models">/api/models</a>,
<a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>
"""


# Longer static paths are answered 404 without asking the file system (no file of ours is that long).
MAX_STATIC_PATH = 1024
_QUERY = re.compile(r"\?[^\s\"']*")


def strip_query(text: str) -> str:
    """``GET /x?token=abc HTTP/1.1`` → ``GET /x?… HTTP/1.1``: the access log never keeps a query string."""
    return _QUERY.sub("?…", text)


def repo_root() -> Path:
    """The checkout this package lives in (editable install), else the working directory."""
    candidate = Path(__file__).resolve().parents[3]
    return candidate if (candidate / "api").is_dir() else Path.cwd()


class DevServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # listen backlog: many browser tabs / concurrent streams connect at once

    def __init__(self, address: tuple[str, int], static_dir: Path | None) -> None:
        self.static_dir = static_dir.resolve() if static_dir else None
        super().__init__(address, DevRequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up or stalls is not a server fault: no traceback on stderr for it."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            logger.debug("connection from %s ended early: %s", client_address[0], type(exc).__name__)
            return
        if exc is not None:
            log_failure(logger, f"request from {client_address[0]} failed", exc, secrets_in_env())


class DevRequestHandler(BaseHTTPRequestHandler):
    server: DevServer
    server_version = "devussy-dev"
    _answer_started = False
    timeout = 120  # seconds a socket read or write may block (a stuck client never pins a thread forever)

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def __getattr__(self, name: str) -> Any:
        # http.server answers a method it has no do_X for with 501; every method is ours to answer
        # (405 with Allow, or the API's own method check), so a 5xx only ever means a fault of ours.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == HTTPStatus.HTTP_VERSION_NOT_SUPPORTED:  # "HTTP/2.0" to an HTTP/1 server: a client error
            code, message = HTTPStatus.BAD_REQUEST, "only HTTP/1.0 and HTTP/1.1 are served here"
        super().send_error(code, message, explain)

    def _dispatch(self) -> None:
        self._answer_started = False
        try:
            path = urlsplit(self.path).path
            if path == "/api" or path.startswith("/api/"):
                self._api(path)
            elif self.command in ("GET", "HEAD"):
                self._static(path)
            else:
                self._send_text(405, "method not allowed\n", {"Allow": "GET, HEAD"})
        except Exception as exc:  # never a traceback on stderr and a dropped connection
            log_failure(logger, f"{self.command} {strip_query(self.path)} failed", exc, secrets_in_env())
            self.close_connection = True
            if not self._answer_started:
                self._send_text(500, "internal error\n")

    # -- the access log: no query strings (a token put there must not land in a log file) -------------
    def parse_request(self) -> bool:
        ok = super().parse_request()
        self.requestline = strip_query(self.requestline)  # what log_request prints
        return ok

    def log_message(self, format: str, *args: Any) -> None:
        secrets = secrets_in_env()
        clean = tuple(redact(strip_query(arg), secrets) if isinstance(arg, str) else arg for arg in args)
        super().log_message(format, *clean)

    def end_headers(self) -> None:
        self._answer_started = True
        super().end_headers()

    # -- API --------------------------------------------------------------------------------------
    def _api(self, path: str) -> None:
        route = routes.find_route(path)
        if route is None:
            send_error(self, HTTPError(404, f"no API endpoint at {path}", "not_found"))
            return
        endpoints.serve(self, route.method, route.endpoint)
        self.close_connection = True

    # -- static UI --------------------------------------------------------------------------------
    def _static(self, path: str) -> None:
        root = self.server.static_dir
        if root is None or not (root / "index.html").is_file():
            if path in ("/", "/index.html"):
                page = _NOT_BUILT.format(static_dir=html.escape(str(root or "devussy-web/out")))
                self._send_text(200, page, content_type="text/html; charset=utf-8")
            else:
                self._send_text(404, "not found (the web UI is not built)\n")
            return
        file = self._find_file(root, unquote(path))
        if file is None:
            missing = root / "404.html"
            if missing.is_file():
                self._send_file(missing, 404)
            else:
                self._send_text(404, "not found\n")
            return
        self._send_file(file, 200)

    @staticmethod
    def _find_file(root: Path, path: str) -> Path | None:
        """``/`` → index.html, ``/x`` → x, x.html or x/index.html; never anything outside ``root``."""
        relative = path.lstrip("/")
        if "\0" in relative or "\\" in relative:
            return None
        if relative == "" or relative.endswith("/"):
            candidates = [relative + "index.html"]
        else:
            candidates = [relative, relative + ".html", relative + "/index.html"]
        if len(relative) > MAX_STATIC_PATH:
            return None
        for candidate in candidates:
            try:
                full = (root / candidate).resolve()
                if full.is_relative_to(root) and full.is_file():
                    return full
            except (OSError, ValueError):  # e.g. ENAMETOOLONG from the file system
                return None
        return None

    def _send_file(self, file: Path, status: int) -> None:
        content_type = _TYPES.get(file.suffix.lower()) or mimetypes.guess_type(file.name)[0]
        immutable = "/_next/static/" in file.as_posix()
        headers = {"Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache"}
        self._send_bytes(status, file.read_bytes(), content_type or "application/octet-stream", headers)

    def _send_text(
        self,
        status: int,
        text: str,
        headers: dict[str, str] | None = None,
        content_type: str = "text/plain; charset=utf-8",
    ) -> None:
        self._send_bytes(status, text.encode("utf-8"), content_type, headers or {})

    def _send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            pass


def make_server(host: str = "127.0.0.1", port: int = 8000, static_dir: str | Path | None = None) -> DevServer:
    static = Path(static_dir) if static_dir is not None else repo_root() / "devussy-web" / "out"
    return DevServer((host, port), static)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(host: str = "127.0.0.1", port: int = 8000, static_dir: str | Path | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM; in-flight streams end with the process."""
    server = make_server(host, port, static_dir)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{server.server_address[1]}/"
    ui = "web UI + API" if server.static_dir and (server.static_dir / "index.html").is_file() else "API only"
    print(f"Devussy dev server ({ui}) at {url}  (Ctrl-C to stop)", flush=True)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main_thread else None
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        print("\nShutting down.", flush=True)
    finally:
        server.server_close()
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="devussy serve", description="Serve the Devussy API and web UI locally."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("--static-dir", help="built web UI (default devussy-web/out)")
    args = parser.parse_args(argv)
    try:
        serve(args.host, args.port, args.static_dir)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
