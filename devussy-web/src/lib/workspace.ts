// A living plan opened in the browser (issue 14): the plan's files as the user picked them, and the
// state the server read from them. Every change goes through POST /api/workspace/update, which
// answers with the files after the change; nothing here reads or edits the markdown.
import { z } from 'zod';
import { newId } from './project';
import { readEntry, readIndex, type KeyValueStorage } from './storage';
import type { components } from './wire/api.gen';
import { describeIssues, storedSchema } from './wire/schemas';

type Schemas = components['schemas'];
export type WorkspaceStatus = Schemas['WorkspaceStatus'];
export type WorkspaceStep = Schemas['WorkspaceStep'];
export type WorkspaceAction = Schemas['WorkspaceAction'];
export type StepStatus = WorkspaceStep['status'];
export type PhaseProgress = Schemas['PhaseProgress'];

export const WORKSPACE_SCHEMA = 'devussy-workspace';
export const WORKSPACE_VERSION = 1;

/** What the last change did, as the server said it. */
export interface WorkspaceChange {
  logged: string[];
  messages: string[];
  changed: string[];
  at: number;
}

export interface Workspace {
  schema: typeof WORKSPACE_SCHEMA;
  version: typeof WORKSPACE_VERSION;
  id: string;
  name: string;
  /** What it was opened from: the zip's name or the folder's. */
  source: string;
  openedAt: number;
  updatedAt: number;
  files: Record<string, string>;
  status: WorkspaceStatus;
  steps: WorkspaceStep[];
  lastChange: WorkspaceChange | null;
}

export function createWorkspace(
  answer: { status: WorkspaceStatus; steps: WorkspaceStep[]; files: Record<string, string> },
  source: string,
  now = Date.now(),
): Workspace {
  return {
    schema: WORKSPACE_SCHEMA,
    version: WORKSPACE_VERSION,
    id: newId(),
    name: answer.status.projectName,
    source,
    openedAt: now,
    updatedAt: now,
    files: answer.files,
    status: answer.status,
    steps: answer.steps,
    lastChange: null,
  };
}

/** The workspace after an update: the server's files, state and what it logged. */
export function applyUpdate(
  workspace: Workspace,
  answer: { status: WorkspaceStatus; steps: WorkspaceStep[]; files: Record<string, string>; logged: string[]; messages?: string[]; changed: string[] },
  now = Date.now(),
): Workspace {
  return {
    ...workspace,
    files: answer.files,
    status: answer.status,
    steps: answer.steps,
    updatedAt: now,
    lastChange: { logged: answer.logged, messages: answer.messages ?? [], changed: answer.changed, at: now },
  };
}

/** The steps of each phase, in the order the server lists them. */
export function stepsByPhase(steps: WorkspaceStep[]): Map<number, WorkspaceStep[]> {
  const grouped = new Map<number, WorkspaceStep[]>();
  for (const step of steps) {
    const list = grouped.get(step.phase) ?? [];
    list.push(step);
    grouped.set(step.phase, list);
  }
  return grouped;
}

/** The action a checkbox asks for: tick an open step (done), untick a done one (reopen). */
export function toggleAction(step: Pick<WorkspaceStep, 'id' | 'status'>): WorkspaceAction {
  return step.status === 'done' ? { action: 'reopen', step: step.id } : { action: 'done', step: step.id };
}

/** How many requirements plan.json lists (0 when it lists none or cannot be read). */
export function requirementCount(files: Record<string, string>): number {
  try {
    const document = JSON.parse(files['plan.json'] ?? '{}') as { plan?: { requirements?: unknown } };
    const requirements = document.plan?.requirements;
    return Array.isArray(requirements) ? requirements.length : 0;
  } catch {
    return 0;
  }
}

/** The last change of each step still on its way to the server. */
export function pendingByStep(pending: WorkspaceAction[]): Map<string, WorkspaceAction['action']> {
  return new Map(pending.map((action) => [action.step, action.action]));
}

/**
 * Whether a step's box shows ticked: what the server said, or what a change on its way will make it
 * (so the box does not flick back while the server answers; a failure puts it back).
 */
export function shownDone(step: Pick<WorkspaceStep, 'status'>, pending: WorkspaceAction['action'] | undefined): boolean {
  if (pending === 'done') return true;
  if (pending === 'reopen') return false;
  return step.status === 'done';
}

export const STEP_STATUS_LABEL: Record<StepStatus, string> = {
  done: 'Done',
  blocked: 'Blocked',
  ready: 'Ready',
  waiting: 'Waiting',
  held: 'Held by a block',
};

export const PHASE_STATE_LABEL: Record<PhaseProgress['state'], string> = {
  done: 'Done',
  in_progress: 'In progress',
  ready: 'Ready',
  waiting: 'Waiting',
  held: 'Held by a block',
  not_detailed: 'No steps yet',
};

// -- persistence (like projects: one key per workspace and an index) ------------------------------

const INDEX_KEY = 'devussy.workspaces.v1';
const KEY_PREFIX = 'devussy.workspace.v1.';

const workspaceSchema = z.object({
  schema: z.literal(WORKSPACE_SCHEMA),
  version: z.literal(WORKSPACE_VERSION),
  id: z.string().min(1),
  name: z.string(),
  source: z.string(),
  openedAt: z.number(),
  updatedAt: z.number(),
  files: z.record(z.string(), z.string()),
  status: storedSchema('WorkspaceStatus'),
  steps: z.array(storedSchema('WorkspaceStep')),
  lastChange: z
    .object({ logged: z.array(z.string()), messages: z.array(z.string()), changed: z.array(z.string()), at: z.number() })
    .nullable(),
});

export function validateWorkspace(value: unknown): Workspace {
  const result = workspaceSchema.safeParse(value);
  if (!result.success) throw new Error(`not a saved living plan: ${describeIssues(result.error)}`);
  return result.data satisfies Workspace;
}

export interface WorkspaceSummary {
  id: string;
  name: string;
  updatedAt: number;
}

export class WorkspaceStorage {
  constructor(private readonly storage: KeyValueStorage) {}

  list(): WorkspaceSummary[] {
    return readIndex<WorkspaceSummary>(this.storage, INDEX_KEY);
  }

  /** A saved workspace, or null when it is missing or unreadable. */
  load(id: string): Workspace | null {
    return readEntry(this.storage, KEY_PREFIX + id, validateWorkspace);
  }

  /** Throws when storage is full. */
  save(workspace: Workspace): void {
    this.storage.setItem(KEY_PREFIX + workspace.id, JSON.stringify(workspace));
    const others = this.list().filter((item) => item.id !== workspace.id);
    const summary = { id: workspace.id, name: workspace.name, updatedAt: workspace.updatedAt };
    this.storage.setItem(INDEX_KEY, JSON.stringify([summary, ...others].sort((a, b) => b.updatedAt - a.updatedAt)));
  }

  remove(id: string): void {
    this.storage.removeItem(KEY_PREFIX + id);
    this.storage.setItem(INDEX_KEY, JSON.stringify(this.list().filter((item) => item.id !== id)));
  }
}
