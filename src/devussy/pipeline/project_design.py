"""Design stage: brief (+ deterministic complexity) → :class:`ProjectDesign`.

Format (``render_design``)::

    # Project Design: <name>
    ## Summary / ## Objectives (bullets) / ## Tech Stack (bullets) / ## Architecture /
    ## Data Model / ## Risks and Mitigations ("- <risk> — Mitigation: <mitigation>") /
    ## Testing Strategy
"""

from __future__ import annotations

import re

from devussy.llm.base import StageTask
from devussy.models import ComplexityProfile, ProjectBrief, ProjectDesign, Risk
from devussy.pipeline.base import StageResult, StageSettings
from devussy.pipeline.generation import build_request, generate_validated
from devussy.pipeline.parsing import (
    DASH_CLASS,
    FormatError,
    clean_output,
    first_title,
    parse_bullets,
    split_sections,
    strip_emphasis,
    strip_title_prefix,
)
from devussy.pipeline.prompts import input_json, stage_messages
from devussy.streaming import StreamingHandler

SECTIONS: dict[str, tuple[str, ...]] = {
    "summary": ("summary", "overview", "executive summary", "project summary", "project overview"),
    "objectives": (
        "objectives",
        "goals",
        "key objectives",
        "project objectives",
        "project goals",
        "main goals",
    ),
    "tech_stack": ("tech stack", "technology stack", "technologies", "technology", "stack"),
    "architecture": (
        "architecture",
        "system architecture",
        "system design",
        "high level architecture",
        "proposed architecture",
        "solution architecture",
    ),
    "data_model": (
        "data model",
        "data models",
        "data design",
        "database schema",
        "database design",
        "schema",
    ),
    "risks": ("risks and mitigations", "risks mitigations", "risks", "risk", "key risks"),
    "testing_strategy": ("testing strategy", "test strategy", "testing", "tests", "quality assurance"),
}
TITLE_PREFIXES = ("project design", "design document", "design", "project")
_BULLET_SECTIONS = {"objectives", "tech_stack", "risks"}


def render_design(design: ProjectDesign) -> str:
    risks = "\n".join(f"- {risk.risk} — Mitigation: {risk.mitigation}" for risk in design.risks)
    return "\n".join(
        [
            f"# Project Design: {design.project_name}",
            "",
            "## Summary",
            "",
            design.summary,
            "",
            "## Objectives",
            "",
            *(f"- {item}" for item in design.objectives),
            "",
            "## Tech Stack",
            "",
            *(f"- {item}" for item in design.tech_stack),
            "",
            "## Architecture",
            "",
            design.architecture,
            "",
            "## Data Model",
            "",
            design.data_model,
            "",
            "## Risks and Mitigations",
            "",
            risks,
            "",
            "## Testing Strategy",
            "",
            design.testing_strategy,
            "",
        ]
    )


def parse_design(text: str, *, project_name: str | None = None) -> ProjectDesign:
    """Parse a design; ``project_name`` is used when the text has no title."""
    sections = split_sections(clean_output(text), SECTIONS)
    title, _ = first_title(sections[0].lines, TITLE_PREFIXES)
    bodies: dict[str, str] = {}
    for section in sections[1:]:
        assert section.key is not None
        body = section.body
        if section.key in bodies and body:
            bodies[section.key] = f"{bodies[section.key]}\n\n{body}" if bodies[section.key] else body
        else:
            bodies.setdefault(section.key, body)
    missing = [name for name in SECTIONS if not bodies.get(name)]
    if missing:
        found = ", ".join(sorted(k for k, v in bodies.items() if v)) or "none"
        raise FormatError(
            [f"missing or empty section: {_heading_for(name)}" for name in missing]
            + [f"(sections found: {found})"]
        )
    name = strip_title_prefix(title, TITLE_PREFIXES) if title else project_name
    if not name:
        raise FormatError("missing title line '# Project Design: <project name>'")
    return ProjectDesign(
        project_name=name,
        summary=bodies["summary"],
        objectives=parse_bullets(bodies["objectives"]),
        tech_stack=parse_bullets(bodies["tech_stack"]),
        architecture=bodies["architecture"],
        data_model=bodies["data_model"],
        risks=parse_risks(bodies["risks"]),
        testing_strategy=bodies["testing_strategy"],
    )


def _heading_for(key: str) -> str:
    return "## " + {
        "tech_stack": "Tech Stack",
        "data_model": "Data Model",
        "risks": "Risks and Mitigations",
        "testing_strategy": "Testing Strategy",
    }.get(key, key.title())


