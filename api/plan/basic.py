"""POST /api/plan/basic: phased devplan from a design (SSE)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "src"))

from devussy.web.routes import BASIC_PLAN, RouteHandler


class handler(RouteHandler):
    route = BASIC_PLAN
