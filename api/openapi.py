"""GET /api/openapi.json: the OpenAPI document (the host serves this file at /api/openapi)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from devussy.web.endpoints import RouteHandler, openapi


class handler(RouteHandler):
    method = "GET"
    endpoint = openapi
