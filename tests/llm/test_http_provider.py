from devussy.config import Settings
from devussy.llm.anthropic import AnthropicProvider
from devussy.llm.openai import OpenAIProvider

ENV = {
    "DEVUSSY_PROVIDER": "anthropic",
    "DEVUSSY_BASE_URL": "https://user:pw@proxy.example/v1",
    "DEVUSSY_MODEL": "claude-x",
    "OPENAI_API_KEY": "sk-openai-hidden",
    "ANTHROPIC_API_KEY": "sk-ant-hidden",
    "DEVUSSY_MAX_RETRIES": "5",
}


def test_from_settings_takes_each_providers_own_key_and_the_active_providers_endpoint() -> None:
    settings = Settings.from_env(ENV)
    anthropic = AnthropicProvider.from_settings(settings)
    openai = OpenAIProvider.from_settings(settings)
    assert anthropic._api_key is not None and anthropic._api_key.get_secret_value() == "sk-ant-hidden"
    assert openai._api_key is not None and openai._api_key.get_secret_value() == "sk-openai-hidden"
    # DEVUSSY_BASE_URL and DEVUSSY_MODEL belong to the active provider only.
    assert (anthropic.base_url, anthropic.default_model) == ("https://user:pw@proxy.example", "claude-x")
    assert (openai.base_url, openai.default_model) == ("https://api.openai.com/v1", None)
    assert anthropic.retry_policy.max_retries == openai.retry_policy.max_retries == 5


def test_repr_shows_neither_key_nor_url_credentials() -> None:
    shown = repr(AnthropicProvider.from_settings(Settings.from_env(ENV)))
    assert shown.startswith("AnthropicProvider(")
    assert "sk-ant-hidden" not in shown and "pw" not in shown
