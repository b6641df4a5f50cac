// Persistence in localStorage, and JSON export/import with validation (zod) so a hand-edited or
// foreign file is refused with a message that says what is wrong, instead of breaking the app later.
import { z } from 'zod';
import { PROJECT_SCHEMA, PROJECT_VERSION, newId, reviveProject, type Project } from './project';
import { describeIssues, storedSchema } from './wire/schemas';

const INDEX_KEY = 'devussy.projects.v1';
const PROJECT_KEY_PREFIX = 'devussy.project.v1.';
const THEME_KEY = 'devussy.theme';

export interface ProjectSummary {
  id: string;
  name: string;
  updatedAt: number;
}

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const text = z.string();

// Domain values (brief, design, plan, phase, handoff) are validated with the schemas generated from
// the server's models (wire/schemas.ts), without the server's length limits: a draft being edited
// may not meet them yet, and the server checks them again when it is sent.
const briefSchema = storedSchema('ProjectBrief');
const designSchema = storedSchema('ProjectDesign');
const phaseSchema = storedSchema('Phase');
const planSchema = storedSchema('DevPlan');
const handoffSchema = storedSchema('Handoff');
const chatTurnSchema = storedSchema('ChatTurn');

const runStatus = z.enum(['idle', 'queued', 'running', 'done', 'error', 'cancelled', 'paused']);
const runSchema = z.object({
  status: runStatus,
  text: z.string(),
  tokens: z.number().min(0),
  error: z.object({ message: z.string(), code: z.string() }).nullable(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  basedOn: z.string().nullish(),
  refined: z
    .object({
      instruction: z.string(),
      changes: z.array(
        z.object({ kind: z.enum(['added', 'removed', 'changed']), what: z.string(), before: z.string().optional(), after: z.string().optional() }),
      ),
    })
    .nullish(),
  check: z
    .object({ repair: z.array(z.string()).nullable(), repaired: z.boolean().nullable(), unresolved: z.array(z.string()).nullable() })
    .nullish(),
});
const stageSettingsSchema = z.object({
  provider: z.string().nullish(),
  model: z.string().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  maxTokens: z.number().int().min(1).max(200_000).nullish(),
});

export const projectSchema = z.object({
  schema: z.literal(PROJECT_SCHEMA, { message: `not a Devussy project file (expected "schema": "${PROJECT_SCHEMA}")` }),
  version: z.literal(PROJECT_VERSION, { message: `unsupported project version (this app reads version ${PROJECT_VERSION})` }),
  id: z.string().min(1),
  name: z.string().min(1).max(500),
  createdAt: z.number(),
  updatedAt: z.number(),
  stage: z.enum(['new', 'interview', 'design', 'plan', 'execute', 'handoff']),
  mode: z.enum(['step', 'auto']),
  input: z.object({ projectName: text, idea: text, languages: text, frameworks: text, apis: text }),
  interview: z.object({
    turns: z.array(chatTurnSchema),
    brief: briefSchema.nullable(),
    run: runSchema,
  }),
  design: z.object({ value: designSchema.nullable(), run: runSchema }),
  plan: z.object({ value: planSchema.nullable(), run: runSchema, streamedPhases: z.array(phaseSchema) }),
  phases: z.record(z.string().regex(/^\d+$/, 'phase keys are phase numbers'), runSchema.extend({ result: phaseSchema.nullable() })),
  handoff: z.object({ value: handoffSchema.nullable(), run: runSchema, files: z.record(z.string(), z.string()).nullable() }),
  settings: z.object({
    concurrency: z.number().int().min(0).max(99),
    stages: z.partialRecord(z.enum(['interview', 'design', 'basic_plan', 'phase_detail', 'handoff']), stageSettingsSchema),
  }),
  pausedAuto: z.boolean().optional(),
  lastRequirementId: z.number().int().min(0).optional(),
});

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** Validate an untrusted value as a project. Throws ImportError with a readable reason. */
export function validateProject(value: unknown): Project {
  const result = projectSchema.safeParse(value);
  if (!result.success) throw new ImportError(`This file is not a valid Devussy project: ${describeIssues(result.error)}`);
  return result.data satisfies Project;
}

export function exportProject(project: Project): string {
  return JSON.stringify(project, null, 2);
}

/**
 * Parse an exported project. A project whose id is already taken gets a new id, so importing never
 * overwrites an existing project.
 */
export function importProject(json: string, takenIds: Iterable<string> = []): Project {
  if (json.length > 20_000_000) throw new ImportError('This file is too large to be a Devussy project (over 20 MB).');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ImportError(`This file is not valid JSON: ${(error as Error).message}`);
  }
  const project = reviveProject(validateProject(value));
  const taken = new Set(takenIds);
  return taken.has(project.id) ? { ...project, id: newId() } : project;
}

/** A stored index (a JSON list of `{id, name, …}`): the entries that have an id and a name, else none. */
export function readIndex<T extends { id: string; name: string }>(storage: KeyValueStorage, key: string): T[] {
  try {
    const parsed = JSON.parse(storage.getItem(key) ?? '[]') as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((item): item is T => typeof item === 'object' && item !== null && typeof item.id === 'string' && typeof item.name === 'string');
  } catch {
    return [];
  }
}

/** A stored JSON entry read by `read` (which validates it), or null when it is missing or unreadable. */
export function readEntry<T>(storage: KeyValueStorage, key: string, read: (value: unknown) => T): T | null {
  const raw = storage.getItem(key);
  if (!raw) return null;
  try {
    return read(JSON.parse(raw));
  } catch {
    return null;
  }
}

export class ProjectStorage {
  constructor(private readonly storage: KeyValueStorage) {}

  list(): ProjectSummary[] {
    return readIndex<ProjectSummary>(this.storage, INDEX_KEY);
  }

  /** Load a project; an unreadable entry yields null (the caller shows it as damaged). */
  load(id: string): Project | null {
    return readEntry(this.storage, PROJECT_KEY_PREFIX + id, (value) => reviveProject(validateProject(value)));
  }

  /** Save a project and update the index. Throws when storage is full. */
  save(project: Project): void {
    this.storage.setItem(PROJECT_KEY_PREFIX + project.id, JSON.stringify(project));
    const others = this.list().filter((item) => item.id !== project.id);
    const summary: ProjectSummary = { id: project.id, name: project.name, updatedAt: project.updatedAt };
    this.writeIndex([summary, ...others].sort((a, b) => b.updatedAt - a.updatedAt));
  }

  remove(id: string): void {
    this.storage.removeItem(PROJECT_KEY_PREFIX + id);
    this.writeIndex(this.list().filter((item) => item.id !== id));
  }

  getTheme(): 'light' | 'dark' | null {
    const theme = this.storage.getItem(THEME_KEY);
    return theme === 'light' || theme === 'dark' ? theme : null;
  }

  setTheme(theme: 'light' | 'dark'): void {
    this.storage.setItem(THEME_KEY, theme);
  }

  private writeIndex(items: ProjectSummary[]): void {
    this.storage.setItem(INDEX_KEY, JSON.stringify(items));
  }
}

/** An in-memory Storage, for tests and for browsers where localStorage is unavailable. */
export class MemoryStorage implements KeyValueStorage {
  private data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.has(key) ? this.data.get(key)! : null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, String(value));
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}
