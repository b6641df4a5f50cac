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
from devussy.requirements.extract import extract_requirements
from devussy.stages.context import brief_block, revision_block
from devussy.stages.inputs import DesignInput
from devussy.stages.parsing import (
    DASH_CLASS,
    FormatError,
    Section,
    clean_output,
    first_title,
    heading_key,
    heading_like,
    parse_bullets,
    requirement_ids,
    split_sections,
    strip_emphasis,
    strip_title_prefix,
    tidy_title,
)
from devussy.stages.prompts import appended, stage_messages
from devussy.stages.spec import StageSpec

IGNORED = "ignored"
SECTIONS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "overview",
        "executive summary",
        "project summary",
        "project overview",
        "introduction",
        "project description",
        "description",
    ),
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
        "high level project objectives",
        "high level objectives",
        "goals and objectives",
        "objectives and goals",
        "success criteria",
    ),
    "tech_stack": (
        "tech stack",
        "technology stack",
        "technologies",
        "technology",
        "stack",
        "recommended technology stack",
        "recommended tech stack",
        "technology choices",
        "tools and technologies",
        "key dependencies",
        "dependencies",
        "external dependencies",
        "critical dependencies",
        "libraries and tools",
    ),
    "architecture": (
        "architecture",
        "system architecture",
        "system design",
        "high level architecture",
        "proposed architecture",
        "solution architecture",
        "technical architecture",
        "architecture overview",
        "system overview",
        "project structure",
        "directory structure",
        "file structure",
        "folder structure",
        "repository structure",
        "code structure",
        "project layout",
    ),
    "data_model": (
        "data model",
        "data models",
        "data design",
        "database schema",
        "database design",
        "schema",
        "domain model",
        "entities",
        "data structures",
    ),
    "risks": (
        "risks and mitigations",
        "risks mitigations",
        "risks",
        "risk",
        "key risks",
        "challenges",
        "potential challenges",
        "challenges and mitigations",
        "technical challenges",
        "key challenges",
        "risk assessment",
        "risk mitigation",
    ),
    "testing_strategy": (
        "testing strategy",
        "test strategy",
        "testing",
        "tests",
        "quality assurance",
        "development approach",
        "development methodology",
        "testing approach",
        "test plan",
    ),
}
# Read so that their text does not run into the section before them, then dropped: the complexity
# is Devussy's own (deterministic), and closing remarks are not part of a design. Listed first so
# "Summary of recommendations" is not taken for the summary.
SECTIONS = {
    IGNORED: (
        "project complexity assessment",
        "complexity assessment",
        "complexity",
        "estimated phases",
        "conclusion",
        "conclusions",
        "next steps",
        "summary of recommendations",
        "final recommendations",
    ),
    **SECTIONS,
}
# Names that open a section only as a heading, never as a plain "Name: text" line inside another.
HEADING_ONLY = frozenset(
    {"description", "introduction", "dependencies", "entities", "success criteria", "test plan", "schema"}
)
LABEL_SECTIONS = {key: tuple(n for n in names if n not in HEADING_ONLY) for key, names in SECTIONS.items()}
TITLE_PREFIXES = (
    "project design document",
    "project design",
    "design document",
    "technical design",
    "design",
    "project",
)
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
    """The canonical format; a section the design does not have is left out."""
    risks = [f"- {risk.risk} — Mitigation: {risk.mitigation or NO_MITIGATION}" for risk in design.risks]
    sections: list[tuple[str, list[str]]] = [
        ("Objectives", [f"- {item}" for item in design.objectives]),
        ("Tech Stack", [f"- {item}" for item in design.tech_stack]),
        ("Architecture", [design.architecture] if design.architecture else []),
        ("Data Model", [design.data_model] if design.data_model else []),
        ("Risks and Mitigations", risks),
        ("Testing Strategy", [design.testing_strategy] if design.testing_strategy else []),
    ]
    out = [f"# Project Design: {design.project_name}", "", "## Summary", "", design.summary, ""]
    out += render_requirements(design.requirements)
    for heading, body in sections:
        if body:
            out += [f"## {heading}", "", *body, ""]
    return "\n".join(out)


