from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from devussy.config import Settings
from devussy.redaction import provider_secrets, redact, secrets_in_env, secrets_of


def test_redact_replaces_every_occurrence_of_every_secret() -> None:
    text = "key sk-abc123456 and token tok-98765, again sk-abc123456"
    assert redact(text, ["sk-abc123456", "tok-98765"]) == "key *** and token ***, again ***"
    assert redact("key abc123456 and token tok-98765", []) == "key abc123456 and token tok-98765"


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


@given(
    st.text(min_size=8, max_size=40).filter(lambda s: s.strip() == s and len(set(s)) > 3),
    st.text(max_size=50),
)
def test_redact_removes_the_secret_wherever_it_appears(secret: str, filler: str) -> None:
    text = f"{filler}{secret}{filler}{secret}"
    assert secret not in redact(text, [secret])


def test_redact_also_masks_key_shaped_strings() -> None:
    assert redact("key sk-proj-ABCDEF123456 and gsk_x", []) == "key *** and gsk_x"


def test_provider_secrets_include_url_credentials() -> None:
    found = provider_secrets(SecretStr("k-123"), "https://bob:pa55word@host.test/v1?api_key=qwertyuiop")
    assert {"k-123", "pa55word", "bob", "qwertyuiop"} <= set(found)
    assert provider_secrets(None, None) == []


def test_secrets_of_settings_include_base_url_credentials() -> None:
    settings = Settings(provider="openai", base_url="https://bobby:pa55word@gw.test/v1?key=qwertyuiop")
    assert (
        redact(f"GET {settings.base_url}", secrets_of(settings)) == "GET https://***:***@gw.test/v1?key=***"
    )
