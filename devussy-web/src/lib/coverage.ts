// The coverage matrix's data: the server's check (POST /api/coverage) of the plan as assembled in the
// browser against the reviewed requirement list, asked again whenever either changes (debounced, the
// previous request aborted). Nothing about coverage, rules or violations is computed here.
'use client';

import { useEffect, useSyncExternalStore } from 'react';
import { api } from './api';
import { mergedPlan, type Project, type RunError } from './project';
import { requirementsForRequest } from './requirements';
import { StreamError } from './sse';
import { fingerprint } from './stale';
import type { CoverageReport, CoverageRequest as CoverageBody } from './types';

export type { CoverageReport };
export type CoverageEntry = CoverageReport['requirements'][number];

export interface CoverageState {
  /** The fingerprint of the plan and list the report (or error) is for. */
  key: string | null;
  report: CoverageReport | null;
  /** Asking the server about `key` (the report shown may be for the previous one). */
  loading: boolean;
  error: RunError | null;
}

const EMPTY: CoverageState = { key: null, report: null, loading: false, error: null };

/** What to ask the server about a project: its plan with every finished detail, and the reviewed list. */
export function coverageRequest(project: Project): { key: string; body: CoverageBody } | null {
  const plan = mergedPlan(project);
  if (!plan) return null;
  const requirements = requirementsForRequest(project.design.value?.requirements);
  const body: CoverageBody = requirements ? { plan, requirements } : { plan };
  return { key: fingerprint(body), body };
}

type Fetcher = (body: CoverageBody, signal: AbortSignal) => Promise<CoverageReport>;

/** One checker per page: the latest state per project, with listeners. */
export class CoverageChecker {
  private states = new Map<string, CoverageState>();
  private listeners = new Map<string, Set<() => void>>();
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  private inFlight = new Map<string, AbortController>();

  constructor(
    private readonly fetcher: Fetcher = (body, signal) => api.coverage(body, signal),
    private readonly delayMs = 250,
  ) {}

  get(projectId: string): CoverageState {
    return this.states.get(projectId) ?? EMPTY;
  }

  subscribe(projectId: string, listener: () => void): () => void {
    const set = this.listeners.get(projectId) ?? new Set();
    set.add(listener);
    this.listeners.set(projectId, set);
    return () => set.delete(listener);
  }

  /** Ask about `key` unless that is what the state already holds or is being asked. */
  request(projectId: string, key: string, body: CoverageBody): void {
    const state = this.get(projectId);
    if (state.key === key) return;
    this.set(projectId, { ...state, key, loading: true, error: null });
    clearTimeout(this.timers.get(projectId));
    this.timers.set(
      projectId,
      setTimeout(() => void this.fetch(projectId, key, body), this.delayMs),
    );
  }

  /** Ask again now (the Retry of an error). */
  retry(projectId: string, body: CoverageBody, key: string): void {
    this.set(projectId, { ...this.get(projectId), key: null });
    this.request(projectId, key, body);
  }

  private async fetch(projectId: string, key: string, body: CoverageBody): Promise<void> {
    this.inFlight.get(projectId)?.abort();
    const controller = new AbortController();
    this.inFlight.set(projectId, controller);
    try {
      const report = await this.fetcher(body, controller.signal);
      if (this.get(projectId).key === key) this.set(projectId, { key, report, loading: false, error: null });
    } catch (error) {
      if (controller.signal.aborted || this.get(projectId).key !== key) return;
      const failure = error instanceof StreamError ? { message: error.message, code: error.code } : { message: String((error as Error)?.message ?? error), code: 'internal_error' };
      // The last good report stays visible, marked as not matching the plan any more.
      this.set(projectId, { ...this.get(projectId), loading: false, error: failure });
    } finally {
      if (this.inFlight.get(projectId) === controller) this.inFlight.delete(projectId);
    }
  }

  private set(projectId: string, state: CoverageState): void {
    this.states.set(projectId, state);
    for (const listener of [...(this.listeners.get(projectId) ?? [])]) listener();
  }
}

export const coverageChecker = new CoverageChecker();

/** The coverage of a project's plan, kept current with the plan and the requirement list. */
export function useCoverage(project: Project): CoverageState & { retry: () => void } {
  const request = coverageRequest(project);
  const key = request?.key ?? null;
  useEffect(() => {
    if (request) coverageChecker.request(project.id, request.key, request.body);
    // `key` stands for the body: a new body with the same fingerprint asks nothing new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [project.id, key]);
  const state = useSyncExternalStore(
    (listener) => coverageChecker.subscribe(project.id, listener),
    () => coverageChecker.get(project.id),
    () => EMPTY,
  );
  return { ...state, retry: () => request && coverageChecker.retry(project.id, request.body, request.key) };
}
