import json

import pytest
from pydantic import ValidationError

from devussy.models import (
    MAX_SLUG_LENGTH,
    DevPlan,
    Handoff,
    ModelConfig,
    Phase,
    ProjectBrief,
    Requirement,
    Step,
    Usage,
    export_json_schema,
    slugify,
)


def make_step(step_id: str = "1.1", **overrides: object) -> Step:
    fields = {
        "id": step_id,
        "title": "Create the repository",
        "details": "Initialise git and the package layout.",
        "acceptance_criteria": ["`git status` is clean"],
        "test_command": "git status",
    }
    fields.update(overrides)
    return Step(**fields)


def make_plan() -> DevPlan:
    return DevPlan(
        project_name="Todo CLI",
        summary="A small todo list CLI.",
        phases=[
            Phase(number=1, title="Foundation", summary="Set up.", steps=[make_step("1.1")]),
            Phase(number=2, title="Core", summary="Commands.", depends_on=[1]),
        ],
    )


def test_json_round_trip_uses_camel_case_and_restores_the_model() -> None:
    plan = make_plan()
    data = plan.to_json_dict()
    assert "projectName" in data
    assert "acceptanceCriteria" in data["phases"][0]["steps"][0]
    assert data["phases"][1]["dependsOn"] == [1]
    assert DevPlan.model_validate(json.loads(json.dumps(data))) == plan


def test_snake_case_input_is_accepted_and_unknown_fields_ignored() -> None:
    brief = ProjectBrief.model_validate(
        {"name": "x", "summary": "an idea", "data_stores": ["postgres"], "favouriteColour": "blue"}
    )
    assert brief.data_stores == ["postgres"]


@pytest.mark.parametrize("bad_id", ["2", "1.0", "0.1", "a.b", "1.2.3", ""])
def test_step_ids_must_look_like_phase_dot_step(bad_id: str) -> None:
    with pytest.raises(ValidationError):
        make_step(bad_id)


def test_missing_criteria_or_command_is_a_gap_not_an_error_but_blank_text_is_invalid() -> None:
    step = make_step(acceptance_criteria=[], test_command=None)
    assert step.acceptance_criteria == [] and step.test_command is None
    with pytest.raises(ValidationError):
        make_step(test_command="  ")
    with pytest.raises(ValidationError):
        make_step(acceptance_criteria=["  "])


def test_requirements_have_unique_well_formed_ids_and_text() -> None:
    brief = ProjectBrief(
        name="x", summary="y", requirements=[{"id": "R1", "text": "Vote", "kind": "feature"}]
    )
    assert brief.requirements[0].source == "brief"
    with pytest.raises(ValidationError, match="duplicate requirement ids: R2"):
        ProjectBrief(
            name="x",
            summary="y",
            requirements=[{"id": "R2", "text": "a"}, {"id": "R1", "text": "b"}, {"id": "R2", "text": "c"}],
        )
    for bad in (
        {"id": "R0", "text": "a"},
        {"id": "2", "text": "a"},
        {"id": "R1", "text": " "},
        {"id": "R1", "text": "a", "kind": "wish"},
    ):
        with pytest.raises(ValidationError):
            Requirement.model_validate(bad)


def test_cited_ids_are_sorted_unique_and_must_exist_in_the_plan() -> None:
    step = make_step(covers=["R3", "R1", "R3"])
    assert step.covers == ["R1", "R3"]
    phase = Phase(number=1, title="Core", summary="s", requirements=["R2"], steps=[step])
    requirements = [Requirement(id=f"R{n}", text=f"r{n}") for n in (1, 2)]
    with pytest.raises(ValidationError, match=r"unknown requirement ids: R3 \(cited by step 1.1\)"):
        DevPlan(project_name="p", summary="s", phases=[phase], requirements=requirements)
    # Without a requirement list nothing can be checked, so citations are kept as given.
    assert DevPlan(project_name="p", summary="s", phases=[phase]).phases[0].steps[0].covers == ["R1", "R3"]


