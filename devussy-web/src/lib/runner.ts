// Drives the API for a project: one stream per stage, phase details through a per-project
// Scheduler (the user's concurrency limit), and "run everything" which starts each phase's detail
// as soon as the plan stream reports that phase, joining any stage already streaming.
'use client';

import { api } from './api';
import { liveText } from './liveText';
import {
  allPhasesDone,
  emptyPhaseRun,
  emptyRun,
  isActive,
  mergedPlan,
  modelConfigFor,
  partialPlan,
  splitList,
  type PhaseRun,
  type Project,
  type RunCheck,
  type RunError,
  type StageRun,
} from './project';
import { designChanges, phaseChanges, planChanges, requirementChanges } from './changes';
import { addedByServer, requirementsForRequest } from './requirements';
import { CancelledError, Scheduler } from './scheduler';
import { StreamError, type StreamEventData } from './sse';
import { fingerprint, handoffInput, phaseInput, planInput } from './stale';
import { appStore, liveKey } from './store';
import type { ChatTurn, DevPlan, Handoff, Phase, ProjectBrief, ProjectDesign, Requirement, Usage } from './types';
import { parseWire } from './wire/schemas';

type SingleStage = 'interview' | 'design' | 'plan' | 'handoff';

const schedulers = new Map<string, Scheduler>();
let unloading = false;
const LEAVE_GRACE_MS = 1000;

/**
 * Called when the page is really going away (pagehide): the browser then kills every stream, which
 * must not be recorded as a failure. The runs stay "running" in storage and come back paused.
 */
export function markUnloading(): void {
  unloading = true;
}

/** The page came back from the back/forward cache: streams may start again. */
export function markResumed(): void {
  unloading = false;
}

/** A stage stream in flight: joined (not restarted) by "run everything". */
interface Flight<T> {
  controller: AbortController;
  promise: Promise<T>;
  /** Plan only: called with each phase as the plan stream reports it. */
  phaseListeners: Set<(phase: Phase, soFar: Phase[]) => void>;
  streamed: Phase[];
}
const flights = new Map<string, Flight<unknown>>();
const autoRuns = new Map<string, AbortController>();

/**
 * The current generation of each stream target (`<project>/<part>`). A callback of a stream that
 * was superseded (restarted, or its project restored by Undo) sees another token and changes nothing.
 */
const generations = new Map<string, symbol>();

export function schedulerFor(projectId: string): Scheduler {
  let scheduler = schedulers.get(projectId);
  if (!scheduler) {
    scheduler = new Scheduler(appStore.get(projectId)?.settings.concurrency ?? 3);
    schedulers.set(projectId, scheduler);
  }
  return scheduler;
}

export function setConcurrency(projectId: string, limit: number): void {
  appStore.update(projectId, (project) => ({ ...project, settings: { ...project.settings, concurrency: limit } }));
  schedulerFor(projectId).setLimit(limit);
}

function toRunError(error: unknown): RunError {
  if (error instanceof StreamError) return { message: error.message, code: error.code };
  if (error instanceof CancelledError) return { message: 'Cancelled', code: 'cancelled' };
  return { message: (error as Error)?.message || String(error), code: 'internal_error' };
}

function isCancel(error: unknown): boolean {
  return error instanceof CancelledError || (error instanceof StreamError && error.code === 'cancelled');
}

function usageTokens(usage: Usage | undefined): number | null {
  return usage && typeof usage.completionTokens === 'number' && usage.completionTokens > 0 ? usage.completionTokens : null;
}

interface StreamTarget<R extends StageRun> {
  projectId: string;
  part: string;
  read: (project: Project) => R;
  write: (project: Project, run: R) => Project;
}

/** A stream's handle on its target: changes apply only while it is the target's current stream. */
interface Claim {
  current: () => boolean;
  update: (updater: (project: Project) => Project) => void;
}

function claim(projectId: string, part: string): Claim {
  const key = liveKey(projectId, part);
  const token = Symbol(key);
  generations.set(key, token);
  const current = () => generations.get(key) === token;
  return { current, update: (updater) => current() && appStore.update(projectId, updater) };
}

