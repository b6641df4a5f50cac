"""POST /api/handoff: handoff prompt from design + plan (SSE)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from devussy.web.routes import HANDOFF, RouteHandler


class handler(RouteHandler):
    route = HANDOFF
