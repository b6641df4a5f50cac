"""Chain the stages: design → basic plan → phase details (concurrent, pipelined) → handoff.

Each phase's detail starts as soon as the plan stream has yielded that phase (the plan stage's
``PhaseAnnounced`` events), bounded by ``concurrency``. Until the plan is complete, a detail
request carries the plan as known so far (design context + the phases announced yet). When the
final plan differs from what a running detail was based on (e.g. after a repair round), that
detail is cancelled and restarted with the final plan.

The handoff needs the final plan and the detail of the phase where work starts (the first phase
without dependencies), not every phase: it starts as soon as those exist, next to the remaining
details, with the plan detailed so far.

With a ``checkpoint_dir``, every finished unit is checkpointed at once (see ``checkpoint.py``), and
``run(brief, resume=True)`` skips what is already done. A unit whose answer could not be read keeps
its raw answers in ``<checkpoint_dir>/.devussy/raw/<stage>[-phaseN].txt``. A checkpoint that cannot
be written stops the whole run with one :class:`CheckpointWriteError` that says what the checkpoint
still holds: carrying on would pay for work that could not be kept.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from devussy.errors import CheckpointError, CheckpointWriteError, DevussyError, StageError
from devussy.events import (
    PhaseAnnounced,
    PhaseOutline,
    ProgressEvent,
    RepairRequested,
    UnitFailed,
    UnitFinished,
    UnitSkipped,
    UnitStarted,
)
from devussy.models import (
    DesignReview,
    DevPlan,
    Handoff,
    Phase,
    ProjectBrief,
    ProjectDesign,
    UnitUsage,
    Usage,
    UsageReport,
)
from devussy.pipeline.base import StageResult, StageSettings
from devussy.pipeline.checkpoint import Checkpoint, CheckpointStore, brief_fingerprint, saved_units
from devussy.pipeline.generators import (
    BasicDevPlanGenerator,
    DetailedDevPlanGenerator,
    HandoffPromptGenerator,
    ProjectDesignGenerator,
)
from devussy.pipeline.review import ReviewResult, review_design, rules_only
from devussy.stages.detail import complete_steps
from devussy.stages.handoff import default_start
from devussy.stages.names import StageName
from devussy.stages.trace import known_citations
from devussy.streaming import NullStreamingHandler, StreamingHandler

T = TypeVar("T")
HANDOFF_TASK = "devussy-handoff"


class RunObserver(Protocol):
    def sink(self, stage: StageName, phase: int | None) -> StreamingHandler:
        """Called when a unit of work starts (or is skipped); receives its tokens and progress."""


class NullObserver:
    def sink(self, stage: StageName, phase: int | None) -> StreamingHandler:
        return NullStreamingHandler()


@dataclass
class RunResult:
    design: ProjectDesign
    plan: DevPlan  # with every phase detailed
    handoff: Handoff
    usage: Usage = field(default_factory=Usage)  # what this run used
    units: list[UnitUsage] = field(default_factory=list)  # per unit, reused ones included
    review: DesignReview | None = None  # the design review (rule checks, and the reviewer's if asked)

    @property
    def usage_report(self) -> UsageReport:
        return UsageReport.of(self.units)


class PhaseDetailsFailed(DevussyError):
    """Some phase details failed; the rest finished and are checkpointed."""

    def __init__(self, failures: Mapping[int, BaseException]) -> None:
        self.failures = dict(sorted(failures.items()))
        numbers = ", ".join(str(n) for n in self.failures)
        reasons = "; ".join(f"phase {n}: {_message(exc)}" for n, exc in self.failures.items())
        first = next(iter(self.failures.values()))
        super().__init__(
            f"phase details failed for phase(s) {numbers}: {reasons}",
            code=first.code if isinstance(first, DevussyError) else "internal_error",
        )


def _message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, DevussyError) else f"{type(exc).__name__}: {exc}"


def _same_outline(a: Phase, b: Phase) -> bool:
    """Same phase for its detail: a changed ``Requirements:`` line (e.g. after the plan's repair round
    added a requirement) changes what the detail must cover."""
    return (a.number, a.title, a.summary, a.depends_on, a.requirements) == (
        b.number,
        b.title,
        b.summary,
        b.depends_on,
        b.requirements,
    )


def _same_start(seen: Phase, final: Phase) -> bool:
    """The handoff saw the start phase's first step as it ended up (same id, title and details)."""
    if not seen.steps or not final.steps:
        return not seen.steps and not final.steps
    first, last = seen.steps[0], final.steps[0]
    return (first.id, first.title, first.details) == (last.id, last.title, last.details)


