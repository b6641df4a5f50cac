// The project: everything the user has done, kept in the browser. Pure functions only; the store
// (store.ts) owns the live copy and the runner (runner.ts) drives the API.
import type { Refinement } from './changes';
import type { ChatTurn, DesignReview, DevPlan, Handoff, ModelConfig, Phase, ProjectBrief, ProjectDesign, StageName } from './types';

export const PROJECT_SCHEMA = 'devussy-project';
export const PROJECT_VERSION = 1;

export type StageKey = 'new' | 'interview' | 'design' | 'plan' | 'execute' | 'handoff';
export const STAGES: { key: StageKey; label: string }[] = [
  { key: 'new', label: 'Idea' },
  { key: 'interview', label: 'Interview' },
  { key: 'design', label: 'Design' },
  { key: 'plan', label: 'Plan' },
  { key: 'execute', label: 'Execution' },
  { key: 'handoff', label: 'Handoff' },
];

/** `paused`: the page was closed or reloaded while it streamed; its partial text is kept and Resume runs it again. */
export type RunStatus = 'idle' | 'queued' | 'running' | 'done' | 'error' | 'cancelled' | 'paused';

export interface RunError {
  message: string;
  code: string;
}

export interface StageRun {
  status: RunStatus;
  /** Streamed text of the last run (final or partial). */
  text: string;
  tokens: number;
  error: RunError | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** Fingerprint of the input the result was made from (stale.ts); absent for runs before it existed. */
  basedOn?: string | null;
  /** Set when the run refined the result by an instruction: the instruction and what changed. */
  refined?: Refinement | null;
  /** What the server's checks said during the run (`repair` and `coverage` progress events). */
  check?: RunCheck | null;
}

/**
 * A run's second pass and requirements check, as the stream reported them: `repair` lists the problems
 * of the first answer (its repair streams after it; the `done` value is what counts); `unresolved` the
 * requirement problems still there after the check's one repair round (never hidden).
 */
export interface RunCheck {
  repair: string[] | null;
  repaired: boolean | null;
  unresolved: string[] | null;
}

export interface PhaseRun extends StageRun {
  result: Phase | null;
}

export interface StageModelSettings extends ModelConfig {}

export interface ModelSettings {
  /** Phase details running at once; 0 = all. */
  concurrency: number;
  /** Design review: an LLM reviewer reads the design and one correction round applies its findings. */
  review?: boolean;
  stages: Partial<Record<StageName, StageModelSettings>>;
}

export interface ProjectInput {
  projectName: string;
  idea: string;
  languages: string;
  frameworks: string;
  apis: string;
}

export interface Project {
  schema: typeof PROJECT_SCHEMA;
  version: typeof PROJECT_VERSION;
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  stage: StageKey;
  /** 'step': the user approves each stage; 'auto': run everything in one go. */
  mode: 'step' | 'auto';
  input: ProjectInput;
  interview: { turns: ChatTurn[]; brief: ProjectBrief | null; run: StageRun };
  design: { value: ProjectDesign | null; run: StageRun; review?: DesignReview | null };
  plan: { value: DevPlan | null; run: StageRun; streamedPhases: Phase[] };
  phases: Record<string, PhaseRun>;
  handoff: { value: Handoff | null; run: StageRun; files: Record<string, string> | null };
  settings: ModelSettings;
  /** Set when streams were paused by leaving the page during "run everything": Resume runs everything again. */
  pausedAuto?: boolean;
  /** The highest requirement id the user added (`R7` → 7): a removed id is never given out again. */
  lastRequirementId?: number;
}

/** Phase details at once by default: the same default as the server and the CLI (DEVUSSY_MAX_CONCURRENCY). */
export const DEFAULT_CONCURRENCY = 3;
export const UNTITLED = 'Untitled project';
/** The longest idea the server accepts (`requirements`, LongText). */
export const IDEA_MAX_CHARS = 50_000;

export const CONCURRENCY_CHOICES = [1, 2, 3, 5, 0] as const;

export function emptyRun(): StageRun {
  return { status: 'idle', text: '', tokens: 0, error: null, startedAt: null, finishedAt: null };
}

export function emptyPhaseRun(): PhaseRun {
  return { ...emptyRun(), result: null };
}

