"""vercel.json stays coherent with the api/ layout and today's Python runtime."""

from __future__ import annotations

import fnmatch
import json

from devussy.web.routes import ROUTES
from tests.web.helpers import API_DIR, REPO

CONFIG = json.loads((REPO / "vercel.json").read_text())


def test_functions_not_builds() -> None:
    assert "builds" not in CONFIG and "routes" not in CONFIG  # legacy keys conflict with functions/rewrites
    ((pattern, function),) = CONFIG["functions"].items()
    assert function["includeFiles"] == "src/**" and 10 <= function["maxDuration"] <= 800
    for route in ROUTES:
        path = f"api/{route.api_file}"
        assert fnmatch.fnmatch(path, pattern.replace("**/", "*")), path


def test_static_export_is_the_front_end() -> None:
    assert CONFIG["outputDirectory"] == "devussy-web/out" and CONFIG["cleanUrls"] is True
    assert "devussy-web" in CONFIG["buildCommand"]


def test_openapi_json_path_reaches_its_function() -> None:
    rewrites = {rule["source"]: rule["destination"] for rule in CONFIG["rewrites"]}
    assert rewrites["/api/openapi.json"] == "/api/openapi" and (API_DIR / "openapi.py").is_file()


def test_api_files_insert_src_on_the_path() -> None:
    for route in ROUTES:
        text = (API_DIR / route.api_file).read_text()
        assert "sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[" in text
        assert "\nclass handler(RouteHandler):\n" in text and f'    method = "{route.method}"' in text
