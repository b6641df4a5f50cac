"""GET /api/models: engines, providers and models the server offers."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from devussy.web.endpoints import RouteHandler, models


class handler(RouteHandler):
    method = "GET"
    endpoint = models
