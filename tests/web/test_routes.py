from __future__ import annotations

from devussy.web import endpoints
from devussy.web.routes import ROUTES, find_route
from tests.web.helpers import API_DIR, load_api_handler


def test_every_route_has_its_api_file_and_endpoint_and_vice_versa() -> None:
    files = {p.relative_to(API_DIR).as_posix() for p in API_DIR.rglob("*.py") if not p.name.startswith("_")}
    assert files == {route.api_file for route in ROUTES}
    for route in ROUTES:
        handler = load_api_handler(route.api_file)
        assert hasattr(handler, f"do_{route.method}") and hasattr(handler, "do_OPTIONS")
        assert callable(getattr(endpoints, route.endpoint))


def test_find_route_ignores_query_and_trailing_slash() -> None:
    assert find_route("/api/plan/detail?x=1").endpoint == "detail"  # type: ignore[union-attr]
    assert find_route("/api/health/").endpoint == "health"  # type: ignore[union-attr]
    assert find_route("/api/openapi").endpoint == "openapi"  # type: ignore[union-attr]
    assert find_route("/api/nope") is None
