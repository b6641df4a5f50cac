"""Resolve the provider and model options one stage runs with."""

from __future__ import annotations

import httpx

from devussy.config import STAGES, Settings
from devussy.errors import ConfigError
from devussy.models import ModelConfig
from devussy.pipeline.base import StageSettings

BUILTIN_MODEL = "builtin"


def offered_models(settings: Settings) -> tuple[str, ...]:
    """The models a request may choose: the configured ones, or just "builtin" offline."""
    if settings.provider == "builtin":
        return (BUILTIN_MODEL,)
    return settings.offered_models


def stage_settings(
    settings: Settings,
    stage: str,
    model_config: ModelConfig | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> StageSettings:
    """Provider + model + sampling options for ``stage``; a request's ``modelConfig`` may pick
    among the offered models and set temperature / max tokens, nothing else."""
    from devussy.llm.registry import create_provider  # the registry imports every adapter

    if stage not in STAGES:
        raise ConfigError(f"unknown stage {stage!r}; stages are {', '.join(STAGES)}")
    model = BUILTIN_MODEL if settings.provider == "builtin" else settings.model_for(stage)
    config = model_config or ModelConfig()
    if config.model is not None:
        offered = offered_models(settings)
        if config.model not in offered:
            choices = ", ".join(offered) or "none configured"
            raise ConfigError(
                f"model {config.model!r} is not offered by this server (offered: {choices})",
                code="model_not_offered",
            )
        model = config.model
    provider = create_provider(settings, transport=transport)
    if model is None and getattr(provider, "default_model", None) is None:
        # Caught here, before any stage starts, rather than at the first request.
        raise ConfigError(
            f"the {provider.name} provider needs a model for the {stage} stage: set DEVUSSY_MODEL "
            f"(or DEVUSSY_<STAGE>_MODEL)"
        )
    return StageSettings(
        provider=provider, model=model, temperature=config.temperature, max_tokens=config.max_tokens
    )
