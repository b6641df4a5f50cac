import { describe, expect, it } from 'vitest';
import { overview } from '@/lib/progress';
import { createProject, emptyPhaseRun } from '@/lib/project';

describe('overview (overall progress and elapsed time)', () => {
  it('counts design, plan, each phase and the handoff, and the time spent streaming without gaps', () => {
    const project = createProject({ idea: 'x' });
    expect(overview(project)).toMatchObject({ done: 0, started: false, elapsedMs: 0 });
    project.design.value = { projectName: 'P', summary: 's', objectives: ['o'], techStack: ['t'], architecture: 'a', dataModel: 'd', risks: [{ risk: 'r', mitigation: 'm' }], testingStrategy: 't' };
    project.design.run = { ...project.design.run, status: 'done', startedAt: 1_000, finishedAt: 3_000 };
    project.plan.value = { projectName: 'P', summary: 's', phases: [1, 2].map((number) => ({ number, title: `T${number}`, summary: 's' })) };
    project.plan.run = { ...project.plan.run, status: 'done', startedAt: 10_000, finishedAt: 12_000 };
    // Two phases overlapping in time count once; the second still runs.
    project.phases['1'] = { ...emptyPhaseRun(), status: 'done', startedAt: 11_000, finishedAt: 15_000 };
    project.phases['2'] = { ...emptyPhaseRun(), status: 'running', startedAt: 14_000, finishedAt: null };
    const result = overview(project, 20_000);
    expect(result).toMatchObject({ done: 3, total: 5, active: true, started: true });
    // 1–3 s (2 s) + 10–20 s (10 s): the idle 3–10 s gap is not counted, overlaps count once.
    expect(result.elapsedMs).toBe(12_000);
  });
});
