"""POST /api/interview: one chat turn of the project interview (SSE)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from devussy.web.endpoints import RouteHandler
from devussy.web.streams import INTERVIEW


class handler(RouteHandler):
    method = "POST"
    endpoint = INTERVIEW