/** Forget every stream of a project: their late callbacks change nothing (used by Undo). */
export function disownStreams(projectId: string): void {
  for (const key of [...generations.keys()]) if (key.startsWith(`${projectId}/`)) generations.delete(key);
}

/** Stream one request into a run: status, live text, tokens, elapsed time, the error if any. */
async function streamInto<R extends StageRun, D extends { usage?: Usage }>(
  target: StreamTarget<R>,
  owner: Claim,
  call: (handlers: { signal: AbortSignal; onToken: (text: string) => void; onProgress: (data: StreamEventData) => void }) => Promise<D>,
  signal: AbortSignal,
  basedOn: string | null,
): Promise<D> {
  const { projectId, part } = target;
  const key = liveKey(projectId, part);
  const patch = (changes: Partial<StageRun>) => owner.update((project) => target.write(project, { ...target.read(project), ...changes }));

  if (unloading) throw new CancelledError('The page is unloading');
  liveText.set(key, '', 0);
  patch({ status: 'running', text: '', tokens: 0, error: null, startedAt: Date.now(), finishedAt: null, refined: null, check: null });
  try {
    const done = await call({
      signal,
      onToken: (text) => {
        if (!owner.current()) return;
        liveText.append(key, text);
        appStore.touch(projectId);
      },
      onProgress: (data) => {
        const project = appStore.get(projectId);
        const check = project && owner.current() ? checkOf(data, target.read(project).check ?? null) : null;
        if (check) patch({ check });
      },
    });
    if (!owner.current()) throw new CancelledError('Superseded');
    const final = liveText.current(key);
    liveText.set(key, final.text, final.tokens);
    patch({ status: 'done', text: final.text, tokens: usageTokens(done.usage) ?? final.tokens, finishedAt: Date.now(), basedOn });
    return done;
  } catch (error) {
    // Leaving the page kills every stream before `pagehide` says so: a lost connection is recorded
    // only if the page is still here a moment later (otherwise the run is saved as running and
    // comes back paused).
    if (error instanceof StreamError && error.code === 'network_error') await new Promise((resolve) => setTimeout(resolve, LEAVE_GRACE_MS));
    if (unloading || !owner.current()) throw error;
    const partial = liveText.current(key);
    liveText.set(key, partial.text, partial.tokens);
    const cancelled = isCancel(error) || signal.aborted;
    patch({
      status: cancelled ? 'cancelled' : 'error',
      text: partial.text,
      tokens: partial.tokens,
      error: cancelled ? { message: 'Cancelled', code: 'cancelled' } : toRunError(error),
      finishedAt: Date.now(),
    });
    throw error;
  }
}

/** The run's check after a `repair` or `coverage` progress event (null for any other event). */
export function checkOf(data: StreamEventData, check: RunCheck | null): RunCheck | null {
  const current = check ?? { repair: null, repaired: null, unresolved: null };
  if (data.event === 'repair' && Array.isArray(data.errors)) return { ...current, repair: data.errors.map(String) };
  if (data.event === 'coverage' && typeof data.repaired === 'boolean') {
    return { ...current, repaired: data.repaired, unresolved: Array.isArray(data.unresolved) ? data.unresolved.map(String) : [] };
  }
  return null;
}

function singleTarget(projectId: string, stage: SingleStage): StreamTarget<StageRun> {
  return {
    projectId,
    part: stage,
    read: (project) => project[stage].run,
    write: (project, run) => ({ ...project, [stage]: { ...project[stage], run } }),
  };
}

function phaseTarget(projectId: string, number: number): StreamTarget<PhaseRun> {
  const id = String(number);
  return {
    projectId,
    part: `phase/${number}`,
    read: (project) => project.phases[id] ?? emptyPhaseRun(),
    write: (project, run) => ({ ...project, phases: { ...project.phases, [id]: run } }),
  };
}

function flightKey(projectId: string, stage: SingleStage): string {
  return `${projectId}/${stage}`;
}

/** The stage's stream in flight, if any. */
function flightOf<T>(projectId: string, stage: SingleStage): Flight<T> | undefined {
  return flights.get(flightKey(projectId, stage)) as Flight<T> | undefined;
}

