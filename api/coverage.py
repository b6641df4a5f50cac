"""POST /api/coverage: the coverage check of a plan against its (or an edited) requirement list."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))

from devussy.web.endpoints import RouteHandler, coverage


class handler(RouteHandler):
    method = "POST"
    endpoint = coverage
