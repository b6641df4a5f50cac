"""GET /api/openapi.json: the OpenAPI document (the host serves this file at /api/openapi)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from http.server import BaseHTTPRequestHandler

from devussy.web import endpoints


class handler(BaseHTTPRequestHandler):
    def do_OPTIONS(self) -> None:
        endpoints.preflight(self, "GET, HEAD")

    def do_GET(self) -> None:
        endpoints.openapi(self)

    def do_HEAD(self) -> None:
        endpoints.openapi(self)

    def do_POST(self) -> None:
        endpoints.method_not_allowed(self, "GET, HEAD")