/**
 * Start a stage's stream (aborting one already running, which then changes nothing), and keep it
 * as the stage's flight until it settles.
 */
function fly<T>(
  projectId: string,
  stage: SingleStage,
  outer: AbortSignal | undefined,
  body: (controller: AbortController, flight: Flight<T>) => Promise<T>,
): Promise<T> {
  const key = flightKey(projectId, stage);
  flights.get(key)?.controller.abort();
  const controller = new AbortController();
  outer?.addEventListener('abort', () => controller.abort(), { once: true });
  const flight: Flight<T> = { controller, promise: Promise.resolve(undefined as T), phaseListeners: new Set(), streamed: [] };
  flight.promise = body(controller, flight).finally(() => {
    if (flights.get(key) === flight) flights.delete(key);
  });
  flights.set(key, flight as Flight<unknown>);
  return flight.promise;
}

export function cancelStage(projectId: string, stage: SingleStage): void {
  flightOf(projectId, stage)?.controller.abort();
}

function require<T>(value: T | null | undefined, message: string): T {
  if (value === null || value === undefined) throw new Error(message);
  return value;
}

// -- stages -------------------------------------------------------------------------------------

export async function sendInterview(projectId: string, userInput: string, retry = false): Promise<void> {
  const project = require(appStore.get(projectId), 'unknown project');
  let history: ChatTurn[] = project.interview.turns;
  if (retry) {
    // The last turn is the user message whose reply failed: send it again.
    history = history.slice(0, -1);
  } else {
    appStore.update(projectId, (p) => ({
      ...p,
      interview: { ...p.interview, turns: [...p.interview.turns, { role: 'user', content: userInput }] },
    }));
  }
  await fly(projectId, 'interview', undefined, async (controller) => {
    const owner = claim(projectId, 'interview');
    const done = await streamInto(
      singleTarget(projectId, 'interview'),
      owner,
      (handlers) => api.interview({ userInput, history, modelConfig: modelConfigFor(project.settings, 'interview') }, handlers),
      controller.signal,
      null,
    );
    const brief = done.brief ?? null;
    owner.update((p) => {
      const named = Boolean(brief && !p.input.projectName.trim());
      return {
        ...p,
        interview: { ...p.interview, turns: [...p.interview.turns, { role: 'assistant', content: done.reply }], brief: brief ?? p.interview.brief },
        input: named && brief ? { ...p.input, projectName: brief.name } : p.input,
        name: named && brief ? brief.name : p.name,
      };
    });
  });
}

/** An instruction to regenerate a result with ("make voting anonymous"), the server's 1..2000 characters. */
export const INSTRUCTION_MAX_CHARS = 2000;

/**
 * Design from the idea (or the interview's brief). `join`: wait for a design already streaming instead.
 * `instruction`: refine the current design by it (the previous design goes with the request).
 */
export function runDesign(projectId: string, outer?: AbortSignal, options: { join?: boolean; instruction?: string } = {}): Promise<ProjectDesign> {
  const inFlight = flightOf<ProjectDesign>(projectId, 'design');
  if (options.join && inFlight) return inFlight.promise;
  const project = appStore.get(projectId);
  if (!project) return Promise.reject(new Error('unknown project'));
  const { input, interview } = project;
  const previous = project.design.value;
  const refining = Boolean(options.instruction && previous);
  appStore.navigate(projectId, 'design');
  return fly(projectId, 'design', outer, async (controller) => {
    const owner = claim(projectId, 'design');
    const requirements = input.idea.trim() || interview.brief?.summary || '';
    if (!requirements && !interview.brief) throw new Error('Describe the idea first');
    // No name typed: the server names the project from the idea (as the CLI does).
    const projectName = input.projectName.trim() || interview.brief?.name || undefined;
    const body = {
      projectName,
      requirements: requirements || undefined,
      languages: splitList(input.languages),
      frameworks: splitList(input.frameworks),
      apis: splitList(input.apis),
      brief: refining && previous ? briefToRefine(project, previous) : (interview.brief ?? undefined),
      review: project.settings.review || undefined,
      modelConfig: modelConfigFor(project.settings, 'design'),
      ...(refining ? { instruction: options.instruction, previousDesign: previous ?? undefined } : {}),
    };
    const done = await streamInto(singleTarget(projectId, 'design'), owner, (handlers) => api.design(body, handlers), controller.signal, null);
    const design = done.design;
    const refined = refining && previous ? { instruction: options.instruction!, changes: designChanges(previous, design) } : null;
    owner.update((p) => {
      const unnamed = !p.input.projectName.trim();
      return {
        ...p,
        design: { ...p.design, value: design, review: done.review ?? null, run: { ...p.design.run, refined } },
        input: unnamed ? { ...p.input, projectName: design.projectName } : p.input,
        name: unnamed ? design.projectName : p.name,
      };
    });
    return design;
  });
}

