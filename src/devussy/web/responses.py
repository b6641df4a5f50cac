"""The helpers that write JSON/bytes responses, and the bodies every endpoint may send (an error,
the health check). Light on purpose: what carries domain data is in ``wire.py``."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal

from pydantic import BaseModel, Field

from devussy.web.errors import HTTPError

logger = logging.getLogger("devussy.web")


class ErrorResponse(BaseModel):
    error: str = Field(description="What went wrong, for people.")
    code: str = Field(description="Stable machine-readable code, e.g. invalid_request, unknown_phase.")
    reason: str | None = Field(
        default=None,
        description="brief_too_vague only: too_short, no_features or not_english.",
    )
    questions: list[str] | None = Field(
        default=None,
        description="brief_too_vague only: what the offline engine needs answered (the interview asks them).",
    )


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    provider: str


# -- writing --------------------------------------------------------------------------------------


def send_bytes(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)
        handler.wfile.flush()
    except (OSError, ValueError):
        logger.info("client went away before the response was written")


def send_json(
    handler: BaseHTTPRequestHandler, status: int, body: Any, headers: Mapping[str, str] | None = None
) -> None:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    send_bytes(handler, status, data, "application/json; charset=utf-8", headers)


def send_error(
    handler: BaseHTTPRequestHandler, error: HTTPError, headers: Mapping[str, str] | None = None
) -> None:
    send_json(handler, error.status, error.body(), {**(headers or {}), **error.headers})
