"""POST /api/design: project design from an idea or a brief (SSE)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from devussy.web.endpoints import RouteHandler
from devussy.web.streams import DESIGN


class handler(RouteHandler):
    method = "POST"
    endpoint = DESIGN
