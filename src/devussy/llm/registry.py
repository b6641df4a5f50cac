"""Provider factories by name, and what each one can do for ``/api/models`` and ``devussy providers``.

A factory takes the settings and an optional httpx transport (the test seam) and returns an
:class:`LLMProvider`, or raises :class:`ConfigError` saying what to configure. Other code asks for
capabilities (``provider.capabilities.json_schema``), never for a provider's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import httpx

from devussy.config import Settings
from devussy.errors import ConfigError
from devussy.llm.anthropic import AnthropicProvider
from devussy.llm.base import Capabilities, LLMProvider
from devussy.llm.openai import OpenAIProvider

ProviderFactory = Callable[[Settings, httpx.AsyncBaseTransport | None], LLMProvider]

_FACTORIES: dict[str, ProviderFactory] = {}


def register_provider(name: str, factory: ProviderFactory) -> None:
    """Make ``name`` available to :func:`create_provider` (a later registration replaces an earlier one)."""
    _FACTORIES[name] = factory


def provider_names() -> list[str]:
    return list(_FACTORIES)


def create_provider(
    settings: Settings, name: str | None = None, *, transport: httpx.AsyncBaseTransport | None = None
) -> LLMProvider:
    name = name or settings.provider
    factory = _FACTORIES.get(name)
    if factory is None:
        raise ConfigError(f"unknown provider {name!r}; choose one of {', '.join(_FACTORIES)}")
    return factory(settings, transport)


def available_providers(settings: Settings) -> list[dict[str, Any]]:
    """One JSON-ready description per registered provider. Never contains a key or URL credentials."""
    described = []
    for name in _FACTORIES:
        is_default = name == settings.provider
        entry: dict[str, Any] = {"name": name, "default": is_default}
        try:
            provider = create_provider(settings, name)
        except ConfigError as exc:
            entry.update(
                configured=False,
                usable=False,
                reason=exc.message,
                defaultModel=None,
                models=[],
                capabilities=None,
            )
            described.append(entry)
            continue
        default_model = getattr(provider, "default_model", None)
        models = offered_models_for(settings, provider)
        offline = provider.capabilities.offline
        entry.update(
            configured=True,
            usable=offline or bool(models),
            reason=None if offline or models else "no model configured: set DEVUSSY_MODEL",
            defaultModel=default_model,
            models=models,
            capabilities=_capabilities_json(provider.capabilities),
        )
        described.append(entry)
    return described


def offered_models_for(settings: Settings, provider: LLMProvider) -> list[str]:
    """The models a request may name for ``provider``: its default model, plus every configured
    model when it is the server's own provider. An offline engine has only its own."""
    default_model = getattr(provider, "default_model", None)
    own = provider.name == settings.provider and not provider.capabilities.offline
    names = [default_model, *(settings.offered_models if own else ())]
    return list(dict.fromkeys(name for name in names if name))


def _capabilities_json(capabilities: Capabilities) -> dict[str, Any]:
    names = {"json_schema": "jsonSchema", "usage_in_stream": "usageInStream", "max_context": "maxContext"}
    return {names.get(key, key): value for key, value in asdict(capabilities).items()}


def _openai(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> LLMProvider:
    own_base_url = settings.base_url if settings.provider == "openai" else None
    if settings.openai_api_key is None and own_base_url is None:
        raise ConfigError("the openai provider needs OPENAI_API_KEY, or DEVUSSY_BASE_URL for a local server")
    return OpenAIProvider.from_settings(settings, transport=transport)


def _anthropic(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> LLMProvider:
    return AnthropicProvider.from_settings(settings, transport=transport)


def _builtin(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> LLMProvider:
    # Imported lazily: it pulls in the offline planner, which API handlers may never need.
    from devussy.llm.builtin import BuiltinProvider

    return BuiltinProvider()


register_provider("builtin", _builtin)
register_provider("openai", _openai)
register_provider("anthropic", _anthropic)
