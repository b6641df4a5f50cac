"""POST /api/workspace/export: the living plan (see docs/workspace.md)."""

import pathlib
import sys

# src/ on the path: the package imports the same way on the serverless host and locally.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "src"))

from devussy.web.endpoints import RouteHandler, workspace_export


class handler(RouteHandler):
    method = "POST"
    endpoint = workspace_export
