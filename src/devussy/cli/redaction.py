"""Belt and braces: no configured secret ever reaches the terminal."""

from __future__ import annotations

import os
from collections.abc import Mapping

SECRET_ENV_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "DEVUSSY_ACCESS_TOKEN")


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """Belt and braces: no configured secret is ever printed, whatever a message contains.

    Settings read keys and the access token from these environment variables only.
    """
    env = os.environ if env is None else env
    for name in SECRET_ENV_VARS:
        value = (env.get(name) or "").strip()
        if value:
            text = text.replace(value, "***")
    return text
