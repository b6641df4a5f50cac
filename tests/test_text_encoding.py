from __future__ import annotations

from devussy.text_encoding import well_formed


def test_well_formed_joins_pairs_and_replaces_lone_halves() -> None:
    assert well_formed("plain ✓") == "plain ✓"
    assert well_formed("\ud83d\ude00") == "\U0001f600"
    assert well_formed("a\ude00b\ud83d") == "a\ufffdb\ufffd"
    well_formed("\udcff" * 3).encode("utf-8")
