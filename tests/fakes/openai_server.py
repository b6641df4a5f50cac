"""A real loopback HTTP server speaking the OpenAI-compatible Chat Completions API, for tests and benches.

    with FakeOpenAIServer(responder=lambda request: "Hello there", tokens_per_second=50) as server:
        server.add_fault(cut_after(3))              # the next request is cut after 3 content chunks
        server.add_rule(r"Phase 3", server_error()) # the first request whose prompt matches fails
        ... OpenAIProvider(base_url=server.base_url, model="fake-model") ...
        server.requests, server.disconnects, server.disconnected.wait(1)

It streams ``POST /v1/chat/completions`` as real servers do (HTTP/1.1, chunked, SSE ``data:`` lines,
a role-only first chunk, ``finish_reason``, an optional usage chunk, ``[DONE]``), answers non-stream
requests and ``GET /v1/models``, and notices when a client goes away mid-stream.

Requests carrying ``response_format`` (structured output) are answered by ``json_responder`` when
one is set, refused with HTTP 400 with ``reject_response_format``, or else answered by ``responder``
as if the field were unknown.

CLI (browser e2e tests, benches)::

    python -m tests.fakes.openai_server --port 0 --tokens-per-second 40 \
        [--responder module:function] [--fail-once-matching REGEX --fault cut|500|429|stall|malformed|error]
        [--json-responder module:function | --reject-response-format]

prints ``READY <base_url>`` and serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import re
import select
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN_PATTERN = re.compile(r"\S+\s*|\s+")
Responder = Callable[[dict[str, Any]], str]


def tokenize(text: str) -> list[str]:
    """Split text into stream deltas; ``"".join(tokenize(text)) == text`` always."""
    return TOKEN_PATTERN.findall(text)


def prompt_text(request: dict[str, Any]) -> str:
    messages = request.get("messages") or []
    return "\n".join(str(m.get("content", "")) for m in messages if isinstance(m, dict))


def default_responder(request: dict[str, Any]) -> str:
    """Deterministic text that depends on the last user message."""
    users = [m for m in request.get("messages") or [] if isinstance(m, dict) and m.get("role") == "user"]
    last = " ".join(str(users[-1].get("content", "")).split()[:12]) if users else "nothing"
    return f"This is the fake server answering: {last}. It streams one word at a time, in order."


# -- faults -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    kind: str  # rate_limit | server_error | cut | stall | malformed | error_payload
    after_chunks: int = 0  # content chunks sent before the fault strikes (streaming faults)
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    message: str = "the fake upstream failed"
    error_type: str = "server_error"


def rate_limit(retry_after: float | str | None = 1) -> Fault:
    """HTTP 429 with ``Retry-After`` (seconds, or an HTTP-date string)."""
    value = None if retry_after is None else str(retry_after)
    return Fault(
        "rate_limit", status=429, retry_after=value, message="Rate limit reached", error_type="rate_limit"
    )


def server_error(status: int = 500) -> Fault:
    return Fault("server_error", status=status, message=f"fake upstream error {status}")


def cut_after(n_chunks: int) -> Fault:
    """Send ``n_chunks`` content chunks, then close the connection without ``[DONE]``."""
    return Fault("cut", after_chunks=n_chunks)


def stall(seconds: float, after_chunks: int = 0) -> Fault:
    """Go silent for ``seconds`` after ``after_chunks`` content chunks, then carry on."""
    return Fault("stall", after_chunks=after_chunks, seconds=seconds)


def malformed(after_chunks: int = 0) -> Fault:
    """Send a ``data:`` line that is not JSON after ``after_chunks`` content chunks."""
    return Fault("malformed", after_chunks=after_chunks)


def error_payload(
    after_chunks: int = 0, message: str = "upstream overloaded", error_type: str = "server_error"
) -> Fault:
    """Send ``data: {"error": {...}}`` after ``after_chunks`` content chunks and end the stream."""
    return Fault("error_payload", after_chunks=after_chunks, message=message, error_type=error_type)


@dataclass
class FaultRule:
    pattern: re.Pattern[str]
    fault: Fault
    remaining: int = 1


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    fault: Fault | None = None


class _ClientGone(Exception):
    pass


class _ServerStopping(Exception):
    pass


# -- the server -------------------------------------------------------------------------------------


@dataclass(eq=False)
class FakeOpenAIServer:
    responder: Responder = default_responder
    tokens_per_second: float | None = None
    tokenizer: Callable[[str], list[str]] = tokenize  # text → the content of each streamed chunk
    include_usage: bool = True  # honour stream_options.include_usage
    reject_stream_options: bool = False  # answer 400 to requests that send stream_options (old servers)
    # Structured output: requests with ``response_format`` are answered by ``json_responder`` (as a
    # server with grammar-constrained decoding would); without one the format is ignored and
    # ``responder`` answers, as servers that do not know the field do. ``reject_response_format``
    # answers them 400, as servers that know they cannot do it.
    json_responder: Responder | None = None
    reject_response_format: bool = False
    api_key: str | None = None  # when set, other keys get a 401 that echoes the key (as some APIs do)
    models: tuple[str, ...] = ("fake-model",)
    faults: Iterable[Fault] = ()
    host: str = "127.0.0.1"
    port: int = 0

    requests: list[RecordedRequest] = field(default_factory=list, init=False)
    disconnects: int = field(default=0, init=False)
    completed: int = field(default=0, init=False)  # streams that reached [DONE]

    def __post_init__(self) -> None:
        self.disconnected = threading.Event()
        self._lock = threading.Lock()
        self._completion = threading.Condition(self._lock)
        self._faults: deque[Fault] = deque(self.faults)
        self._rules: list[FaultRule] = []
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> FakeOpenAIServer:
        handler = type("Handler", (_Handler,), {"fake": self})
        # The default listen backlog (5) drops connections under concurrency: the client then waits ~1 s.
        server_class = type("Server", (ThreadingHTTPServer,), {"request_queue_size": 128})
        self._httpd = server_class((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="fake-openai"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://{self.host}:{self._httpd.server_address[1]}/v1"

    # scripting
    def add_fault(self, *faults: Fault) -> None:
        """Queue faults; each chat request consumes one (unless a rule matched it)."""
        with self._lock:
            self._faults.extend(faults)

    def add_rule(self, pattern: str, fault: Fault, times: int = 1) -> None:
        """Inject ``fault`` into the first ``times`` requests whose prompt matches ``pattern``."""
        with self._lock:
            self._rules.append(FaultRule(re.compile(pattern), fault, times))

    def wait_for_disconnect(self, timeout: float) -> bool:
        return self.disconnected.wait(timeout)

    def wait_for_completed(self, count: int, timeout: float) -> bool:
        """Wait for ``count`` finished streams (counted after the last byte, so maybe after the client)."""
        with self._completion:
            return self._completion.wait_for(lambda: self.completed >= count, timeout)

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # used by the handler
    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_fault(self, body: dict[str, Any]) -> Fault | None:
        prompt = prompt_text(body)
        with self._lock:
            for rule in self._rules:
                if rule.remaining > 0 and rule.pattern.search(prompt):
                    rule.remaining -= 1
                    return rule.fault
            return self._faults.popleft() if self._faults else None

    def _client_gone(self) -> None:
        with self._lock:
            self.disconnects += 1
        self.disconnected.set()

    def _stream_completed(self) -> None:
        with self._completion:
            self.completed += 1
            self._completion.notify_all()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeOpenAIServer  # set on the per-server subclass

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return None

    def setup(self) -> None:
        super().setup()
        # Each SSE event is a small write: without this, Nagle + delayed ACK add ~40 ms stalls.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self) -> None:
        # A client that hangs up between requests needs no answer.
        with contextlib.suppress(ConnectionResetError, BrokenPipeError, ConnectionAbortedError):
            super().handle()

    # -- routing
    def do_GET(self) -> None:
        self.fake._record(RecordedRequest("GET", self.path, dict(self.headers), None))
        if self.path.rstrip("/") == "/v1/models":
            data = [{"id": name, "object": "model", "owned_by": "fake"} for name in self.fake.models]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._send_error(404, f"no route for GET {self.path}", "not_found")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        if self.path.rstrip("/") != "/v1/chat/completions":
            self.fake._record(RecordedRequest("POST", self.path, dict(self.headers), body))
            self._send_error(404, f"no route for POST {self.path}", "not_found")
            return
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self.fake._record(RecordedRequest("POST", self.path, dict(self.headers), None))
            self._send_error(400, "body must be a JSON object with messages", "invalid_request_error")
            return
        fault = self.fake._next_fault(body)
        self.fake._record(RecordedRequest("POST", self.path, dict(self.headers), body, fault))

        if self.fake.api_key is not None:
            sent = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            if sent != self.fake.api_key:
                self._send_error(401, f"Incorrect API key provided: {sent}", "invalid_request_error")
                return
        if self.fake.reject_stream_options and "stream_options" in body:
            self._send_error(
                400, "Unrecognized request argument supplied: stream_options", "invalid_request_error"
            )
            return
        response_format = body.get("response_format")
        if response_format is not None and self.fake.reject_response_format:
            self._send_error(400, "response_format is not supported by this server", "invalid_request_error")
            return
        if fault is not None and fault.kind == "rate_limit":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self._send_error(429, fault.message, fault.error_type, headers)
            return
        if fault is not None and fault.kind == "server_error":
            self._send_error(fault.status, fault.message, fault.error_type)
            return
        structured = isinstance(response_format, dict) and response_format.get("type") in (
            "json_schema",
            "json_object",
        )
        responder = self.fake.responder
        if structured and self.fake.json_responder is not None:
            responder = self.fake.json_responder
        try:
            text = responder(body)
        except Exception as exc:  # a broken responder is a test bug; say so in the response
            self._send_error(500, f"responder failed: {exc!r}", "server_error")
            return
        model = str(body.get("model") or self.fake.models[0])
        if body.get("stream"):
            try:
                self._stream(body, model, text, fault)
            except _ClientGone:
                self.fake._client_gone()
                self.close_connection = True
            except _ServerStopping:
                self.close_connection = True
        else:
            self._send_json(200, self._completion(body, model, text))

    # -- responses
    def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(
        self, status: int, message: str, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        self._send_json(status, {"error": {"message": message, "type": kind, "code": status}}, headers)

    def _usage(self, body: dict[str, Any], tokens: list[str]) -> dict[str, int]:
        prompt_tokens = len(tokenize(prompt_text(body)))
        return {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(tokens),
            "total_tokens": prompt_tokens + len(tokens),
        }

    def _completion(self, body: dict[str, Any], model: str, text: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
            "usage": self._usage(body, self.fake.tokenizer(text)),
        }

    def _stream(self, body: dict[str, Any], model: str, text: str, fault: Fault | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [choice],
            }

        tokens = [token for token in self.fake.tokenizer(text) if token]
        self._event(json.dumps(chunk({"role": "assistant", "content": ""})))
        interval = 1.0 / self.fake.tokens_per_second if self.fake.tokens_per_second else 0.0
        started = time.monotonic()
        for index, token in enumerate(tokens):
            if fault is not None and index == fault.after_chunks and self._strike(fault):
                return
            if interval:
                self._pause_until(started + index * interval)
            self._event(json.dumps(chunk({"content": token})))
        if fault is not None and fault.after_chunks >= len(tokens) and self._strike(fault):
            return
        self._event(json.dumps(chunk({}, "stop")))
        options = body.get("stream_options")
        if self.fake.include_usage and isinstance(options, dict) and options.get("include_usage"):
            usage_chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [],
                "usage": self._usage(body, tokens),
            }
            self._event(json.dumps(usage_chunk))
        self._event("[DONE]")
        # Counted before the closing chunk: a client may hang up as soon as it reads [DONE], and
        # the closing chunk's write then fails, although the stream did complete.
        self.fake._stream_completed()
        self._end_body()

    def _strike(self, fault: Fault) -> bool:
        """Apply a streaming fault; True when the response is over."""
        if fault.kind == "cut":
            self.close_connection = True  # no terminating chunk: the client sees a cut body
            return True
        if fault.kind == "stall":
            self._pause_until(time.monotonic() + fault.seconds)
            return False
        if fault.kind == "malformed":
            self._event('{"choices": [{"delta": {"content": "oops"')
            return False
        if fault.kind == "error_payload":
            self._event(
                json.dumps({"error": {"message": fault.message, "type": fault.error_type, "code": 502}})
            )
            self._end_body()
            return True
        return False

    # -- low level
    def _event(self, data: str) -> None:
        self._write_chunk(f"data: {data}\n\n".encode())

    def _end_body(self) -> None:
        self._write_raw(b"0\r\n\r\n")

    def _write_chunk(self, data: bytes) -> None:
        self._write_raw(b"%x\r\n%s\r\n" % (len(data), data))

    def _write_raw(self, data: bytes) -> None:
        if self._peer_closed():
            raise _ClientGone
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as exc:
            raise _ClientGone from exc

    def _pause_until(self, deadline: float) -> None:
        """Sleep until ``deadline`` but notice at once if the client hangs up or the server stops."""
        while (remaining := deadline - time.monotonic()) > 0:
            if self.fake._stopping.is_set():
                raise _ServerStopping
            readable, _, _ = select.select([self.connection], [], [], min(remaining, 0.05))
            if readable and self._peer_closed():
                raise _ClientGone
            if readable:  # the client sent something (e.g. a pipelined request): just wait
                time.sleep(min(remaining, 0.05))

    def _peer_closed(self) -> bool:
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (ConnectionResetError, ConnectionAbortedError, OSError):
            return True


# -- CLI --------------------------------------------------------------------------------------------

_CLI_FAULTS: dict[str, Callable[[int], Fault]] = {
    "cut": lambda after: cut_after(after),
    "500": lambda after: server_error(500),
    "503": lambda after: server_error(503),
    "429": lambda after: rate_limit(1),
    "stall": lambda after: stall(3600, after_chunks=after),
    "malformed": lambda after: malformed(after),
    "error": lambda after: error_payload(after),
}


def load_responder(spec: str) -> Responder:
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise SystemExit(f"--responder must look like module:function, got {spec!r}")
    responder = getattr(importlib.import_module(module_name), attribute, None)
    if not callable(responder):
        raise SystemExit(f"{spec} is not a callable")
    return responder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Loopback OpenAI-compatible streaming server for tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tokens-per-second", type=float, default=None)
    parser.add_argument("--responder", help="module:function taking the request JSON and returning text")
    parser.add_argument(
        "--fail-once-matching", metavar="REGEX", help="inject --fault into the first matching request"
    )
    parser.add_argument("--fault", choices=sorted(_CLI_FAULTS), default="cut")
    parser.add_argument("--fault-after", type=int, default=3, help="content chunks before a streaming fault")
    parser.add_argument("--no-usage", action="store_true", help="ignore stream_options.include_usage")
    parser.add_argument(
        "--json-responder", help="module:function answering requests that carry response_format"
    )
    parser.add_argument(
        "--reject-response-format", action="store_true", help="answer 400 to requests with response_format"
    )
    args = parser.parse_args(argv)

    server = FakeOpenAIServer(
        responder=load_responder(args.responder) if args.responder else default_responder,
        json_responder=load_responder(args.json_responder) if args.json_responder else None,
        reject_response_format=args.reject_response_format,
        tokens_per_second=args.tokens_per_second,
        include_usage=not args.no_usage,
        host=args.host,
        port=args.port,
    )
    if args.fail_once_matching:
        server.add_rule(args.fail_once_matching, _CLI_FAULTS[args.fault](args.fault_after))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with server:
        print(f"READY {server.base_url}", flush=True)
        while not stop.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
