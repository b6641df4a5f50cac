"""POST /api/design: project design from an idea or a brief (SSE)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from http.server import BaseHTTPRequestHandler

from devussy.web import endpoints


class handler(BaseHTTPRequestHandler):
    def do_OPTIONS(self) -> None:
        endpoints.preflight(self, "POST")

    def do_POST(self) -> None:
        endpoints.design(self)

    def do_GET(self) -> None:
        endpoints.method_not_allowed(self, "POST")
