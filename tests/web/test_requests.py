from __future__ import annotations

import io
from email.message import Message

import pytest

from devussy.web.errors import HTTPError
from devussy.web.requests import (
    DesignRequest,
    DetailRequest,
    InterviewRequest,
    content_length,
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


# -- odd Content-Length values and bodies with honest messages (issue 12) ----------------------------


def message_headers(*pairs: tuple[str, str]) -> Message:
    headers = Message()
    for name, value in pairs:
        headers[name] = value
    return headers


@pytest.mark.parametrize("value", ["+5", "1_0", "٥", "5, 5", "5 5", "0x5", "5.0", "1" * 31])
def test_only_plain_digits_are_a_content_length(value: str) -> None:
    with pytest.raises(HTTPError) as error:
        read_body(message_headers(("Content-Length", value)), io.BytesIO(b"12345"), 100)
    assert (error.value.status, error.value.code) == (400, "invalid_request")
    assert "whole number of bytes" in error.value.message


def test_two_content_lengths_are_refused_even_when_equal() -> None:
    for second in ("5", "3"):
        headers = message_headers(("Content-Length", "5"), ("Content-Length", second))
        with pytest.raises(HTTPError, match="one Content-Length"):
            read_body(headers, io.BytesIO(b"12345"), 100)
    assert content_length(message_headers(("Content-Length", " 5 "))) == 5  # surrounding blanks are allowed


def test_a_too_large_body_is_refused_without_reading_it() -> None:
    rfile = io.BytesIO(b"x" * 50)
    with pytest.raises(HTTPError) as error:
        read_body({"Content-Length": str(10**26)}, rfile, 10)
    assert error.value.status == 413 and rfile.tell() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"a": NaN}', "the body is not valid JSON: NaN is not a JSON number"),
        (b'{"a": -Infinity}', "the body is not valid JSON: -Infinity is not a JSON number"),
        (b'{"a": 1e999}', "the body is not accepted: the number 1e999 is too large"),
        (b'{"a": ' + b"9" * 5000 + b"}", "the body is not accepted: a number has more than 100 digits"),
        (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "not accepted: JSON nested too deeply"),
        (b'{"a": "\xff"}', "the body is not UTF-8 text (a bad byte at position 7)"),
        (b'{"a": "half \\ud83d"}', "a string holds half a UTF-16 surrogate pair"),
        (b'{"\\udc00": 1}', "a string holds half a UTF-16 surrogate pair"),
        (b'{"a": [1, 2}', "the body is not valid JSON: Expecting ',' delimiter (line 1, column 12)"),
    ],
)
def test_bodies_that_are_refused_say_why(body: bytes, message: str) -> None:
    with pytest.raises(HTTPError) as error:
        parse_json_object(JSON, body)
    assert (error.value.status, error.value.code) == (400, "invalid_json")
    assert message in error.value.message


def test_pairs_and_large_but_reasonable_numbers_are_fine() -> None:
    body = b'{"a": "\\ud83d\\ude00", "b": 1e300, "c": ' + b"9" * 100 + b"}"
    assert parse_json_object(JSON, body)["a"] == "😀"
