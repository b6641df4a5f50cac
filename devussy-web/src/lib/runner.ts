// Drives the API for a project: one stream per stage, phase details through a per-project
// Scheduler (the user's concurrency limit), and "run everything" which starts each phase's detail
// as soon as the plan stream reports that phase.
'use client';

import { api } from './api';
import { liveText } from './liveText';
import {
  allPhasesDone,
  emptyPhaseRun,
  emptyRun,
  mergedPlan,
  modelConfigFor,
  partialPlan,
  splitList,
  type PhaseRun,
  type Project,
  type RunError,
  type StageRun,
} from './project';
import { CancelledError, Scheduler } from './scheduler';
import { StreamError, type DoneEvent } from './sse';
import { appStore, liveKey } from './store';
import type { ChatTurn, DevPlan, Handoff, Phase, ProjectBrief, ProjectDesign, Usage } from './types';

type SingleStage = 'interview' | 'design' | 'plan' | 'handoff';

const schedulers = new Map<string, Scheduler>();
let unloading = false;

/**
 * Called when the page is about to unload (reload, close): the browser then kills every stream,
 * which must not be recorded as a failure. The runs stay "running" in storage and come back as
 * interrupted, with their partial text, on the next load.
 */
export function markUnloading(): void {
  unloading = true;
}
const controllers = new Map<string, AbortController>();
const autoRuns = new Map<string, AbortController>();

