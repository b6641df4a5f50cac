"""The SSE sink (``APIStreamingHandler``) and the loop that runs one stage into it.

Every token becomes its own event, written and flushed from inside ``on_token_async``: the stage's
``async for`` over the provider stream awaits the write, so events keep the stream's order and none
is lost. A heartbeat comment fills silences, a watcher notices a closed client socket even while
no token flows, and exactly one terminal event (``done`` or ``error``) ends the response.
"""

from __future__ import annotations

import asyncio
import json
import logging
import select
import socket
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from io import BufferedIOBase
from typing import Any

from devussy.errors import DevussyError
from devussy.events import EventModel, ProgressEvent
from devussy.redaction import redact
from devussy.text_encoding import well_formed
from devussy.web.errors import INTERNAL_ERROR_MESSAGE, log_failure
from devussy.web.wire import DoneEvent, ErrorEvent, TokenEvent

logger = logging.getLogger("devussy.web")

HEARTBEAT_SECONDS = 15.0
DISCONNECT_POLL_SECONDS = 0.1
SSE_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",
    "Connection": "close",
}


class ClientDisconnected(Exception):
    """The client went away; nothing more can be written."""


class APIStreamingHandler:
    """A :class:`~devussy.streaming.StreamingHandler` that writes Server-Sent Events to ``wfile``."""

    def __init__(self, wfile: BufferedIOBase, *, heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        self._wfile = wfile
        self.heartbeat_seconds = heartbeat_seconds
        self._next_id = 1
        self._last_write = time.monotonic()
        self.finished = False  # a terminal event has been written
        self.disconnected = False
        self.text_parts: list[str] = []

    # -- StreamingHandler -------------------------------------------------------------------------
    async def on_token_async(self, token: str) -> None:
        if token:
            self.text_parts.append(token)
            self.send(TokenEvent(content=token))

    async def on_progress_async(self, event: ProgressEvent) -> None:
        self.send(event)

    async def on_completion_async(self, text: str) -> None:
        return None  # the terminal event is written by run_stage, with the validated result

    # -- writing ----------------------------------------------------------------------------------
    def send(self, event: EventModel) -> None:
        """One event frame, written and flushed; its ``data:`` is the event model's JSON."""
        if self.finished:
            raise RuntimeError(f"{event.type!r} event after the terminal event")
        payload = json.dumps(event.wire_json(), ensure_ascii=False, separators=(",", ":"))
        # Encoded before anything is counted: a frame that fails to build must not use up an id or
        # mark the stream finished (a lost terminal event). Half a surrogate pair becomes U+FFFD.
        frame = well_formed(f"id: {self._next_id}\nevent: {event.type}\ndata: {payload}\n\n").encode("utf-8")
        self._next_id += 1
        if event.type in ("done", "error"):
            self.finished = True
        self._write(frame)

    def error(self, message: str, code: str) -> None:
        self.send(ErrorEvent(error=message, code=code))

    def ping(self) -> None:
        self._write(b": ping\n\n")

    def _write(self, data: bytes) -> None:
        if self.disconnected:
            raise ClientDisconnected
        try:
            self._wfile.write(data)
            self._wfile.flush()
        except (OSError, ValueError) as exc:  # ValueError: write to a closed file
            self.disconnected = True
            raise ClientDisconnected from exc
        self._last_write = time.monotonic()

    async def heartbeat(self) -> None:
        """Send ``: ping`` after every ``heartbeat_seconds`` of silence; returns if the client left."""
        while not self.finished:
            wait = self._last_write + self.heartbeat_seconds - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            self.ping()


def socket_closed(sock: socket.socket) -> bool:
    """True once the peer has closed its end (EOF or error), without consuming any data."""
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            hang_up = select.POLLHUP | select.POLLERR | select.POLLNVAL | getattr(select, "POLLRDHUP", 0)
            poller.register(sock.fileno(), select.POLLIN | hang_up)
            events = poller.poll(0)
            if not events:
                return False
            if events[0][1] & hang_up:
                return True
        else:  # Windows
            readable, _, broken = select.select([sock], [], [sock], 0)
            if broken:
                return True
            if not readable:
                return False
        return sock.recv(1, socket.MSG_PEEK | getattr(socket, "MSG_DONTWAIT", 0)) == b""
    except BlockingIOError:
        return False
    except (OSError, ValueError):
        return True


async def wait_for_disconnect(sock: socket.socket, poll_seconds: float = DISCONNECT_POLL_SECONDS) -> None:
    # Polling (not an Event): nothing else can tell us the peer hung up while no token is flowing.
    while not socket_closed(sock):  # noqa: ASYNC110
        await asyncio.sleep(poll_seconds)


async def _watch(client_gone: Callable[[], Awaitable[None]]) -> None:
    """Returns when the client is gone; a watcher that breaks is logged and never ends the stream."""
    try:
        await client_gone()
    except Exception:
        logger.warning("cannot watch the client connection; disconnects are noticed on write", exc_info=True)
        await asyncio.Event().wait()


# The stage run into the sink; returns the endpoint's ``done`` event.
StageWork = Callable[[APIStreamingHandler], Coroutine[Any, Any, DoneEvent]]


async def run_stage(
    sink: APIStreamingHandler,
    work: StageWork,
    *,
    client_gone: Callable[[], Awaitable[None]] | None = None,
    secrets: Iterable[str] = (),
) -> str:
    """Run ``work`` (the stage) into ``sink`` and write the terminal event.

    Returns how it ended: ``"done"``, ``"error"`` or ``"disconnected"`` (stage cancelled, which
    closes the provider's stream and with it the upstream request).
    """
    stage = asyncio.create_task(work(sink), name="devussy-stage")
    beat = asyncio.create_task(sink.heartbeat(), name="devussy-heartbeat")
    watchers = {beat}
    if client_gone is not None:
        watchers.add(asyncio.create_task(_watch(client_gone), name="devussy-disconnect-watch"))
    try:
        await asyncio.wait({stage, *watchers}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in watchers:
            task.cancel()
        if not stage.done():
            stage.cancel()
        await asyncio.gather(stage, *watchers, return_exceptions=True)

    if stage.cancelled():
        return "disconnected"
    exc = stage.exception()
    if isinstance(exc, ClientDisconnected) or sink.disconnected:
        return "disconnected"
    try:
        if exc is None:
            sink.send(stage.result())
            return "done"
        if isinstance(exc, DevussyError):
            sink.error(redact(exc.message, secrets), exc.code)
        else:
            log_failure(logger, "stage failed unexpectedly:", exc, secrets)
            sink.error(INTERNAL_ERROR_MESSAGE, "internal_error")
        return "error"
    except ClientDisconnected:
        return "disconnected"
