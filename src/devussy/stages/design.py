"""Design stage: brief (+ deterministic complexity) → :class:`ProjectDesign`.

Format (``render_design``)::

    # Project Design: <name>
    ## Summary / ## Objectives (bullets) / ## Tech Stack (bullets) / ## Architecture /
    ## Data Model / ## Risks and Mitigations ("- <risk> — Mitigation: <mitigation>") /
    ## Testing Strategy
"""

from __future__ import annotations

import re

from devussy.llm.base import ChatMessage
from devussy.models import (
    ProjectBrief,
    ProjectDesign,
    Requirement,
    RequirementKind,
    RequirementSource,
    Risk,
)
from devussy.stages.inputs import DesignInput
from devussy.stages.parsing import (
    DASH_CLASS,
    FormatError,
    clean_output,
    first_title,
    heading_key,
    parse_bullets,
    requirement_ids,
    split_sections,
    strip_emphasis,
    strip_title_prefix,
)
from devussy.stages.prompts import input_json, stage_messages
from devussy.stages.spec import StageSpec

SECTIONS: dict[str, tuple[str, ...]] = {
    "summary": ("summary", "overview", "executive summary", "project summary", "project overview"),
    "requirements": (
        "requirements",
        "numbered requirements",
        "functional requirements",
        "key requirements",
        "project requirements",
        "requirements traceability",
    ),
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
OPTIONAL_SECTIONS = {"requirements"}
KIND_WORDS: dict[str, RequirementKind] = {
    "feature": "feature",
    "functional": "feature",
    "function": "feature",
    "story": "feature",
    "user story": "feature",
    "integration": "integration",
    "integrations": "integration",
    "service": "integration",
    "external": "integration",
    "dependency": "integration",
    "constraint": "constraint",
    "limitation": "constraint",
    "restriction": "constraint",
    "non goal": "non_goal",
    "non_goal": "non_goal",
    "nongoal": "non_goal",
    "out of scope": "non_goal",
    "exclusion": "non_goal",
    "quality": "quality",
    "non functional": "quality",
    "nonfunctional": "quality",
    "nfr": "quality",
}
SOURCE_WORDS: dict[str, RequirementSource] = {
    "brief": "brief",
    "from the brief": "brief",
    "interview": "interview",
    "from the interview": "interview",
    "design": "design",
    "added by the design": "design",
    "derived": "design",
}


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
            *render_requirements(design.requirements),
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
    missing = [name for name in SECTIONS if name not in OPTIONAL_SECTIONS and not bodies.get(name)]
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
        requirements=parse_requirements(bodies.get("requirements", "")),
    )


def render_requirements(requirements: list[Requirement]) -> list[str]:
    """``## Requirements`` with one ``- R1 (feature, brief): text`` bullet each; nothing when empty."""
    if not requirements:
        return []
    bullets = [f"- {r.id} ({r.kind.replace('_', '-')}, {r.source}): {r.text}" for r in requirements]
    return ["## Requirements", "", *bullets, ""]


_REQUIREMENT_ITEM = re.compile(
    r"^[*_\[]{0,3}(?:(?P<id>R\s?-?\d{1,4})\b[*_\]]{0,3})?\s*"
    r"(?:[(\[](?P<tags>[^)\]]{1,60})[)\]])?\s*[*_]{0,2}\s*"
    r"(?:[:.]|[" + DASH_CLASS + r"](?=\s))?\s*(?P<text>.+)$",
    re.IGNORECASE,
)