class _PhaseWatchingSink:
    """Passes everything to the plan's sink and tells the runner about each announced phase."""

    def __init__(self, inner: StreamingHandler, on_phase: Callable[[Phase], None]) -> None:
        self.inner = inner
        self.on_phase = on_phase

    async def on_token_async(self, token: str) -> None:
        await self.inner.on_token_async(token)

    async def on_progress_async(self, event: ProgressEvent) -> None:
        await self.inner.on_progress_async(event)
        if isinstance(event, PhaseAnnounced):
            self.on_phase(event.phase)

    async def on_completion_async(self, text: str) -> None:
        await self.inner.on_completion_async(text)


class _StepWatchingSink:
    """Passes everything to a detail's sink and reports the steps complete so far (the handoff can
    start from the start phase's first complete step)."""

    def __init__(self, inner: StreamingHandler, phase: Phase, on_steps: Callable[[Phase], None]) -> None:
        self.inner = inner
        self.phase = phase
        self.on_steps = on_steps
        self.text = ""
        self.known = 0

    async def on_token_async(self, token: str) -> None:
        await self.inner.on_token_async(token)
        self.text += token
        if "\n" in token:
            partial = complete_steps(self.text, self.phase)
            if partial is not None and len(partial.steps) > self.known:
                self.known = len(partial.steps)
                self.on_steps(partial)

    async def on_progress_async(self, event: ProgressEvent) -> None:
        await self.inner.on_progress_async(event)
        if isinstance(event, RepairRequested):  # a new answer streams: start reading again
            self.text, self.known = "", 0

    async def on_completion_async(self, text: str) -> None:
        await self.inner.on_completion_async(text)


class PipelineRunner:
    def __init__(
        self,
        settings_for: Callable[[StageName], StageSettings],
        *,
        concurrency: int = 3,
        checkpoint_dir: str | None = None,
        observer: RunObserver | None = None,
        review: bool = False,
    ) -> None:
        """``review``: after the rule checks (always), the LLM reviewer reads the design and one
        correction round applies every finding (``pipeline/review.py``)."""
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.settings_for = settings_for
        self.review = review
        self.concurrency = concurrency
        self.store = CheckpointStore(checkpoint_dir) if checkpoint_dir else None
        self.observer: RunObserver = observer or NullObserver()

    async def run(self, brief: ProjectBrief, *, resume: bool = False) -> RunResult:
        return await _Run(self, brief, resume).execute()


