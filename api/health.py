"""GET /api/health: liveness, version and provider."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from devussy.web.endpoints import RouteHandler, health


class handler(RouteHandler):
    method = "GET"
    endpoint = health