/**
 * The brief a design refinement starts from: the one the design was made from, carrying the reviewed
 * requirement list, so the user's edits survive and the offline engine adds the instruction's
 * requirements to that list (from the idea alone it would extract a new list).
 */
function briefToRefine(project: Project, previous: ProjectDesign): ProjectBrief {
  const { input, interview } = project;
  const brief: ProjectBrief = previous.brief ??
    interview.brief ?? {
      name: previous.projectName,
      summary: input.idea.trim(),
      languages: splitList(input.languages),
      frameworks: splitList(input.frameworks),
      integrations: splitList(input.apis),
    };
  return { ...brief, requirements: requirementsForRequest(previous.requirements) ?? [] };
}

/**
 * The project with the requirements a refinement added (the offline engine turns an instruction into
 * requirements, CONTRACT points 3 and 4) joined to the reviewed list, so later requests and the coverage check know the ids the
 * plan now cites. The plan is not made stale by its own additions.
 */
function adoptRequirements(project: Project, returned: Requirement[] | undefined): Project {
  const design = project.design.value;
  const added = addedByServer(design?.requirements, returned);
  if (!design || !added.length) return project;
  const planWasCurrent = project.plan.run.basedOn === planInput(project);
  const next = { ...project, design: { ...project.design, value: { ...design, requirements: [...(design.requirements ?? []), ...added] } } };
  return planWasCurrent ? { ...next, plan: { ...next.plan, run: { ...next.plan.run, basedOn: planInput(next) } } } : next;
}

export interface PlanOptions {
  outer?: AbortSignal;
  onPhase?: (phase: Phase, soFar: Phase[]) => void;
  /** Join a plan already streaming (its phases so far are reported to onPhase at once). */
  join?: boolean;
  /** Keep finished phase details whose phase is unchanged in the new plan (Resume after a reload). */
  keepFinished?: boolean;
  /** Refine the current plan by this instruction (the previous plan goes with the request). */
  instruction?: string;
}

