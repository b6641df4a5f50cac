"""Settings.from_env: environment vs devussy.toml, defaults, validation, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from devussy.config import DEFAULT_MAX_OUTPUT_CHARS, STAGES, Settings, Timeouts
from devussy.errors import ConfigError


@pytest.fixture(autouse=True)
def isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """from_env reads ./devussy.toml by default: never pick up a real one."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_toml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_to_builtin_without_keys() -> None:
    settings = Settings.from_env({})
    assert settings.provider == "builtin"
    assert settings.model is None and settings.base_url is None and settings.api_key is None
    assert settings.max_concurrency == 3 and settings.max_retries == 3
    assert settings.timeouts == Timeouts()
    assert settings.offered_models == ()


@pytest.mark.parametrize(
    ("env", "provider"),
    [
        ({"OPENAI_API_KEY": "sk-1"}, "openai"),
        ({"ANTHROPIC_API_KEY": "sk-ant-1"}, "anthropic"),
        ({"OPENAI_API_KEY": "sk-1", "ANTHROPIC_API_KEY": "sk-ant-1"}, "openai"),
        ({"DEVUSSY_BASE_URL": "http://localhost:11434/v1"}, "openai"),
        ({"OPENAI_API_KEY": "sk-1", "DEVUSSY_PROVIDER": "builtin"}, "builtin"),
        ({"DEVUSSY_PROVIDER": " Anthropic "}, "anthropic"),
        ({"OPENAI_API_KEY": "   "}, "builtin"),
    ],
)
def test_provider_is_inferred_from_keys_unless_set(env: dict[str, str], provider: str) -> None:
    assert Settings.from_env(env).provider == provider


def test_unknown_provider_is_a_clear_config_error() -> None:
    with pytest.raises(ConfigError, match=r"DEVUSSY_PROVIDER='gemini' is not a known provider.*builtin"):
        Settings.from_env({"DEVUSSY_PROVIDER": "gemini"})


def test_a_registered_provider_is_a_known_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    from devussy.llm import registry
    from devussy.llm.mock import MockProvider

    monkeypatch.setitem(registry._FACTORIES, "gemini", lambda settings, transport: MockProvider(str))
    assert Settings.from_env({"DEVUSSY_PROVIDER": "gemini"}).provider == "gemini"


def test_environment_values() -> None:
    settings = Settings.from_env(
        {
            "DEVUSSY_PROVIDER": "openai",
            "DEVUSSY_MODEL": "gpt-x",
            "DEVUSSY_BASE_URL": "https://openrouter.ai/api/v1",
            "OPENAI_API_KEY": "sk-env",
            "DEVUSSY_MAX_CONCURRENCY": "5",
            "DEVUSSY_DETAIL_MODEL": "gpt-mini",
            "DEVUSSY_DESIGN_MODEL": "gpt-big",
            "DEVUSSY_MODELS": "a, b,,c",
            "DEVUSSY_ALLOWED_ORIGINS": "https://a.test,https://b.test",
            "DEVUSSY_MAX_RETRIES": "0",
            "DEVUSSY_CONNECT_TIMEOUT": "2.5",
            "DEVUSSY_FIRST_TOKEN_TIMEOUT": "30",
            "DEVUSSY_IDLE_TIMEOUT": "7",
        }
    )
    assert settings.model == "gpt-x" and settings.base_url == "https://openrouter.ai/api/v1"
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-env"
    assert settings.max_concurrency == 5 and settings.max_retries == 0
    assert settings.model_for("phase_detail") == "gpt-mini"
    assert settings.model_for("design") == "gpt-big"
    assert settings.model_for("handoff") == "gpt-x"
    assert settings.offered_models == ("gpt-x", "gpt-big", "gpt-mini", "a", "b", "c")
    assert settings.allowed_origins == ("https://a.test", "https://b.test")
    assert settings.timeouts == Timeouts(connect=2.5, first_token=30, idle=7)


def test_every_stage_has_a_model_override() -> None:
    env_names = {"interview": "INTERVIEW", "design": "DESIGN", "design_review": "REVIEW",
                 "basic_plan": "PLAN", "phase_detail": "DETAIL", "handoff": "HANDOFF"}  # fmt: skip
    assert set(env_names) == set(STAGES)
    env = {f"DEVUSSY_{name}_MODEL": f"m-{stage}" for stage, name in env_names.items()}
    settings = Settings.from_env({"DEVUSSY_MODEL": "base", **env})
    assert {stage: settings.model_for(stage) for stage in STAGES} == {s: f"m-{s}" for s in STAGES}


