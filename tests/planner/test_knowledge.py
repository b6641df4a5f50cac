"""The knowledge base: every entry loads and validates; bad entries fail with file and entry named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devussy.planner.knowledge import KNOWLEDGE_DIR, KnowledgeError, knowledge, load_knowledge


def test_packaged_knowledge_loads_and_is_cached() -> None:
    kb = load_knowledge()
    assert knowledge() is knowledge()
    assert set(kb.technologies) == set(knowledge().technologies)


def test_at_least_sixty_technologies_across_the_required_categories() -> None:
    kb = knowledge()
    assert len(kb.technologies) >= 60
    categories = {tech.category for tech in kb.technologies.values()}
    required = {
        "language",
        "web_framework",
        "frontend",
        "database",
        "queue",
        "auth",
        "payments",
        "email",
        "cloud",
        "deploy",
        "testing",
    }
    assert required <= categories
    assert {"scraper", "operator", "migration", "browser_extension", "mobile_app", "data_pipeline"} <= set(
        kb.project_types
    )
    assert {"payments", "realtime_chat", "admin_dashboard", "offline_sync"} <= set(kb.features)


def test_at_least_eighty_features_each_with_concrete_steps_and_risks() -> None:
    kb = knowledge()
    assert len(kb.features) >= 80
    issue_features = {
        "voting_polls",
        "reminders",
        "notifications",
        "file_watching",
        "resumable_uploads",
        "search",
        "import_export",
        "analytics_reporting",
        "audit_compliance",
        "roles_permissions",
        "single_sign_on",
        "multi_tenancy",
        "i18n",
        "offline_sync",
        "widgets",
        "realtime_rooms",
        "matchmaking",
        "web_scraping",
        "normalisation",
        "ops_alerting",
        "backups_snapshots",
        "reconcile_loop",
        "data_migration",
    }
    assert issue_features <= set(kb.features)
    for feature in kb.features.values():
        assert feature.risks, f"{feature.id} has no risks"
        for step in feature.steps:
            assert (
                step.acceptance and step.command.startswith(("{test", "{build", "{publish"))
            ) or step.command


def test_step_conditions_may_name_constraint_rules_and_replaced_steps_must_exist(tmp_path: Path) -> None:
    feature = """
  - id: guarded_feature
    name: guarded
    match:
      aliases: [guarded]
    steps:
      - {phase: core, title: T, details: D, acceptance: [A], unless: [read_only, sso_only], replaces: [%s]}
"""
    directory = copy_kb(tmp_path)
    append(directory / "features.yaml", feature % "core_rules")
    load_knowledge(directory)  # rule names are conditions, and core_rules is a step key
    directory = copy_kb(tmp_path / "again")
    append(directory / "features.yaml", feature % "no_such_step")
    with pytest.raises(KnowledgeError, match=r"guarded_feature.*replaces unknown step key 'no_such_step'"):
        load_knowledge(directory)


@pytest.mark.parametrize("tid", sorted(knowledge().technologies))
def test_every_technology_contributes_steps_and_risks(tid: str) -> None:
    tech = knowledge().technologies[tid]
    assert tech.steps, f"{tid} has no steps"
    assert tech.risks, f"{tid} has no risks"
    assert tech.match.aliases or tech.match.case_sensitive or tech.match.patterns
    for step in tech.steps:
        assert step.acceptance and step.command


def copy_kb(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


BAD_STEP = """
  - id: brokentool
    name: Broken Tool
    category: testing
    summary: A tool with a step missing its acceptance criteria
    match:
      aliases: [brokentool]
    steps:
      - phase: foundation
        title: Do something
        details: Something.
    risks: []
"""


def test_bad_entry_error_names_file_and_entry(tmp_path: Path) -> None:
    directory = copy_kb(tmp_path)
    append(directory / "testing.yaml", BAD_STEP)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(directory)
    message = str(info.value)
    assert "testing.yaml" in message and "'brokentool'" in message and "acceptance" in message


@pytest.mark.parametrize(
    ("replacement", "expected"),
    [
        (('command: "{test}"', 'command: "{tset}"'), "unknown placeholder"),
        (("aliases: [brokentool]", "patterns: ['(unclosed']"), "bad regex"),
        (
            ("category: testing", "category: testing\n    implies: [nonexistent]"),
            "implies unknown technology",
        ),
        (("id: brokentool", "id: pytest"), "already defined"),
        (("category: testing", "category: spaceship"), "category"),
    ],
)
def test_invalid_entries_are_rejected(tmp_path: Path, replacement: tuple[str, str], expected: str) -> None:
    directory = copy_kb(tmp_path)
    entry = BAD_STEP.replace(
        "        details: Something.\n",
        '        details: Something.\n        acceptance: [ok]\n        command: "{test}"\n',
    )
    entry = entry.replace(*replacement)
    append(directory / "testing.yaml", entry)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(directory)
    assert expected in str(info.value)
    assert "testing.yaml" in str(info.value)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    directory = copy_kb(tmp_path)
    (directory / "zz_broken.yaml").write_text("technologies: [\n")
    with pytest.raises(KnowledgeError, match=r"zz_broken\.yaml"):
        load_knowledge(directory)