export function runPlan(projectId: string, options: PlanOptions = {}): Promise<DevPlan> {
  const inFlight = flightOf<DevPlan>(projectId, 'plan');
  if (options.join && inFlight) {
    if (options.onPhase) {
      for (let index = 0; index < inFlight.streamed.length; index += 1) options.onPhase(inFlight.streamed[index], inFlight.streamed.slice(0, index + 1));
      inFlight.phaseListeners.add(options.onPhase);
    }
    return inFlight.promise;
  }
  const project = appStore.get(projectId);
  if (!project) return Promise.reject(new Error('unknown project'));
  const design = project.design.value;
  if (!design) return Promise.reject(new Error('create the design first'));
  if (!options.keepFinished) {
    // A new plan replaces the old one: phase details of the old plan no longer apply.
    schedulerFor(projectId).cancelAll();
  }
  const previous = project.plan.value;
  const refining = Boolean(options.instruction && previous);
  const kept = options.keepFinished ? finishedRuns(project) : {};
  return fly<DevPlan>(projectId, 'plan', options.outer, async (controller, flight) => {
    const owner = claim(projectId, 'plan');
    if (options.onPhase) flight.phaseListeners.add(options.onPhase);
    owner.update((p) => ({
      ...p,
      stage: p.stage === 'execute' ? p.stage : 'plan',
      plan: { ...p.plan, value: null, streamedPhases: [] },
      phases: kept,
      handoff: { value: null, run: emptyRun(), files: null },
    }));
    const done = await streamInto(
      singleTarget(projectId, 'plan'),
      owner,
      (handlers) =>
        api.basicPlan(
          {
            design,
            projectName: design.projectName,
            requirements: requirementsForRequest(design.requirements),
            modelConfig: modelConfigFor(project.settings, 'basic_plan'),
            ...(refining ? { instruction: options.instruction, previousPlan: previous ?? undefined } : {}),
          },
          {
            ...handlers,
            onProgress: (data) => {
              handlers.onProgress(data);
              if (!owner.current() || data.event !== 'phase') return;
              const parsed = wirePhase(data.phase);
              if (!parsed || flight.streamed.some((known) => known.number === parsed.number)) return;
              flight.streamed.push(parsed);
              const soFar = [...flight.streamed];
              owner.update((p) => ({ ...p, plan: { ...p.plan, streamedPhases: soFar } }));
              for (const listener of [...flight.phaseListeners]) listener(parsed, soFar);
            },
          },
        ),
      controller.signal,
      fingerprint(design),
    );
    const plan = done.plan;
    const refined = refining && previous ? { instruction: options.instruction!, changes: planChanges(previous, plan) } : null;
    owner.update((p) => {
      const updated = { ...p, plan: { ...p.plan, value: plan, run: { ...p.plan.run, refined } }, phases: keepMatching(p.phases, plan) };
      return refining ? adoptRequirements(updated, plan.requirements) : updated;
    });
    return plan;
  });
}

/** A phase from a progress event, or null when it does not validate (the `done` plan is checked anyway). */
function wirePhase(value: unknown): Phase | null {
  try {
    return parseWire('Phase', value);
  } catch {
    return null;
  }
}

function finishedRuns(project: Project): Record<string, PhaseRun> {
  return Object.fromEntries(Object.entries(project.phases).filter(([, run]) => run.status === 'done' && run.result));
}

/** Phase runs whose phase (number, title, summary) is unchanged in the new plan; the rest are dropped. */
function keepMatching(runs: Record<string, PhaseRun>, plan: DevPlan): Record<string, PhaseRun> {
  const byNumber = new Map(plan.phases.map((phase) => [String(phase.number), phase]));
  return Object.fromEntries(
    Object.entries(runs).filter(([key, run]) => {
      const phase = byNumber.get(key);
      if (!phase) return false;
      if (run.status !== 'done') return true;
      return run.basedOn === undefined || run.basedOn === null || run.basedOn === phaseInput(phase);
    }),
  );
}

/**
 * Queue one phase's detail. A finished phase is skipped unless `force` (the user asked to re-run it).
 * `plan` is the partial plan used while the plan still streams.
 */
export function runPhase(projectId: string, number: number, options: { force?: boolean; plan?: DevPlan; instruction?: string } = {}): Promise<void> {
  const project = appStore.get(projectId);
  if (!project) return Promise.reject(new Error('unknown project'));
  const existing = project.phases[String(number)];
  if (existing?.status === 'done' && !options.force) return Promise.resolve();
  const scheduler = schedulerFor(projectId);
  scheduler.setLimit(project.settings.concurrency);
  const key = String(number);
  if (scheduler.has(key)) return scheduler.run(key, async () => undefined);

  // Refining a detailed phase: the request's plan holds the phase as it is now, steps included (taken
  // before the run is queued, when the phase still counts as done), and the server regenerates it.
  const previous = options.instruction && existing?.status === 'done' ? existing.result : null;
  const refineFrom = previous ? mergedPlan(project) : null;
  const target = phaseTarget(projectId, number);
  const owner = claim(projectId, target.part);
  owner.update((p) => ({
    ...p,
    phases: { ...p.phases, [key]: { ...(p.phases[key] ?? emptyPhaseRun()), status: 'queued', error: null } },
  }));
  const task = scheduler.run(key, async (signal) => {
    const current = require(appStore.get(projectId), 'unknown project');
    const plan = options.plan ?? refineFrom ?? require(current.plan.value, 'no plan yet');
    const entry = plan.phases.find((phase) => phase.number === number);
    const done = await streamInto(
      target,
      owner,
      (handlers) =>
        api.detail(
          {
            plan,
            phaseNumber: number,
            projectName: plan.projectName,
            planComplete: !options.plan,
            // The reviewed list (the design's), which replaces the plan's; the design for its architecture.
            requirements: requirementsForRequest(current.design.value?.requirements ?? plan.requirements),
            design: current.design.value ?? undefined,
            modelConfig: modelConfigFor(current.settings, 'phase_detail'),
            ...(previous ? { instruction: options.instruction } : {}),
          },
          handlers,
        ),
      signal,
      entry ? phaseInput(entry) : null,
    );
    const listBefore = current.design.value?.requirements;
    const refined = previous
      ? { instruction: options.instruction!, changes: [...phaseChanges(previous, done.phase), ...requirementChanges([], addedByServer(listBefore, done.requirements))] }
      : null;
    owner.update((p) => {
      const updated = { ...p, phases: { ...p.phases, [key]: { ...target.read(p), result: done.phase, refined } } };
      return previous ? adoptRequirements(updated, done.requirements) : updated;
    });
  });
  return task.catch((error) => {
    if (error instanceof CancelledError) {
      // Cancelled while still queued: it never started.
      owner.update((p) => ({ ...p, phases: { ...p.phases, [key]: { ...target.read(p), status: 'cancelled' } } }));
    }
    throw error;
  });
}

