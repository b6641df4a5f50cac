import pytest

from devussy.errors import ConfigError, DevussyError, ProviderError, StageError


def test_every_error_has_a_stable_code_and_a_readable_message() -> None:
    assert (DevussyError("boom").code, DevussyError("boom").message) == ("internal_error", "boom")
    assert ConfigError("set DEVUSSY_MODEL").code == "config_error"
    assert StageError("bad plan").code == "parse_failed"
    assert ConfigError("no", code="model_not_offered").code == "model_not_offered"
    assert ConfigError("no").code == "config_error"  # a per-instance code leaves the class default alone


def test_provider_error_carries_retry_facts() -> None:
    error = ProviderError(
        "slow down", code="provider_rate_limited", retryable=True, status=429, retry_after=2.5
    )
    assert (error.code, error.retryable, error.status, error.retry_after) == (
        "provider_rate_limited",
        True,
        429,
        2.5,
    )
    assert ProviderError("x").retryable is False


def test_stage_error_keeps_the_raw_text() -> None:
    with pytest.raises(DevussyError) as caught:
        raise StageError("phase 2 could not be parsed", raw_text="## Phase two??")
    assert isinstance(caught.value, StageError) and caught.value.raw_text == "## Phase two??"
    assert str(caught.value) == "phase 2 could not be parsed"
