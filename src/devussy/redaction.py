"""The last line of defence: no configured secret reaches a response, a log line or the terminal.

Keys and the access token are read from these environment variables only (see ``config.py``), so
the secrets to hide are known whether or not the settings could be loaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devussy.config import Settings

SECRET_ENV_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "DEVUSSY_ACCESS_TOKEN", "GITHUB_TOKEN", "GH_TOKEN")


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***``.

    Longest first, so a secret that starts another one cannot leave the longer one's tail visible;
    values under four characters are skipped (replacing them would mangle text and protect nothing).
    """
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def secrets_of(settings: Settings | None) -> list[str]:
    """The secret values loaded settings hold."""
    if settings is None:
        return []
    values = (settings.openai_api_key, settings.anthropic_api_key, settings.access_token)
    return [value.get_secret_value() for value in values if value is not None]


def secrets_in_env(env: Mapping[str, str] | None = None) -> list[str]:
    """The secret values in the environment, for when settings may not have loaded."""
    env = os.environ if env is None else env
    return [value.strip() for name in SECRET_ENV_VARS if (value := env.get(name) or "").strip()]
