"""POST /api/workspace/export: the living plan (see docs/workspace.md)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "src"))

from http.server import BaseHTTPRequestHandler

from devussy.web import endpoints


class handler(BaseHTTPRequestHandler):
    def do_OPTIONS(self) -> None:
        endpoints.preflight(self, "POST")

    def do_POST(self) -> None:
        endpoints.workspace_export(self)

    def do_GET(self) -> None:
        endpoints.method_not_allowed(self, "POST")
