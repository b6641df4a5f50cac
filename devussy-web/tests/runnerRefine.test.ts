// The runner's requests for the requirements contract: the reviewed list goes with the plan and each
// detail; a refinement sends its instruction and the previous result, and keeps what changed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDesign, runPhase, runPlan } from '@/lib/runner';
import { appStore } from '@/lib/store';
import { coverageRequest } from '@/lib/coverage';
import { mergedPlan } from '@/lib/project';
import { staleness } from '@/lib/stale';
import type { DevPlan, Phase, ProjectDesign, Requirement } from '@/lib/types';

function sse(events: Record<string, unknown>[]): Response {
  const text = events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
  return new Response(text, { headers: { 'Content-Type': 'text/event-stream' } });
}

const requirements = [
  { id: 'R1', text: 'Vote on a poll', kind: 'feature' as const, source: 'brief' as const },
  { id: 'R3', text: 'Votes are anonymous', kind: 'constraint' as const, source: 'interview' as const },
];
const design: ProjectDesign = {
  projectName: 'Polls', summary: 'S', objectives: ['Vote'], techStack: ['Python'], architecture: 'a', dataModel: 'd',
  risks: [{ risk: 'r', mitigation: 'm' }], testingStrategy: 't', requirements,
};
const phases: Phase[] = [
  { number: 1, title: 'Base', summary: 's', requirements: ['R1'] },
  { number: 2, title: 'Votes', summary: 'v', requirements: ['R1'] },
];
const plan: DevPlan = { projectName: 'Polls', summary: 's', phases, requirements };

function withInstruction(list: Requirement[], instruction: string): Requirement[] {
  const next = Math.max(0, ...list.map((requirement) => Number(requirement.id.slice(1)))) + 1;
  return [...list, { id: `R${next}`, text: instruction, kind: 'feature', source: 'interview' }];
}

function fakeServer() {
  const bodies: Record<string, Record<string, unknown>[]> = {};
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const path = new URL(url, 'http://x').pathname;
    const body = JSON.parse(String(init.body)) as Record<string, unknown>;
    (bodies[path] ??= []).push(body);
    // As the offline engine does: an instruction becomes one more requirement of the list the request
    // carries (the brief's for a design: without one, the idea's fresh extraction, here just it).
    if (path === '/api/design') {
      const brief = body.brief as { requirements?: Requirement[] } | undefined;
      const refined = body.instruction ? { ...design, requirements: withInstruction(brief?.requirements ?? [], String(body.instruction)) } : design;
      return sse([{ type: 'done', design: refined, requirements: refined.requirements, usage: {} }]);
    }
    if (path === '/api/plan/basic') {
      const list = (body.requirements as Requirement[] | undefined) ?? requirements;
      if (!body.instruction) return sse([{ type: 'done', plan: { ...plan, requirements: list }, usage: {} }]);
      const longer = withInstruction(list, String(body.instruction));
      const next = { ...plan, requirements: longer, phases: [...phases, { number: 3, title: 'Results', summary: 'r', requirements: [longer.at(-1)!.id] }] };
      return sse([{ type: 'done', plan: next, usage: {} }]);
    }
    if (path === '/api/plan/detail') {
      const number = body.phaseNumber as number;
      const list = (body.requirements as Requirement[] | undefined) ?? requirements;
      const longer = body.instruction ? withInstruction(list, String(body.instruction)) : list;
      const steps = body.instruction
        ? [{ id: `${number}.1`, title: 'Vote endpoint', details: 'no user id stored', covers: ['R1', longer.at(-1)!.id] }]
        : [{ id: `${number}.1`, title: 'Vote endpoint', details: 'stores the user id', covers: ['R1'] }];
      const phase = (body.plan as DevPlan).phases.find((entry) => entry.number === number)!;
      return sse([{ type: 'done', phase: { number, title: phase.title, summary: phase.summary, requirements: phase.requirements, steps }, requirements: longer, usage: {} }]);
    }
    throw new Error(`unexpected ${path}`);
  });
  return bodies;
}

afterEach(() => vi.unstubAllGlobals());