export function cancelPhase(projectId: string, number: number): void {
  schedulerFor(projectId).cancel(String(number));
}

/** Run every phase that is not finished yet (never re-runs a finished phase). */
export async function runAllPhases(projectId: string): Promise<boolean> {
  const project = appStore.get(projectId);
  const plan = project?.plan.value;
  if (!project || !plan) return false;
  appStore.navigate(projectId, 'execute');
  const runs = plan.phases.map((phase) => runPhase(projectId, phase.number));
  await Promise.allSettled(runs);
  const after = appStore.get(projectId);
  return Boolean(after && allPhasesDone(after));
}

export function cancelAll(projectId: string): void {
  autoRuns.get(projectId)?.abort();
  schedulerFor(projectId).cancelAll();
  for (const stage of ['interview', 'design', 'plan', 'handoff'] as const) cancelStage(projectId, stage);
}

export function runHandoff(projectId: string, outer?: AbortSignal, options: { join?: boolean } = {}): Promise<Handoff> {
  const inFlight = flightOf<Handoff>(projectId, 'handoff');
  if (options.join && inFlight) return inFlight.promise;
  const project = appStore.get(projectId);
  if (!project) return Promise.reject(new Error('unknown project'));
  const design = project.design.value;
  const plan = mergedPlan(project);
  if (!design || !plan) return Promise.reject(new Error('create the design and the plan first'));
  appStore.navigate(projectId, 'handoff');
  return fly(projectId, 'handoff', outer, async (controller) => {
    const owner = claim(projectId, 'handoff');
    owner.update((p) => ({ ...p, handoff: { ...p.handoff, files: null } }));
    const done = await streamInto(
      singleTarget(projectId, 'handoff'),
      owner,
      (handlers) => api.handoff({ design, plan, modelConfig: modelConfigFor(project.settings, 'handoff') }, handlers),
      controller.signal,
      handoffInput(project),
    );
    const handoff = done.handoff;
    owner.update((p) => ({ ...p, handoff: { ...p.handoff, value: handoff } }));
    if (owner.current()) await loadArtifacts(projectId).catch(() => undefined);
    return handoff;
  });
}

/** Fetch the rendered files (devplan.md, phaseN.md, handoff.md, plan.json) for the handoff view. */
export async function loadArtifacts(projectId: string): Promise<Record<string, string>> {
  const project = require(appStore.get(projectId), 'unknown project');
  const plan = require(mergedPlan(project), 'no plan');
  const files = await api.artifactsJson({ design: project.design.value, plan, handoff: project.handoff.value, review: project.design.review ?? null });
  appStore.update(projectId, (p) => ({ ...p, handoff: { ...p.handoff, files } }));
  return files;
}

