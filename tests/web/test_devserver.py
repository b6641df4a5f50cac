"""The dev server over real loopback sockets: API routing to the api/ handler classes, static UI, shutdown."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.web.helpers import REPO, http_call, parse_sse, running_dev_server, stream_until_first_token
from tests.web.mock_engine import StageAnswers


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    root = tmp_path / "out"
    (root / "_next" / "static").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "index.html").write_text("<h1>home</h1>")
    (root / "about.html").write_text("<h1>about</h1>")
    (root / "docs" / "index.html").write_text("<h1>docs</h1>")
    (root / "404.html").write_text("<h1>missing</h1>")
    (root / "_next" / "static" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("do not serve")
    return root


def raw_get(port: int, target: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_static_ui_is_served_with_clean_urls(static_dir: Path) -> None:
    with running_dev_server(static_dir) as port:
        home = http_call(port, "GET", "/")
        assert home.status == 200 and home.body == b"<h1>home</h1>"
        assert home.header("Content-Type") == "text/html; charset=utf-8"
        assert http_call(port, "GET", "/about").body == b"<h1>about</h1>"
        assert http_call(port, "GET", "/docs/").body == b"<h1>docs</h1>"
        script = http_call(port, "GET", "/_next/static/app.js")
        assert script.header("Content-Type") == "text/javascript; charset=utf-8"
        assert "immutable" in (script.header("Cache-Control") or "")
        missing = http_call(port, "GET", "/nope")
        assert missing.status == 404 and missing.body == b"<h1>missing</h1>"
        head = http_call(port, "HEAD", "/about")
        assert head.status == 200 and head.body == b""
        assert http_call(port, "POST", "/about", b"{}").status == 405


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/docs/../../secret.txt",
        "//etc/passwd",
        "/%00",
        "/..\\secret.txt",
    ],
)
def test_no_directory_traversal(static_dir: Path, target: str) -> None:
    with running_dev_server(static_dir) as port:
        answer = raw_get(port, target)
    assert b"do not serve" not in answer and b"root:" not in answer
    assert answer.startswith((b"HTTP/1.0 404", b"HTTP/1.0 400"))


def test_helpful_page_when_the_ui_is_not_built(tmp_path: Path) -> None:
    with running_dev_server(tmp_path / "missing") as port:
        page = http_call(port, "GET", "/")
        assert page.status == 200 and b"make web-build" in page.body
        assert http_call(port, "GET", "/about").status == 404


def test_api_routes_reach_the_handler_classes() -> None:
    with running_dev_server() as port:
        health = http_call(port, "GET", "/api/health")
        assert health.status == 200 and health.json()["status"] == "ok"
        assert http_call(port, "GET", "/api/openapi.json").json()["openapi"].startswith("3.1")
        unknown = http_call(port, "GET", "/api/nothing-here")
        assert unknown.status == 404 and unknown.json()["code"] == "not_found"
        wrong = http_call(port, "GET", "/api/design")
        assert wrong.status == 405 and wrong.json()["code"] == "method_not_allowed"
        preflight = http_call(port, "OPTIONS", "/api/design", headers={"Origin": f"http://127.0.0.1:{port}"})
        assert preflight.status == 204


def test_streams_over_loopback_and_many_at_once(engine: StageAnswers) -> None:
    body = {"projectName": "Todo", "requirements": "A todo app"}
    with running_dev_server() as port, ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda _: http_call(port, "POST", "/api/design", body), range(32)))
    pieces = engine.pieces_for(engine.tasks[0])
    for response in responses:
        assert response.status == 200
        events = response.events
        assert [e.data["content"] for e in events if e.event == "token"] == pieces
        assert events[-1].event == "done"


def test_413_reaches_a_loopback_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_MAX_BODY_BYTES", "1000")
    with running_dev_server() as port:
        response = http_call(port, "POST", "/api/design", {"padding": "x" * 50_000})
    assert response.status == 413 and response.json()["code"] == "body_too_large"


def test_client_disconnect_cancels_the_stage(engine: StageAnswers, monkeypatch: pytest.MonkeyPatch) -> None:
    engine.delay = 5.0  # the engine waits between pieces (like a provider that went quiet)
    with running_dev_server() as port:
        body = {"projectName": "Todo", "requirements": "A todo app"}
        sock = stream_until_first_token(port, "/api/design", body)
        sock.close()
        deadline = time.monotonic() + 5  # a hang guard; bench/cancel_latency.py measures how fast
        while not engine.cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        assert engine.cancelled
    assert engine.streamed == 1


def test_dev_server_script_prints_its_url_and_stops_on_sigterm(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, str(REPO / "dev_server.py"), "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "http://127.0.0.1:" in line
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        assert http_call(port, "GET", "/api/health").status == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_busy_port_is_a_clear_error() -> None:
    from devussy.web.devserver import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["--port", str(taken.getsockname()[1])]) == 1


def test_sse_parser_is_strict() -> None:
    with pytest.raises(AssertionError):
        parse_sse(b"data: {}\n\n")


# -- what an attacker tried (issue 12) -------------------------------------------------------------------


def raw_request(port: int, data: bytes, *, timeout: float = 5.0) -> bytes:
    """Send ``data`` as is and read until the server closes (or ``timeout`` passes: a hang fails here)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def post_head(content_length: str, *extra: str) -> bytes:
    lines = [
        "POST /api/design HTTP/1.1",
        "Host: localhost",
        "Content-Type: application/json",
        f"Content-Length: {content_length}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_an_absurd_content_length_gets_its_413_at_once() -> None:
    with running_dev_server() as port:
        answer = raw_request(port, post_head(str(10**26)))  # and no body: nothing to wait for
    assert answer.startswith(b"HTTP/1.0 413") and b'"code":"body_too_large"' in answer


@pytest.mark.parametrize("extra", [("Content-Length: 7",), ("Content-Length: 2",)], ids=["same", "different"])
def test_a_second_content_length_is_a_400(extra: tuple[str]) -> None:
    with running_dev_server() as port:
        answer = raw_request(port, post_head("2", *extra) + b"{}")
    assert answer.startswith(b"HTTP/1.0 400") and b"one Content-Length" in answer


def test_a_very_long_static_path_is_a_plain_404(static_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with running_dev_server(static_dir) as port:
        answer = raw_get(port, "/" + "a" * 5000)
        deep = raw_get(port, "/" + "/".join(["b" * 250] * 20))  # every part fits, the whole does not
    assert answer.startswith(b"HTTP/1.0 404") and deep.startswith(b"HTTP/1.0 404")
    assert "Traceback" not in capsys.readouterr().err


def test_head_on_the_json_endpoints() -> None:
    with running_dev_server() as port:
        for path in ("/api/health", "/api/models", "/api/openapi.json"):
            head = http_call(port, "HEAD", path)
            get = http_call(port, "GET", path)
            assert head.status == 200 and head.body == b"", path
            assert head.header("Content-Length") == get.header("Content-Length") == str(len(get.body))


def test_query_strings_never_reach_the_access_log(capsys: pytest.CaptureFixture[str]) -> None:
    with running_dev_server() as port:
        http_call(port, "GET", "/api/health?token=sk-SECRET-in-query")
        raw_request(port, b"GET /api/health?access_token=sk-SECRET-bad HTTP/1.1 extra\r\n\r\n")
    log = capsys.readouterr().err
    assert '"GET /api/health?… HTTP/1.1" 200' in log
    assert "sk-SECRET" not in log
