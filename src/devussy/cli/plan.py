"""``devussy plan "idea"``: run the whole pipeline and write the artifacts.

Design → plan → phase details → handoff, shown live by a run view; ``--interview`` first asks the
questions that would change the plan (``cli/interview.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError
from rich.console import Console

from devussy.cli.errors import EXIT_INTERRUPTED, EXIT_OK, InterviewFailed, UsageError
from devussy.cli.interview import first_input, is_utf8_text, merge_flags, run_interview, saved_brief
from devussy.cli.output_folder import output_folder
from devussy.cli.requirements_file import read_requirements_file
from devussy.cli.views import LiveView, PlainView, RunView, repair_summary
from devussy.config import Settings
from devussy.errors import ConfigError, DevussyError
from devussy.models import DesignReview, ProjectBrief, UnitUsage, Usage, UsageReport, slugify
from devussy.stages.names import STAGE_LABELS
from devussy.validation import describe_errors

DEFAULT_OUT_ROOT = Path("devussy-out")


def derive_name(idea: str) -> str:
    """A short project name from the idea ("called X", else its leading noun phrase)."""
    from devussy.planner.interview import name_from_idea

    return name_from_idea(idea)


def build_brief(args: argparse.Namespace) -> ProjectBrief:
    idea = args.idea.strip()
    if not idea:
        raise UsageError("the idea cannot be empty")
    texts = [args.idea, args.name or "", *args.language, *args.framework, *args.data_store, *args.integration]
    if not all(is_utf8_text(text) for text in texts):
        raise UsageError("the command line holds text that is not UTF-8; check the terminal's encoding")
    requirements = read_requirements_file(args.requirements) if args.requirements else []
    try:
        return ProjectBrief(
            name=(args.name or derive_name(idea)).strip(),
            summary=idea,
            languages=args.language,
            frameworks=args.framework,
            data_stores=args.data_store,
            integrations=args.integration,
            requirements=requirements,
        )
    except ValidationError as exc:
        raise UsageError(f"invalid {describe_errors(exc, limit=1, root='brief')}") from None


def resolve_settings(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment and the flags; with no engine configured, a local
    OpenAI-compatible server found by probing becomes the engine (``llm.local``)."""
    from devussy.llm.local import with_local_server

    settings = Settings.from_env(env)
    overrides: dict[str, Any] = {}
    if args.provider:
        overrides["provider"] = args.provider
        overrides["provider_configured"] = True
    if args.model:
        overrides["model"] = args.model
    if args.concurrency:
        overrides["max_concurrency"] = args.concurrency
    settings = dataclasses.replace(settings, **overrides) if overrides else settings
    return with_local_server(settings)


def describe_engine(settings: Settings) -> str:
    """The line that says which engine a run uses (and how to choose another)."""
    from urllib.parse import urlsplit

    from devussy.stages.names import STAGES

    models = sorted({m for stage in STAGES if (m := settings.model_for(stage))})
    shown = f", model {', '.join(models)}" if models else ""
    if settings.provider == "builtin":
        return "Engine: builtin, the offline planner (no model, no network)"
    if settings.provider == "local" and settings.local_servers:
        server = settings.local_servers[0]
        return (
            f"Engine: local, {server.description}{shown} (found by probing; "
            "DEVUSSY_PROVIDER=builtin uses the offline planner)"
        )
    host = urlsplit(settings.base_url).hostname if settings.base_url else None
    return f"Engine: {settings.provider}{f' at {host}' if host else ''}{shown}"


def usage_lines(units: list[UnitUsage]) -> list[str]:
    """Tokens (and cost, where known) per unit of the run, then the total."""
    if not units:
        return []
    lines = ["Usage:"]
    for unit in units:
        label = f"phase {unit.phase}" if unit.phase is not None else _stage_label(unit.stage)
        reused = " (reused from the checkpoint)" if unit.reused else ""
        lines.append(f"  {label:<10} {_tokens(unit.usage)}{reused}")
    lines.append(f"  {'total':<10} {_tokens(UsageReport.of(units).total)}")
    return lines


def _stage_label(stage: str) -> str:
    return str(STAGE_LABELS[stage]) if stage in STAGE_LABELS else stage


def _tokens(usage: Usage) -> str:
    cost = f", ${usage.cost:.4f}" if usage.cost is not None else ""
    return f"{usage.prompt_tokens:>7} prompt + {usage.completion_tokens:>6} completion tokens{cost}"


def make_runner(settings: Settings, observer: RunView, out_dir: Path, *, review: bool = False) -> Any:
    """Build the pipeline runner (imported lazily so ``devussy schema`` stays fast).

    The runner keeps its checkpoint in ``<out_dir>/.devussy/checkpoint.json``; ``review`` adds the LLM
    reviewer and its correction round to the rule checks every design gets.
    """
    from devussy.pipeline.runner import PipelineRunner
    from devussy.pipeline.settings import stage_settings

    stages = ("design", "basic_plan", "phase_detail", "handoff") + (("design_review",) if review else ())
    for stage in stages:
        stage_settings(settings, stage)  # a missing key or unknown engine fails here, before the view starts
    return PipelineRunner(
        lambda stage: stage_settings(settings, stage),
        concurrency=settings.max_concurrency,
        checkpoint_dir=str(out_dir),
        observer=observer,
        review=review,
    )