_MITIGATION = re.compile(
    rf"^(?P<risk>.*?)[\s{DASH_CLASS}(;,.]*\(?[*_]{{0,2}}mitigations?[*_]{{0,2}}\s*:[*_]{{0,2}}\s*(?P<mitigation>.+?)\)?$",
    re.IGNORECASE,
)
_RISK_LABEL = re.compile(r"^[*_]{0,2}risk[*_]{0,2}\s*:[*_]{0,2}\s*", re.IGNORECASE)


def parse_risks(text: str) -> list[Risk]:
    """Bullets ``Risk — Mitigation: …``; also ``Risk: … / Mitigation: …`` pairs, nested or on
    separate lines, ``Risk → mitigation``, ``Risk - mitigation`` and a two-column table."""
    lines = [line for line in text.split("\n") if line.strip()]
    if lines and all(line.strip().startswith("|") for line in lines):
        return _risks_from_table(lines)
    joined: list[str] = []
    for line in lines:
        bare = re.sub(r"^\s*(?:[-*+•]|\d+[.)])\s+", "", line).strip()
        if joined and re.match(r"^[*_]{0,2}mitigations?[*_]{0,2}\s*:", bare, re.IGNORECASE):
            joined[-1] = f"{joined[-1]} Mitigation: {bare.split(':', 1)[1].strip().lstrip('*_ ')}"
        else:
            joined.append(line)
    risks = []
    for item in parse_bullets("\n".join(joined)):
        risk, mitigation = _split_risk(item)
        if not mitigation:
            raise FormatError(
                f"risk without a mitigation: {item[:120]!r} (write '- <risk> — Mitigation: <how>')"
            )
        risks.append(Risk(risk=risk, mitigation=mitigation))
    return risks


def _split_risk(item: str) -> tuple[str, str]:
    if " — Mitigation: " in item:
        risk, mitigation = item.split(" — Mitigation: ", 1)
        return risk.strip(), mitigation.strip()
    match = _MITIGATION.match(item)
    if match:
        risk, mitigation = match.group("risk"), match.group("mitigation")
    else:
        parts = re.split(rf"\s+(?:→|->|=>|[{DASH_CLASS}]{{1,2}})\s+", item, maxsplit=1)
        if len(parts) != 2:
            return _tidy_risk(item), ""
        risk, mitigation = parts
    return _tidy_risk(risk), mitigation.strip().rstrip(")").strip()


def _tidy_risk(text: str) -> str:
    text = _RISK_LABEL.sub("", text.strip())
    text = text.rstrip(" -–—―‒−(:;,").strip()
    if re.fullmatch(r"(\*\*|__)[^*_]+\1", text):
        text = strip_emphasis(text)
    return text


def _risks_from_table(lines: list[str]) -> list[Risk]:
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    rows = [row for row in rows if not all(re.fullmatch(r":?-{2,}:?", cell) for cell in row if cell)]
    if rows and any(cell.lower().startswith("risk") for cell in rows[0]):
        rows = rows[1:]
    risks = []
    for row in rows:
        cells = [cell for cell in row if cell]
        if len(cells) < 2:
            raise FormatError(f"risk table row needs a risk and a mitigation: {'|'.join(row)[:120]!r}")
        risks.append(Risk(risk=strip_emphasis(cells[0]), mitigation=cells[-1]))
    return risks


# ----------------------------------------------------------------------------- stage


def design_payload(brief: ProjectBrief, complexity: ComplexityProfile) -> dict[str, object]:
    return {"brief": brief.to_json_dict(), "complexity": complexity.to_json_dict()}


class ProjectDesignGenerator:
    stage = "design"

    def __init__(self, settings: StageSettings) -> None:
        self.settings = settings

    async def generate(self, brief: ProjectBrief, sink: StreamingHandler) -> StageResult[ProjectDesign]:
        from devussy.pipeline.complexity import assess_complexity

        complexity = assess_complexity(brief)
        payload = design_payload(brief, complexity)
        messages = stage_messages(
            "design",
            project_name=brief.name,
            phase_count=complexity.phase_count,
            level=complexity.level,
            input_json=input_json(payload),
        )
        request = build_request(self.settings, messages, StageTask(stage="design", payload=payload))

        def parse(text: str) -> ProjectDesign:
            design = parse_design(text, project_name=brief.name)
            # The design is for this brief: keep the brief's name and carry the context along.
            return design.model_copy(
                update={"project_name": brief.name, "brief": brief, "complexity": complexity}
            )

        return await generate_validated(self.settings, request, parse, sink, stage="design")