def parse_requirements(text: str) -> list[Requirement]:
    """Bullets such as ``R1 (feature, brief): text``, ``**R2** [constraint] text``, ``R3: text``,
    ``Constraint: text`` or plain items (numbered in order), and ``| R1 | text | kind |`` tables."""
    lines = [line for line in text.split("\n") if line.strip()]
    if lines and all(line.strip().startswith("|") for line in lines):
        items = _requirement_table_items(lines)
    else:
        items = parse_bullets(text)
    requirements: list[Requirement] = []
    used: set[str] = set()
    drafts = []
    for item in items:
        match = _REQUIREMENT_ITEM.match(item.strip())
        assert match is not None  # the text group matches anything non-empty
        raw_id, tags, body = match.group("id"), match.group("tags") or "", match.group("text").strip()
        kind, source = _requirement_tags(tags)
        if kind is None:  # "Constraint: the database exists" — a kind word as the label
            label = re.match(r"^([A-Za-z][A-Za-z _-]{1,20}?)\s*[:" + DASH_CLASS + r"]\s+(.+)$", body)
            if label and heading_key(label.group(1)) in KIND_WORDS:
                kind, body = KIND_WORDS[heading_key(label.group(1))], label.group(2).strip()
        if not body:
            continue
        requirement_id = requirement_ids(raw_id)[0] if raw_id else None
        if requirement_id in used:
            requirement_id = None
        if requirement_id:
            used.add(requirement_id)
        drafts.append((requirement_id, strip_emphasis(body), kind, source))
    next_number = 1
    for requirement_id, body, kind, source in drafts:
        if requirement_id is None:
            while f"R{next_number}" in used:
                next_number += 1
            requirement_id = f"R{next_number}"
            used.add(requirement_id)
        requirements.append(
            Requirement(id=requirement_id, text=body[:500], kind=kind or "feature", source=source or "design")
        )
    return requirements


def _requirement_tags(tags: str) -> tuple[RequirementKind | None, RequirementSource | None]:
    kind: RequirementKind | None = None
    source: RequirementSource | None = None
    for part in re.split(r"[,;/·|]", tags):
        key = heading_key(part)
        if key in KIND_WORDS and kind is None:
            kind = KIND_WORDS[key]
        elif key in SOURCE_WORDS and source is None:
            source = SOURCE_WORDS[key]
    return kind, source


def _requirement_table_items(lines: list[str]) -> list[str]:
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    rows = [row for row in rows if not all(re.fullmatch(r":?-{2,}:?", cell) for cell in row if cell)]
    if rows and any(heading_key(cell) in ("id", "requirement", "text", "description") for cell in rows[0]):
        rows = rows[1:]
    items = []
    for row in rows:
        cells = [cell for cell in row if cell]
        ids = [cell for cell in cells if re.fullmatch(r"R\s?-?\d{1,4}", cell, re.IGNORECASE)]
        tags = [cell for cell in cells if heading_key(cell) in {**KIND_WORDS, **SOURCE_WORDS}]
        text = [cell for cell in cells if cell not in ids and cell not in tags]
        if text:
            lead = f"{ids[0]} " if ids else ""
            tagged = f"({', '.join(tags)}) " if tags else ""
            items.append(f"{lead}{tagged}{max(text, key=len)}")
    return items


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


def merge_requirements(stated: list[Requirement], designed: list[Requirement]) -> list[Requirement]:
    """The design's list when it has one (a requirement the brief stated keeps the brief's source),
    else what the brief stated."""
    if not designed:
        return list(stated)
    sources = {r.id: r.source for r in stated}
    return [
        r.model_copy(update={"source": sources[r.id]}) if r.id in sources and r.source == "design" else r
        for r in designed
    ]


def design_input(brief: ProjectBrief) -> DesignInput:
    """The design stage's input: the brief and its deterministic complexity profile."""
    from devussy.planner.complexity import assess_complexity  # the planner's analysis: loaded on first use

    return DesignInput(brief=brief, complexity=assess_complexity(brief))


def design_messages(stage_input: DesignInput) -> list[ChatMessage]:
    return stage_messages(
        "design",
        project_name=stage_input.brief.name,
        phase_count=stage_input.complexity.phase_count,
        level=stage_input.complexity.level,
        input_json=input_json(stage_input),
    )


def design_for(text: str, stage_input: DesignInput) -> ProjectDesign:
    """The design is for this brief: it keeps the brief's name and carries the brief and complexity."""
    brief = stage_input.brief
    design = parse_design(text, project_name=brief.name)
    return design.model_copy(
        update={
            "project_name": brief.name,
            "brief": brief,
            "complexity": stage_input.complexity,
            "requirements": merge_requirements(brief.requirements, design.requirements),
        }
    )


STAGE = StageSpec(
    name="design",
    input_model=DesignInput,
    output_model=ProjectDesign,
    render=render_design,
    parse=design_for,
    messages=design_messages,
)
