from __future__ import annotations

import io

import pytest

from devussy.web.errors import HTTPError
from devussy.web.requests import (
    DesignRequest,
    DetailRequest,
    InterviewRequest,
    derive_name,
    parse_json_object,
    read_body,
    validate_request,
)
from tests import samples

JSON = {"Content-Type": "application/json"}


def test_read_body_respects_content_length_and_limit() -> None:
    assert read_body({"Content-Length": "4"}, io.BytesIO(b"abcdefg"), 10) == b"abcd"
    assert read_body({}, io.BytesIO(b"ignored"), 10) == b""
    with pytest.raises(HTTPError) as too_big:
        read_body({"Content-Length": "11"}, io.BytesIO(b"x" * 11), 10)
    assert (too_big.value.status, too_big.value.code) == (413, "body_too_large")
    for bad in ("-1", "ten"):
        with pytest.raises(HTTPError) as error:
            read_body({"Content-Length": bad}, io.BytesIO(b""), 10)
        assert error.value.status == 400
    with pytest.raises(HTTPError) as short:
        read_body({"Content-Length": "5"}, io.BytesIO(b"ab"), 10)
    assert short.value.status == 400
    with pytest.raises(HTTPError) as chunked:
        read_body({"Transfer-Encoding": "chunked"}, io.BytesIO(b""), 10)
    assert chunked.value.status == 411


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/merge-patch+json",
    ],
)
def test_json_content_types(content_type: str) -> None:
    assert parse_json_object({"Content-Type": content_type}, b'{"a": 1}') == {"a": 1}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{", 400),
        (b"[1]", 422),
        (b'"x"', 422),
        (b"  ", 400),
        (b'{"a": Infinity}', 400),
        (b"[" * 100_000, 400),
    ],
)
def test_bad_bodies(body: bytes, status: int) -> None:
    with pytest.raises(HTTPError) as error:
        parse_json_object(JSON, body)
    assert error.value.status == status


def test_design_needs_an_idea_or_a_brief() -> None:
    with pytest.raises(HTTPError) as error:
        validate_request(DesignRequest, {"projectName": "x"})
    assert error.value.status == 422 and "requirements" in error.value.message
    request = validate_request(DesignRequest, {"brief": samples.BRIEF.to_json_dict()})
    assert request.to_brief() == samples.BRIEF


def test_design_without_a_name_is_named_from_the_idea_like_the_cli() -> None:
    idea = "A habit tracker for runners with streaks and weekly summaries."
    request = validate_request(DesignRequest, {"requirements": idea})
    brief = request.to_brief()
    assert brief.name == derive_name(idea)
    assert brief.name and "untitled" not in brief.name.lower()


def test_model_config_is_read_from_camel_case() -> None:
    request = validate_request(
        InterviewRequest, {"userInput": "hi", "modelConfig": {"model": "m", "maxTokens": 9}}
    )
    assert request.llm_config is not None and request.llm_config.max_tokens == 9


def test_validation_message_never_echoes_input() -> None:
    with pytest.raises(HTTPError) as error:
        validate_request(DetailRequest, {"plan": samples.plan().to_json_dict(), "phaseNumber": "sk-SECRET"})
    assert "phaseNumber" in error.value.message and "sk-SECRET" not in error.value.message
