"""POST /api/plan/basic: phased devplan from a design (SSE)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "src"))

from devussy.web.endpoints import RouteHandler
from devussy.web.streams import BASIC_PLAN


class handler(RouteHandler):
    method = "POST"
    endpoint = BASIC_PLAN
