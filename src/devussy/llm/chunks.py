"""Text pieces and token estimates for the engines that stream text they already have (builtin, mock).

There is no tokenizer: ``ceil(characters / 4)`` tokens is the usual rule of thumb for English text
with BPE tokenizers.
"""

from __future__ import annotations

import math
import re

_WORD_WITH_SPACE = re.compile(r"\s*\S+\s*|\s+")


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def chunk_text(text: str, words_per_chunk: int = 3) -> list[str]:
    """Split into pieces of a few words; ``"".join(chunk_text(t)) == t``."""
    words = _WORD_WITH_SPACE.findall(text)
    return ["".join(words[i : i + words_per_chunk]) for i in range(0, len(words), words_per_chunk)]
