"""No configured secret is ever printed."""

from __future__ import annotations

from devussy.cli.redaction import redact
from tests.cli.helpers import SECRET


def test_redact() -> None:
    env = {"OPENAI_API_KEY": SECRET, "DEVUSSY_ACCESS_TOKEN": "tok-123"}
    assert redact(f"a {SECRET} b tok-123", env) == "a *** b ***"
    assert redact("nothing", {}) == "nothing"

