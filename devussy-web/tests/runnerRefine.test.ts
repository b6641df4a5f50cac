// The runner's requests for the requirements contract: the reviewed list goes with the plan and each
// detail; a refinement sends its instruction and the previous result, and keeps what changed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDesign, runPhase, runPlan } from '@/lib/runner';
import { appStore } from '@/lib/store';
import type { DevPlan, Phase, ProjectDesign } from '@/lib/types';

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

function fakeServer() {
  const bodies: Record<string, Record<string, unknown>[]> = {};
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const path = new URL(url, 'http://x').pathname;
    const body = JSON.parse(String(init.body)) as Record<string, unknown>;
    (bodies[path] ??= []).push(body);
    if (path === '/api/design') {
      const refined = body.instruction ? { ...design, requirements: [...requirements, { id: 'R4', text: String(body.instruction), kind: 'feature', source: 'interview' }] } : design;
      return sse([{ type: 'done', design: refined, usage: {} }]);
    }
    if (path === '/api/plan/basic') {
      const next = body.instruction ? { ...plan, phases: [...phases, { number: 3, title: 'Results', summary: 'r' }] } : plan;
      return sse([{ type: 'done', plan: next, usage: {} }]);
    }
    if (path === '/api/plan/detail') {
      const number = body.phaseNumber as number;
      const steps = body.instruction
        ? [{ id: `${number}.1`, title: 'Vote endpoint', details: 'no user id stored', covers: ['R1'] }]
        : [{ id: `${number}.1`, title: 'Vote endpoint', details: 'stores the user id', covers: ['R1'] }];
      return sse([{ type: 'done', phase: { ...phases[number - 1], steps }, usage: {} }]);
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
    await runPlan(project.id, { instruction: 'Add a results phase', keepFinished: true });
    expect(bodies['/api/plan/basic'][1].previousPlan).toEqual(plan);
    const afterPlan = appStore.get(project.id)!;
    expect(afterPlan.plan.run.refined!.changes).toEqual([{ kind: 'added', what: 'Phase 3', after: 'Results: r' }]);
    expect(afterPlan.phases['1'].status).toBe('done'); // an unchanged phase keeps its detail

    await runPhase(project.id, 1, { force: true, instruction: 'Do not store who voted' });
    const detail = bodies['/api/plan/detail'].at(-1)!;
    expect(detail.instruction).toBe('Do not store who voted');
    expect((detail.plan as DevPlan).phases[0].steps).toEqual([{ id: '1.1', title: 'Vote endpoint', details: 'stores the user id', covers: ['R1'] }]);
    expect(appStore.get(project.id)!.phases['1'].refined!.changes).toEqual([
      { kind: 'changed', what: 'Step 1.1 details', before: 'stores the user id', after: 'no user id stored' },
    ]);

    // A plain re-run afterwards clears what the refinement changed.
    await runPhase(project.id, 1, { force: true });
    expect(appStore.get(project.id)!.phases['1'].refined).toBeNull();
  });
});
