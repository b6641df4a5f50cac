"""Settings from the environment and an optional ``devussy.toml``.

Environment variables win over the file. API keys and the access token are read from the
environment only (never from a file Devussy might be asked to show or copy) and are held as
``SecretStr`` so that they never appear in a repr, a log line or a response.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from devussy.errors import ConfigError

STAGES = ("interview", "design", "basic_plan", "phase_detail", "handoff")
PROVIDERS = ("builtin", "openai", "anthropic")
# Env spelling of each stage for DEVUSSY_<STAGE>_MODEL.
_STAGE_ENV = {
    "interview": "INTERVIEW",
    "design": "DESIGN",
    "basic_plan": "PLAN",
    "phase_detail": "DETAIL",
    "handoff": "HANDOFF",
}


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
    access_token: SecretStr | None = None
    max_body_bytes: int = 1_000_000
    max_retries: int = 3
    timeouts: Timeouts = field(default_factory=Timeouts)

    @property
    def api_key(self) -> SecretStr | None:
        return {"openai": self.openai_api_key, "anthropic": self.anthropic_api_key}.get(self.provider)

    def model_for(self, stage: str) -> str | None:
        return self.stage_models.get(stage) or self.model

    @property
    def offered_models(self) -> tuple[str, ...]:
        """Every model a request's ``modelConfig.model`` may name; nothing else is accepted."""
        names = [self.model, *self.stage_models.values(), *self.extra_models]
        return tuple(dict.fromkeys(name for name in names if name))

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, toml_path: str | Path | None = None
    ) -> Settings:
        env = os.environ if env is None else env
        file_values = _read_toml(toml_path if toml_path is not None else env.get("DEVUSSY_CONFIG"))

        def get(name: str, key: str | None = None) -> str | None:
            value = env.get(name)
            if value is None or value.strip() == "":
                value = file_values.get(key) if key else None
            return value.strip() if isinstance(value, str) and value.strip() else None

        openai_key = _secret(env.get("OPENAI_API_KEY"))
        anthropic_key = _secret(env.get("ANTHROPIC_API_KEY"))
        base_url = get("DEVUSSY_BASE_URL", "base_url")
        provider = (get("DEVUSSY_PROVIDER", "provider") or "").lower()
        if not provider:
            # Unset provider: use what a key (or a local server URL) makes possible, else offline.
            if openai_key or base_url:
                provider = "openai"
            elif anthropic_key:
                provider = "anthropic"
            else:
                provider = "builtin"
        if provider not in PROVIDERS:
            raise ConfigError(
                f"DEVUSSY_PROVIDER={provider!r} is not a known provider; choose one of {', '.join(PROVIDERS)}"
            )

        stage_models = {}
        for stage, env_name in _STAGE_ENV.items():
            value = get(f"DEVUSSY_{env_name}_MODEL", f"{stage}_model")
            if value:
                stage_models[stage] = value

        return cls(
            provider=provider,
            model=get("DEVUSSY_MODEL", "model"),
            base_url=base_url,
            openai_api_key=openai_key,
            anthropic_api_key=anthropic_key,
            max_concurrency=_int(get("DEVUSSY_MAX_CONCURRENCY", "max_concurrency"), 3, "DEVUSSY_MAX_CONCURRENCY"),
            stage_models=stage_models,
            extra_models=_list(get("DEVUSSY_MODELS", "models")),
            allowed_origins=_list(get("DEVUSSY_ALLOWED_ORIGINS", "allowed_origins")),
            access_token=_secret(env.get("DEVUSSY_ACCESS_TOKEN")),
            max_body_bytes=_int(get("DEVUSSY_MAX_BODY_BYTES", "max_body_bytes"), 1_000_000, "DEVUSSY_MAX_BODY_BYTES"),
            max_retries=_int(get("DEVUSSY_MAX_RETRIES", "max_retries"), 3, "DEVUSSY_MAX_RETRIES", minimum=0),
            timeouts=Timeouts(
                connect=_float(get("DEVUSSY_CONNECT_TIMEOUT", "connect_timeout"), 10.0, "DEVUSSY_CONNECT_TIMEOUT"),
                first_token=_float(
                    get("DEVUSSY_FIRST_TOKEN_TIMEOUT", "first_token_timeout"), 90.0, "DEVUSSY_FIRST_TOKEN_TIMEOUT"
                ),
                idle=_float(get("DEVUSSY_IDLE_TIMEOUT", "idle_timeout"), 60.0, "DEVUSSY_IDLE_TIMEOUT"),
            ),
        )


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
    return {key: str(value) if not isinstance(value, list) else ",".join(map(str, value))
            for key, value in section.items()}


def _secret(value: str | None) -> SecretStr | None:
    return SecretStr(value.strip()) if value and value.strip() else None


def _list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _int(value: str | None, default: int, name: str, *, minimum: int = 1) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {number}")
    return number


def _float(value: str | None, default: float, name: str) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {value!r}") from None
    if number <= 0:
        raise ConfigError(f"{name} must be positive, got {number}")
    return number
