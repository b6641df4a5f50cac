"""Chain the stages: design → basic plan → phase details (concurrent, pipelined) → handoff.

Each phase's detail starts as soon as the plan stream has yielded that phase (the plan stage's
``PhaseAnnounced`` events), bounded by ``concurrency``. Until the plan is complete, a detail
request carries the plan as known so far (design context + the phases announced yet). When the
final plan differs from what a running detail was based on (e.g. after a repair round), that
detail is cancelled and restarted with the final plan.

With a ``checkpoint_dir``, every finished unit is checkpointed at once (see ``checkpoint.py``), and
``run(brief, resume=True)`` skips what is already done. A checkpoint that cannot be written stops the
whole run with one :class:`CheckpointWriteError` that says what the checkpoint still holds: carrying on
would pay for work that could not be kept.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from devussy.errors import CheckpointError, CheckpointWriteError, DevussyError
from devussy.events import (
    PhaseAnnounced,
    PhaseOutline,
    ProgressEvent,
    UnitFailed,
    UnitFinished,
    UnitSkipped,
    UnitStarted,
)
from devussy.models import DevPlan, Handoff, Phase, ProjectBrief, ProjectDesign, Usage
from devussy.pipeline.base import StageResult, StageSettings
from devussy.pipeline.checkpoint import Checkpoint, CheckpointStore, brief_fingerprint, saved_units
from devussy.pipeline.generators import (
    BasicDevPlanGenerator,
    DetailedDevPlanGenerator,
    HandoffPromptGenerator,
    ProjectDesignGenerator,
)
from devussy.stages.names import StageName
from devussy.stages.plan import cited_only
from devussy.streaming import NullStreamingHandler, StreamingHandler

T = TypeVar("T")


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
    usage: Usage = field(default_factory=Usage)


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
    return (a.number, a.title, a.summary, a.depends_on) == (b.number, b.title, b.summary, b.depends_on)


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


class PipelineRunner:
    def __init__(
        self,
        settings_for: Callable[[StageName], StageSettings],
        *,
        concurrency: int = 3,
        checkpoint_dir: str | None = None,
        observer: RunObserver | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.settings_for = settings_for
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
        self.saved = saved_units(self.state)  # what the checkpoint on disk holds
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
        except DevussyError as exc:
            await sink.on_progress_async(UnitFailed(code=exc.code, message=exc.message))
            raise
        except Exception as exc:
            await sink.on_progress_async(UnitFailed(code="internal_error", message=_message(exc)))
            raise
        self.usage = self.usage + result.usage
        await sink.on_progress_async(UnitFinished(usage=result.usage))
        return result

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
            self.save()
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

        while True:  # a detail restarted during the wait gets awaited in the next round
            if self.fatal is not None:
                raise self.fatal  # execute() cancels the details still running
            pending = [task for task, _ in self.tasks.values() if not task.done()]
            if not pending:
                break
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if self.stale:
            await asyncio.gather(*self.stale, return_exceptions=True)
        if self.failures:
            raise PhaseDetailsFailed(self.failures)

        detailed = plan.model_copy(update={"phases": [self.state.phases[p.number] for p in plan.phases]})
        handoff = self.state.handoff
        if handoff is not None:
            await self.skipped("handoff", None)
        else:
            handoff_result = await self.unit(
                "handoff",
                None,
                lambda sink: HandoffPromptGenerator(settings_for("handoff")).generate(design, detailed, sink),
            )
            handoff = self.state.handoff = handoff_result.value
            self.save()
        return RunResult(design=design, plan=detailed, handoff=handoff, usage=self.usage)

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
            phases=cited_only(phases, self.design),
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

    async def _detail(self, phase: Phase, plan: DevPlan, plan_complete: bool) -> None:
        generator = DetailedDevPlanGenerator(self.runner.settings_for("phase_detail"))
        async with self.semaphore:
            try:
                result = await self.unit(
                    "phase_detail",
                    phase.number,
                    lambda sink: generator.generate(plan, phase.number, sink, plan_complete=plan_complete),
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # recorded; the other phases carry on
                self.failures[phase.number] = exc
                return
        self.failures.pop(phase.number, None)
        self.state.phases[phase.number] = result.value
        try:
            self.save()
        except CheckpointWriteError as exc:
            self.fatal = self.fatal or exc


async def _quietly(awaitable: Awaitable[None]) -> None:
    with contextlib.suppress(Exception):
        await awaitable
