"""The GitHub export against the REST fake, in process (httpx.MockTransport)."""

from __future__ import annotations

import pytest

from devussy.artifacts import render_artifacts
from devussy.exports.github import (
    GitHubClient,
    GitHubError,
    check_repo,
    export_to_github,
    issue_body,
    token_from,
)
from devussy.workspace import Snapshot
from devussy.workspace.checklist import set_blocked
from devussy.workspace.status import Analysis
from tests.fakes.github_api import FakeGitHub
from tests.workspace.plans import recipe_files, recipe_plan, tick

TOKEN = "ghp_SECRET_test_token"
EVERY_STEP = ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2")


@pytest.fixture
def fake() -> FakeGitHub:
    return FakeGitHub(token=TOKEN, repo="octo/plans")


def _export(fake: FakeGitHub, files: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    snapshot = Snapshot.from_files(files or recipe_files())
    with GitHubClient("octo/plans", TOKEN, base_url=fake.base_url, transport=fake.transport()) as client:
        return export_to_github(snapshot, client)


def _failure(fake: FakeGitHub) -> GitHubError:
    with pytest.raises(GitHubError) as caught:
        _export(fake)
    assert TOKEN not in caught.value.message
    return caught.value


def test_one_issue_per_phase_with_labels_and_a_checklist(fake: FakeGitHub) -> None:
    report = _export(fake, tick(recipe_files(), "1.1"))
    assert report.created == [1, 2, 3] and report.issues == {1: 1, 2: 2, 3: 3}
    assert report.labels_created == ["devussy", "phase-1", "phase-2", "phase-3"]
    first, second, _ = fake.issues
    assert first["title"] == "[Recipe Box] Phase 1: Foundation"
    assert [label["name"] for label in second["labels"]] == ["devussy", "phase-2"]
    body = second["body"]
    assert body.startswith(
        "<!-- devussy-plan: recipe-box phase: 2 -->\n"
        "**Phase 2 of Recipe Box** · 0/3 steps done · depends on #1 (Foundation)"
    )
    assert "- [ ] **2.2** Search endpoint — test: `pytest -k s2_2`" in body
    assert "- [x] **1.1** Create the repository" in first["body"]
    assert all(call.authorization == f"Bearer {TOKEN}" for call in fake.calls)


def test_a_rerun_changes_nothing_when_nothing_changed(fake: FakeGitHub) -> None:
    _export(fake)
    writes = len(fake.writes())
    report = _export(fake)
    assert report.created == [] and report.updated == [] and report.unchanged == [1, 2, 3]
    assert len(fake.writes()) == writes  # only reads the second time


def test_a_rerun_updates_the_issues_it_made_and_closes_finished_phases(fake: FakeGitHub) -> None:
    _export(fake)
    fake.issues[0]["labels"].append({"name": "priority"})  # a label someone added by hand stays
    files = tick(recipe_files(), "1.1", "1.2", "1.3")
    files["phase3.md"] = set_blocked(files["phase3.md"], "3.1", "no Stripe account")
    report = _export(fake, files)
    assert report.created == [] and report.updated == [1, 3] and report.unchanged == [2]
    assert fake.issues[0]["state"] == "closed"
    assert sorted(label["name"] for label in fake.issues[0]["labels"]) == ["devussy", "phase-1", "priority"]
    assert "- [ ] **3.1** Stripe client — **Blocked:** no Stripe account" in fake.issues[2]["body"]
    assert len(fake.issues) == 3


def test_issues_of_other_plans_and_pull_requests_are_left_alone(fake: FakeGitHub) -> None:
    fake.add_pull_request("a PR", ["devussy"])
    fake.issues.append(
        {
            "number": 2,
            "title": "other plan",
            "state": "open",
            "labels": [{"name": "devussy"}],
            "body": "<!-- devussy-plan: other-project phase: 1 -->",
        }
    )
    report = _export(fake)
    assert report.issues == {1: 3, 2: 4, 3: 5}
    assert fake.issues[1]["title"] == "other plan"


def test_existing_issues_are_found_across_pages(fake: FakeGitHub) -> None:
    for n in range(1, 151):
        marker = f"<!-- devussy-plan: other phase: {n} -->"
        fake.issues.append(
            {
                "number": n,
                "title": f"other {n}",
                "state": "closed",
                "labels": [{"name": "devussy"}],
                "body": marker,
            }
        )
    _export(fake)
    report = _export(fake)
    assert report.unchanged == [151, 152, 153]
    pages = [
        call.query.get("page", "1")
        for call in fake.calls
        if call.path.endswith("/issues") and call.method == "GET"
    ]
    assert pages[-2:] == ["1", "2"]


@pytest.mark.parametrize(
    ("status", "body", "headers", "code", "words"),
    [
        (
            401,
            {"message": "Bad credentials"},
            {},
            "github_auth",
            "GitHub rejected the token: Bad credentials",
        ),
        (
            403,
            {"message": "API rate limit exceeded for user"},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1900000000"},
            "github_rate_limited",
            "the limit resets at 1900000000",
        ),
        (
            403,
            {"message": "You have exceeded a secondary rate limit"},
            {"retry-after": "60"},
            "github_rate_limited",
            "retry in 60 s",
        ),
        (
            403,
            {"message": "Resource not accessible by integration"},
            {},
            "github_forbidden",
            "the token may not do GET /repos/octo/plans/labels in octo/plans",
        ),
        (404, {"message": "Not Found"}, {}, "github_not_found", "octo/plans was not found"),
        (
            422,
            {"message": "Validation Failed", "errors": [{"field": "title", "code": "missing_field"}]},
            {},
            "github_invalid",
            "refused GET /repos/octo/plans/labels: Validation Failed (title missing_field)",
        ),
        (502, "<html>bad gateway</html>", {}, "github_error", "GitHub answered 502"),
    ],
)
def test_github_failures_have_codes_and_clear_messages(
    fake: FakeGitHub, status: int, body: object, headers: dict[str, str], code: str, words: str
) -> None:
    fake.fail_next(status, body, headers)
    error = _failure(fake)
    assert error.code == code and words in error.message


def test_a_network_error(fake: FakeGitHub) -> None:
    fake.drop_next()
    error = _failure(fake)
    assert error.code == "github_unreachable" and "(ConnectError)" in error.message


def test_a_run_that_fails_half_way_is_finished_by_the_next_one(fake: FakeGitHub) -> None:
    fake.labels = [{"name": name} for name in ("devussy", "phase-1", "phase-2", "phase-3")]
    original = fake._route

    def fail_second_create(method: str, path: str, query: dict[str, str], payload: object):  # type: ignore[no-untyped-def]
        if method == "POST" and path.endswith("/issues") and len(fake.issues) == 1:
            return 403, {"x-ratelimit-remaining": "0"}, {"message": "API rate limit exceeded"}
        return original(method, path, query, payload)

    fake._route = fail_second_create  # type: ignore[method-assign]
    error = _failure(fake)
    assert error.code == "github_rate_limited" and error.message.endswith("(written before it stopped: #1)")
    fake._route = original  # type: ignore[method-assign]
    report = _export(fake)
    assert report.created == [2, 3] and report.unchanged == [1]
    assert [issue["title"] for issue in fake.issues] == [
        "[Recipe Box] Phase 1: Foundation",
        "[Recipe Box] Phase 2: Search",
        "[Recipe Box] Phase 3: Payments",
    ]


def test_mentions_in_plan_text_do_not_ping_anyone() -> None:
    plan = recipe_plan()
    first = plan.phases[0]
    steps = [first.steps[0].model_copy(update={"title": "Ask @octocat"}), *first.steps[1:]]
    plan = plan.with_phase(first.model_copy(update={"steps": steps, "summary": "Ping @team first."}))
    snapshot = Snapshot.from_files(render_artifacts(None, plan, None))
    body = issue_body(snapshot, snapshot.plan.phase(1), Analysis(snapshot), {})
    assert "Ask &#64;octocat" in body and "Ping &#64;team first." in body
    assert "@" not in body.replace("&#64;", "")


def test_token_and_repo_checks() -> None:
    assert token_from({"GH_TOKEN": " t1 "}) == "t1"
    assert token_from({"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}) == "a"
    with pytest.raises(GitHubError) as caught:
        token_from({})
    assert caught.value.code == "github_no_token"
    assert check_repo("octo-org/my.repo_1") == ("octo-org", "my.repo_1")
    for bad in ("octo", "octo/", "/x", "a/b/c", "octo/plans?x=1"):
        with pytest.raises(GitHubError):
            check_repo(bad)
