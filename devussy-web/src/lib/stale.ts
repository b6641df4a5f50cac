// What is out of date after an edit: each result remembers a fingerprint of the input it was made
// from (`basedOn` on its run); when the input changes, the result is stale until regenerated.
import { mergedPlan, type Project } from './project';
import type { Phase } from './types';

/** FNV-1a (32-bit) of the value's JSON: cheap, stable, and only compared for equality. */
export function fingerprint(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** The input of the plan stage: the design. */
export function planInput(project: Project): string {
  return fingerprint(project.design.value);
}

/** The input of one phase's detail: its title and summary (numbers and order are renumbered safely). */
export function phaseInput(phase: Pick<Phase, 'title' | 'summary'>): string {
  return fingerprint({ title: phase.title, summary: phase.summary });
}

/** The input of the handoff: the design and the plan with every finished detail. */
export function handoffInput(project: Project): string {
  return fingerprint({ design: project.design.value, plan: mergedPlan(project) });
}

export interface Staleness {
  plan: boolean;
  /** Finished phases whose title or summary changed since their detail was made. */
  phases: number[];
  handoff: boolean;
  any: boolean;
  count: number;
}

export function staleness(project: Project): Staleness {
  const basedOn = (run: { basedOn?: string | null }) => run.basedOn ?? null;
  const plan = Boolean(project.plan.value && project.plan.run.status !== 'running' && basedOn(project.plan.run) && basedOn(project.plan.run) !== planInput(project));
  const phases = (project.plan.value?.phases ?? [])
    .filter((phase) => {
      const run = project.phases[String(phase.number)];
      return run?.status === 'done' && basedOn(run) !== null && basedOn(run) !== phaseInput(phase);
    })
    .map((phase) => phase.number);
  const handoff = Boolean(
    project.handoff.value && project.handoff.run.status !== 'running' && basedOn(project.handoff.run) && basedOn(project.handoff.run) !== handoffInput(project),
  );
  const count = Number(plan) + phases.length + Number(handoff);
  return { plan, phases, handoff, any: count > 0, count };
}