def review_line(review: DesignReview | None) -> str | None:
    """One line on the design review for the end of a run."""
    if review is None:
        return None
    if not review.findings:
        checked = "rule checks and the reviewer" if review.reviewer else "rule checks"
        return f"Design review: no findings ({checked})"
    count = len(review.findings)
    if review.corrected:
        still = f"{len(review.remaining)} still open" if review.remaining else "none still open"
        return f"Design review: {count} finding(s), corrected in one round, {still} (see review.md)"
    return f"Design review: {count} finding(s), not corrected: {review.note} (see review.md)"


def refuse_vague_offline_brief(settings: Settings, brief: ProjectBrief) -> None:
    """The offline engine plans nothing from "todo" or a brief it cannot read: exit 2 with the questions
    it needs answered (``--interview`` asks them), never a boilerplate plan."""
    from devussy.pipeline.settings import stage_settings
    from devussy.planner import offline_planner_of

    try:
        provider = stage_settings(settings, "design").provider
    except DevussyError:
        return  # reported with the other settings problems when the runner is made
    planner = offline_planner_of(provider)
    if planner is None:
        return  # a model can ask for more itself, or plan from little
    vague = planner.check_brief(brief)
    if vague is not None:
        questions = "\n".join(f"  {n}. {q}" for n, q in enumerate(vague.questions, start=1))
        raise UsageError(
            f"{vague.message}\n{questions}\nAnswer them in the idea, or run `devussy plan --interview` to be "
            "asked them one by one."
        )


def _view_for(args: argparse.Namespace, stdout: TextIO) -> RunView:
    console = Console(file=stdout)
    if args.plain or not console.is_terminal:
        return PlainView(stdout)
    return LiveView(console)


def run_plan(args: argparse.Namespace, stdout: TextIO) -> int:
    brief = build_brief(args)
    settings = resolve_settings(args)
    # Chosen before any interview (from --out, --name or the idea) so `--resume` finds the same place.
    out_dir: Path = args.out or DEFAULT_OUT_ROOT / slugify(brief.name)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} exists and is not a directory")
    if not args.interview:
        refuse_vague_offline_brief(settings, brief)
    view = _view_for(args, stdout)
    if args.review:
        runner = make_runner(settings, view, out_dir, review=True)
    else:
        runner = make_runner(settings, view, out_dir)
    with output_folder(out_dir):  # writable and locked before the first paid call, not after it
        return _plan_into(args, stdout, brief, settings, out_dir, view, runner)


def _plan_into(
    args: argparse.Namespace,
    stdout: TextIO,
    brief: ProjectBrief,
    settings: Settings,
    out_dir: Path,
    view: RunView,
    runner: Any,
) -> int:
    from devussy.artifacts import render_artifacts, stale_phase_files, write_artifacts, write_zip

    resume = args.resume
    if args.interview:
        saved = saved_brief(out_dir) if args.resume else None
        if saved is not None:
            print(f"Resuming {saved.name} from {out_dir}: the interview is already done.", file=stdout)
            brief = merge_flags(saved, args, brief.requirements)
        else:
            if args.resume:
                print(f"No interview to resume in {out_dir}; starting with the interview.", file=stdout)
                resume = False  # nothing before the design is checkpointed: there is nothing to reuse
            try:
                answered = run_interview(settings, first_input(args), stdout)
                brief = merge_flags(answered, args, brief.requirements)
            except KeyboardInterrupt:
                print(file=stdout)  # end the prompt line; nothing was started, so nothing to resume
                return EXIT_INTERRUPTED
            except ConfigError:
                raise
            except DevussyError as exc:
                raise InterviewFailed(f"interview: {exc.message}", code=exc.code) from exc
    print(describe_engine(settings), file=stdout)
    with view:
        result = asyncio.run(runner.run(brief, resume=resume))

    usage_report = result.usage_report
    files = render_artifacts(
        result.design, result.plan, result.handoff, usage=usage_report, review=result.review
    )
    slug = slugify(result.plan.project_name)
    try:
        paths = write_artifacts(out_dir, files)
        paths.append(write_zip(out_dir / f"{slug}-devplan.zip", files, root=slug))
    except OSError as exc:
        raise DevussyError(
            f"cannot write the plan files in {out_dir}: {exc.strerror or exc}; every stage is saved in "
            "the checkpoint, so a rerun with --resume only writes the files",
            code="write_failed",
        ) from exc
    usage = result.usage
    tokens = f", {usage.total_tokens} tokens" if usage.total_tokens else ""
    if usage.cost is not None:
        tokens += f" (${usage.cost:.4f})"
    print(f"Wrote {len(paths)} files to {out_dir}{tokens}:", file=stdout)
    for path in paths:
        print(f"  {path}", file=stdout)
    stale = stale_phase_files(out_dir, files)
    if stale:
        names = ", ".join(path.name for path in stale)
        print(
            f"Left alone: {names} in {out_dir} (from an earlier plan; this one has"
            f" {len(result.plan.phases)} phases). Delete them if you no longer need them.",
            file=stdout,
        )
    if result.plan.requirements:
        from devussy.requirements import check_coverage, summary_line

        report = check_coverage(result.plan)
        marker = "Coverage" if report.ok else "Coverage problems (see devplan.md)"
        print(f"{marker}: {summary_line(report)}", file=stdout)
        for line in repair_summary(view.checks):
            print(line, file=stdout)
    reviewed = review_line(result.review)
    if reviewed:
        print(reviewed, file=stdout)
    for line in usage_lines(usage_report.units):
        print(line, file=stdout)
    print(f"Start with {out_dir / 'devplan.md'}", file=stdout)
    return EXIT_OK
