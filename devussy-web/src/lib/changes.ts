// What a refinement changed (issue 13, "refine by asking"): the design, the plan or a phase before and
// after, as a list of added, removed and changed items, shown under the result.
import type { DevPlan, Phase, ProjectDesign, Requirement, Step } from './types';

export interface Change {
  kind: 'added' | 'removed' | 'changed';
  /** What it is: "Objective", "Phase 3", "Step 2.1", "Requirement R6", "Architecture". */
  what: string;
  /** The text removed or replaced. */
  before?: string;
  /** The text added or the replacement. */
  after?: string;
}

/** A refinement as kept on the run it made: the instruction and what changed. */
export interface Refinement {
  instruction: string;
  changes: Change[];
}

const norm = (text: string) => text.trim().replace(/\s+/g, ' ');
const key = (text: string) => norm(text).toLowerCase();

function textChange(what: string, before: string | null | undefined, after: string | null | undefined): Change[] {
  const a = norm(before ?? '');
  const b = norm(after ?? '');
  if (a === b) return [];
  if (!a) return [{ kind: 'added', what, after: b }];
  if (!b) return [{ kind: 'removed', what, before: a }];
  return [{ kind: 'changed', what, before: a, after: b }];
}

/** Items of a list added and removed (compared by their text, whatever the order). */
function listChanges(what: string, before: string[] = [], after: string[] = []): Change[] {
  const old = new Set(before.map(key));
  const now = new Set(after.map(key));
  return [
    ...before.filter((item) => !now.has(key(item))).map((item): Change => ({ kind: 'removed', what, before: norm(item) })),
    ...after.filter((item) => !old.has(key(item))).map((item): Change => ({ kind: 'added', what, after: norm(item) })),
  ];
}

function describeRequirement(requirement: Requirement): string {
  return `${norm(requirement.text)} (${(requirement.kind ?? 'feature').replace('_', '-')})`;
}

/** Requirements by id: added, removed, or with another text or kind. */
export function requirementChanges(before: Requirement[] = [], after: Requirement[] = []): Change[] {
  const old = new Map(before.map((requirement) => [requirement.id, requirement]));
  const now = new Map(after.map((requirement) => [requirement.id, requirement]));
  const changes: Change[] = [];
  for (const requirement of before) {
    if (!now.has(requirement.id)) changes.push({ kind: 'removed', what: `Requirement ${requirement.id}`, before: describeRequirement(requirement) });
  }
  for (const requirement of after) {
    const previous = old.get(requirement.id);
    if (!previous) changes.push({ kind: 'added', what: `Requirement ${requirement.id}`, after: describeRequirement(requirement) });
    else if (describeRequirement(previous) !== describeRequirement(requirement)) {
      changes.push({ kind: 'changed', what: `Requirement ${requirement.id}`, before: describeRequirement(previous), after: describeRequirement(requirement) });
    }
  }
  return changes;
}

export function designChanges(before: ProjectDesign, after: ProjectDesign): Change[] {
  type Risk = NonNullable<ProjectDesign['risks']>[number];
  const risk = (item: Risk) => (item.mitigation ? `${norm(item.risk)} — ${norm(item.mitigation)}` : norm(item.risk));
  return [
    ...textChange('Summary', before.summary, after.summary),
    ...listChanges('Objective', before.objectives, after.objectives),
    ...listChanges('Technology', before.techStack, after.techStack),
    ...textChange('Architecture', before.architecture, after.architecture),
    ...textChange('Data model', before.dataModel, after.dataModel),
    ...listChanges('Risk', (before.risks ?? []).map(risk), (after.risks ?? []).map(risk)),
    ...textChange('Testing strategy', before.testingStrategy, after.testingStrategy),
    ...requirementChanges(before.requirements, after.requirements),
  ];
}

/**
 * Phases matched by title (as `devussy replan` matches them): a phase with a new title is added, one
 * whose title is gone is removed, a kept one that moved or got another summary or dependencies is changed.
 */
export function planChanges(before: DevPlan, after: DevPlan): Change[] {
  const old = new Map(before.phases.map((phase) => [key(phase.title), phase]));
  const now = new Map(after.phases.map((phase) => [key(phase.title), phase]));
  const changes: Change[] = [];
  for (const phase of before.phases) {
    if (!now.has(key(phase.title))) changes.push({ kind: 'removed', what: `Phase ${phase.number}`, before: norm(phase.title) });
  }
  for (const phase of after.phases) {
    const previous = old.get(key(phase.title));
    if (!previous) {
      changes.push({ kind: 'added', what: `Phase ${phase.number}`, after: `${norm(phase.title)}: ${norm(phase.summary)}` });
      continue;
    }
    const what = previous.number === phase.number ? `Phase ${phase.number}` : `Phase ${previous.number} → ${phase.number}`;
    const moved = previous.number !== phase.number;
    const summary = textChange(`${what} summary`, previous.summary, phase.summary);
    const deps = (p: Phase) => (p.dependsOn ?? []).join(', ') || 'none';
    const dependencies = textChange(`${what} depends on`, deps(previous), deps(phase));
    if (moved && !summary.length && !dependencies.length) changes.push({ kind: 'changed', what, before: `${norm(phase.title)} was phase ${previous.number}`, after: `now phase ${phase.number}` });
    changes.push(...summary, ...dependencies);
  }
  return [...changes, ...requirementChanges(before.requirements, after.requirements)];
}

/** Steps matched by title: added, removed, or with other details, criteria, test command or covers. */
export function phaseChanges(before: Phase, after: Phase): Change[] {
  const old = new Map((before.steps ?? []).map((step) => [key(step.title), step]));
  const now = new Map((after.steps ?? []).map((step) => [key(step.title), step]));
  const changes: Change[] = [];
  for (const step of before.steps ?? []) {
    if (!now.has(key(step.title))) changes.push({ kind: 'removed', what: `Step ${step.id}`, before: norm(step.title) });
  }
  for (const step of after.steps ?? []) {
    const previous = old.get(key(step.title));
    if (!previous) {
      changes.push({ kind: 'added', what: `Step ${step.id}`, after: norm(step.title) });
      continue;
    }
    const what = `Step ${step.id}${previous.id !== step.id ? ` (was ${previous.id})` : ''}`;
    const fields: [string, (s: Step) => string][] = [
      ['details', (s) => s.details],
      ['acceptance criteria', (s) => (s.acceptanceCriteria ?? []).join('; ')],
      ['test command', (s) => s.testCommand ?? ''],
      ['covers', (s) => (s.covers ?? []).join(', ')],
    ];
    for (const [field, read] of fields) changes.push(...textChange(`${what} ${field}`, read(previous), read(step)));
  }
  return changes;
}
