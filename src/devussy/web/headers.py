"""What the web layer reads request headers through: ``email.message.Message`` (the request
handler's ``headers``, case-insensitive) or a plain mapping (tests)."""

from __future__ import annotations

from typing import Protocol, overload


class Headers(Protocol):
    @overload
    def get(self, name: str, /) -> str | None: ...

    @overload
    def get(self, name: str, default: str, /) -> str: ...
