from __future__ import annotations

import pytest
from pydantic import SecretStr

from devussy.config import Settings
from devussy.web.auth import check_access
from devussy.web.errors import HTTPError


def test_no_token_configured_means_open() -> None:
    check_access({}, Settings())


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer wrong",
        "Basic t0ken-value",
        "t0ken-value",
        "Bearer t0ken-valuE",
        "Bearer \udcff",
    ],
)
def test_missing_or_wrong_token_is_401(header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    with pytest.raises(HTTPError) as error:
        check_access(headers, Settings(access_token=SecretStr("t0ken-value")))
    assert (error.value.status, error.value.code) == (401, "unauthorized")
    assert "t0ken-value" not in error.value.message


@pytest.mark.parametrize("header", ["Bearer t0ken-value", "bearer t0ken-value", "  Bearer   t0ken-value "])
def test_right_token_passes(header: str) -> None:
    check_access({"Authorization": header}, Settings(access_token=SecretStr("t0ken-value")))
