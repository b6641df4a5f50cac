// The Devussy HTTP API (DESIGN §4), on the app's own origin.
import { authHeaders, reportUnauthorized } from './auth';
import { streamSSE, StreamError, type StreamHandlers } from './sse';
import type { CoverageReport, DesignReview, DevPlan, Handoff, ProjectDesign } from './types';
import { parseWire, WireError, type WireName, type WireSchemas } from './wire/schemas';

export interface CallHandlers extends StreamHandlers {
  signal?: AbortSignal;
}

export interface ProviderInfo {
  name: string;
  default: boolean;
  configured: boolean;
  usable: boolean;
  reason: string | null;
  defaultModel: string | null;
  models: string[];
}

export interface ModelsInfo {
  provider: string;
  model: string | null;
  models: string[];
  providers: ProviderInfo[];
}

// Same origin by default. For `npm run dev` (hot reload on :3000) point it at a running dev_server.py,
// started with DEVUSSY_ALLOWED_ORIGINS=http://localhost:3000.
const BASE = (process.env.NEXT_PUBLIC_DEVUSSY_API ?? '').replace(/\/$/, '');

/**
 * Stream one request; the `done` event is validated against the generated schema of `done` (an
 * invalid payload becomes a StreamError with code `invalid_response`, shown on the card).
 */
async function stream<K extends WireName>(path: string, body: unknown, done: K, handlers: CallHandlers): Promise<WireSchemas[K]> {
  const { signal, ...rest } = handlers;
  let event: unknown;
  try {
    event = await streamSSE(`${BASE}${path}`, body, { ...rest, signal, headers: authHeaders() });
  } catch (error) {
    if (error instanceof StreamError && error.status === 401) reportUnauthorized();
    throw error;
  }
  try {
    return parseWire(done, event);
  } catch (error) {
    if (error instanceof WireError) throw new StreamError(error.message, error.code);
    throw error;
  }
}

type Body<K extends WireName> = WireSchemas[K];

async function jsonError(response: Response): Promise<StreamError> {
  if (response.status === 401) reportUnauthorized();
  let message = `${response.status} ${response.statusText}`.trim();
  let code = 'http_error';
  try {
    const body = (await response.json()) as { error?: string; code?: string };
    if (body.error) message = body.error;
    if (body.code) code = body.code;
  } catch {
    // keep the status line
  }
  return new StreamError(message, code, response.status);
}

/** POST JSON and validate the JSON answer against the generated schema (a 4xx/5xx becomes a StreamError). */
async function postJson<K extends WireName>(path: string, body: unknown, answer: K, signal?: AbortSignal): Promise<WireSchemas[K]>;
async function postJson(path: string, body: unknown, answer: null, signal?: AbortSignal): Promise<unknown>;
async function postJson<K extends WireName>(path: string, body: unknown, answer: K | null, signal?: AbortSignal): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${BASE}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw new StreamError('Cancelled', 'cancelled');
    throw new StreamError(`Could not reach the server: ${(error as Error).message}`, 'network_error');
  }
  if (!response.ok) throw await jsonError(response);
  let value: unknown;
  try {
    value = await response.json();
  } catch {
    throw new StreamError('The server did not answer with JSON', 'invalid_response', response.status);
  }
  if (answer === null) return value;
  try {
    return parseWire(answer, value);
  } catch (error) {
    if (error instanceof WireError) throw new StreamError(error.message, error.code);
    throw error;
  }
}

/** POST JSON and take the attachment it answers with (a zip), named as the server names it. */
async function postForFile(path: string, body: unknown, fallbackName: string): Promise<{ blob: Blob; filename: string }> {
  const response = await fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/zip', ...authHeaders() },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await jsonError(response);
  const disposition = response.headers.get('content-disposition') ?? '';
  const match = /filename="?([^";]+)"?/.exec(disposition);
  return { blob: await response.blob(), filename: match?.[1] ?? fallbackName };
}

export const api = {
  interview: (body: Body<'InterviewRequest'>, handlers: CallHandlers) => stream('/api/interview', body, 'InterviewDone', handlers),
  design: (body: Body<'DesignRequest'>, handlers: CallHandlers) => stream('/api/design', body, 'DesignDone', handlers),
  basicPlan: (body: Body<'BasicPlanRequest'>, handlers: CallHandlers) => stream('/api/plan/basic', body, 'PlanDone', handlers),
  detail: (body: Body<'DetailRequest'>, handlers: CallHandlers) => stream('/api/plan/detail', body, 'PhaseDone', handlers),
  handoff: (body: Body<'HandoffRequest'>, handlers: CallHandlers) => stream('/api/handoff', body, 'HandoffDone', handlers),

  async models(signal?: AbortSignal): Promise<ModelsInfo> {
    const response = await fetch(`${BASE}/api/models`, { signal, headers: { Accept: 'application/json', ...authHeaders() } });
    if (!response.ok) throw await jsonError(response);
    const body = (await response.json()) as Partial<ModelsInfo>;
    return {
      provider: body.provider ?? 'builtin',
      model: body.model ?? null,
      models: Array.isArray(body.models) ? body.models : [],
      providers: Array.isArray(body.providers) ? body.providers : [],
    };
  },

  async artifactsJson(body: { design: ProjectDesign | null; plan: DevPlan; handoff: Handoff | null; review?: DesignReview | null }): Promise<Record<string, string>> {
    const response = await fetch(`${BASE}/api/artifacts?format=json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await jsonError(response);
    const { files } = (await response.json()) as { files?: Record<string, string> };
    if (!files || typeof files !== 'object') throw new StreamError('The server sent no files', 'bad_response');
    return files;
  },

  artifactsZip: (body: { design: ProjectDesign | null; plan: DevPlan; handoff: Handoff | null; review?: DesignReview | null }) =>
    postForFile('/api/artifacts', body, 'devplan.zip'),

  /** The server's coverage check of a plan against a requirement list (never computed here). */
  async coverage(body: Body<'CoverageRequest'>, signal?: AbortSignal): Promise<CoverageReport> {
    const { coverage } = await postJson('/api/coverage', body, 'CoverageResponse', signal);
    return {
      requirements: (coverage.requirements ?? []).map((entry) => ({ ...entry, steps: entry.steps ?? [], phases: entry.phases ?? [] })),
      violations: coverage.violations ?? [],
      gaps: coverage.gaps ?? [],
      pendingPhases: coverage.pendingPhases ?? [],
    };
  },

  // The living plan (docs/workspace.md): stateless, the files travel with every request.
  workspaceStatus: (body: Body<'WorkspaceFilesRequest'>) => postJson('/api/workspace/status', body, 'WorkspaceStatusResponse'),
  workspaceUpdate: (body: Body<'WorkspaceUpdateRequest'>) => postJson('/api/workspace/update', body, 'WorkspaceUpdateResponse'),
  workspaceExport: (body: Body<'WorkspaceFilesRequest'>) => postForFile('/api/workspace/export', body, 'devplan.zip'),
};
