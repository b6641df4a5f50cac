"""What kind of running thing a product is, beyond its project type: a job run on a schedule (a nightly
export serves no requests), and chat platforms that only receive its alerts (an incoming webhook, not a chat
app with signed requests). Both are read from the requirements, so an edited list is honoured."""

from __future__ import annotations

import re

from devussy.planner.analysis import Analysis
from devussy.planner.knowledge import knowledge
from devussy.planner.requirement_map import RequirementMap

# "Build a nightly job that exports …", "a daily sync", "an hourly batch import", "a cron task".
_SCHEDULED = re.compile(
    r"\b(?:nightly|daily|hourly|weekly|monthly|scheduled|cron|batch)\s+(?:[a-z-]+\s+)?"
    r"(?:job|jobs|export|exports|sync|import|run|task|script)\b",
    re.IGNORECASE,
)
# A feature that answers people or other programs: the product is a service, not only a job.
_SERVES = re.compile(
    r"\b(?:endpoints?|REST|GraphQL|gRPC|webhooks?|dashboard|screens?|pages?|web app|UI|"
    r"(?:users?|customers?|members?|clients?)\s+(?:can\s+)?"
    r"(?:see|view|search|browse|submit|log in|sign in))\b",
    re.IGNORECASE,
)
# Types that may be a scheduled job when the brief says so; a data pipeline always is one.
_MAYBE_JOB_TYPES = frozenset({"web_api", "cli", "scraper"})

# Chat platforms that take alerts through an incoming webhook (no app, no signed requests to verify).
WEBHOOK_CHATS = frozenset({"slack", "discord"})
_ALERT = re.compile(
    r"\b(?:alert|alerts|alerted|alerting|notify|notifies|notified|notification|notifications|warn|warns|"
    r"ping|pings|post(?:s|ed)?\s+(?:a\s+|an\s+|the\s+)?(?:message|summary|report|alert|notice))\b|"
    # "Post to Discord if a run fails": what is posted is a failure alert
    r"\b(?:if|when|whenever)\b[^.;]{0,40}\bfail(?:s|ed|ing|ures?)?\b",
    re.IGNORECASE,
)


def is_scheduled_job(analysis: Analysis, rmap: RequirementMap, text: str) -> bool:
    """Whether the product is a job run on a schedule rather than a service that answers requests."""
    if analysis.project_type == "data_pipeline":
        return True
    if analysis.project_type not in _MAYBE_JOB_TYPES or not _SCHEDULED.search(text):
        return False
    features = [i.requirement.text for i in rmap.infos if i.requirement.kind == "feature"]
    return not any(_SERVES.search(f) for f in features)


def alert_only_chats(analysis: Analysis, rmap: RequirementMap) -> frozenset[str]:
    """The webhook chat platforms of the stack that every feature naming them only alerts or notifies in
    ("Alert in Slack if the job fails"); empty for a chat bot, whose chat platform is its surface."""
    if analysis.project_type == "chat_bot":
        return frozenset()
    kb = knowledge()
    chats = set()
    for tid in analysis.stack:
        if tid not in WEBHOOK_CHATS:
            continue
        name = kb.technologies[tid].name.lower()
        mentions = [
            i.requirement.text
            for i in rmap.infos
            if i.requirement.kind == "feature" and name in i.requirement.text.lower()
        ]
        if mentions and all(_ALERT.search(m) for m in mentions):
            chats.add(tid)
    return frozenset(chats)