def test_steps_must_belong_to_their_phase_and_be_unique() -> None:
    with pytest.raises(ValidationError, match="does not belong"):
        Phase(number=2, title="Core", summary="s", steps=[make_step("1.1")])
    with pytest.raises(ValidationError, match="duplicate"):
        Phase(number=1, title="Core", summary="s", steps=[make_step("1.1"), make_step("1.1")])


def test_phase_cannot_depend_on_itself_and_dependencies_are_normalised() -> None:
    with pytest.raises(ValidationError, match="itself"):
        Phase(number=2, title="t", summary="s", depends_on=[2])
    assert Phase(number=3, title="t", summary="s", depends_on=[2, 1, 2]).depends_on == [1, 2]


def test_plan_rejects_duplicate_numbers_and_unknown_dependencies() -> None:
    with pytest.raises(ValidationError, match="unique"):
        DevPlan(project_name="p", summary="s", phases=[Phase(number=1, title="a", summary="s")] * 2)
    with pytest.raises(ValidationError, match="unknown phases"):
        lonely = Phase(number=1, title="a", summary="s", depends_on=[7])
        DevPlan(project_name="p", summary="s", phases=[lonely])


def test_plan_lookup_and_replacement() -> None:
    plan = make_plan()
    detailed = plan.phase(2).model_copy(update={"steps": [make_step("2.1")]})
    updated = plan.with_phase(detailed)
    assert updated.phase(2).steps[0].id == "2.1"
    assert plan.phase(2).steps == []
    with pytest.raises(KeyError):
        plan.phase(9)


def test_usage_adds_up() -> None:
    total = Usage(prompt_tokens=3, completion_tokens=4) + Usage(prompt_tokens=1, completion_tokens=1)
    assert (total.prompt_tokens, total.completion_tokens, total.total_tokens) == (4, 5, 9)


def test_model_config_bounds() -> None:
    assert ModelConfig.model_validate({"maxTokens": 100}).max_tokens == 100
    with pytest.raises(ValidationError):
        ModelConfig(temperature=3.5)


def test_handoff_start_step_is_a_step_id() -> None:
    with pytest.raises(ValidationError):
        Handoff(project_name="p", prompt="go", start_step="first")


def test_schema_export_covers_every_model() -> None:
    schemas = json.loads(export_json_schema())
    assert {"ProjectBrief", "ProjectDesign", "DevPlan", "Phase", "Step", "Handoff", "Usage"} <= set(schemas)
    assert "acceptanceCriteria" in schemas["Step"]["properties"]


def test_slugify() -> None:
    assert slugify("My Great App!") == "my-great-app"
    assert slugify("###") == "project"


def test_slugify_folds_accents() -> None:
    assert slugify("Café Menü") == "cafe-menu"
    assert slugify("Cafe\u0301") == slugify("Café") == "cafe"


def test_non_latin_names_get_distinct_ascii_slugs() -> None:
    slugs = {slugify(name) for name in ("Проект А", "Проект Б", "日本の家計簿", "家計簿")}
    assert len(slugs) == 4
    assert all(slug.isascii() and slug.startswith("project-") for slug in slugs)
    assert slugify("Проект А") == slugify("Проект А ")  # the same name, the same folder
    assert slugify("家計簿 app").startswith("app-")


def test_long_names_are_cut_between_words_and_stay_distinct() -> None:
    long_a = "word " * 99 + "alpha"
    long_b = "word " * 99 + "beta"
    slug_a, slug_b = slugify(long_a), slugify(long_b)
    assert len(slug_a) <= MAX_SLUG_LENGTH and len(slug_b) <= MAX_SLUG_LENGTH
    assert slug_a != slug_b and slug_a.startswith("word-word-") and "--" not in slug_a
    assert slugify("x" * 499).startswith("x" * 51 + "-")


def test_handoff_start_phase_is_a_phase_number() -> None:
    Handoff(project_name="x", prompt="p", start_phase=99)
    for bad in (0, 100, 10**30):
        with pytest.raises(ValidationError):
            Handoff(project_name="x", prompt="p", start_phase=bad)
