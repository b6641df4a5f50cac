"""POST /api/plan/detail: detailed steps for one phase (SSE)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "src"))

from devussy.web.endpoints import RouteHandler
from devussy.web.streams import DETAIL


class handler(RouteHandler):
    method = "POST"
    endpoint = DETAIL