class _Run:
    """State of one ``PipelineRunner.run`` call."""

    def __init__(self, runner: PipelineRunner, brief: ProjectBrief, resume: bool) -> None:
        self.runner = runner
        self.brief = brief
        self.usage = Usage()
        self.state = self._initial_state(resume)
        self.resumed_phases = set(self.state.phases)
        self.semaphore = asyncio.Semaphore(runner.concurrency)
        self.tasks: dict[int, tuple[asyncio.Task[None], Phase]] = {}
        self.stale: list[asyncio.Task[None]] = []
        self.failures: dict[int, BaseException] = {}
        self.design: ProjectDesign | None = None
        self.announced: dict[int, Phase] = {}
        # Units whose usage an earlier run spent (they are reused from the checkpoint).
        self.reused = {(u.stage, u.phase) for u in self.state.usage}
        self.saved = saved_units(self.state)  # what the checkpoint on disk holds
        # Steps complete so far in a running detail's stream, with the task that streams them.
        self.partial: dict[int, tuple[asyncio.Task[None], Phase]] = {}
        self.progressed = asyncio.Event()  # a detail finished or streamed a complete step
        self.fatal: CheckpointWriteError | None = None  # a phase detail's save failed: stop the run

    def _initial_state(self, resume: bool) -> Checkpoint:
        fingerprint = brief_fingerprint(self.brief)
        store = self.runner.store
        if resume and store is not None:
            saved = store.load()
            if saved is not None:
                if saved.fingerprint != fingerprint:
                    raise CheckpointError(
                        f"the checkpoint in {store.path} belongs to a different brief; "
                        "run without resume to start over",
                        code="checkpoint_mismatch",
                    )
                return saved
        return Checkpoint(fingerprint=fingerprint)

    def save(self) -> None:
        if self.runner.store is None:
            return
        try:
            self.runner.store.save(self.state)
        except CheckpointWriteError as exc:
            raise CheckpointWriteError(
                f"{exc.message}; the run stopped. The checkpoint still holds {self.saved}"
            ) from exc
        self.saved = saved_units(self.state)

    # -- units of work --------------------------------------------------------------------------

    async def unit(
        self,
        stage: StageName,
        phase: int | None,
        work: Callable[[StreamingHandler], Awaitable[StageResult[T]]],
        wrap: Callable[[StreamingHandler], StreamingHandler] | None = None,
    ) -> StageResult[T]:
        sink = self.runner.observer.sink(stage, phase)
        await sink.on_progress_async(UnitStarted())
        try:
            result = await work(wrap(sink) if wrap else sink)
        except asyncio.CancelledError:
            await _quietly(sink.on_progress_async(UnitFailed(code="cancelled", message="cancelled")))
            raise
        except StageError as exc:
            failure = self.keep_raw(stage, phase, exc)
            await sink.on_progress_async(UnitFailed(code=failure.code, message=failure.message))
            raise failure from None
        except DevussyError as exc:
            await sink.on_progress_async(UnitFailed(code=exc.code, message=exc.message))
            raise
        except Exception as exc:
            await sink.on_progress_async(UnitFailed(code="internal_error", message=_message(exc)))
            raise
        self.usage = self.usage + result.usage
        self.record_usage(stage, phase, result.usage)
        if self.runner.store is not None:
            self.runner.store.drop_raw(stage, phase)
        await sink.on_progress_async(UnitFinished(usage=result.usage))
        return result

    def keep_raw(self, stage: StageName, phase: int | None, exc: StageError) -> StageError:
        """Save an unreadable unit's raw answers next to the checkpoint; the error says where."""
        store = self.runner.store
        if store is None or not exc.raw_text:
            return exc
        try:
            path = store.save_raw(stage, phase, exc.raw_text)
        except OSError:
            return exc
        message = f"{exc.message} (raw answers saved to {path}; rerun with --resume to retry this stage)"
        return StageError(message, raw_text=exc.raw_text, code=exc.code)

    def record_usage(self, stage: StageName, phase: int | None, usage: Usage) -> None:
        entries = [u for u in self.state.usage if (u.stage, u.phase) != (stage, phase)]
        self.state.usage = [*entries, UnitUsage(stage=stage, phase=phase, usage=usage)]

    async def skipped(
        self, stage: StageName, phase: int | None, phases: list[PhaseOutline] | None = None
    ) -> None:
        sink = self.runner.observer.sink(stage, phase)
        await sink.on_progress_async(UnitSkipped(phases=phases or []))

    # -- the run --------------------------------------------------------------------------------

    async def execute(self) -> RunResult:
        try:
            return await self._execute()
        finally:
            running = [task for task, _ in self.tasks.values() if not task.done()] + self.stale
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    async def _execute(self) -> RunResult:
        settings_for = self.runner.settings_for
        if self.state.design is not None:
            await self.skipped("design", None)
        else:
            design_result = await self.unit(
                "design",
                None,
                lambda sink: ProjectDesignGenerator(settings_for("design")).generate(self.brief, sink),
            )
            self.state.design = design_result.value
            if not self.runner.review:  # rule checks only: code, saved with the design
                self.state.review = rules_only(design_result.value)
            self.save()
        if self.state.review is None:
            await self.review_design(self.state.design)
        elif self.runner.review or self.state.review.reviewer:
            await self.skipped("design_review", None)
        design = self.design = self.state.design

        if self.state.plan is not None:
            outline = [PhaseOutline(number=p.number, title=p.title) for p in self.state.plan.phases]
            await self.skipped("basic_plan", None, outline)  # views can still name the phases
        else:
            plan_result = await self.unit(
                "basic_plan",
                None,
                lambda sink: BasicDevPlanGenerator(settings_for("basic_plan")).generate(design, sink),
                wrap=lambda sink: _PhaseWatchingSink(sink, self.phase_announced),
            )
            self.state.plan = plan_result.value
            self.save()
        plan = self.state.plan
        await self.reconcile(plan)

        handoff_task: asyncio.Task[Handoff] | None = None
        basis: Phase | None = None  # the start phase as the handoff saw it
        start_number = default_start(plan)[0]
        if self.state.handoff is None:
            basis = await self.wait_for_start(start_number, plan)
            if basis is not None:
                handoff_task = asyncio.create_task(self.handoff(design, plan, basis), name=HANDOFF_TASK)
        else:
            await self.skipped("handoff", None)
        try:
            await self.wait_for_details()
        except BaseException:
            if handoff_task is not None:
                handoff_task.cancel()
                await asyncio.gather(handoff_task, return_exceptions=True)
            raise
        if self.failures:
            if handoff_task is not None:
                await asyncio.gather(handoff_task, return_exceptions=True)  # keep it if it finished
            raise PhaseDetailsFailed(self.failures)
        final_start = self.state.phases[start_number]
        if handoff_task is not None and basis is not None and not _same_start(basis, final_start):
            # The start phase's first step changed after the handoff began (a repair round): redo it.
            handoff_task.cancel()
            await asyncio.gather(handoff_task, return_exceptions=True)
            handoff_task = asyncio.create_task(self.handoff(design, plan, final_start), name=HANDOFF_TASK)
        handoff = await handoff_task if handoff_task is not None else self.state.handoff
        assert handoff is not None
        detailed = plan.model_copy(update={"phases": [self.state.phases[p.number] for p in plan.phases]})
        return RunResult(
            design=design,
            plan=detailed,
            handoff=handoff,
            usage=self.usage,
            units=self.units(),
            review=self.state.review,
        )

    async def review_design(self, design: ProjectDesign) -> None:
        """Rule checks; with ``review``, the LLM reviewer and one correction round (a unit of its own)."""
        settings_for = self.runner.settings_for
        if not self.runner.review:
            self.state.review = rules_only(design)
            self.save()
            return

        async def work(sink: StreamingHandler) -> StageResult[ReviewResult]:
            result = await review_design(
                design, reviewer=settings_for("design_review"), corrector=settings_for("design"), sink=sink
            )
            return StageResult(value=result, text=result.text, usage=result.usage)

        reviewed = await self.unit("design_review", None, work)
        self.state.design = reviewed.value.design
        self.state.review = reviewed.value.review
        self.save()

    async def wait_for_details(self) -> None:
        while True:  # a detail restarted during the wait gets awaited in the next round
            if self.fatal is not None:
                raise self.fatal  # execute() cancels the details still running
            pending = [task for task, _ in self.tasks.values() if not task.done()]
            if not pending:
                break
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if self.stale:
            await asyncio.gather(*self.stale, return_exceptions=True)

    async def wait_for_start(self, number: int, plan: DevPlan) -> Phase | None:
        """Wait until the start phase of the final ``plan`` has its detail, or at least its first
        complete step in the detail's stream; None if that detail failed."""
        outline = plan.phase(number)
        while True:
            if self.fatal is not None:
                raise self.fatal
            done = self.state.phases.get(number)
            if done is not None and _same_outline(done, outline):
                return done
            current = self.tasks.get(number)
            if current is None or (number in self.failures and current[0].done()):
                return None
            partial = self.partial.get(number)
            if partial is not None and partial[0] is current[0] and _same_outline(partial[1], outline):
                return partial[1]
            self.progressed.clear()
            waiter = asyncio.create_task(self.progressed.wait())
            try:
                await asyncio.wait([current[0], waiter], return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()

    async def handoff(self, design: ProjectDesign, plan: DevPlan, start: Phase) -> Handoff:
        """The handoff, from the final plan with the phases detailed so far and the start phase as
        far as it is known (its detail, or the steps of it complete so far)."""
        phases = [
            start if p.number == start.number else self.state.phases.get(p.number, p) for p in plan.phases
        ]
        so_far = plan.model_copy(update={"phases": phases})
        complete = start is self.state.phases.get(start.number) and all(
            p.number in self.state.phases for p in plan.phases
        )
        generator = HandoffPromptGenerator(self.runner.settings_for("handoff"))
        result = await self.unit(
            "handoff",
            None,
            lambda sink: generator.generate(design, so_far, sink, details_complete=complete),
        )
        self.state.handoff = result.value
        self.save()
        return result.value

    def units(self) -> list[UnitUsage]:
        """Usage of every unit of the plan's run, in pipeline order; reused ones marked."""
        used = {(u.stage, u.phase): u for u in self.state.usage}
        order: list[tuple[str, int | None]] = [("design", None), ("design_review", None)]
        order.append(("basic_plan", None))
        order += [("phase_detail", p.number) for p in (self.state.plan.phases if self.state.plan else [])]
        order.append(("handoff", None))
        units = []
        for key in order:
            if key in used:
                units.append(used[key].model_copy(update={"reused": key in self.reused}))
        return units

    # -- phase details --------------------------------------------------------------------------

    def phase_announced(self, phase: Phase) -> None:
        """The plan stream yielded a phase: start its detail now, against the plan known so far."""
        assert self.design is not None
        self.announced[phase.number] = phase
        known = sorted(self.announced.values(), key=lambda p: p.number)
        numbers = {p.number for p in known}
        phases = [
            p.model_copy(update={"depends_on": [d for d in p.depends_on if d in numbers]}) for p in known
        ]
        partial = DevPlan(
            project_name=self.design.project_name,
            summary=self.design.summary,
            phases=known_citations(phases, self.design.requirements),
            tech_stack=list(self.design.tech_stack),
            requirements=list(self.design.requirements),
            brief=self.design.brief,
            complexity=self.design.complexity,
        )
        self.ensure_detail(phase, partial, plan_complete=False)

    async def reconcile(self, plan: DevPlan) -> None:
        """Make sure exactly the final plan's phases get (or have) a detail matching them."""
        numbers = {p.number for p in plan.phases}
        for number in list(self.tasks):
            if number not in numbers:
                self._drop(number)
        for number in list(self.state.phases):
            if number not in numbers:
                del self.state.phases[number]
        for phase in plan.phases:
            done = self.state.phases.get(phase.number)
            if done is not None and _same_outline(done, phase):
                if phase.number in self.resumed_phases and phase.number not in self.tasks:
                    await self.skipped("phase_detail", phase.number)
                continue
            self.ensure_detail(phase, plan)

    def ensure_detail(self, phase: Phase, plan: DevPlan, *, plan_complete: bool = True) -> None:
        done = self.state.phases.get(phase.number)
        if done is not None and _same_outline(done, phase):
            return
        current = self.tasks.get(phase.number)
        if current is not None:
            if _same_outline(current[1], phase):
                return
            self._drop(phase.number)
        task = asyncio.create_task(
            self._detail(phase, plan, plan_complete), name=f"devussy-phase-{phase.number}"
        )
        self.tasks[phase.number] = (task, phase)

    def _drop(self, number: int) -> None:
        task, _ = self.tasks.pop(number)
        if not task.done():
            task.cancel()
            self.stale.append(task)
        self.failures.pop(number, None)

    def steps_streamed(self, task: asyncio.Task[None] | None, partial: Phase) -> None:
        if task is not None:
            self.partial[partial.number] = (task, partial)
            self.progressed.set()

    async def _detail(self, phase: Phase, plan: DevPlan, plan_complete: bool) -> None:
        generator = DetailedDevPlanGenerator(self.runner.settings_for("phase_detail"))
        task = asyncio.current_task()

        def watched(sink: StreamingHandler) -> StreamingHandler:
            return _StepWatchingSink(sink, phase, lambda partial: self.steps_streamed(task, partial))

        async with self.semaphore:
            try:
                result = await self.unit(
                    "phase_detail",
                    phase.number,
                    lambda sink: generator.generate(
                        plan, phase.number, sink, plan_complete=plan_complete, design=self.design
                    ),
                    wrap=watched,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # recorded; the other phases carry on
                self.failures[phase.number] = exc
                self.progressed.set()
                return
        self.failures.pop(phase.number, None)
        self.state.phases[phase.number] = result.value
        self.progressed.set()
        try:
            self.save()
        except CheckpointWriteError as exc:
            self.fatal = self.fatal or exc


async def _quietly(awaitable: Awaitable[None]) -> None:
    with contextlib.suppress(Exception):
        await awaitable
