"""``devussy export github``: one GitHub issue per phase, its steps as a checklist.

Through the REST API with httpx. The token comes from ``GITHUB_TOKEN`` or ``GH_TOKEN``; it is sent in
the ``Authorization`` header and nowhere else: never logged, printed or written.

Idempotent: every issue carries a hidden marker (``<!-- devussy-plan: <slug> phase: N -->``) and the
``devussy`` label, so a re-run finds the issues it made before and updates them (title, body, labels,
open/closed) instead of making new ones; an issue that is already right is not touched. A run that
fails half-way (rate limit, network) can simply be run again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from devussy import __version__
from devussy.errors import DevussyError
from devussy.models import Phase, slugify
from devussy.workspace.snapshot import Snapshot, StepInfo
from devussy.workspace.status import Analysis

DEFAULT_BASE_URL = "https://api.github.com"
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
LABEL = "devussy"
_LABEL_COLORS = {LABEL: "5319e7", "phase": "c5def5"}
_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_MARKER = re.compile(r"<!-- devussy-plan: (?P<plan>[a-z0-9-]+) phase: (?P<phase>[1-9][0-9]*) -->")
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')
MAX_PAGES = 50


class GitHubError(DevussyError):
    """Codes: github_auth (401), github_forbidden, github_rate_limited, github_not_found,
    github_invalid (422), github_unreachable (network), github_error (anything else)."""

    code = "github_error"


def check_repo(repo: str) -> tuple[str, str]:
    if not _REPO.match(repo):
        raise GitHubError(f"--repo must look like OWNER/NAME, got {repo!r}", code="github_invalid_repo")
    owner, name = repo.split("/")
    return owner, name


def token_from(env: Mapping[str, str]) -> str:
    for variable in TOKEN_VARIABLES:
        value = (env.get(variable) or "").strip()
        if value:
            return value
    raise GitHubError(
        "set GITHUB_TOKEN (or GH_TOKEN) to a token that can write issues in the repository",
        code="github_no_token",
    )


def _plain(text: str) -> str:
    """One line of plan text for an issue: no @mentions (they would notify people)."""
    return " ".join(text.split()).replace("@", "&#64;")


def _code(command: str) -> str:
    return f"`` {command} ``" if "`" in command else f"`{command}`"


class GitHubClient:
    """The few REST calls the export needs, with GitHub's errors turned into ``GitHubError``."""

    def __init__(
        self,
        repo: str,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.owner, self.name = check_repo(repo)
        self.repo = repo
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": f"devussy/{__version__}",
            },
            timeout=timeout,
            transport=transport or httpx.HTTPTransport(retries=2),  # retries connection failures only
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _repo_path(self, suffix: str) -> str:
        return f"/repos/{self.owner}/{self.name}{suffix}"

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise GitHubError(
                f"GitHub did not answer in time ({method} {_path(url)})", code="github_unreachable"
            ) from None
        except httpx.HTTPError as exc:
            message = f"the connection to GitHub failed ({type(exc).__name__})"
            raise GitHubError(message, code="github_unreachable") from None
        if response.is_success:
            return response
        raise _error_for(response, method, _path(url), self.repo)

    def paginate(self, suffix: str, params: Mapping[str, str]) -> Iterator[dict[str, Any]]:
        url: str | None = self._repo_path(suffix)
        query: Mapping[str, str] | None = {**params, "per_page": "100"}
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self.request("GET", url, params=query)
            yield from response.json()
            match = _NEXT_LINK.search(response.headers.get("Link", ""))
            url, query = (match.group(1), None) if match else (None, None)

    def labels(self) -> set[str]:
        return {label["name"] for label in self.paginate("/labels", {})}

    def create_label(self, name: str, color: str, description: str) -> None:
        self.request(
            "POST",
            self._repo_path("/labels"),
            json={"name": name, "color": color, "description": description},
        )

    def devussy_issues(self) -> list[dict[str, Any]]:
        return [
            issue
            for issue in self.paginate("/issues", {"labels": LABEL, "state": "all"})
            if "pull_request" not in issue
        ]

    def create_issue(self, title: str, body: str, labels: list[str]) -> dict[str, Any]:
        response = self.request(
            "POST", self._repo_path("/issues"), json={"title": title, "body": body, "labels": labels}
        )
        issue: dict[str, Any] = response.json()
        return issue

    def update_issue(self, number: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        response = self.request("PATCH", self._repo_path(f"/issues/{number}"), json=dict(changes))
        issue: dict[str, Any] = response.json()
        return issue


def _path(url: str) -> str:
    return httpx.URL(url).path if "://" in url else url


def _github_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase or f"HTTP {response.status_code}"
    if not isinstance(data, dict):
        return f"HTTP {response.status_code}"
    message = str(data.get("message") or f"HTTP {response.status_code}")
    details = [
        str(error.get("message") or f"{error.get('field', '?')} {error.get('code', 'invalid')}")
        for error in data.get("errors") or []
        if isinstance(error, dict)
    ]
    return message + (f" ({'; '.join(details)})" if details else "")


def _error_for(response: httpx.Response, method: str, path: str, repo: str) -> GitHubError:
    status = response.status_code
    message = _github_message(response)
    where = f"{method} {path}"
    if status == 401:
        return GitHubError(f"GitHub rejected the token: {message}", code="github_auth")
    if status in (403, 429) and (
        response.headers.get("x-ratelimit-remaining") == "0"
        or "retry-after" in response.headers
        or "rate limit" in message.lower()
    ):
        when = response.headers.get("retry-after")
        reset = response.headers.get("x-ratelimit-reset")
        hint = f"retry in {when} s" if when else "retry later"
        if reset and not when:
            hint = f"the limit resets at {reset} (epoch seconds)"
        return GitHubError(
            f"GitHub's rate limit was hit ({message}); {hint}. The export can be run again: "
            "it updates what it already created",
            code="github_rate_limited",
        )
    if status == 403:
        return GitHubError(f"the token may not do {where} in {repo}: {message}", code="github_forbidden")
    if status == 404:
        return GitHubError(
            f"{repo} was not found, or the token cannot see it ({where})", code="github_not_found"
        )
    if status == 422:
        return GitHubError(f"GitHub refused {where}: {message}", code="github_invalid")
    return GitHubError(f"GitHub answered {status} to {where}: {message}", code="github_error")


# --------------------------------------------------------------------------- issue contents


def plan_key(snapshot: Snapshot) -> str:
    return slugify(snapshot.plan.project_name)


def issue_title(snapshot: Snapshot, phase: Phase) -> str:
    return f"[{_plain(snapshot.plan.project_name)}] Phase {phase.number}: {_plain(phase.title)}"


def _step_line(info: StepInfo, status: str) -> str:
    box = "x" if status == "done" else " "
    line = f"- [{box}] **{info.step.id}** {_plain(info.step.title)}"
    if info.blocked_reason:
        line += f" — **Blocked:** {_plain(info.blocked_reason)}"
    elif info.step.test_command and status != "done":
        line += f" — test: {_code(info.step.test_command)}"
    return line


def issue_body(snapshot: Snapshot, phase: Phase, analysis: Analysis, numbers: Mapping[int, int]) -> str:
    members = [info for info in snapshot.steps.values() if info.phase == phase.number]
    done = sum(analysis.status[info.step.id] == "done" for info in members)
    depends = [
        (f"#{numbers[n]}" if n in numbers else f"Phase {n}") + f" ({_plain(snapshot.phase_title(n))})"
        for n in snapshot.phase_depends.get(phase.number, [])
    ]
    lines = [
        f"<!-- devussy-plan: {plan_key(snapshot)} phase: {phase.number} -->",
        f"**Phase {phase.number} of {_plain(snapshot.plan.project_name)}** · {done}/{len(members)} steps done"
        + (f" · depends on {', '.join(depends)}" if depends else ""),
        "",
        " ".join(phase.summary.split()).replace("@", "&#64;"),
        "",
    ]
    if phase.requirements:
        texts = {r.id: r.text for r in snapshot.plan.requirements}
        lines += [
            "**Requirements:** "
            + "; ".join(f"{rid} {_plain(texts.get(rid, ''))}".strip() for rid in phase.requirements),
            "",
        ]
    lines += ["### Steps", ""]
    lines += [_step_line(info, analysis.status[info.step.id]) for info in members] or ["_Not detailed yet._"]
    lines += [
        "",
        "---",
        f"_Generated by Devussy from phase{phase.number}.md. The plan folder is the source of truth: "
        "tick steps with `devussy done`, then run `devussy export github` again._",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the export


@dataclass
class ExportReport:
    created: list[int] = field(default_factory=list)  # issue numbers
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    labels_created: list[str] = field(default_factory=list)
    issues: dict[int, int] = field(default_factory=dict)  # phase number -> issue number


def _existing(client: GitHubClient, key: str) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for issue in sorted(client.devussy_issues(), key=lambda item: item["number"]):
        match = _MARKER.search(issue.get("body") or "")
        if match and match["plan"] == key:
            found.setdefault(int(match["phase"]), issue)  # the oldest wins if someone copied one
    return found


def _ensure_labels(client: GitHubClient, wanted: list[str], report: ExportReport) -> None:
    have = {name.lower() for name in client.labels()}
    for name in wanted:
        if name.lower() not in have:
            color = _LABEL_COLORS[LABEL] if name == LABEL else _LABEL_COLORS["phase"]
            client.create_label(name, color, "Made by the Devussy plan export")
            report.labels_created.append(name)


def export_to_github(snapshot: Snapshot, client: GitHubClient) -> ExportReport:
    report = ExportReport()
    try:
        _export(snapshot, client, report)
    except GitHubError as exc:
        written = [*report.created, *report.updated]
        if not written:
            raise
        shown = ", ".join(f"#{n}" for n in written)
        raise GitHubError(f"{exc.message} (written before it stopped: {shown})", code=exc.code) from None
    return report


def _export(snapshot: Snapshot, client: GitHubClient, report: ExportReport) -> None:
    analysis = Analysis(snapshot)
    key = plan_key(snapshot)
    phases = sorted(snapshot.plan.phases, key=lambda p: p.number)
    _ensure_labels(client, [LABEL, *(f"phase-{p.number}" for p in phases)], report)
    existing = _existing(client, key)
    numbers = {n: issue["number"] for n, issue in existing.items()}
    for phase in phases:  # first make the missing ones, so every body can link every dependency
        if phase.number not in existing:
            body = issue_body(snapshot, phase, analysis, numbers)
            issue = client.create_issue(issue_title(snapshot, phase), body, [LABEL, f"phase-{phase.number}"])
            existing[phase.number] = issue
            numbers[phase.number] = report.issues[phase.number] = issue["number"]
            report.created.append(issue["number"])
    for phase in phases:
        issue = existing[phase.number]
        members = [info for info in snapshot.steps.values() if info.phase == phase.number]
        finished = bool(members) and all(analysis.status[info.step.id] == "done" for info in members)
        have_labels = [
            label["name"] if isinstance(label, dict) else str(label) for label in issue.get("labels", [])
        ]
        wanted = {
            "title": issue_title(snapshot, phase),
            "body": issue_body(snapshot, phase, analysis, numbers),
            "state": "closed" if finished else "open",
            "labels": sorted(set(have_labels) | {LABEL, f"phase-{phase.number}"}),
        }
        changes = {
            name: value
            for name, value in wanted.items()
            if (sorted(have_labels) if name == "labels" else issue.get(name)) != value
        }
        if changes:
            client.update_issue(issue["number"], changes)
            if issue["number"] not in report.created:
                report.updated.append(issue["number"])
        elif issue["number"] not in report.created:
            report.unchanged.append(issue["number"])
    report.issues = numbers
