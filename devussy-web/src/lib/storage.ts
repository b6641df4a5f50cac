// Persistence in localStorage, and JSON export/import with validation (zod) so a hand-edited or
// foreign file is refused with a message that says what is wrong, instead of breaking the app later.
import { z } from 'zod';
import { PROJECT_SCHEMA, PROJECT_VERSION, newId, reviveProject, type Project } from './project';

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
const list = z.array(z.string());

const briefSchema = z.looseObject({ name: text, summary: text });
const riskSchema = z.looseObject({ risk: text, mitigation: text });
const designSchema = z.looseObject({
  projectName: text,
  summary: text,
  objectives: list,
  techStack: list,
  architecture: text,
  dataModel: text,
  risks: z.array(riskSchema),
  testingStrategy: text,
  brief: briefSchema.nullish(),
});
const stepSchema = z.looseObject({
  id: z.string().regex(/^[1-9]\d*\.[1-9]\d*$/, 'step ids look like "2.3"'),
  title: text,
  details: text,
  acceptanceCriteria: list,
  testCommand: text,
  dependsOn: list.optional(),
});
const phaseSchema = z.looseObject({
  number: z.number().int().min(1).max(99),
  title: text,
  summary: text,
  dependsOn: z.array(z.number().int()).optional(),
  steps: z.array(stepSchema).optional(),
});
const planSchema = z.looseObject({
  projectName: text,
  summary: text,
  phases: z.array(phaseSchema).min(1, 'a plan needs at least one phase'),
  techStack: list.optional(),
});
const handoffSchema = z.looseObject({
  projectName: text,
  prompt: text,
  startPhase: z.number().int().nullish(),
  startStep: z.string().nullish(),
});
const runStatus = z.enum(['idle', 'queued', 'running', 'done', 'error', 'cancelled']);
const runSchema = z.object({
  status: runStatus,
  text: z.string(),
  tokens: z.number().min(0),
  error: z.object({ message: z.string(), code: z.string() }).nullable(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});
const stageSettingsSchema = z.object({
  provider: z.string().optional(),
  model: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).max(200_000).optional(),
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
    turns: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.string() })),
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
});

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

function describeIssues(error: z.ZodError): string {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(file)';
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  return lines.join('; ') + more;
}

/** Validate an untrusted value as a project. Throws ImportError with a readable reason. */
export function validateProject(value: unknown): Project {
  const result = projectSchema.safeParse(value);
  if (!result.success) throw new ImportError(`This file is not a valid Devussy project: ${describeIssues(result.error)}`);
  return result.data as unknown as Project;
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

export class ProjectStorage {
  constructor(private readonly storage: KeyValueStorage) {}

  list(): ProjectSummary[] {
    const raw = this.storage.getItem(INDEX_KEY);
    if (!raw) return [];
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(
        (item): item is ProjectSummary =>
          typeof item === 'object' && item !== null && typeof item.id === 'string' && typeof item.name === 'string',
      );
    } catch {
      return [];
    }
  }

  /** Load a project; an unreadable entry yields null (the caller shows it as damaged). */
  load(id: string): Project | null {
    const raw = this.storage.getItem(PROJECT_KEY_PREFIX + id);
    if (!raw) return null;
    try {
      return reviveProject(validateProject(JSON.parse(raw)));
    } catch {
      return null;
    }
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