describe('requests of the requirements contract', () => {
  it('sends the reviewed list with the plan and each detail', async () => {
    const bodies = fakeServer();
    const project = appStore.create({ projectName: 'Polls', idea: 'Polls' });
    appStore.update(project.id, (p) => ({ ...p, design: { ...p.design, value: { ...design, requirements: [{ ...requirements[0], text: '  Vote on a poll  ' }] } } }));
    await runPlan(project.id);
    expect(bodies['/api/plan/basic'][0].requirements).toEqual([{ ...requirements[0], text: 'Vote on a poll' }]);
    await runPhase(project.id, 1);
    expect(bodies['/api/plan/detail'][0].requirements).toEqual([{ ...requirements[0], text: 'Vote on a poll' }]);
    expect(bodies['/api/plan/detail'][0].instruction).toBeUndefined();
  });

  it('refines the design, the plan and a phase with the instruction and the previous result, and keeps what changed', async () => {
    const bodies = fakeServer();
    const project = appStore.create({ projectName: 'Polls', idea: 'Polls' });
    await runDesign(project.id);
    await runDesign(project.id, undefined, { instruction: 'Make voting anonymous' });
    const refineBody = bodies['/api/design'][1];
    expect(refineBody.instruction).toBe('Make voting anonymous');
    expect(refineBody.previousDesign).toEqual(design);
    expect(bodies['/api/design'][0].instruction).toBeUndefined();
    expect(appStore.get(project.id)!.design.run.refined).toEqual({
      instruction: 'Make voting anonymous',
      changes: [{ kind: 'added', what: 'Requirement R4', after: 'Make voting anonymous (feature)' }],
    });

    await runPlan(project.id);
    await runPhase(project.id, 1);
    const planBefore = appStore.get(project.id)!.plan.value!;
    await runPlan(project.id, { instruction: 'Add a results phase', keepFinished: true });
    expect(bodies['/api/plan/basic'][1].previousPlan).toEqual(planBefore);
    const afterPlan = appStore.get(project.id)!;
    expect(afterPlan.plan.run.refined!.changes).toEqual([
      { kind: 'added', what: 'Phase 3', after: 'Results: r' },
      { kind: 'added', what: 'Requirement R5', after: 'Add a results phase (feature)' },
    ]);
    expect(afterPlan.phases['1'].status).toBe('done'); // an unchanged phase keeps its detail

    await runPhase(project.id, 1, { force: true, instruction: 'Do not store who voted' });
    const detail = bodies['/api/plan/detail'].at(-1)!;
    expect(detail.instruction).toBe('Do not store who voted');
    expect((detail.plan as DevPlan).phases[0].steps).toEqual([{ id: '1.1', title: 'Vote endpoint', details: 'stores the user id', covers: ['R1'] }]);
    expect(appStore.get(project.id)!.phases['1'].refined!.changes).toEqual([
      { kind: 'changed', what: 'Step 1.1 details', before: 'stores the user id', after: 'no user id stored' },
      { kind: 'changed', what: 'Step 1.1 covers', before: 'R1', after: 'R1, R6' },
      { kind: 'added', what: 'Requirement R6', after: 'Do not store who voted (feature)' },
    ]);

    // A plain re-run afterwards clears what the refinement changed.
    await runPhase(project.id, 1, { force: true });
    expect(appStore.get(project.id)!.phases['1'].refined).toBeNull();
  });

  it('a design refinement starts from the reviewed list: edits survive and the instruction adds to it', async () => {
    const bodies = fakeServer();
    const project = appStore.create({ projectName: 'Polls', idea: 'Polls' });
    await runDesign(project.id);
    const edited = [{ ...requirements[0], text: 'Vote on a poll once' }, requirements[1], { id: 'R4', text: 'Polls close at a set time', kind: 'feature' as const, source: 'interview' as const }];
    appStore.update(project.id, (p) => ({ ...p, design: { ...p.design, value: { ...p.design.value!, requirements: edited } } }));
    await runDesign(project.id, undefined, { instruction: 'Make voting anonymous' });
    const body = bodies['/api/design'][1] as { brief: { name: string; requirements: Requirement[] } };
    expect(body.brief.name).toBe('Polls');
    expect(body.brief.requirements).toEqual(edited);
    expect(appStore.get(project.id)!.design.value!.requirements).toEqual([...edited, { id: 'R5', text: 'Make voting anonymous', kind: 'feature', source: 'interview' }]);
  });

  it('what a plan or phase refinement adds joins the reviewed list: later requests send it, the plan is not stale', async () => {
    const bodies = fakeServer();
    const project = appStore.create({ projectName: 'Polls', idea: 'Polls' });
    await runDesign(project.id);
    await runPlan(project.id);
    await runPlan(project.id, { instruction: 'Add a results phase' });
    const ids = (list: Requirement[] | null | undefined) => (list ?? []).map((requirement) => requirement.id);
    let now = appStore.get(project.id)!;
    expect(ids(now.design.value!.requirements)).toEqual(['R1', 'R3', 'R4']);
    expect(staleness(now).plan).toBe(false);
    // Phase 3 cites R4: its detail request sends a list that has it, and the design with it.
    await runPhase(project.id, 3);
    const detail = bodies['/api/plan/detail'].at(-1)!;
    expect(ids(detail.requirements as Requirement[])).toEqual(['R1', 'R3', 'R4']);
    expect((detail.design as ProjectDesign).requirements).toEqual(now.design.value!.requirements);
    expect(ids(coverageRequest(now)!.body.requirements)).toEqual(['R1', 'R3', 'R4']);

    await runPhase(project.id, 3, { force: true, instruction: 'Show results as a chart' });
    now = appStore.get(project.id)!;
    expect(ids(now.design.value!.requirements)).toEqual(['R1', 'R3', 'R4', 'R5']);
    expect(staleness(now).plan).toBe(false);
    expect(ids(mergedPlan(now)!.requirements)).toEqual(['R1', 'R3', 'R4', 'R5']);
    expect(ids(coverageRequest(now)!.body.requirements)).toEqual(['R1', 'R3', 'R4', 'R5']);
  });
});

