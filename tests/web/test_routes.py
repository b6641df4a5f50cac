from __future__ import annotations

from http.server import BaseHTTPRequestHandler

from devussy.web import endpoints, routes
from devussy.web.endpoints import RouteHandler
from devussy.web.routes import ROUTES, find_route
from devussy.web.streams import StageEndpoint
from tests.web.helpers import API_DIR, call, load_api_handler


def test_every_route_has_its_api_file_and_vice_versa() -> None:
    files = {p.relative_to(API_DIR).as_posix() for p in API_DIR.rglob("*.py") if not p.name.startswith("_")}
    assert files == {route.api_file for route in ROUTES}
    for route in ROUTES:
        handler = load_api_handler(route.api_file)
        # What the host checks (vc_init.py): a BaseHTTPRequestHandler named `handler`.
        assert issubclass(handler, RouteHandler) and issubclass(handler, BaseHTTPRequestHandler)
        assert (handler.method, handler.endpoint) == (route.method, route.endpoint)  # as the dev server


def test_routes_hold_their_models_and_endpoints() -> None:
    assert len({route.path for route in ROUTES}) == len(ROUTES)
    for route in ROUTES:
        assert callable(route.endpoint)
        assert route.stream == isinstance(route.endpoint, StageEndpoint)
        if route.stream:
            assert route.request is not None and route.response is not None
            assert route.response.model_fields["type"].default == "done"


def test_find_route_ignores_query_and_trailing_slash() -> None:
    assert find_route("/api/plan/detail?x=1") is routes.DETAIL
    assert find_route("/api/health/") is routes.HEALTH
    assert find_route("/api/openapi") is routes.OPENAPI
    assert find_route("/api/nope") is None


def test_serve_answers_preflights_and_refuses_other_methods() -> None:
    assert routes.HEALTH.endpoint is endpoints.health

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            endpoints.serve(self, "GET", endpoints.health)

        do_OPTIONS = do_PUT = do_GET

    assert call(Handler, "GET", "/api/health").json()["status"] == "ok"
    assert call(Handler, "OPTIONS", "/api/health").status == 204
    refused = call(Handler, "PUT", "/api/health", {})
    assert refused.status == 405 and refused.header("Allow") == "GET, HEAD, OPTIONS"
