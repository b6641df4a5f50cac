"""Resolve the provider and model options one stage runs with."""

from __future__ import annotations

import httpx

from devussy.config import Settings
from devussy.errors import ConfigError
from devussy.models import ModelConfig
from devussy.pipeline.base import StageSettings
from devussy.stages.names import STAGES


def stage_settings(
    settings: Settings,
    stage: str,
    model_config: ModelConfig | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> StageSettings:
    """Provider + model + sampling options for ``stage``. A request's ``modelConfig`` may choose
    among the engines and models the server offers and set temperature / max tokens, nothing else."""
    from devussy.llm.registry import create_provider, offered_models_for  # imports every adapter

    if stage not in STAGES:
        raise ConfigError(f"unknown stage {stage!r}; stages are {', '.join(STAGES)}")
    config = model_config or ModelConfig()
    name = config.provider or settings.provider
    try:
        provider = create_provider(settings, name, transport=transport)
    except ConfigError as exc:
        if config.provider is None:
            raise
        raise ConfigError(
            f"engine {name!r} is not available on this server: {exc.message}", code="provider_not_offered"
        ) from None
    offered = offered_models_for(settings, provider)
    if config.model is not None and config.model not in offered:
        choices = ", ".join(offered) or "none configured"
        raise ConfigError(
            f"model {config.model!r} is not offered by this server for {name} (offered: {choices})",
            code="model_not_offered",
        )
    own = provider.name == settings.provider and not provider.capabilities.offline
    model = (
        config.model
        or (settings.model_for(stage) if own else None)
        or getattr(provider, "default_model", None)
    )
    if model is None:
        # Caught here, before any stage starts, rather than at the first request.
        raise ConfigError(
            f"the {provider.name} provider needs a model for the {stage} stage: set DEVUSSY_MODEL "
            f"(or DEVUSSY_<STAGE>_MODEL)"
        )
    return StageSettings(
        provider=provider,
        model=model,
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        structured_output=settings.json_schema.model_takes_schema(model),
        price=settings.price_for(model),
    )
