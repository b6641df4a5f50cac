"""What every upstream answer passes through: split surrogate pairs joined, output size bounded."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devussy.errors import ProviderError
from devussy.llm.base import ChatDelta
from devussy.llm.boundary import SurrogateJoiner, bounded_text
from devussy.models import Usage

GRIN = "\U0001f600"
HIGH, LOW = "\ud83d", "\ude00"  # GRIN as UTF-16 halves, as a provider's JSON may split it


def utf16_halves(text: str) -> list[str]:
    """``text`` as one Python character per UTF-16 code unit (astral characters become two halves)."""
    data = text.encode("utf-16-le")
    return [data[i : i + 2].decode("utf-16-le", "surrogatepass") for i in range(0, len(data), 2)]


def test_a_pair_split_between_chunks_is_joined() -> None:
    joiner = SurrogateJoiner()
    assert joiner.feed("smile " + HIGH) == "smile "
    assert joiner.feed(LOW + " ok") == GRIN + " ok"
    assert joiner.flush() == ""


def test_a_half_that_never_finds_its_partner_becomes_a_replacement_character() -> None:
    joiner = SurrogateJoiner()
    assert joiner.feed("end " + HIGH) == "end "
    assert joiner.flush() == "\ufffd"
    assert SurrogateJoiner().feed(LOW + "x") == "\ufffdx"


@given(text=st.text(), cuts=st.lists(st.integers(0, 400), max_size=8))
def test_any_split_of_any_text_comes_back_whole_and_encodable(text: str, cuts: list[int]) -> None:
    units = utf16_halves(text)
    bounds = sorted({0, len(units), *(c for c in cuts if c <= len(units))})
    chunks = ["".join(units[a:b]) for a, b in itertools.pairwise(bounds)]
    joiner = SurrogateJoiner()
    pieces = [joiner.feed(chunk) for chunk in chunks] + [joiner.flush()]
    for piece in pieces:
        piece.encode("utf-8")
    assert "".join(pieces) == text


async def deltas_of(*chunks: str, final: bool = True) -> AsyncIterator[ChatDelta]:
    for chunk in chunks:
        yield ChatDelta(text=chunk)
    if final:
        yield ChatDelta(usage=Usage(prompt_tokens=1, completion_tokens=2), finish_reason="stop")


async def test_bounded_text_joins_across_deltas_and_keeps_the_final_delta() -> None:
    out = [d async for d in bounded_text(deltas_of("a" + HIGH, LOW + "b", HIGH), provider="p", max_chars=100)]
    assert "".join(d.text for d in out) == "a" + GRIN + "b\ufffd"
    assert out[-1].finish_reason == "stop" and out[-1].usage is not None
    unfinished = bounded_text(deltas_of("x" + HIGH, final=False), provider="p", max_chars=9)
    assert [d.text async for d in unfinished] == ["x", "\ufffd"]


async def test_output_past_the_cap_ends_with_a_clear_error_and_closes_the_upstream() -> None:
    closed = False

    async def endless() -> AsyncIterator[ChatDelta]:
        nonlocal closed
        try:
            while True:
                yield ChatDelta(text="0123456789")
        finally:
            closed = True

    received = ""
    with pytest.raises(ProviderError) as caught:
        async for delta in bounded_text(endless(), provider="openai", max_chars=95):
            received += delta.text
    assert caught.value.code == "provider_output_too_large"
    assert "more than 95 characters" in caught.value.message
    assert "DEVUSSY_MAX_OUTPUT_CHARS" in caught.value.message
    assert len(received) == 90 and closed
