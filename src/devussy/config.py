"""Settings from the environment and an optional ``devussy.toml``.

Environment variables win over the file. API keys and the access token are read from the
environment only (never from a file Devussy might be asked to show or copy) and are held as
``SecretStr`` so that they never appear in a repr, a log line or a response.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from devussy.errors import ConfigError
from devussy.llm.local import LocalServer, ProbeConfig
from devussy.llm.pricing import Price, parse_prices
from devussy.llm.structured import JsonSchemaPolicy
from devussy.stages.names import STAGES, env_names

# About 250 000 tokens: more than any model writes in one answer, far less than a runaway upstream sends.
DEFAULT_MAX_OUTPUT_CHARS = 1_000_000
# Set by Vercel on every deployment: the names its own URLs use are allowed hosts without configuration.
VERCEL_HOST_VARIABLES = ("VERCEL_URL", "VERCEL_BRANCH_URL", "VERCEL_PROJECT_PRODUCTION_URL")


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    first_token: float = 90.0
    idle: float = 60.0  # longest silence allowed between two chunks


@dataclass(frozen=True)
class Settings:
    provider: str = "builtin"
    model: str | None = None
    base_url: str | None = None
    openai_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = None
    max_concurrency: int = 3
    stage_models: dict[str, str] = field(default_factory=dict)
    extra_models: tuple[str, ...] = ()  # DEVUSSY_MODELS: more models a request may choose
    allowed_origins: tuple[str, ...] = ()
    # Host names the API answers to besides IP literals and localhost (DNS rebinding defence, web/hosts.py)
    allowed_hosts: tuple[str, ...] = ()
    trust_forwarded_host: bool = False  # take the host from X-Forwarded-Host (behind a proxy that sets it)
    access_token: SecretStr | None = None
    max_body_bytes: int = 1_000_000
    max_output_chars: int = DEFAULT_MAX_OUTPUT_CHARS  # one answer from an upstream model, in characters
    max_retries: int = 3
    timeouts: Timeouts = field(default_factory=Timeouts)
    json_schema: JsonSchemaPolicy = field(default_factory=JsonSchemaPolicy)
    prices: dict[str, Price] = field(default_factory=dict)  # USD per million tokens, by model
    # True when DEVUSSY_PROVIDER, a key or a base URL chose the engine (then no local probing).
    provider_configured: bool = False
    local_probe: ProbeConfig = field(default_factory=ProbeConfig)
    local_servers: tuple[LocalServer, ...] = ()  # found by probing (``llm.local.with_local_server``)

    @property
    def api_key(self) -> SecretStr | None:
        return {"openai": self.openai_api_key, "anthropic": self.anthropic_api_key}.get(self.provider)

    def key_for(self, env_name: str | None) -> SecretStr | None:
        """The API key read from the environment variable ``env_name`` (a provider's ``key_env``)."""
        keys = {"OPENAI_API_KEY": self.openai_api_key, "ANTHROPIC_API_KEY": self.anthropic_api_key}
        return keys.get(env_name) if env_name else None

    def model_for(self, stage: str) -> str | None:
        return self.stage_models.get(stage) or self.model

    @property
    def offered_models(self) -> tuple[str, ...]:
        """Every model a request's ``modelConfig.model`` may name; nothing else is accepted."""
        names = [self.model, *self.stage_models.values(), *self.extra_models]
        return tuple(dict.fromkeys(name for name in names if name))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, toml_path: str | Path | None = None) -> Settings:
        env = os.environ if env is None else env
        config_path = toml_path if toml_path is not None else env.get("DEVUSSY_CONFIG")
        values = _Values(env, _read_toml(config_path), str(config_path or "devussy.toml"))

        openai_key = _secret(env.get("OPENAI_API_KEY"))
        anthropic_key = _secret(env.get("ANTHROPIC_API_KEY"))
        base_url = values.text("DEVUSSY_BASE_URL", "base_url")
        provider = (values.text("DEVUSSY_PROVIDER", "provider") or "").lower()
        configured = bool(provider or openai_key or anthropic_key or base_url)
        if not provider:
            # Unset provider: use what a key (or a local server URL) makes possible, else offline.
            if openai_key or base_url:
                provider = "openai"
            elif anthropic_key:
                provider = "anthropic"
            else:
                provider = "builtin"
        from devussy.llm.registry import provider_names  # the registry imports this module

        known = provider_names()
        if provider not in known:
            raise ConfigError(
                f"DEVUSSY_PROVIDER={provider!r} is not a known provider; choose one of {', '.join(known)}"
            )

        stage_models: dict[str, str] = {}
        for stage in STAGES:
            for env_name in env_names(stage):
                value = values.text(f"DEVUSSY_{env_name}_MODEL", f"{stage}_model")
                if value:
                    stage_models[stage] = value
                    break

        return cls(
            provider=provider,
            model=values.text("DEVUSSY_MODEL", "model"),
            base_url=base_url,
            openai_api_key=openai_key,
            anthropic_api_key=anthropic_key,
            max_concurrency=values.integer("DEVUSSY_MAX_CONCURRENCY", "max_concurrency", 3),
            stage_models=stage_models,
            extra_models=_list(values.text("DEVUSSY_MODELS", "models")),
            allowed_origins=_list(values.text("DEVUSSY_ALLOWED_ORIGINS", "allowed_origins")),
            allowed_hosts=tuple(
                dict.fromkeys(
                    [
                        *_list(values.text("DEVUSSY_ALLOWED_HOSTS", "allowed_hosts")),
                        *(env[name].strip() for name in VERCEL_HOST_VARIABLES if env.get(name, "").strip()),
                    ]
                )
            ),
            trust_forwarded_host=values.boolean("DEVUSSY_TRUST_FORWARDED_HOST", "trust_forwarded_host"),
            access_token=_secret(env.get("DEVUSSY_ACCESS_TOKEN")),
            max_body_bytes=values.integer("DEVUSSY_MAX_BODY_BYTES", "max_body_bytes", 1_000_000),
            max_output_chars=values.integer(
                "DEVUSSY_MAX_OUTPUT_CHARS", "max_output_chars", DEFAULT_MAX_OUTPUT_CHARS
            ),
            max_retries=values.integer("DEVUSSY_MAX_RETRIES", "max_retries", 3, minimum=0),
            timeouts=Timeouts(
                connect=values.seconds("DEVUSSY_CONNECT_TIMEOUT", "connect_timeout", 10.0),
                first_token=values.seconds("DEVUSSY_FIRST_TOKEN_TIMEOUT", "first_token_timeout", 90.0),
                idle=values.seconds("DEVUSSY_IDLE_TIMEOUT", "idle_timeout", 60.0),
            ),
            json_schema=JsonSchemaPolicy.parse(values.text("DEVUSSY_JSON_SCHEMA", "json_schema")),
            prices=parse_prices(values.text("DEVUSSY_PRICES", "prices") or ""),
            provider_configured=configured,
            local_probe=ProbeConfig.from_env(env, values.file_text),
        )

    def price_for(self, model: str | None) -> Price | None:
        return self.prices.get(model) if model else None