def parse_design(text: str, *, project_name: str | None = None) -> ProjectDesign:
    """Parse a design; ``project_name`` is used when the text has no title.

    Liberal: any heading style, the synonyms in ``SECTIONS`` (the original Devussy's "Technology
    Stack Recommendations", "Key Dependencies", "Potential Challenges and Mitigations", …), sections
    in any order or missing. A missing section is left empty (never made up); a missing summary is
    taken from the text before the first section, or the first paragraph of the design. Only a text
    without any design section (with content) is refused. Headings the parser does not know, at the
    level of the sections, are kept in the architecture under their own title rather than dropped.
    """
    sections = split_sections(clean_output(text), SECTIONS, LABEL_SECTIONS)
    title, preamble = first_title(sections[0].lines, TITLE_PREFIXES)
    bodies: dict[str, str] = {}
    first_heading: dict[str, str] = {}
    for key, heading, body in _section_chunks(sections[1:]):
        if key == IGNORED or not body:
            bodies.setdefault(key, "")
            continue
        if bodies.get(key):
            renamed = heading and heading != first_heading.get(key)
            label = f"**{_heading_title(heading)}**\n\n" if renamed else ""
            bodies[key] = f"{bodies[key]}\n\n{label}{body}"
        else:
            bodies[key] = body
            first_heading.setdefault(key, heading)
    content = [name for name in SECTIONS if name != IGNORED and bodies.get(name)]
    if not content:
        found = ", ".join(_heading_for(name) for name in bodies if name != IGNORED) or "none"
        raise FormatError(
            [
                "no design sections found: expected headings such as ## Objectives, ## Tech Stack, "
                "## Architecture, ## Data Model, ## Risks and Mitigations, ## Testing Strategy",
                f"(sections found: {found})",
            ]
        )
    name = strip_title_prefix(title, TITLE_PREFIXES) if title else project_name
    if not name:
        raise FormatError("missing title line '# Project Design: <project name>'")
    summary = bodies.get("summary") or "\n".join(preamble).strip() or _first_paragraph(bodies[content[0]])
    return ProjectDesign(
        project_name=name,
        summary=summary,
        objectives=parse_bullets(bodies.get("objectives", "")),
        tech_stack=[
            strip_emphasis(item) for item in parse_bullets(bodies.get("tech_stack", ""), fold_children=True)
        ],
        architecture=bodies.get("architecture", ""),
        data_model=bodies.get("data_model", ""),
        risks=parse_risks(bodies.get("risks", "")),
        testing_strategy=bodies.get("testing_strategy", ""),
        requirements=parse_requirements(bodies.get("requirements", "")),
    )


def _section_chunks(sections: list[Section]) -> list[tuple[str, str, str]]:
    """``(key, heading, body)`` per known section; a heading the parser does not know, at the level
    of the section's own heading or above (``## Security`` after ``## Architecture``), starts a
    chunk of its own that is kept in the architecture."""
    chunks: list[tuple[str, str, str]] = []
    for section in sections:
        assert section.key is not None
        level = heading_like(section.heading).level
        key, heading = section.key, section.heading
        lines: list[str] = []
        in_code = False
        for line in section.lines:
            if line.lstrip().startswith(("```", "~~~")):
                in_code = not in_code
            shape = heading_like(line)
            if not in_code and level <= 6 and shape.level <= level and shape.text:
                chunks.append((key, heading, "\n".join(lines).strip()))
                key, heading, lines = "architecture", line.strip(), []
                continue
            lines.append(line)
        chunks.append((key, heading, "\n".join(lines).strip()))
    return chunks


def _heading_title(line: str) -> str:
    """``### 5. Project Structure`` → ``Project Structure``."""
    return re.sub(r"^\d+[.)]\s*", "", heading_like(line).text).strip() or tidy_title(line)


def _first_paragraph(text: str) -> str:
    return re.split(r"\n[ \t]*\n", text.strip(), maxsplit=1)[0].strip()


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
        "summary": "Summary",
        "tech_stack": "Tech Stack",
        "data_model": "Data Model",
        "risks": "Risks and Mitigations",
        "testing_strategy": "Testing Strategy",
    }.get(key, key.title())


