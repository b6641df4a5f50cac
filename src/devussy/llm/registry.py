"""Provider factories by name: the one list of engines, and what each can do (``/api/models``,
``devussy providers``).

A factory takes the settings and an optional httpx transport (the test seam) and returns an
:class:`LLMProvider`, or raises :class:`ConfigError` saying what to configure. Registering a name
makes it a valid ``DEVUSSY_PROVIDER`` / ``--provider`` / ``modelConfig.provider``. The built-in
factories import their adapter on first use, so reading the list costs nothing. Other code asks
for capabilities (``provider.capabilities.json_schema``), never for a provider's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, TypeAlias

from pydantic import Field

from devussy.errors import ConfigError
from devussy.llm.base import Capabilities, LLMProvider
from devussy.models import DevussyModel

if TYPE_CHECKING:
    import httpx

    from devussy.config import Settings
    from devussy.llm.openai import OpenAIProvider

ProviderFactory: TypeAlias = "Callable[[Settings, httpx.AsyncBaseTransport | None], LLMProvider]"

_FACTORIES: dict[str, ProviderFactory] = {}


class CapabilitiesInfo(DevussyModel):
    streaming: bool
    json_schema: bool
    usage_in_stream: bool
    max_context: int | None = None
    offline: bool


class ProviderInfo(DevussyModel):
    """One engine as ``/api/models`` describes it. Never contains a key or URL credentials."""

    name: str
    default: bool
    configured: bool
    usable: bool
    reason: str | None = None
    description: str | None = Field(
        default=None, description="What the engine is, e.g. the local server found by probing."
    )
    default_model: str | None = None
    models: list[str] = Field(default_factory=list)
    capabilities: CapabilitiesInfo | None = None


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


def available_providers(settings: Settings) -> list[ProviderInfo]:
    """One description per registered provider."""
    described = []
    for name in _FACTORIES:
        is_default = name == settings.provider
        try:
            provider = create_provider(settings, name)
        except ConfigError as exc:
            unconfigured = ProviderInfo(
                name=name, default=is_default, configured=False, usable=False, reason=exc.message
            )
            described.append(unconfigured)
            continue
        models = offered_models_for(settings, provider)
        offline = provider.capabilities.offline
        described.append(
            ProviderInfo(
                name=name,
                default=is_default,
                configured=True,
                usable=offline or bool(models),
                reason=None if offline or models else "no model configured: set DEVUSSY_MODEL",
                description=_describe(name, settings),
                default_model=getattr(provider, "default_model", None),
                models=models,
                capabilities=_capabilities_info(provider.capabilities),
            )
        )
    return described


def offered_models_for(settings: Settings, provider: LLMProvider) -> list[str]:
    """The models a request may name for ``provider``: its default model, plus every configured
    model when it is the server's own provider. An offline engine has only its own."""
    default_model = getattr(provider, "default_model", None)
    own = provider.name == settings.provider and not provider.capabilities.offline
    names = [default_model, *(settings.offered_models if own else ())]
    return list(dict.fromkeys(name for name in names if name))


def _capabilities_info(capabilities: Capabilities) -> CapabilitiesInfo:
    return CapabilitiesInfo.model_validate(asdict(capabilities))


# Each built-in adapter is imported when it is first created: the builtin engine pulls in the offline
# planner, the HTTP adapters httpx, and an API function may need neither.


def _describe(name: str, settings: Settings) -> str | None:
    if name == "builtin":
        return "Devussy's offline planner: no model, no network"
    if name == "local" and settings.local_servers:
        found = "; also found: " + ", ".join(s.description for s in settings.local_servers[1:])
        return f"{settings.local_servers[0].description} (found by probing)" + (
            found if len(settings.local_servers) > 1 else ""
        )
    return None


def _with_schema_policy(provider: OpenAIProvider, settings: Settings) -> OpenAIProvider:
    """Apply ``DEVUSSY_JSON_SCHEMA`` to what the adapter knows about its endpoint."""
    capable = settings.json_schema.endpoint_capable(provider.capabilities.json_schema)
    provider.capabilities = replace(provider.capabilities, json_schema=capable)
    return provider


def _openai(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> LLMProvider:
    from devussy.llm.openai import OpenAIProvider

    own_base_url = settings.base_url if settings.provider == "openai" else None
    if settings.openai_api_key is None and own_base_url is None:
        raise ConfigError(
            f"the openai provider needs {OpenAIProvider.key_env}, or DEVUSSY_BASE_URL for a local server"
        )
    return _with_schema_policy(OpenAIProvider.from_settings(settings, transport=transport), settings)


def _local(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> LLMProvider:
    """The local OpenAI-compatible server found by probing (``llm.local``): no key, its own models."""
    from devussy.llm.openai import OpenAIProvider

    if not settings.local_servers:
        ports = ", ".join(f"{name} {port}" for name, port in settings.local_probe.ports)
        raise ConfigError(
            f"no local OpenAI-compatible server found (probed ports: {ports or 'none'}); start Ollama, "
            "LM Studio or llama.cpp server, or set DEVUSSY_BASE_URL"
        )
    server = settings.local_servers[0]
    own = settings.provider == "local"
    model = settings.model if own and settings.model in server.models else server.models[0]
    provider = OpenAIProvider(
        api_key=None,
        base_url=server.base_url,
        model=model,
        timeouts=settings.timeouts,
        max_retries=settings.max_retries,
        transport=transport,
    )
    provider.name = "local"
    return _with_schema_policy(provider, settings)


def _anthropic(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> LLMProvider:
    from devussy.llm.anthropic import AnthropicProvider

    return AnthropicProvider.from_settings(settings, transport=transport)


def _builtin(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> LLMProvider:
    from devussy.llm.builtin import BuiltinProvider

    return BuiltinProvider()


register_provider("builtin", _builtin)
register_provider("openai", _openai)
register_provider("anthropic", _anthropic)
register_provider("local", _local)
