"""HTTP errors: the JSON error shape and the code → status table."""

from __future__ import annotations

import pytest

from devussy.config import Settings
from devussy.errors import ConfigError
from devussy.models import ModelConfig
from devussy.pipeline.settings import stage_settings
from devussy.web.errors import CODE_STATUS, INTERNAL_ERROR_MESSAGE, HTTPError
from devussy.web.responses import ErrorResponse


def test_http_error_carries_status_code_message_and_headers() -> None:
    error = HTTPError(
        401, "the access token is not valid", "unauthorized", headers={"WWW-Authenticate": "Bearer"}
    )
    assert (error.status, error.code, error.message) == (401, "unauthorized", "the access token is not valid")
    assert str(error) == "the access token is not valid"
    assert error.headers == {"WWW-Authenticate": "Bearer"}
    assert isinstance(error, Exception)


def test_error_body_is_exactly_error_and_code() -> None:
    body = HTTPError(422, "phaseNumber: must be at least 1", "invalid_request").body()
    assert body == {"error": "phaseNumber: must be at least 1", "code": "invalid_request"}
    # The documented response model (OpenAPI) accepts it unchanged.
    assert ErrorResponse.model_validate(body).model_dump(exclude_none=True) == body


def test_error_body_carries_details_the_response_model_documents() -> None:
    details = {"reason": "too_short", "questions": ["What should it do?"]}
    body = HTTPError(422, "too short to plan", "brief_too_vague", details=details).body()
    assert body == {"error": "too short to plan", "code": "brief_too_vague", **details}
    assert ErrorResponse.model_validate(body).model_dump(exclude_none=True) == body


def test_errors_without_headers_do_not_share_a_headers_dict() -> None:
    first = HTTPError(400, "a", "invalid_json")
    second = HTTPError(400, "b", "invalid_json")
    first.headers["X-Test"] = "1"
    assert second.headers == {}


def test_code_status_table() -> None:
    assert CODE_STATUS == {
        "model_not_offered": 422,
        "provider_not_offered": 422,
        "unknown_phase": 404,
        "input_too_large": 413,
        "config_error": 500,
    }


@pytest.mark.parametrize(
    ("model_config", "code"),
    [
        (ModelConfig(model="gpt-unlimited"), "model_not_offered"),
        (ModelConfig(provider="no-such-engine"), "provider_not_offered"),
    ],
)
def test_what_a_request_can_get_wrong_in_stage_settings_is_a_4xx(
    model_config: ModelConfig, code: str
) -> None:
    with pytest.raises(ConfigError) as info:
        stage_settings(Settings(), "design", model_config)
    assert info.value.code == code
    assert 400 <= CODE_STATUS[info.value.code] < 500


def test_internal_error_message_gives_nothing_away() -> None:
    assert INTERNAL_ERROR_MESSAGE == "the server hit an unexpected error; it has been logged"
