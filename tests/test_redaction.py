from pydantic import SecretStr

from devussy.config import Settings
from devussy.redaction import redact, secrets_in_env, secrets_of


def test_redact_replaces_every_occurrence_of_every_secret() -> None:
    text = "key sk-abc123456 and token tok-98765, again sk-abc123456"
    assert redact(text, ["sk-abc123456", "tok-98765"]) == "key *** and token ***, again ***"
    assert redact(text, []) == text


def test_redact_ignores_empty_and_very_short_values() -> None:
    # Replacing "" or "a" would mangle every message without protecting anything.
    assert redact("a plain message", ["", "a", "ab", "abc"]) == "a plain message"
    assert redact("pin abcd", ["abcd"]) == "pin ***"


def test_redact_removes_a_longer_secret_that_contains_a_shorter_one() -> None:
    assert redact("token tok-12345678", ["tok-1234", "tok-12345678"]) == "token ***"


def test_secrets_of_lists_every_configured_secret() -> None:
    settings = Settings(
        openai_api_key=SecretStr("sk-one"),
        anthropic_api_key=SecretStr("sk-ant-two"),
        access_token=SecretStr("tok-three"),
    )
    assert secrets_of(settings) == ["sk-one", "sk-ant-two", "tok-three"]
    assert secrets_of(Settings()) == []
    assert secrets_of(None) == []


def test_secrets_in_env_are_the_ones_settings_would_load() -> None:
    env = {"OPENAI_API_KEY": " sk-env-1 ", "DEVUSSY_ACCESS_TOKEN": "tok-123", "ANTHROPIC_API_KEY": "  ",
           "DEVUSSY_MODEL": "not-a-secret"}  # fmt: skip
    assert secrets_in_env(env) == ["sk-env-1", "tok-123"]
    assert secrets_of(Settings.from_env(env)) == secrets_in_env(env)
    assert redact("a sk-env-1 b tok-123", secrets_in_env(env)) == "a *** b ***"