def test_toml_file_is_read_and_environment_wins(isolated_cwd: Path) -> None:
    write_toml(
        isolated_cwd / "devussy.toml",
        """
[devussy]
provider = "openai"
model = "from-file"
base_url = "http://localhost:11434/v1"
max_concurrency = 4
phase_detail_model = "file-detail"
models = ["x", "y"]
allowed_origins = ["https://a.test"]
idle_timeout = 12.5
""",
    )
    settings = Settings.from_env({"DEVUSSY_MODEL": "from-env", "DEVUSSY_MAX_CONCURRENCY": ""})
    assert settings.provider == "openai" and settings.base_url == "http://localhost:11434/v1"
    assert settings.model == "from-env"  # env wins
    assert settings.max_concurrency == 4  # empty env value falls back to the file
    assert settings.model_for("phase_detail") == "file-detail"
    assert settings.extra_models == ("x", "y") and settings.allowed_origins == ("https://a.test",)
    assert settings.timeouts.idle == 12.5


def test_toml_without_a_section_and_explicit_path(tmp_path: Path) -> None:
    path = write_toml(tmp_path / "custom.toml", 'model = "m"\nprovider = "openai"\n')
    assert Settings.from_env({}, toml_path=path).model == "m"
    assert Settings.from_env({"DEVUSSY_CONFIG": str(path)}).model == "m"


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Settings.from_env({}, toml_path=tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="does not exist"):
        Settings.from_env({"DEVUSSY_CONFIG": str(tmp_path / "nope.toml")})


def test_invalid_toml_is_a_clear_error(isolated_cwd: Path) -> None:
    write_toml(isolated_cwd / "devussy.toml", "provider = \n")
    with pytest.raises(ConfigError, match=r"devussy\.toml is not valid TOML"):
        Settings.from_env({})
    write_toml(isolated_cwd / "devussy.toml", "devussy = 3\n")
    with pytest.raises(ConfigError, match=r"\[devussy\] must be a table"):
        Settings.from_env({})