_FILE_KEYS = frozenset(
    {
        "provider",
        "model",
        "base_url",
        "models",
        "allowed_origins",
        "allowed_hosts",
        "trust_forwarded_host",
        "max_concurrency",
        "max_body_bytes",
        "max_output_chars",
        "max_retries",
        "connect_timeout",
        "first_token_timeout",
        "idle_timeout",
        "json_schema",
        "prices",
        "local_probe",
        "local_ports",
    }
    | {f"{stage}_model" for stage in STAGES}
)


class _Values:
    """Looks a setting up in the environment, then the file; errors name where the value came from."""

    def __init__(self, env: Mapping[str, str], file_values: dict[str, str], file_name: str) -> None:
        self._env = env
        self._file = file_values
        self._file_name = file_name

    def _lookup(self, env_name: str, key: str) -> tuple[str | None, str]:
        value = self._env.get(env_name)
        if value is not None and value.strip():
            return value.strip(), env_name
        value = self._file.get(key)
        if value is not None and value.strip():
            return value.strip(), f"{key} in {self._file_name}"
        return None, env_name

    def text(self, env_name: str, key: str) -> str | None:
        return self._lookup(env_name, key)[0]

    def file_text(self, key: str) -> str | None:
        value = self._file.get(key)
        return value.strip() if value is not None and value.strip() else None

    def integer(self, env_name: str, key: str, default: int, *, minimum: int = 1) -> int:
        value, where = self._lookup(env_name, key)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{where} must be a whole number, got {value!r}") from None
        if number < minimum:
            raise ConfigError(f"{where} must be at least {minimum}, got {number}")
        return number

    def boolean(self, env_name: str, key: str) -> bool:
        value, where = self._lookup(env_name, key)
        if value is None:
            return False
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{where} must be true or false, got {value!r}")

    def seconds(self, env_name: str, key: str, default: float) -> float:
        value, where = self._lookup(env_name, key)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(f"{where} must be a number of seconds, got {value!r}") from None
        if not math.isfinite(number) or number <= 0:
            raise ConfigError(f"{where} must be a positive, finite number of seconds, got {value!r}")
        return number


def _read_toml(path: str | Path | None) -> dict[str, Any]:
    candidate = Path(path) if path else Path("devussy.toml")
    if not candidate.is_file():
        if path:
            raise ConfigError(f"config file {candidate} does not exist")
        return {}
    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{candidate} is not valid TOML: {exc}") from None
    section = data.get("devussy", data)
    if not isinstance(section, dict):
        raise ConfigError(f"{candidate}: [devussy] must be a table")
    for secret_key in ("api_key", "openai_api_key", "anthropic_api_key", "access_token"):
        if secret_key in section:
            raise ConfigError(f"{candidate}: put {secret_key} in the environment, not in a file")
    unknown = sorted(set(section) - _FILE_KEYS)
    if unknown:
        known = ", ".join(sorted(_FILE_KEYS))
        raise ConfigError(f"{candidate}: unknown setting(s) {', '.join(unknown)}; known: {known}")
    return {key: _file_text(value) for key, value in section.items()}


def _file_text(value: Any) -> str:
    """A devussy.toml value as the text its environment variable would hold (lists comma-separated;
    a ``[devussy.prices]`` table ``model = [input, output]`` as ``model=input/output`` pairs)."""
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            figures = "/".join(map(str, item)) if isinstance(item, list) else str(item)
            pairs.append(f"{key}={figures}")
        return ",".join(pairs)
    return str(value)


def _secret(value: str | None) -> SecretStr | None:
    return SecretStr(value.strip()) if value and value.strip() else None


def _list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(item.strip() for item in value.split(",") if item.strip())
