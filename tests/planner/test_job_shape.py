"""A product's running shape from its requirements: a scheduled job, chat platforms that only get alerts."""

from __future__ import annotations

import dataclasses

from devussy.models import Requirement
from devussy.planner.analysis import analyze_text
from devussy.planner.job_shape import alert_only_chats, is_scheduled_job
from devussy.planner.requirement_map import build_map


def _req(rid: str, text: str, kind: str = "feature") -> Requirement:
    return Requirement(id=rid, text=text, kind=kind, source="brief")  # type: ignore[arg-type]


def test_a_nightly_job_is_scheduled_unless_a_feature_serves_requests() -> None:
    text = "A Python service with a nightly job that exports orders to BigQuery."
    analysis = dataclasses.replace(analyze_text(text), project_type="web_api")
    job = build_map([_req("R1", "Exports orders to BigQuery every night")])
    assert is_scheduled_job(analysis, job, text)
    served = build_map(
        [_req("R1", "Exports orders to BigQuery"), _req("R2", "Customers can see their orders")]
    )
    assert not is_scheduled_job(analysis, served, text)
    assert not is_scheduled_job(analysis, job, "A Python service that exports orders to BigQuery.")


def test_a_data_pipeline_is_always_a_scheduled_job() -> None:
    analysis = dataclasses.replace(analyze_text("An ETL pipeline."), project_type="data_pipeline")
    assert is_scheduled_job(analysis, build_map([_req("R1", "Load the files")]), "An ETL pipeline.")


def test_a_chat_platform_is_alert_only_when_every_feature_naming_it_alerts() -> None:
    analysis = dataclasses.replace(analyze_text("A Python job that alerts in Slack."), project_type="cli")
    assert "slack" in analysis.stack
    alerts = build_map([_req("R1", "Alert in Slack if the job fails")])
    assert alert_only_chats(analysis, alerts) == {"slack"}
    both = build_map(
        [_req("R1", "Alert in Slack if the job fails"), _req("R2", "Answer /deploy commands in Slack")]
    )
    assert alert_only_chats(analysis, both) == frozenset()
    bot = dataclasses.replace(analysis, project_type="chat_bot")
    assert alert_only_chats(bot, alerts) == frozenset()


def test_posting_to_a_chat_when_a_run_fails_is_an_alert() -> None:
    analysis = dataclasses.replace(
        analyze_text("A Go job that posts to Discord."), project_type="data_pipeline"
    )
    assert "discord" in analysis.stack
    posts = build_map([_req("R1", "Post to Discord if a run fails")])
    assert alert_only_chats(analysis, posts) == {"discord"}