_MITIGATION = re.compile(
    rf"^(?P<risk>.*?)[\s{DASH_CLASS}(;,.]*\(?[*_]{{0,2}}(?:mitigations?|mitigation strateg(?:y|ies)|solution)"
    rf"[*_]{{0,2}}\s*:[*_]{{0,2}}\s*(?P<mitigation>.+?)\)?$",
    re.IGNORECASE,
)
_MITIGATION_LINE = re.compile(
    r"^[*_]{0,2}(?:mitigations?|mitigation strateg(?:y|ies)|solution)[*_]{0,2}\s*:", re.IGNORECASE
)
_RISK_LABEL = re.compile(
    r"^[*_]{0,2}(?:risk|challenge|issue)(?:\s*\d+)?[*_]{0,2}\s*:[*_]{0,2}\s*", re.IGNORECASE
)
NO_MITIGATION = "none given"
_NO_MITIGATION = re.compile(
    r"^[\s*_]*(none given|none|n/?a|tbd|to be decided|unknown)[\s*_.]*$", re.IGNORECASE
)
_NOTHING = re.compile(
    r"^[\s*_]*(none|n/?a|nothing|no (?:known |significant )?risks?)\b[^\n]{0,40}$", re.IGNORECASE
)


def parse_risks(text: str) -> list[Risk]:
    """Bullets ``Risk — Mitigation: …``; also ``Risk: … / Mitigation: …`` pairs, nested or on
    separate lines, ``Challenge: …`` labels, a heading per risk, ``Risk → mitigation``,
    ``Risk - mitigation`` and a two-column table. A risk given without a mitigation keeps it empty
    (a gap, not an invention); "None" means no risks."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines or (len(lines) == 1 and _NOTHING.match(lines[0].strip(" -*•."))):
        return []
    if all(line.strip().startswith("|") for line in lines):
        return _risks_from_table(lines)
    joined: list[str] = []
    for line in lines:
        bare = re.sub(r"^\s*(?:[-*+•]|\d+[.)])\s+", "", line).strip()
        if joined and _MITIGATION_LINE.match(bare):
            joined[-1] = f"{joined[-1]} Mitigation: {bare.split(':', 1)[1].strip().lstrip('*_ ')}"
        elif heading_like(line).styled and heading_like(line).level <= 7:
            joined.append(f"- {heading_like(line).text}:")  # a heading per risk: its text follows
        else:
            joined.append(line)
    risks = []
    for item in parse_bullets("\n".join(joined)):
        risk, mitigation = _split_risk(item)
        if _NO_MITIGATION.match(mitigation):
            mitigation = ""
        if risk:
            risks.append(Risk(risk=risk[:500], mitigation=mitigation[:500] or None))
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
        if cells:
            mitigation = cells[-1] if len(cells) > 1 else None
            risks.append(Risk(risk=strip_emphasis(cells[0])[:500], mitigation=mitigation))
    return risks


# ----------------------------------------------------------------------------- stage


def merge_requirements(stated: list[Requirement], designed: list[Requirement]) -> list[Requirement]:
    """The requirements the plan must cover. Without stated ones: the design's list. With a stated
    list (the user's, e.g. ``devussy plan --requirements``): every stated one as given, then only
    those the design adds as its own (source ``design``, under a new id); the design's reading of
    the brief does not replace the user's."""
    if not stated:
        return list(designed)
    known = {r.id for r in stated}
    return [*stated, *(r for r in designed if r.source == "design" and r.id not in known)]


def design_input(brief: ProjectBrief) -> DesignInput:
    """The design stage's input: the brief and its deterministic complexity profile."""
    from devussy.planner.complexity import assess_complexity  # the planner's analysis: loaded on first use

    return DesignInput(brief=brief, complexity=assess_complexity(brief))


def design_messages(stage_input: DesignInput) -> list[ChatMessage]:
    """The brief (idea, stated fields, numbered requirements) and the scale; a revision quotes the
    previous design and the instruction."""
    previous = render_design(stage_input.previous) if stage_input.previous else None
    return stage_messages(
        "design",
        project_name=stage_input.brief.name,
        phase_count=stage_input.complexity.phase_count,
        level=stage_input.complexity.level,
        brief=brief_block(stage_input.brief),
        revision=appended(revision_block(stage_input.instruction, previous, "design")),
    )


def design_for(text: str, stage_input: DesignInput) -> ProjectDesign:
    """The design is for this brief: it keeps the brief's name and carries the brief and complexity.
    When neither the brief nor the answer lists requirements, they are extracted from the brief
    deterministically (``requirements.extract``), so coverage can always be checked."""
    brief = stage_input.brief
    design = parse_design(text, project_name=brief.name)
    requirements = merge_requirements(brief.requirements, design.requirements) or extract_requirements(brief)
    return design.model_copy(
        update={
            "project_name": brief.name,
            "brief": brief,
            "complexity": stage_input.complexity,
            "requirements": requirements,
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
