"""POST /api/artifacts: the plan's artifacts as a zip (or JSON with ?format=json)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from devussy.web.endpoints import RouteHandler, artifacts


class handler(RouteHandler):
    method = "POST"
    endpoint = artifacts