@pytest.mark.parametrize("name", ["api_key", "openai_api_key", "anthropic_api_key", "access_token"])
def test_secrets_are_refused_in_the_file(isolated_cwd: Path, name: str) -> None:
    write_toml(isolated_cwd / "devussy.toml", f'[devussy]\n{name} = "sk-in-file-123"\n')
    with pytest.raises(ConfigError, match=f"put {name} in the environment") as caught:
        Settings.from_env({})
    assert "sk-in-file-123" not in str(caught.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEVUSSY_MAX_CONCURRENCY": "many"}, "DEVUSSY_MAX_CONCURRENCY must be a whole number, got 'many'"),
        ({"DEVUSSY_MAX_CONCURRENCY": "0"}, "DEVUSSY_MAX_CONCURRENCY must be at least 1, got 0"),
        ({"DEVUSSY_MAX_RETRIES": "-1"}, "DEVUSSY_MAX_RETRIES must be at least 0"),
        ({"DEVUSSY_MAX_BODY_BYTES": "1e6"}, "DEVUSSY_MAX_BODY_BYTES must be a whole number"),
        ({"DEVUSSY_IDLE_TIMEOUT": "soon"}, "DEVUSSY_IDLE_TIMEOUT must be a number of seconds, got 'soon'"),
        ({"DEVUSSY_CONNECT_TIMEOUT": "0"}, "DEVUSSY_CONNECT_TIMEOUT must be a positive"),
        ({"DEVUSSY_FIRST_TOKEN_TIMEOUT": "-5"}, "DEVUSSY_FIRST_TOKEN_TIMEOUT must be a positive"),
    ],
)
def test_bad_values_are_config_errors_with_clear_messages(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert message in caught.value.message and caught.value.code == "config_error"


def test_nan_timeout_is_rejected() -> None:
    with pytest.raises(ConfigError):
        Settings.from_env({"DEVUSSY_IDLE_TIMEOUT": "nan"})


def test_secrets_never_appear_in_repr_or_str() -> None:
    secrets = {"OPENAI_API_KEY": "sk-openai-secret-1", "ANTHROPIC_API_KEY": "sk-ant-secret-2",
               "DEVUSSY_ACCESS_TOKEN": "token-secret-3"}  # fmt: skip
    settings = Settings.from_env(secrets)
    shown = f"{settings!r} {settings} {settings.api_key!r} {settings.access_token}"
    for value in secrets.values():
        assert value not in shown
    assert (
        settings.openai_api_key is not None
        and settings.openai_api_key.get_secret_value() == "sk-openai-secret-1"
    )
    assert settings.access_token is not None and settings.access_token.get_secret_value() == "token-secret-3"


def test_keys_are_read_from_the_environment_only(isolated_cwd: Path) -> None:
    write_toml(isolated_cwd / "devussy.toml", '[devussy]\nprovider = "anthropic"\n')
    settings = Settings.from_env({"ANTHROPIC_API_KEY": " sk-ant-x "})
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-ant-x"


def test_settings_are_immutable() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.provider = "openai"  # type: ignore[misc]


def test_infinite_timeout_is_rejected() -> None:
    with pytest.raises(ConfigError, match="finite"):
        Settings.from_env({"DEVUSSY_FIRST_TOKEN_TIMEOUT": "inf"})


def test_unknown_file_setting_is_named(tmp_path) -> None:
    path = tmp_path / "devussy.toml"
    path.write_text('[devussy]\nmodle = "gpt"\n')
    with pytest.raises(ConfigError, match="modle"):
        Settings.from_env({}, toml_path=path)


def test_bad_file_value_is_reported_under_its_file_key(tmp_path) -> None:
    path = tmp_path / "devussy.toml"
    path.write_text("[devussy]\nmax_concurrency = 0\n")
    with pytest.raises(ConfigError, match="max_concurrency in"):
        Settings.from_env({}, toml_path=path)


@pytest.mark.parametrize(
    ("variable", "stage"),
    [
        ("DEVUSSY_BASIC_PLAN_MODEL", "basic_plan"),
        ("DEVUSSY_PHASE_DETAIL_MODEL", "phase_detail"),
        ("DEVUSSY_PLAN_MODEL", "basic_plan"),
        ("DEVUSSY_DETAIL_MODEL", "phase_detail"),
    ],
)
def test_stage_models_accept_short_and_full_stage_names(variable: str, stage: str) -> None:
    assert Settings.from_env({variable: "m-1"}).model_for(stage) == "m-1"


def test_host_settings_and_output_cap() -> None:
    defaults = Settings.from_env({})
    assert defaults.allowed_hosts == () and defaults.trust_forwarded_host is False
    assert defaults.max_output_chars == DEFAULT_MAX_OUTPUT_CHARS
    settings = Settings.from_env(
        {
            "DEVUSSY_ALLOWED_HOSTS": "plans.example.com, .corp.example",
            "VERCEL_URL": "app-abc.vercel.app",
            "VERCEL_PROJECT_PRODUCTION_URL": "plans.example.com",
            "DEVUSSY_TRUST_FORWARDED_HOST": "yes",
            "DEVUSSY_MAX_OUTPUT_CHARS": "5000",
        }
    )
    assert settings.allowed_hosts == ("plans.example.com", ".corp.example", "app-abc.vercel.app")
    assert settings.trust_forwarded_host is True and settings.max_output_chars == 5000
    assert Settings.from_env({"DEVUSSY_TRUST_FORWARDED_HOST": "0"}).trust_forwarded_host is False
    with pytest.raises(ConfigError, match="DEVUSSY_TRUST_FORWARDED_HOST must be true or false"):
        Settings.from_env({"DEVUSSY_TRUST_FORWARDED_HOST": "sometimes"})
    with pytest.raises(ConfigError, match="DEVUSSY_MAX_OUTPUT_CHARS must be at least 1"):
        Settings.from_env({"DEVUSSY_MAX_OUTPUT_CHARS": "0"})


def test_host_settings_from_the_file(tmp_path: Path) -> None:
    path = write_toml(tmp_path / "d.toml", 'allowed_hosts = ["a.example"]\ntrust_forwarded_host = true\n')
    settings = Settings.from_env({}, toml_path=path)
    assert settings.allowed_hosts == ("a.example",) and settings.trust_forwarded_host is True
