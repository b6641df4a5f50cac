"""``devussy plan … --requirements FILE``: the user's list replaces extraction; bad lists exit 2 naming
the ids; the end of the run says what the repair rounds left open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devussy.cli.requirements_file import parse_requirements_file
from devussy.models import Requirement
from tests.cli.helpers import StageAnswers, assert_complete_plan, run_cli

MARKDOWN = """# Requirements

- R1 (feature): Members book climbing classes
- **R2** (constraint, brief): The Postgres database already exists
- R4: Stripe payments
- Instructors publish the schedule

Some prose that is not a requirement.
"""


def test_a_markdown_list_reads_ids_kinds_and_sources_and_numbers_the_rest() -> None:
    assert parse_requirements_file(MARKDOWN) == [
        Requirement(id="R1", text="Members book climbing classes"),
        Requirement(id="R2", text="The Postgres database already exists", kind="constraint"),
        Requirement(id="R4", text="Stripe payments"),
        Requirement(id="R3", text="Instructors publish the schedule"),
    ]


def test_a_json_list_or_object_reads_like_the_api() -> None:
    items = [{"id": "R1", "text": "Vote"}, {"id": "R2", "text": "No accounts", "kind": "non_goal"}]
    wrapped = {"requirements": items}
    assert parse_requirements_file(json.dumps(items)) == parse_requirements_file(json.dumps(wrapped))
    assert parse_requirements_file(json.dumps(items))[1].kind == "non_goal"


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("- R1 (feature): a\n- R2: b\n- R2: c\n", "duplicate requirement ids: R2"),
        ("- R1 (feature): a\n- R3 (constraint):\n", "requirements with empty text: R3"),
        ("- R1 (featur): a\n", "R1: unknown kind or source 'featur'"),
        ('[{"id": "R1", "text": "a"}, {"id": "R1", "text": "b"}]', "duplicate requirement ids: R1"),
        ('[{"id": "R1", "text": "a"}, {"id": "R2", "text": " "}]', "requirements with empty text: R2"),
        (
            "- R1 (feature): a\n- R1 (feature): b\n- R2 (constraint):\n",
            "requirements with empty text: R2; duplicate requirement ids: R1",
        ),
        ('[{"id": "R1", "text": "a", "kind": "wish"}]', "R1.kind"),
        ('{"requirements": 3}', "must be a list"),
        ("[1,", "not valid JSON"),
    ],
)
def test_bad_lists_exit_2_naming_the_ids(content: str, named: str, engine: StageAnswers) -> None:
    Path("reqs.md").write_text(content, encoding="utf-8")
    code, out, err = run_cli("plan", "a climbing gym booking app", "--requirements", "reqs.md", "--plain")
    assert code == 2 and out == "" and named in err, err
    assert engine.stages == [] and not Path("devussy-out").exists()


def test_a_missing_or_empty_file_exits_2(engine: StageAnswers) -> None:
    code, _, err = run_cli("plan", "an app", "--requirements", "nope.md")
    assert code == 2 and "--requirements nope.md: cannot read it" in err
    Path("empty.md").write_text("Just prose.\n", encoding="utf-8")
    code, _, err = run_cli("plan", "an app", "--requirements", "empty.md")
    assert code == 2 and "no requirement found" in err


def test_the_list_replaces_extraction_and_the_summary_lists_what_the_repair_left_open(
    engine: StageAnswers,
) -> None:
    Path("reqs.md").write_text(MARKDOWN, encoding="utf-8")
    code, out, err = run_cli("plan", "a climbing gym booking app", "--requirements", "reqs.md", "--plain")
    assert (code, err) == (0, "")
    plan = assert_complete_plan(next(Path("devussy-out").iterdir()))
    assert plan.requirements == parse_requirements_file(MARKDOWN)
    # The scripted engine answers the plan's repair request with the same plan: R1, R3, R4 stay uncited.
    assert "plan      3 problem(s) in the output; asking for one repair" in out
    summary = out.split("Requirements checks:\n", 1)[1]
    assert summary.startswith("  plan: one repair round, 3 still open\n")
    assert '    - R1 (feature: "Members book climbing classes") is cited by no phase' in summary
    coverage = "Coverage problems (see devplan.md): 0/3 requirements covered by a step; uncovered: R1, R4, R3"
    assert coverage in out