/**
 * Run everything in one go: design → plan (each phase's detail starts as soon as the plan stream
 * reports it) → remaining phase details → handoff. Finished parts are kept, not re-run, and a stage
 * already streaming is joined, not restarted.
 */
export async function runEverything(projectId: string, options: { resume?: boolean } = {}): Promise<void> {
  if (autoRuns.has(projectId)) return;
  const auto = new AbortController();
  autoRuns.set(projectId, auto);
  appStore.update(projectId, (p) => ({ ...p, mode: 'auto', pausedAuto: false }));
  const started: Promise<void>[] = [];
  try {
    let project = require(appStore.get(projectId), 'unknown project');
    const design =
      project.design.value && !isActive(project.design.run) && project.design.run.status !== 'paused'
        ? project.design.value
        : await runDesign(projectId, auto.signal, { join: true });
    if (auto.signal.aborted) return;
    project = require(appStore.get(projectId), 'unknown project');
    if (!project.plan.value || isActive(project.plan.run) || project.plan.run.status === 'paused') {
      await runPlan(projectId, {
        outer: auto.signal,
        join: true,
        keepFinished: options.resume,
        onPhase: (phase, soFar) => {
          if (auto.signal.aborted) return;
          appStore.update(projectId, (p) => (p.stage === 'plan' ? { ...p, stage: 'execute' } : p));
          started.push(runPhase(projectId, phase.number, { plan: partialPlan(design, soFar) }));
        },
      });
    }
    if (auto.signal.aborted) return;
    await Promise.allSettled(started);
    const done = await runAllPhases(projectId);
    if (!done || auto.signal.aborted) return;
    project = require(appStore.get(projectId), 'unknown project');
    if (!project.handoff.value || isActive(project.handoff.run) || project.handoff.run.status === 'paused') {
      await runHandoff(projectId, auto.signal, { join: true });
    }
  } catch (error) {
    if (!isCancel(error)) console.info('run everything stopped:', toRunError(error).message);
  } finally {
    if (autoRuns.get(projectId) === auto) autoRuns.delete(projectId);
    appStore.update(projectId, (p) => ({ ...p, mode: 'step' }));
  }
}

export function isAutoRunning(projectId: string): boolean {
  return autoRuns.has(projectId);
}

/** Resume what leaving the page paused: everything again in auto mode, else each paused part. */
export async function resume(projectId: string): Promise<void> {
  const project = appStore.get(projectId);
  if (!project) return;
  if (project.pausedAuto) return runEverything(projectId, { resume: true });
  const ignore = () => undefined;
  const jobs: Promise<unknown>[] = [];
  if (project.design.run.status === 'paused') jobs.push(runDesign(projectId).catch(ignore));
  if (project.plan.run.status === 'paused') jobs.push(runPlan(projectId, { keepFinished: true }).catch(ignore));
  const paused = Object.entries(project.phases).filter(([, run]) => run.status === 'paused');
  for (const [key] of paused) jobs.push(runPhase(projectId, Number(key)).catch(ignore));
  if (project.handoff.run.status === 'paused') jobs.push(runHandoff(projectId).catch(ignore));
  await Promise.all(jobs);
}

/**
 * Regenerate only what is stale. A stale plan means everything after it: the plan again, then the
 * phases that had details and the handoff if there was one. Else the stale phases, then the handoff.
 */
export async function regenerateStale(projectId: string, stale: { plan: boolean; phases: number[]; handoff: boolean }): Promise<void> {
  const ignore = () => undefined;
  const before = appStore.get(projectId);
  if (!before) return;
  if (stale.plan) {
    const hadDetails = Object.values(before.phases).some((run) => run.status === 'done');
    await runPlan(projectId).catch(ignore);
    if (!hadDetails || !appStore.get(projectId)?.plan.value) return;
    const complete = await runAllPhases(projectId);
    if (complete && before.handoff.value) await runHandoff(projectId).catch(ignore);
    return;
  }
  await Promise.allSettled(stale.phases.map((number) => runPhase(projectId, number, { force: true })));
  const project = appStore.get(projectId);
  if ((stale.handoff || stale.phases.length) && project?.handoff.value && allPhasesDone(project)) await runHandoff(projectId).catch(ignore);
}