export function schedulerFor(projectId: string): Scheduler {
  let scheduler = schedulers.get(projectId);
  if (!scheduler) {
    scheduler = new Scheduler(appStore.get(projectId)?.settings.concurrency ?? 2);
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

function usageTokens(done: DoneEvent): number | null {
  const usage = done.usage as Usage | undefined;
  return usage && typeof usage.completionTokens === 'number' && usage.completionTokens > 0 ? usage.completionTokens : null;
}

interface StreamTarget<R extends StageRun> {
  projectId: string;
  part: string;
  read: (project: Project) => R;
  write: (project: Project, run: R) => Project;
}

/** Stream one request into a run: status, live text, tokens, elapsed time, the error if any. */
async function streamInto<R extends StageRun>(
  target: StreamTarget<R>,
  call: (handlers: { signal: AbortSignal; onToken: (text: string) => void }) => Promise<DoneEvent>,
  signal: AbortSignal,
): Promise<DoneEvent> {
  const { projectId, part } = target;
  const key = liveKey(projectId, part);
  const patch = (changes: Partial<StageRun>) =>
    appStore.update(projectId, (project) => target.write(project, { ...target.read(project), ...changes }));

  if (unloading) throw new CancelledError('The page is unloading');
  liveText.set(key, '', 0);
  patch({ status: 'running', text: '', tokens: 0, error: null, startedAt: Date.now(), finishedAt: null });
  try {
    const done = await call({
      signal,
      onToken: (text) => {
        liveText.append(key, text);
        appStore.touch(projectId);
      },
    });
    const final = liveText.current(key);
    liveText.set(key, final.text, final.tokens);
    patch({ status: 'done', text: final.text, tokens: usageTokens(done) ?? final.tokens, finishedAt: Date.now() });
    return done;
  } catch (error) {
    if (unloading) throw error;
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

function startController(projectId: string, stage: SingleStage, outer?: AbortSignal): AbortController {
  const key = `${projectId}/${stage}`;
  controllers.get(key)?.abort();
  const controller = new AbortController();
  controllers.set(key, controller);
  outer?.addEventListener('abort', () => controller.abort(), { once: true });
  return controller;
}

function endController(projectId: string, stage: SingleStage, controller: AbortController): void {
  const key = `${projectId}/${stage}`;
  if (controllers.get(key) === controller) controllers.delete(key);
}

export function cancelStage(projectId: string, stage: SingleStage): void {
  controllers.get(`${projectId}/${stage}`)?.abort();
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
  const controller = startController(projectId, 'interview');
  try {
    const done = await streamInto(
      singleTarget(projectId, 'interview'),
      (handlers) =>
        api.interview({ userInput, history, modelConfig: modelConfigFor(project.settings, 'interview') }, handlers),
      controller.signal,
    );
    const reply = typeof done.reply === 'string' ? done.reply : liveText.current(liveKey(projectId, 'interview')).text;
    const brief = (done.brief as ProjectBrief | null | undefined) ?? null;
    appStore.update(projectId, (p) => ({
      ...p,
      interview: { ...p.interview, turns: [...p.interview.turns, { role: 'assistant', content: reply }], brief: brief ?? p.interview.brief },
      input: brief && !p.input.projectName.trim() ? { ...p.input, projectName: brief.name } : p.input,
      name: brief && p.name === 'Untitled project' ? brief.name : p.name,
    }));
  } finally {
    endController(projectId, 'interview', controller);
  }
}

export async function runDesign(projectId: string, outer?: AbortSignal): Promise<ProjectDesign> {
  const project = require(appStore.get(projectId), 'unknown project');
  const { input, interview } = project;
  const controller = startController(projectId, 'design', outer);
  appStore.update(projectId, (p) => ({ ...p, stage: 'design' }));
  try {
    const requirements = input.idea.trim() || interview.brief?.summary || '';
    if (!requirements && !interview.brief) throw new Error('Describe the idea first');
    const body = {
      projectName: input.projectName.trim() || interview.brief?.name || 'Untitled project',
      requirements: requirements || undefined,
      languages: splitList(input.languages),
      frameworks: splitList(input.frameworks),
      apis: splitList(input.apis),
      brief: interview.brief ?? undefined,
      modelConfig: modelConfigFor(project.settings, 'design'),
    };
    const done = await streamInto(singleTarget(projectId, 'design'), (handlers) => api.design(body, handlers), controller.signal);
    const design = require(done.design as ProjectDesign | undefined, 'the server sent no design');
    appStore.update(projectId, (p) => ({ ...p, design: { ...p.design, value: design } }));
    return design;
  } finally {
    endController(projectId, 'design', controller);
  }
}

export async function runPlan(
  projectId: string,
  options: { outer?: AbortSignal; onPhase?: (phase: Phase, soFar: Phase[]) => void } = {},
): Promise<DevPlan> {
  const project = require(appStore.get(projectId), 'unknown project');
  const design = require(project.design.value, 'create the design first');
  const controller = startController(projectId, 'plan', options.outer);
  // A new plan replaces the old one: phase details of the old plan no longer apply.
  schedulerFor(projectId).cancelAll();
  appStore.update(projectId, (p) => ({
    ...p,
    stage: 'plan',
    plan: { ...p.plan, value: null, streamedPhases: [] },
    phases: {},
    handoff: { value: null, run: emptyRun(), files: null },
  }));
  const streamed: Phase[] = [];
  try {
    const done = await streamInto(
      singleTarget(projectId, 'plan'),
      (handlers) =>
        api.basicPlan(
          { design, projectName: design.projectName, modelConfig: modelConfigFor(project.settings, 'basic_plan') },
          {
            ...handlers,
            onProgress: (data) => {
              if (data.event !== 'phase' || typeof data.phase !== 'object' || data.phase === null) return;
              const phase = data.phase as Phase;
              if (streamed.some((known) => known.number === phase.number)) return;
              streamed.push(phase);
              appStore.update(projectId, (p) => ({ ...p, plan: { ...p.plan, streamedPhases: [...streamed] } }));
              options.onPhase?.(phase, [...streamed]);
            },
          },
        ),
      controller.signal,
    );
    const plan = require(done.plan as DevPlan | undefined, 'the server sent no plan');
    appStore.update(projectId, (p) => ({ ...p, plan: { ...p.plan, value: plan } }));
    return plan;
  } finally {
    endController(projectId, 'plan', controller);
  }
}

/**
 * Queue one phase's detail. A finished phase is skipped unless `force` (the user asked to re-run it).
 * `planOverride` is the partial plan used while the plan still streams.
 */
export function runPhase(projectId: string, number: number, options: { force?: boolean; plan?: DevPlan } = {}): Promise<void> {
  const project = appStore.get(projectId);
  if (!project) return Promise.reject(new Error('unknown project'));
  const existing = project.phases[String(number)];
  if (existing?.status === 'done' && !options.force) return Promise.resolve();
  const scheduler = schedulerFor(projectId);
  scheduler.setLimit(project.settings.concurrency);
  const key = String(number);
  if (scheduler.has(key)) return scheduler.run(key, async () => undefined);

  const target = phaseTarget(projectId, number);
  appStore.update(projectId, (p) => ({
    ...p,
    phases: { ...p.phases, [key]: { ...(p.phases[key] ?? emptyPhaseRun()), status: 'queued', error: null } },
  }));
  const task = scheduler.run(key, async (signal) => {
    const current = require(appStore.get(projectId), 'unknown project');
    const plan = options.plan ?? require(current.plan.value, 'no plan yet');
    const done = await streamInto(
      target,
      (handlers) =>
        api.detail(
          { plan, phaseNumber: number, projectName: plan.projectName, modelConfig: modelConfigFor(current.settings, 'phase_detail') },
          handlers,
        ),
      signal,
    );
    const phase = require(done.phase as Phase | undefined, 'the server sent no phase');
    appStore.update(projectId, (p) => ({ ...p, phases: { ...p.phases, [key]: { ...target.read(p), result: phase } } }));
  });
  return task.catch((error) => {
    if (error instanceof CancelledError) {
      // Cancelled while still queued: it never started.
      appStore.update(projectId, (p) => ({ ...p, phases: { ...p.phases, [key]: { ...target.read(p), status: 'cancelled' } } }));
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
  appStore.update(projectId, (p) => ({ ...p, stage: 'execute' }));
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

export async function runHandoff(projectId: string, outer?: AbortSignal): Promise<Handoff> {
  const project = require(appStore.get(projectId), 'unknown project');
  const design = require(project.design.value, 'create the design first');
  const plan = require(mergedPlan(project), 'create the plan first');
  const controller = startController(projectId, 'handoff', outer);
  appStore.update(projectId, (p) => ({ ...p, stage: 'handoff', handoff: { ...p.handoff, files: null } }));
  try {
    const done = await streamInto(
      singleTarget(projectId, 'handoff'),
      (handlers) => api.handoff({ design, plan, modelConfig: modelConfigFor(project.settings, 'handoff') }, handlers),
      controller.signal,
    );
    const handoff = require(done.handoff as Handoff | undefined, 'the server sent no handoff');
    appStore.update(projectId, (p) => ({ ...p, handoff: { ...p.handoff, value: handoff } }));
    await loadArtifacts(projectId).catch(() => undefined);
    return handoff;
  } finally {
    endController(projectId, 'handoff', controller);
  }
}

/** Fetch the rendered files (devplan.md, phaseN.md, handoff.md, plan.json) for the handoff view. */
export async function loadArtifacts(projectId: string): Promise<Record<string, string>> {
  const project = require(appStore.get(projectId), 'unknown project');
  const plan = require(mergedPlan(project), 'no plan');
  const files = await api.artifactsJson({ design: project.design.value, plan, handoff: project.handoff.value });
  appStore.update(projectId, (p) => ({ ...p, handoff: { ...p.handoff, files } }));
  return files;
}

/**
 * Run everything in one go: design → plan (each phase's detail starts as soon as the plan stream
 * reports it) → remaining phase details → handoff. Finished parts are kept, not re-run.
 */
export async function runEverything(projectId: string): Promise<void> {
  autoRuns.get(projectId)?.abort();
  const auto = new AbortController();
  autoRuns.set(projectId, auto);
  appStore.update(projectId, (p) => ({ ...p, mode: 'auto' }));
  const started: Promise<void>[] = [];
  try {
    let project = require(appStore.get(projectId), 'unknown project');
    const design = project.design.value ?? (await runDesign(projectId, auto.signal));
    project = require(appStore.get(projectId), 'unknown project');
    if (!project.plan.value) {
      await runPlan(projectId, {
        outer: auto.signal,
        onPhase: (phase, soFar) => {
          appStore.update(projectId, (p) => (p.stage === 'plan' ? { ...p, stage: 'execute' } : p));
          started.push(runPhase(projectId, phase.number, { plan: partialPlan(design, soFar) }));
        },
      });
    }
    if (auto.signal.aborted) return;
    await Promise.allSettled(started);
    const done = await runAllPhases(projectId);
    if (!done || auto.signal.aborted) return;
    await runHandoff(projectId, auto.signal);
  } catch (error) {
    if (!isCancel(error)) console.warn('run everything stopped:', toRunError(error).message);
  } finally {
    if (autoRuns.get(projectId) === auto) autoRuns.delete(projectId);
    appStore.update(projectId, (p) => ({ ...p, mode: 'step' }));
  }
}

export function isAutoRunning(projectId: string): boolean {
  return autoRuns.has(projectId);
}

/** Forget a stage's result so it can be run again from scratch. */
export function resetRun(projectId: string, stage: SingleStage): void {
  appStore.update(projectId, (p) => ({ ...p, [stage]: { ...p[stage], run: emptyRun() } }));
}
