from __future__ import annotations

import asyncio
import io
import logging
import socket
import time
from typing import Any

import pytest

from devussy.errors import ProviderError, StageError
from devussy.events import PhaseAnnounced
from devussy.models import CoverageReport, Usage
from devussy.web.sse import (
    INTERNAL_ERROR_MESSAGE,
    APIStreamingHandler,
    ClientDisconnected,
    run_stage,
    socket_closed,
    wait_for_disconnect,
)
from devussy.web.wire import DoneEvent, InterviewDone, PhaseDone, StartEvent
from tests import samples
from tests.web.helpers import parse_sse

PHASE = samples.phase(1)
DONE = InterviewDone(reply="ab", complete=False, usage=Usage())


class RecordingFile(io.BytesIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


class BrokenFile(io.RawIOBase):
    def write(self, data: Any) -> int:
        raise BrokenPipeError


async def test_events_are_framed_numbered_and_flushed_one_by_one() -> None:
    out = RecordingFile()
    sink = APIStreamingHandler(out)
    sink.send(StartEvent(stage="detail", phase=2))
    await sink.on_token_async("Hel")
    await sink.on_token_async("lo\nworld ✓")
    await sink.on_progress_async(PhaseAnnounced(phase=PHASE))
    usage = Usage(prompt_tokens=1, completion_tokens=2)
    sink.send(PhaseDone(phase=PHASE, requirements=[], coverage=CoverageReport(), usage=usage))

    events, comments = parse_sse(out.getvalue())
    assert [e.id for e in events] == [1, 2, 3, 4, 5]
    assert [e.event for e in events] == ["start", "token", "token", "progress", "done"]
    assert events[0].data == {"type": "start", "stage": "detail", "phase": 2}
    assert "".join(e.data["content"] for e in events if e.event == "token") == "Hello\nworld ✓"
    assert events[3].data == {"type": "progress", "event": "phase", "phase": PHASE.to_json_dict()}
    usage = {"promptTokens": 1, "completionTokens": 2, "cost": None}
    assert events[4].data == {
        "type": "done",
        "done": True,
        "phase": PHASE.to_json_dict(),
        "requirements": [],
        "coverage": CoverageReport().to_json_dict(),
        "usage": usage,
    }
    assert out.flushes == 5
    assert comments == []


async def test_nothing_can_follow_the_terminal_event() -> None:
    sink = APIStreamingHandler(io.BytesIO())
    sink.error("boom", "provider_timeout")
    with pytest.raises(RuntimeError):
        await sink.on_token_async("late")


async def test_empty_tokens_are_not_sent() -> None:
    out = io.BytesIO()
    sink = APIStreamingHandler(out)
    await sink.on_token_async("")
    assert out.getvalue() == b""


async def test_a_failed_write_marks_the_client_gone() -> None:
    sink = APIStreamingHandler(BrokenFile())  # type: ignore[arg-type]
    with pytest.raises(ClientDisconnected):
        await sink.on_token_async("x")
    assert sink.disconnected


async def test_run_stage_writes_done_with_the_result() -> None:
    out = io.BytesIO()
    sink = APIStreamingHandler(out)

    async def work(sink: APIStreamingHandler) -> InterviewDone:
        for index in range(500):
            await sink.on_token_async(f"t{index} ")
        return InterviewDone(reply="ok", complete=False, usage=Usage())

    assert await run_stage(sink, work) == "done"
    events, _ = parse_sse(out.getvalue())
    tokens = [e.data["content"] for e in events if e.event == "token"]
    assert tokens == [f"t{index} " for index in range(500)]
    assert events[-1].data == {
        "type": "done",
        "done": True,
        "reply": "ok",
        "usage": {"promptTokens": 0, "completionTokens": 0, "cost": None},
        "complete": False,
    }
    assert [e.event for e in events].count("done") == 1


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ProviderError("upstream timed out", code="provider_timeout"), "provider_timeout"),
        (StageError("could not parse", raw_text="junk"), "parse_failed"),
    ],
)
async def test_devussy_errors_end_with_their_code(error: Exception, code: str) -> None:
    out = io.BytesIO()
    sink = APIStreamingHandler(out)

    async def work(sink: APIStreamingHandler) -> DoneEvent:
        await sink.on_token_async("partial")
        raise error

    assert await run_stage(sink, work) == "error"
    events, _ = parse_sse(out.getvalue())
    assert events[-1].data == {"type": "error", "error": str(error), "code": code}
    assert [e.event for e in events] == ["token", "error"]


async def test_unexpected_errors_are_generic_and_logged_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    out = io.BytesIO()
    sink = APIStreamingHandler(out)

    async def work(sink: APIStreamingHandler) -> DoneEvent:
        raise KeyError("sk-secret-value-123")

    with caplog.at_level(logging.ERROR, logger="devussy.web"):
        assert await run_stage(sink, work, secrets=["sk-secret-value-123"]) == "error"
    events, _ = parse_sse(out.getvalue())
    assert events[-1].data == {"type": "error", "error": INTERNAL_ERROR_MESSAGE, "code": "internal_error"}
    assert "KeyError" in caplog.text
    assert "sk-secret-value-123" not in caplog.text
    assert b"sk-secret" not in out.getvalue()


