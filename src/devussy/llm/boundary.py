"""What every upstream answer passes through before the pipeline sees it.

- **Well-formed text.** Providers split a stream wherever they like, including between the two
  halves of a UTF-16 surrogate pair (an emoji sent as ``"\\ud83d"`` then ``"\\ude00"`` in JSON). A
  half cannot be encoded as UTF-8, so it would break every writer downstream (the SSE event, the
  repair request's JSON body, the terminal). A trailing high surrogate is carried over to the next
  chunk and joined there; a half that never finds its partner becomes U+FFFD.
- **Bounded size.** An upstream that never stops would grow memory without limit; past
  ``max_chars`` characters in one answer the stream ends with ``provider_output_too_large``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import replace

from devussy.errors import ProviderError
from devussy.llm.base import ChatDelta
from devussy.text_encoding import well_formed


def _is_high_surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udbff"


class SurrogateJoiner:
    """Feed chunks in order; each result is well-formed, and together they lose nothing."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, text: str) -> str:
        text = self._pending + text
        self._pending = ""
        if text and _is_high_surrogate(text[-1]):
            self._pending, text = text[-1], text[:-1]
        return well_formed(text)

    def flush(self) -> str:
        """The end of the stream: a half still waiting for its partner becomes U+FFFD."""
        pending, self._pending = self._pending, ""
        return well_formed(pending)


async def bounded_text(
    deltas: AsyncGenerator[ChatDelta, None], *, provider: str, max_chars: int
) -> AsyncGenerator[ChatDelta, None]:
    """``deltas`` with well-formed text, ending in ``provider_output_too_large`` past ``max_chars``.

    Closing this iterator closes ``deltas`` (and with it the upstream request).
    """
    joiner = SurrogateJoiner()
    total = 0

    def counted(text: str) -> str:
        nonlocal total
        total += len(text)
        if total > max_chars:
            raise ProviderError(
                f"{provider} sent more than {max_chars} characters in one answer; stopped reading "
                "(DEVUSSY_MAX_OUTPUT_CHARS sets the limit)",
                code="provider_output_too_large",
            )
        return text

    async with aclosing(deltas):
        async for delta in deltas:
            text = joiner.feed(delta.text)
            if delta.usage is not None or delta.finish_reason is not None:
                text += joiner.flush()
            if text or delta.usage is not None or delta.finish_reason is not None:
                yield replace(delta, text=counted(text))
        tail = joiner.flush()
        if tail:
            yield ChatDelta(text=counted(tail))
