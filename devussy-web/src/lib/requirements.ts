// The reviewed requirement list (issue 9): the user edits, adds and removes requirements between the
// design and the plan, like a spec review. The list lives in the design (`design.requirements`),
// so the plan made from it is marked stale when it changes, and it is sent with the plan and detail
// requests. Ids never change and are never reused. Coverage is the server's (POST /api/coverage).
import type { DevPlan, Requirement } from './types';

export type RequirementKind = NonNullable<Requirement['kind']>;
export const REQUIREMENT_KINDS: { value: RequirementKind; label: string; hint: string }[] = [
  { value: 'feature', label: 'Feature', hint: 'something the product does: a step must cover it' },
  { value: 'integration', label: 'Integration', hint: 'a named technology, service or SDK: a step must cover it' },
  { value: 'constraint', label: 'Constraint', hint: 'a limit the plan must respect' },
  { value: 'non_goal', label: 'Non-goal', hint: 'something ruled out: no step may build it' },
  { value: 'quality', label: 'Quality', hint: 'a quality target, reported' },
];

/** The server's limit on a requirement's text (ShortText). */
export const REQUIREMENT_MAX_CHARS = 500;

const ID = /^R(\d+)$/;

function idNumber(id: string): number {
  const match = ID.exec(id);
  return match ? Number(match[1]) : 0;
}

/** Every requirement id the plan cites, in phases and steps. */
export function citedIds(plan: DevPlan | null): Set<string> {
  const ids = new Set<string>();
  for (const phase of plan?.phases ?? []) {
    for (const id of phase.requirements ?? []) ids.add(id);
    for (const step of phase.steps ?? []) for (const id of step.covers ?? []) ids.add(id);
  }
  return ids;
}

/**
 * The next free id: one more than any id in the list, in the plan's citations or in `alsoTaken` (the
 * brief's ids, the last id the user added), so a removed requirement's id is never given to another
 * one (which the plan, or the user, could then read as the old one).
 */
export function nextRequirementId(list: Requirement[], plan: DevPlan | null = null, alsoTaken: Iterable<string> = []): string {
  const taken = [...list.map((requirement) => requirement.id), ...citedIds(plan), ...alsoTaken];
  return `R${Math.max(0, ...taken.map(idNumber)) + 1}`;
}

export function addRequirement(list: Requirement[], text: string, kind: RequirementKind, id: string): Requirement[] {
  // Added by the user while reviewing: the closest source the model knows is the interview.
  return [...list, { id, text: text.trim(), kind, source: 'interview' }];
}

export function updateRequirement(list: Requirement[], id: string, patch: Partial<Pick<Requirement, 'text' | 'kind'>>): Requirement[] {
  return list.map((requirement) => (requirement.id === id ? { ...requirement, ...patch } : requirement));
}

export function removeRequirement(list: Requirement[], id: string): Requirement[] {
  return list.filter((requirement) => requirement.id !== id);
}

export interface Citations {
  phases: number[];
  steps: string[];
}

/** Where the plan cites a requirement. */
export function citationsOf(plan: DevPlan | null, id: string): Citations {
  const phases: number[] = [];
  const steps: string[] = [];
  for (const phase of plan?.phases ?? []) {
    if (phase.requirements?.includes(id)) phases.push(phase.number);
    for (const step of phase.steps ?? []) if (step.covers?.includes(id)) steps.push(step.id);
  }
  return { phases, steps };
}

/** "phase 2 and steps 2.1, 2.3", or null when the plan does not cite it. */
export function describeCitations(citations: Citations): string | null {
  const parts: string[] = [];
  if (citations.phases.length) parts.push(`${citations.phases.length === 1 ? 'phase' : 'phases'} ${citations.phases.join(', ')}`);
  if (citations.steps.length) parts.push(`${citations.steps.length === 1 ? 'step' : 'steps'} ${citations.steps.join(', ')}`);
  return parts.length ? parts.join(' and ') : null;
}

/** What the server would refuse in the list (empty or too long texts), by id: shown before sending. */
export function requirementProblems(list: Requirement[]): Map<string, string> {
  const problems = new Map<string, string>();
  for (const requirement of list) {
    const text = requirement.text.trim();
    if (!text) problems.set(requirement.id, `${requirement.id} is empty: write it or remove it`);
    else if (text.length > REQUIREMENT_MAX_CHARS) problems.set(requirement.id, `${requirement.id} is longer than ${REQUIREMENT_MAX_CHARS} characters`);
  }
  return problems;
}

/** The list as it is sent: texts trimmed (the server strips them too). */
export function requirementsForRequest(list: Requirement[] | undefined): Requirement[] | undefined {
  return list?.map((requirement) => ({ ...requirement, text: requirement.text.trim() }));
}

/**
 * What a run added to the reviewed list: the requirements of `returned` (a plan's or a detail's list,
 * after the server turned an instruction into requirements) whose ids the list does not have.
 */
export function addedByServer(list: Requirement[] | undefined, returned: Requirement[] | undefined): Requirement[] {
  const known = new Set((list ?? []).map((requirement) => requirement.id));
  return (returned ?? []).filter((requirement) => !known.has(requirement.id));
}