async def test_error_messages_are_redacted() -> None:
    out = io.BytesIO()
    sink = APIStreamingHandler(out)

    async def work(sink: APIStreamingHandler) -> DoneEvent:
        raise ProviderError("bad key sk-abcdef123456", code="provider_auth")

    await run_stage(sink, work, secrets=["sk-abcdef123456"])
    assert b"sk-abcdef" not in out.getvalue()
    assert parse_sse(out.getvalue())[0][-1].data["code"] == "provider_auth"


async def test_heartbeat_pings_during_silence() -> None:
    out = io.BytesIO()
    sink = APIStreamingHandler(out, heartbeat_seconds=0.05)

    async def work(sink: APIStreamingHandler) -> DoneEvent:
        await sink.on_token_async("a")
        await asyncio.sleep(0.3)
        await sink.on_token_async("b")
        return DONE

    await run_stage(sink, work)
    events, comments = parse_sse(out.getvalue())
    assert 3 <= comments.count("ping") <= 7
    assert [e.event for e in events] == ["token", "token", "done"]
    assert out.getvalue().endswith(b"\n\n") and not out.getvalue().endswith(b": ping\n\n")


async def test_client_gone_cancels_the_stage_quickly() -> None:
    out = io.BytesIO()
    sink = APIStreamingHandler(out)
    cancelled = asyncio.Event()
    gone = asyncio.Event()

    async def work(sink: APIStreamingHandler) -> DoneEvent:
        try:
            await asyncio.sleep(30)  # e.g. waiting for the provider's first token
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return DONE

    async def client_gone() -> None:
        await asyncio.sleep(0.05)
        gone.set()

    started = time.monotonic()
    assert await run_stage(sink, work, client_gone=client_gone) == "disconnected"
    assert time.monotonic() - started < 10  # not the 30 s the stage would take
    assert cancelled.is_set()
    assert out.getvalue() == b""  # nothing written after the client left


async def test_write_failure_stops_the_stage() -> None:
    sink = APIStreamingHandler(BrokenFile())  # type: ignore[arg-type]
    reached: list[int] = []

    async def work(sink: APIStreamingHandler) -> DoneEvent:
        for index in range(10):
            reached.append(index)
            await sink.on_token_async("x")
        return DONE

    assert await run_stage(sink, work) == "disconnected"
    assert reached == [0]


async def test_socket_watch_notices_a_closed_peer() -> None:
    server_side, client_side = socket.socketpair()
    try:
        assert not socket_closed(server_side)
        client_side.sendall(b"pipelined bytes are not a hang-up")
        assert not socket_closed(server_side)
        client_side.close()
        await asyncio.wait_for(wait_for_disconnect(server_side, poll_seconds=0.01), timeout=1)
        assert socket_closed(server_side)
    finally:
        server_side.close()


async def test_a_broken_watcher_does_not_end_the_stream() -> None:
    out = io.BytesIO()
    sink = APIStreamingHandler(out)

    async def broken_watch() -> None:
        raise AttributeError("no poll on this platform")

    async def work(sink: APIStreamingHandler) -> DoneEvent:
        await asyncio.sleep(0.05)
        await sink.on_token_async("still here")
        return DONE

    assert await run_stage(sink, work, client_gone=broken_watch) == "done"
    assert parse_sse(out.getvalue())[0][-1].data["done"] is True


# -- half a surrogate pair never breaks the stream (issue 12) ------------------------------------------


async def test_a_lone_surrogate_half_is_written_as_a_replacement_character() -> None:
    out = io.BytesIO()
    sink = APIStreamingHandler(out)

    async def work(sink: APIStreamingHandler) -> DoneEvent:
        await sink.on_token_async("smile \ud83d")
        await sink.on_token_async("\ude00 ok")
        return InterviewDone(reply="half \ud83d", complete=False, usage=Usage())

    assert await run_stage(sink, work) == "done"
    events, _ = parse_sse(out.getvalue())
    assert [e.id for e in events] == [1, 2, 3]
    assert [e.data.get("content") for e in events[:2]] == ["smile \ufffd", "\ufffd ok"]
    assert events[-1].data["reply"] == "half \ufffd"


def test_a_terminal_event_is_never_lost_to_encoding() -> None:
    out = io.BytesIO()
    sink = APIStreamingHandler(out)
    sink.error("upstream said \udcff", "provider_bad_response")
    events, _ = parse_sse(out.getvalue())
    assert len(events) == 1 and events[0].data["error"] == "upstream said \ufffd"
    assert sink.finished
