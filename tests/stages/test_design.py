from __future__ import annotations

from devussy.models import Requirement
from devussy.pipeline.generation import generate
from devussy.planner.complexity import assess_complexity
from devussy.stages.design import (
    STAGE,
    design_input,
    merge_requirements,
    parse_requirements,
    parse_risks,
    render_design,
)
from devussy.stages.inputs import DesignInput
from devussy.streaming import CollectingStreamingHandler
from tests import samples
from tests.pipeline.scripted import Scripted


async def test_design_carries_brief_and_complexity_and_brief_name() -> None:
    text = render_design(samples.design("Some Other Name"))
    provider = Scripted(lambda request: text)
    sink = CollectingStreamingHandler()
    result = await generate(STAGE, provider.settings(), design_input(samples.BRIEF), sink)
    complexity = assess_complexity(samples.BRIEF)
    assert result.value.brief == samples.BRIEF
    assert result.value.complexity == complexity
    assert result.value.project_name == samples.BRIEF.name
    request = provider.requests[0]
    assert request.messages[0].content.startswith("Devussy stage: design")
    assert request.task == DesignInput(brief=samples.BRIEF, complexity=complexity)
    assert request.task.stage == "design"
    assert f"about {complexity.phase_count} phases" in request.messages[1].content


def test_risk_styles() -> None:
    text = "\n".join(
        [
            "- Outage — Mitigation: run two replicas",
            "- **Risk:** Key leak. **Mitigation:** store keys in a vault",
            "- Vendor lock-in (mitigation: keep an adapter layer)",
            "- Slow queries -> add indexes",
            "- Risk: Data loss",
            "  - Mitigation: backups",
        ]
    )
    risks = [(r.risk, r.mitigation) for r in parse_risks(text)]
    assert risks == [
        ("Outage", "run two replicas"),
        ("Key leak", "store keys in a vault"),
        ("Vendor lock-in", "keep an adapter layer"),
        ("Slow queries", "add indexes"),
        ("Data loss", "backups"),
    ]


def test_requirements_section_reads_ids_kinds_sources_and_numbers_the_rest() -> None:
    text = "\n".join(
        [
            "- R1 (feature, brief): Members book a class",
            "- **R2** [constraint] The database already exists",
            "- Integration: Stripe Checkout",
            "- R2: a repeated id is renumbered, never dropped",
            "- R7 (non-goal, interview): No mobile app",
        ]
    )
    got = [(r.id, r.kind, r.source, r.text) for r in parse_requirements(text)]
    assert got == [
        ("R1", "feature", "brief", "Members book a class"),
        ("R2", "constraint", "design", "The database already exists"),
        ("R3", "integration", "design", "Stripe Checkout"),
        ("R4", "feature", "design", "a repeated id is renumbered, never dropped"),
        ("R7", "non_goal", "interview", "No mobile app"),
    ]


def test_requirements_table_and_optional_section() -> None:
    table = "\n".join(
        [
            "| ID | Requirement | Kind |",
            "|---|---|---|",
            "| R1 | Vote on polls | feature |",
            "| R2 | Okta SSO | integration |",
        ]
    )
    assert [(r.id, r.kind, r.text) for r in parse_requirements(table)] == [
        ("R1", "feature", "Vote on polls"),
        ("R2", "integration", "Okta SSO"),
    ]
    assert parse_requirements("") == []


def test_merge_keeps_the_briefs_sources_and_falls_back_to_the_brief() -> None:
    stated = [Requirement(id="R1", text="Vote", source="interview")]
    designed = [
        Requirement(id="R1", text="Vote", source="design"),
        Requirement(id="R2", text="Audit log", source="design"),
    ]
    assert [r.source for r in merge_requirements(stated, designed)] == ["interview", "design"]
    assert merge_requirements(stated, []) == stated
    assert merge_requirements([], designed) == designed


def test_a_stated_list_is_kept_as_given_and_only_the_designs_own_additions_join_it() -> None:
    stated = [Requirement(id="R1", text="Vote"), Requirement(id="R2", text="No accounts", kind="non_goal")]
    designed = [
        Requirement(id="R1", text="Members vote on proposals"),  # the model rewording R1: R1 stays
        Requirement(id="R3", text="Accounts with passwords", source="brief"),  # a re-reading of the brief
        Requirement(id="R4", text="Audit log of votes", source="design"),  # the design's own addition
    ]
    merged = merge_requirements(stated, designed)
    expected = [("R1", "Vote"), ("R2", "No accounts"), ("R4", "Audit log of votes")]
    assert [(r.id, r.text) for r in merged] == expected


async def test_without_any_requirement_list_they_are_extracted_from_the_brief() -> None:
    text = render_design(samples.design())  # no ## Requirements section
    assert "## Requirements" not in text
    sink = CollectingStreamingHandler()
    settings = Scripted(lambda request: text).settings()
    result = await generate(STAGE, settings, design_input(samples.BRIEF), sink)
    assert sink.completions == [text]
    texts = [r.text for r in result.value.requirements]
    assert result.value.requirements and all(r.source == "brief" for r in result.value.requirements)
    assert any("FastAPI" in t for t in texts) and any("PostgreSQL" in t for t in texts)
