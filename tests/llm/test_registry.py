"""Provider registry: creation by name, configuration errors, and the secret-free description."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from pydantic import SecretStr

from devussy.config import Settings
from devussy.errors import ConfigError
from devussy.llm import registry
from devussy.llm.anthropic import AnthropicProvider
from devussy.llm.base import Capabilities, ChatDelta, ChatRequest, LLMProvider
from devussy.llm.openai import OpenAIProvider
from devussy.llm.registry import available_providers, create_provider, register_provider
from tests.llm import Upstream, chat, collect, sse, text_of, transcript

OPENAI_KEY = "sk-openai-registry-0123456789"
ANTHROPIC_KEY = "sk-ant-registry-0123456789"


class FakeBuiltin:
    name = "builtin"
    capabilities = Capabilities(offline=True, usage_in_stream=True)
    default_model = "builtin"

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatDelta]:
        yield ChatDelta(text="offline")


@pytest.fixture(autouse=True)
def fake_builtin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The builtin engine belongs to another module; these tests use a stand-in with its constructor."""
    module = types.ModuleType("devussy.llm.builtin")
    module.BuiltinProvider = FakeBuiltin  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "devussy.llm.builtin", module)
    saved = dict(registry._FACTORIES)
    yield
    registry._FACTORIES.clear()
    registry._FACTORIES.update(saved)


def test_default_provider_comes_from_settings() -> None:
    assert isinstance(create_provider(Settings()), FakeBuiltin)
    settings = Settings(provider="openai", openai_api_key=SecretStr(OPENAI_KEY), model="gpt-x")
    provider = create_provider(settings)
    assert isinstance(provider, OpenAIProvider) and isinstance(provider, LLMProvider)
    assert provider.default_model == "gpt-x"


def test_named_provider_overrides_the_default() -> None:
    settings = Settings(provider="builtin", anthropic_api_key=SecretStr(ANTHROPIC_KEY))
    assert isinstance(create_provider(settings, "anthropic"), AnthropicProvider)


def test_openai_needs_a_key_or_a_local_base_url() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        create_provider(Settings(provider="openai"))
    local = create_provider(
        Settings(provider="openai", base_url="http://localhost:11434/v1", model="llama3.2")
    )
    assert isinstance(local, OpenAIProvider) and local.base_url == "http://localhost:11434/v1"


def test_anthropic_needs_a_key() -> None:
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        create_provider(Settings(provider="anthropic"))


def test_unknown_provider_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown provider 'gemini'") as caught:
        create_provider(Settings(), "gemini")
    assert "builtin" in caught.value.message and caught.value.code == "config_error"


def test_registered_factories_are_used() -> None:
    created: list[Settings] = []

    def factory(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> LLMProvider:
        created.append(settings)
        return FakeBuiltin()

    register_provider("mine", factory)
    assert isinstance(create_provider(Settings(), "mine"), FakeBuiltin) and len(created) == 1
    assert "mine" in [entry.name for entry in available_providers(Settings())]


async def test_transport_reaches_the_provider() -> None:
    upstream = Upstream([sse(transcript("openai_stream_with_usage.sse"))])
    settings = Settings(provider="openai", openai_api_key=SecretStr(OPENAI_KEY), model="gpt-x")
    deltas, error = await collect(create_provider(settings, transport=upstream.transport), chat("x"))
    assert error is None and text_of(deltas).startswith("Phase 1") and len(upstream.requests) == 1


def test_available_providers_describes_each_without_secrets() -> None:
    settings = Settings(
        provider="openai",
        model="gpt-x",
        stage_models={"phase_detail": "gpt-mini"},
        extra_models=("gpt-big",),
        base_url="https://bob:url-password-1@gateway.test/v1",
        openai_api_key=SecretStr(OPENAI_KEY),
        anthropic_api_key=SecretStr(ANTHROPIC_KEY),
        access_token=SecretStr("access-token-xyz"),
    )
    described = {entry.name: entry.to_json_dict() for entry in available_providers(settings)}

    assert set(described) == {"builtin", "openai", "anthropic", "local"}
    assert described["local"]["configured"] is False  # nothing found by probing
    openai = described["openai"]
    assert openai["default"] is True and openai["configured"] is True and openai["usable"] is True
    assert openai["defaultModel"] == "gpt-x"
    assert openai["models"] == ["gpt-x", "gpt-mini", "gpt-big"]
    assert openai["capabilities"]["streaming"] is True and "jsonSchema" in openai["capabilities"]
    assert described["anthropic"]["default"] is False and described["anthropic"]["configured"] is True
    assert described["builtin"]["capabilities"]["offline"] is True and described["builtin"]["usable"] is True

    dumped = json.dumps(described)
    for secret in (OPENAI_KEY, ANTHROPIC_KEY, "access-token-xyz", "url-password-1"):
        assert secret not in dumped


def test_unconfigured_providers_say_what_to_set() -> None:
    described = {entry.name: entry for entry in available_providers(Settings())}
    assert described["builtin"].default is True and described["builtin"].usable is True
    openai, anthropic = described["openai"], described["anthropic"]
    assert openai.configured is False and "OPENAI_API_KEY" in (openai.reason or "")
    assert anthropic.usable is False and "ANTHROPIC_API_KEY" in (anthropic.reason or "")


def test_openai_without_a_model_is_configured_but_not_usable() -> None:
    settings = Settings(provider="openai", openai_api_key=SecretStr(OPENAI_KEY))
    (openai,) = [entry for entry in available_providers(settings) if entry.name == "openai"]
    assert openai.configured is True and openai.usable is False and "DEVUSSY_MODEL" in (openai.reason or "")


def test_the_builtin_engine_is_imported_lazily() -> None:
    code = "import sys, devussy.llm.registry; print('devussy.llm.builtin' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"
