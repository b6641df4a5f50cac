from __future__ import annotations

import httpx
import pytest

from devussy.config import Settings
from devussy.errors import ConfigError
from devussy.llm.builtin import BuiltinProvider
from devussy.llm.registry import offered_models_for
from devussy.models import ModelConfig
from devussy.pipeline.settings import stage_settings


def openai_settings(**overrides: object) -> Settings:
    env = {
        "OPENAI_API_KEY": "sk-test",
        "DEVUSSY_MODEL": "gpt-4o-mini",
        "DEVUSSY_DETAIL_MODEL": "gpt-4o",
        "DEVUSSY_MODELS": "o3-mini",
    }
    return Settings.from_env(env={**env, **overrides})  # type: ignore[dict-item]


def transport() -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(500))


def test_builtin_offers_only_builtin() -> None:
    settings = Settings.from_env(env={"DEVUSSY_MODEL": "gpt-4o"})
    resolved = stage_settings(settings, "design")
    assert offered_models_for(settings, resolved.provider) == ["builtin"]
    assert isinstance(resolved.provider, BuiltinProvider) and resolved.model == "builtin"
    assert (
        stage_settings(settings, "design", ModelConfig(model="builtin", temperature=0.2)).temperature == 0.2
    )
    with pytest.raises(ConfigError) as caught:
        stage_settings(settings, "design", ModelConfig(model="gpt-4o"))
    assert caught.value.code == "model_not_offered"
    assert "builtin" in caught.value.message


def test_stage_model_and_request_choice() -> None:
    settings = openai_settings()
    assert stage_settings(settings, "design", transport=transport()).model == "gpt-4o-mini"
    assert stage_settings(settings, "phase_detail", transport=transport()).model == "gpt-4o"
    chosen = stage_settings(
        settings,
        "design",
        ModelConfig(model="o3-mini", temperature=0.1, max_tokens=900),
        transport=transport(),
    )
    assert (chosen.model, chosen.temperature, chosen.max_tokens) == ("o3-mini", 0.1, 900)
    assert chosen.provider.name == "openai"


def test_unoffered_model_is_refused_without_leaking_secrets() -> None:
    with pytest.raises(ConfigError) as caught:
        stage_settings(
            openai_settings(), "design", ModelConfig(model="gpt-5-secret-preview"), transport=transport()
        )
    assert caught.value.code == "model_not_offered"
    assert "sk-test" not in caught.value.message
    assert "gpt-4o-mini" in caught.value.message


def test_unknown_stage() -> None:
    with pytest.raises(ConfigError, match="unknown stage"):
        stage_settings(Settings.from_env(env={}), "deploy")


def test_provider_without_any_model_is_refused_before_a_stage_starts() -> None:
    settings = Settings.from_env(env={"OPENAI_API_KEY": "sk-test"})
    with pytest.raises(ConfigError, match="needs a model for the design stage"):
        stage_settings(settings, "design", transport=transport())
    chosen = Settings.from_env(env={"OPENAI_API_KEY": "sk-test", "DEVUSSY_PLAN_MODEL": "gpt-4o"})
    assert stage_settings(chosen, "basic_plan", transport=transport()).model == "gpt-4o"


def test_request_may_choose_another_configured_engine_but_no_other() -> None:
    settings = openai_settings(ANTHROPIC_API_KEY="sk-ant-test")
    offline = stage_settings(settings, "design", ModelConfig(provider="builtin"), transport=transport())
    assert (offline.provider.name, offline.model) == ("builtin", "builtin")
    other = stage_settings(settings, "design", ModelConfig(provider="anthropic"), transport=transport())
    assert other.provider.name == "anthropic" and other.model == other.provider.default_model  # type: ignore[attr-defined]
    with pytest.raises(ConfigError) as caught:  # the server's models belong to the server's engine
        stage_settings(settings, "design", ModelConfig(provider="builtin", model="gpt-4o"))
    assert caught.value.code == "model_not_offered"
    for engine in ("anthropic", "llama-local"):
        with pytest.raises(ConfigError) as caught:
            stage_settings(openai_settings(), "design", ModelConfig(provider=engine), transport=transport())
        assert caught.value.code == "provider_not_offered"
        assert "sk-test" not in caught.value.message
