"""Fuzz every endpoint from its OpenAPI schema, plus malformed bodies and headers: never a 5xx, never a hang.

``DEVUSSY_FUZZ_EXAMPLES`` sets the examples per test (25 by default; ``bench/http_fuzz.py`` runs more).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devussy.web.openapi import build_openapi
from devussy.web.routes import ROUTES, Route
from tests.api.schema_strategies import ANY_JSON, from_openapi, mutated, with_hostile_leaf
from tests.web.helpers import Response, call, call_raw, load_api_handler

CALL_TIMEOUT = 20.0
FUZZ = settings(
    max_examples=int(os.environ.get("DEVUSSY_FUZZ_EXAMPLES", "25")),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
# Fewer examples where each one is a whole design and plan: generating those dominates the run.
HOSTILE = settings(FUZZ, max_examples=max(5, FUZZ.max_examples // 3))
DOCUMENT = build_openapi()
POST_ROUTES = [route for route in ROUTES if route.request]


def bounded_call(
    route: Route,
    body: Any,
    *,
    content_type: str | None = "application/json",
    method: str | None = None,
    path: str | None = None,
) -> Response:
    result: list[Response] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(
                call(
                    load_api_handler(route.api_file),
                    method or route.method,
                    path or route.path,
                    body,
                    content_type=content_type,
                )
            )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    return _bounded(route, run, result, errors)


def _bounded(route: Route, run: Any, result: list[Response], errors: list[BaseException]) -> Response:
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(CALL_TIMEOUT)
    assert not worker.is_alive(), f"{route.path} did not answer within {CALL_TIMEOUT}s"
    if errors:
        raise errors[0]
    return result[0]


def bounded_raw_call(route: Route, raw: bytes) -> Response:
    result: list[Response] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call_raw(load_api_handler(route.api_file), raw))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    return _bounded(route, run, result, errors)


def check(response: Response) -> None:
    assert response.status < 500, response.body[:500]
    if response.status == 200 and (response.header("Content-Type") or "").startswith("text/event-stream"):
        kinds = [event.event for event in response.events]
        assert kinds[0] == "start"
        assert kinds.count("done") + kinds.count("error") == 1 and kinds[-1] in ("done", "error")
    elif response.status >= 400:
        body = response.json()
        # A brief the offline engine will not plan also says why and what it needs to know.
        extra = {"reason", "questions"} if body.get("code") == "brief_too_vague" else set()
        assert {"error", "code"} <= set(body) <= {"error", "code", *extra}


def body_strategy(route: Route) -> st.SearchStrategy[Any]:
    schema = DOCUMENT["paths"][route.path][route.method.lower()]["requestBody"]["content"]["application/json"]
    return mutated(from_openapi(schema["schema"], DOCUMENT))


@pytest.fixture(autouse=True)
def builtin_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVUSSY_PROVIDER", "builtin")


@pytest.mark.parametrize("route", POST_ROUTES, ids=lambda route: route.path)
def test_schema_bodies(route: Route) -> None:
    @FUZZ
    @given(body=body_strategy(route))
    def run(body: Any) -> None:
        check(bounded_call(route, body))

    run()


@pytest.mark.parametrize("route", POST_ROUTES, ids=lambda route: route.path)
def test_malformed_bodies(route: Route) -> None:
    @FUZZ
    @given(
        raw=st.one_of(st.binary(max_size=200), ANY_JSON.map(lambda v: __import__("json").dumps(v).encode())),
        content_type=st.sampled_from(
            [
                "application/json",
                "text/plain",
                "application/json; charset=latin-1",
                None,
                "multipart/form-data; boundary=x",
            ]
        ),
    )
    def run(raw: bytes, content_type: str | None) -> None:
        check(bounded_call(route, raw, content_type=content_type))

    run()


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.request], ids=lambda route: route.path)
def test_get_endpoints_with_junk_queries_and_methods(route: Route) -> None:
    @FUZZ
    @given(
        query=st.text(alphabet="abc=&%?/.;", max_size=20), method=st.sampled_from(["GET", "POST", "OPTIONS"])
    )
    def run(query: str, method: str) -> None:
        check(bounded_call(route, None, method=method, path=f"{route.path}?{query}"))

    run()


# /api/handoff takes a design and a plan, which /api/plan/basic and /api/artifacts already cover.
@pytest.mark.parametrize("route", [r for r in POST_ROUTES if r.path != "/api/handoff"], ids=lambda r: r.path)
def test_schema_bodies_with_a_hostile_value(route: Route) -> None:
    # Valid bodies with one value replaced by what an attacker sends: half a surrogate pair, a number of
    # thousands of digits, NaN, 1e999, JSON nested past the parser's depth, a very long string.
    @HOSTILE
    @given(raw=with_hostile_leaf(body_strategy(route)))
    def run(raw: bytes) -> None:
        check(bounded_call(route, raw))

    run()


header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)


@pytest.mark.parametrize("route", [ROUTES[1], ROUTES[-3]], ids=lambda route: route.path)
def test_hostile_headers(route: Route) -> None:
    @FUZZ
    @given(
        content_length=st.one_of(
            st.none(), header_text, st.integers(-5, 10**30).map(str), st.just("2, 2"), st.just("+2")
        ),
        duplicate_length=st.booleans(),
        host=st.one_of(st.none(), header_text, st.sampled_from(["localhost", "evil.example", "[::1]:80"])),
        origin=st.one_of(st.none(), header_text),
        authorization=st.one_of(st.none(), header_text.map(lambda value: "Bearer " + value)),
        forwarded=st.one_of(st.none(), header_text),
    )
    def run(
        content_length: str | None,
        duplicate_length: bool,
        host: str | None,
        origin: str | None,
        authorization: str | None,
        forwarded: str | None,
    ) -> None:
        body = b'{"projectName": "Blog", "requirements": "A tiny blog"}'
        headers = [("Content-Type", "application/json")]
        for name, value in (
            ("Host", host),
            ("Origin", origin),
            ("Authorization", authorization),
            ("X-Forwarded-Host", forwarded),
            ("Content-Length", content_length),
        ):
            if value is not None:
                headers.append((name, value.replace("\r", " ").replace("\n", " ")))
        if duplicate_length and content_length is not None:
            headers.append(("Content-Length", str(len(body))))
        head = f"{route.method} {route.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
        check(bounded_raw_call(route, head.encode("latin-1") + b"\r\n" + body))

    run()
