from __future__ import annotations

import pytest
from pydantic import ValidationError

from devussy.models import ProjectBrief
from devussy.validation import describe_errors, error_lines


def errors_of(data: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        ProjectBrief.model_validate(data)
    return caught.value


def test_one_line_per_error_with_the_field_path_and_never_the_value() -> None:
    error = errors_of({"name": "", "summary": "s", "goals": ["ok", "x" * 600]})
    lines = error_lines(error)
    assert lines[0].startswith("name: String should have at least 1 character")
    assert lines[1].startswith("goals.1: String should have at most 500 characters")
    assert not any("x" * 50 in line for line in lines)


def test_limit_and_root() -> None:
    error = errors_of({"name": "", "summary": "", "teamSize": 0})
    assert error_lines(error, limit=1)[1] == "... and 2 more"
    assert describe_errors(error, limit=2).count("; ") == 2
    assert describe_errors(errors_of([1]), root="body").startswith("body: Input should be a valid dictionary")
    assert describe_errors(errors_of([1])).startswith("value: ")
