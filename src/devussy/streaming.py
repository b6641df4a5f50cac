"""The sink interface every stage streams into (CLI view, SSE writer, tests).

Named as in the original Devussy: ``StreamingHandler`` with ``on_token_async`` and
``on_completion_async``. ``on_progress_async`` carries the typed milestones of ``devussy.events``,
such as ``PhaseAnnounced`` when the plan stream has yielded a complete phase.
"""

from __future__ import annotations

from typing import Protocol

from devussy.events import ProgressEvent


class StreamingHandler(Protocol):
    async def on_token_async(self, token: str) -> None: ...

    async def on_progress_async(self, event: ProgressEvent) -> None: ...

    async def on_completion_async(self, text: str) -> None: ...


class NullStreamingHandler:
    async def on_token_async(self, token: str) -> None:
        return None

    async def on_progress_async(self, event: ProgressEvent) -> None:
        return None

    async def on_completion_async(self, text: str) -> None:
        return None


class CollectingStreamingHandler:
    """Records everything it is sent; handy in tests and for building a transcript."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.progress: list[ProgressEvent] = []
        self.completions: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.tokens)

    async def on_token_async(self, token: str) -> None:
        self.tokens.append(token)

    async def on_progress_async(self, event: ProgressEvent) -> None:
        self.progress.append(event)

    async def on_completion_async(self, text: str) -> None:
        self.completions.append(text)
