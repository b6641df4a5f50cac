"""The one place secrets are hidden: no configured secret reaches a response, a log line, the
terminal or a quoted upstream error.

Keys and the access token are read from these environment variables only (see ``config.py``), so
the secrets to hide are known whether or not the settings could be loaded. Credentials inside a
base URL (``user:password@``, ``?api_key=``) count as secrets too. ``redact`` also masks anything
shaped like an API key (``sk-…``), for text quoted from an upstream that may echo one back.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from pydantic import SecretStr

    from devussy.config import Settings

SECRET_ENV_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "DEVUSSY_ACCESS_TOKEN", "GITHUB_TOKEN", "GH_TOKEN")
MASK = "***"
_KEY_LIKE = re.compile(r"\b(?:sk|gsk|xai)-[A-Za-z0-9_\-*.]{6,}")


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret, and every key-shaped string, replaced by ``***``.

    Longest first, so a secret that starts another one cannot leave the longer one's tail visible;
    values under four characters are skipped (replacing them would mangle text and protect nothing).
    """
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, MASK)
    return _KEY_LIKE.sub(MASK, text)


def secrets_of(settings: Settings | None) -> list[str]:
    """The secret values loaded settings hold: keys, the access token, base URL credentials."""
    if settings is None:
        return []
    values = (settings.openai_api_key, settings.anthropic_api_key, settings.access_token)
    found = [value.get_secret_value() for value in values if value is not None]
    return found + url_secrets(settings.base_url)


def provider_secrets(api_key: SecretStr | None, base_url: str | None) -> list[str]:
    """What one provider must never quote: its key and any credentials inside its base URL."""
    found = [api_key.get_secret_value()] if api_key is not None and api_key.get_secret_value() else []
    return found + url_secrets(base_url)


def url_secrets(url: str | None) -> list[str]:
    """User name, password and query-string values (6+ characters) of ``url``."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    found = [value for value in (parts.password, parts.username) if value]
    return found + re.findall(r"=([^&]{6,})", parts.query)


def secrets_in_env(env: Mapping[str, str] | None = None) -> list[str]:
    """The secret values in the environment, for when settings may not have loaded."""
    env = os.environ if env is None else env
    return [value.strip() for name in SECRET_ENV_VARS if (value := env.get(name) or "").strip()]