export function newId(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `p-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export function createProject(input: Partial<ProjectInput> = {}, now = Date.now()): Project {
  const full: ProjectInput = { projectName: '', idea: '', languages: '', frameworks: '', apis: '', ...input };
  return {
    schema: PROJECT_SCHEMA,
    version: PROJECT_VERSION,
    id: newId(),
    name: displayName(full),
    createdAt: now,
    updatedAt: now,
    stage: 'new',
    mode: 'step',
    input: full,
    interview: { turns: [], brief: null, run: emptyRun() },
    design: { value: null, run: emptyRun() },
    plan: { value: null, run: emptyRun(), streamedPhases: [] },
    phases: {},
    handoff: { value: null, run: emptyRun(), files: null },
    settings: { concurrency: DEFAULT_CONCURRENCY, stages: {} },
  };
}

/**
 * The name shown for a project before the server has named it: the name typed, else the start of the
 * idea (the design then names it from the idea, as the CLI does), else "Untitled project".
 */
export function displayName(input: Pick<ProjectInput, 'projectName' | 'idea'>): string {
  const typed = input.projectName.trim();
  if (typed) return typed;
  const firstLine = input.idea.trim().split('\n')[0] ?? '';
  const words = firstLine.split(/\s+/).filter(Boolean);
  if (!words.length) return UNTITLED;
  const preview = words.slice(0, 6).join(' ');
  return preview.length > 60 ? `${preview.slice(0, 59).trimEnd()}…` : words.length > 6 ? `${preview}…` : preview;
}

/** A project nobody has typed anything into yet (reused by "New project" instead of piling up). */
export function isBlank(project: Project): boolean {
  const { input } = project;
  return (
    !input.projectName.trim() && !input.idea.trim() && !input.languages.trim() && !input.frameworks.trim() && !input.apis.trim() &&
    project.interview.turns.length === 0 && !project.design.value && !isActive(project.design.run) && project.design.run.status === 'idle'
  );
}

/** "1 step", "3 steps". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

const ACTIVE: RunStatus[] = ['running', 'queued'];

export function isActive(run: StageRun): boolean {
  return ACTIVE.includes(run.status);
}

/** Whether any stream of the project is running or queued. */
export function isRunning(project: Project): boolean {
  return (
    isActive(project.interview.run) ||
    isActive(project.design.run) ||
    isActive(project.plan.run) ||
    isActive(project.handoff.run) ||
    Object.values(project.phases).some(isActive)
  );
}

/**
 * After a reload (or leaving the page) no stream is alive any more: a run that was streaming or
 * queued is paused, keeping its partial text, and Resume runs it again.
 * Finished runs are kept as they are.
 */
export function reviveProject(project: Project): Project {
  const pause = <R extends StageRun>(run: R): R => {
    if (run.status === 'running') return { ...run, status: 'paused', error: null, finishedAt: run.finishedAt ?? Date.now() };
    // A queued phase was part of the run the user started: it waits for Resume as well.
    if (run.status === 'queued') return { ...run, status: 'paused' };
    return run;
  };
  const phases: Record<string, PhaseRun> = {};
  for (const [key, run] of Object.entries(project.phases)) phases[key] = pause(run);
  const revived: Project = {
    ...project,
    mode: 'step',
    interview: { ...project.interview, run: pause(project.interview.run) },
    design: { ...project.design, run: pause(project.design.run) },
    plan: { ...project.plan, run: pause(project.plan.run) },
    phases,
    handoff: { ...project.handoff, run: pause(project.handoff.run) },
  };
  const paused = pausedParts(revived).length > 0;
  return { ...revived, pausedAuto: paused && (project.mode === 'auto' || Boolean(project.pausedAuto)) };
}

/** The parts of a project that were paused by leaving the page ("design", "plan", "phase 2", …). */
export function pausedParts(project: Project): string[] {
  const parts: string[] = [];
  if (project.design.run.status === 'paused') parts.push('design');
  if (project.plan.run.status === 'paused') parts.push('plan');
  for (const [key, run] of Object.entries(project.phases)) if (run.status === 'paused') parts.push(`phase ${key}`);
  if (project.handoff.run.status === 'paused') parts.push('handoff');
  return parts;
}

/** The plan with every finished phase detail merged in (what the handoff and artifacts get). */
export function mergedPlan(project: Project): DevPlan | null {
  const plan = project.plan.value;
  if (!plan) return null;
  const reviewed = project.design.value?.requirements;
  return {
    ...plan,
    // The reviewed list, as every request sends it (it replaces the plan's on the server too).
    ...(reviewed ? { requirements: reviewed } : {}),
    phases: plan.phases.map((phase) => {
      const run = project.phases[String(phase.number)];
      // Steps come from the detail; title, summary and dependencies from the (possibly edited) plan.
      return run?.status === 'done' && run.result
        ? { ...run.result, number: phase.number, title: phase.title, summary: phase.summary, dependsOn: phase.dependsOn ?? [] }
        : phase;
    }),
  };
}

/**
 * The plan as known while it still streams: the phases parsed so far, with dependencies on phases
 * not yet seen dropped so the server accepts it for a phase detail request.
 */
export function partialPlan(design: ProjectDesign, phases: Phase[]): DevPlan {
  const known = new Set(phases.map((phase) => phase.number));
  return {
    projectName: design.projectName,
    summary: design.summary,
    techStack: design.techStack,
    brief: design.brief ?? null,
    complexity: design.complexity ?? null,
    ...(design.requirements?.length ? { requirements: design.requirements } : {}),
    phases: phases.map((phase) => ({ ...phase, dependsOn: (phase.dependsOn ?? []).filter((dep) => known.has(dep)) })),
  };
}

function renumberStepId(id: string, number: number): string {
  const [, step] = id.split('.');
  return `${number}.${step}`;
}

function renumberPhase(phase: Phase, number: number, mapping: Map<number, number>): Phase {
  const stepIdMap = new Map<string, string>();
  for (const step of phase.steps ?? []) stepIdMap.set(step.id, renumberStepId(step.id, number));
  return {
    ...phase,
    number,
    // Only earlier phases can be dependencies: one that moved after this phase is dropped.
    dependsOn: (phase.dependsOn ?? [])
      .map((dep) => mapping.get(dep))
      .filter((dep): dep is number => dep !== undefined && dep < number)
      .sort((a, b) => a - b),
    steps: phase.steps?.map((step) => ({
      ...step,
      id: stepIdMap.get(step.id)!,
      dependsOn: (step.dependsOn ?? []).map((dep) => {
        const [phaseNo] = dep.split('.');
        const mapped = mapping.get(Number(phaseNo));
        return mapped === undefined || mapped > number ? null : renumberStepId(dep, mapped);
      }).filter((dep): dep is string => dep !== null),
    })),
  };
}

/**
 * Apply an edited phase order (a list of existing phase numbers, and `null` for new phases given in
 * `added`) and renumber 1..n: dependencies, step ids and the phase runs follow their phase; runs of
 * deleted phases are dropped.
 */
export function reorderPlan(project: Project, order: (number | Phase)[]): Project {
  const plan = project.plan.value;
  if (!plan) return project;
  const byNumber = new Map(plan.phases.map((phase) => [phase.number, phase]));
  const mapping = new Map<number, number>();
  order.forEach((item, index) => {
    if (typeof item === 'number') mapping.set(item, index + 1);
  });
  const phases: Phase[] = order.map((item, index) => {
    const number = index + 1;
    if (typeof item === 'number') {
      const phase = byNumber.get(item);
      if (!phase) throw new Error(`unknown phase ${item}`);
      return renumberPhase(phase, number, mapping);
    }
    return { ...item, number, dependsOn: [], steps: item.steps ?? [] };
  });
  const runs: Record<string, PhaseRun> = {};
  for (const [oldKey, run] of Object.entries(project.phases)) {
    const mapped = mapping.get(Number(oldKey));
    if (mapped === undefined) continue;
    runs[String(mapped)] = run.result ? { ...run, result: renumberPhase(run.result, mapped, mapping) } : run;
  }
  return { ...project, plan: { ...project.plan, value: { ...plan, phases } }, phases: runs };
}

/**
 * What a move gives up, or null: dependencies always point back to earlier phases, so moving a
 * phase past one it depends on (or below one that depends on it) drops that dependency.
 */
export function moveWarning(project: Project, number: number, delta: -1 | 1): string | null {
  const phases = project.plan.value?.phases ?? [];
  const index = phases.findIndex((phase) => phase.number === number);
  const other = phases[index + delta];
  if (index < 0 || !other) return null;
  if (delta === -1 && (phases[index].dependsOn ?? []).includes(other.number)) {
    return `“${phases[index].title}” no longer depends on “${other.title}”, which now comes after it`;
  }
  if (delta === 1 && (other.dependsOn ?? []).includes(number)) {
    return `“${other.title}” no longer depends on “${phases[index].title}”, which now comes after it`;
  }
  return null;
}

export function movePhase(project: Project, number: number, delta: -1 | 1): Project {
  const numbers = project.plan.value?.phases.map((phase) => phase.number) ?? [];
  const index = numbers.indexOf(number);
  const target = index + delta;
  if (index < 0 || target < 0 || target >= numbers.length) return project;
  const order: (number | Phase)[] = [...numbers];
  [order[index], order[target]] = [order[target], order[index]];
  return reorderPlan(project, order);
}

export function deletePhase(project: Project, number: number): Project {
  const numbers = project.plan.value?.phases.map((phase) => phase.number) ?? [];
  return reorderPlan(project, numbers.filter((n) => n !== number));
}

export function addPhase(project: Project, title: string, summary: string): Project {
  const numbers = project.plan.value?.phases.map((phase) => phase.number) ?? [];
  return reorderPlan(project, [...numbers, { number: 0, title, summary, dependsOn: [], steps: [] }]);
}

export function updatePhase(project: Project, number: number, patch: Partial<Pick<Phase, 'title' | 'summary'>>): Project {
  const plan = project.plan.value;
  if (!plan) return project;
  return {
    ...project,
    plan: {
      ...project.plan,
      value: { ...plan, phases: plan.phases.map((phase) => (phase.number === number ? { ...phase, ...patch } : phase)) },
    },
  };
}

/** The `modelConfig` body field for a stage, or undefined when nothing is set. */
export function modelConfigFor(settings: ModelSettings, stage: StageName): ModelConfig | undefined {
  const chosen = settings.stages[stage];
  if (!chosen) return undefined;
  const config: ModelConfig = {};
  if (chosen.provider) config.provider = chosen.provider;
  if (chosen.model) config.model = chosen.model;
  if (typeof chosen.temperature === 'number' && Number.isFinite(chosen.temperature)) config.temperature = chosen.temperature;
  if (typeof chosen.maxTokens === 'number' && Number.isFinite(chosen.maxTokens)) config.maxTokens = chosen.maxTokens;
  return Object.keys(config).length ? config : undefined;
}

/** Which stages are reachable in the stepper. */
export function stageAvailable(project: Project, stage: StageKey): boolean {
  switch (stage) {
    case 'new':
    case 'interview':
      return true;
    case 'design':
      return Boolean(project.input.idea.trim() || project.interview.brief || project.design.value || isActive(project.design.run));
    case 'plan':
      return Boolean(project.design.value || project.plan.value || isActive(project.plan.run));
    case 'execute':
      return Boolean(project.plan.value || project.plan.streamedPhases.length || Object.keys(project.phases).length);
    case 'handoff':
      return Boolean(project.plan.value && (project.handoff.value || isActive(project.handoff.run) || allPhasesDone(project)));
  }
}

export function allPhasesDone(project: Project): boolean {
  const plan = project.plan.value;
  if (!plan) return false;
  return plan.phases.every((phase) => project.phases[String(phase.number)]?.status === 'done');
}

export function stageStatus(project: Project, stage: StageKey): RunStatus {
  switch (stage) {
    case 'new':
      return project.input.idea.trim() ? 'done' : 'idle';
    case 'interview':
      return project.interview.brief ? 'done' : project.interview.run.status === 'done' ? 'idle' : project.interview.run.status;
    case 'design':
      return project.design.run.status === 'idle' && project.design.value ? 'done' : project.design.run.status;
    case 'plan':
      return project.plan.run.status === 'idle' && project.plan.value ? 'done' : project.plan.run.status;
    case 'execute': {
      const runs = Object.values(project.phases);
      if (runs.some((run) => run.status === 'running' || run.status === 'queued')) return 'running';
      if (runs.some((run) => run.status === 'error')) return 'error';
      if (runs.some((run) => run.status === 'paused')) return 'paused';
      return allPhasesDone(project) ? 'done' : 'idle';
    }
    case 'handoff':
      return project.handoff.run.status === 'idle' && project.handoff.value ? 'done' : project.handoff.run.status;
  }
}