describe('the second pass and the requirements check of a run', () => {
  it('keeps the repair problems and what the check left open, and clears them on the next run', async () => {
    let events: Record<string, unknown>[] = [];
    vi.stubGlobal('fetch', async () => sse(events));
    const project = appStore.create({ projectName: 'Polls', idea: 'Polls' });
    appStore.update(project.id, (p) => ({ ...p, design: { ...p.design, value: design }, plan: { ...p.plan, value: plan } }));
    const detailed = { ...phases[0], steps: [{ id: '1.1', title: 'Vote endpoint', details: 'd', covers: ['R1'] }] };
    events = [
      { type: 'token', content: 'first answer' },
      { type: 'progress', event: 'repair', errors: ['R1 is covered by no step of phase 1'] },
      { type: 'token', content: 'second pass' },
      { type: 'progress', event: 'coverage', coverage: { requirements: [], violations: [], gaps: [], pendingPhases: [] }, repaired: true, unresolved: ['R3 violated by step 1.1'] },
      { type: 'done', phase: detailed, usage: {} },
    ];
    await runPhase(project.id, 1);
    const run = appStore.get(project.id)!.phases['1'];
    expect(run.check).toEqual({ repair: ['R1 is covered by no step of phase 1'], repaired: true, unresolved: ['R3 violated by step 1.1'] });
    expect(run.text).toBe('first answersecond pass');

    events = [{ type: 'progress', event: 'coverage', coverage: {}, repaired: false, unresolved: [] }, { type: 'done', phase: detailed, usage: {} }];
    await runPhase(project.id, 1, { force: true });
    expect(appStore.get(project.id)!.phases['1'].check).toEqual({ repair: null, repaired: false, unresolved: [] });
    // The plan's stream reports its check too (next to the phases it announces).
    events = [{ type: 'progress', event: 'coverage', coverage: {}, repaired: false, unresolved: ['R3 is covered by no phase'] }, { type: 'done', plan, usage: {} }];
    await runPlan(project.id);
    expect(appStore.get(project.id)!.plan.run.check!.unresolved).toEqual(['R3 is covered by no phase']);
  });
});
