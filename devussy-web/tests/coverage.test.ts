import { describe, expect, it } from 'vitest';
import type { CoverageReport, CoverageRequest as CoverageBody } from '@/lib/types';
import { CoverageChecker, coverageRequest } from '@/lib/coverage';
import { createProject } from '@/lib/project';
import { StreamError } from '@/lib/sse';
import type { DevPlan, ProjectDesign } from '@/lib/types';

const report = (status: 'covered' | 'uncovered'): CoverageReport => ({
  requirements: [{ id: 'R1', kind: 'feature', status, steps: status === 'covered' ? ['1.1'] : [], phases: [1] }],
  violations: [],
  gaps: [],
  pendingPhases: [],
});

const body = (summary: string): CoverageBody => ({ plan: { projectName: 'P', summary, phases: [] } });
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CoverageChecker', () => {
  it('asks the server once per change (debounced), and only the latest answer counts', async () => {
    const asked: string[] = [];
    const answers = new Map<string, () => void>();
    const checker = new CoverageChecker(
      (request, signal) =>
        new Promise((resolve, reject) => {
          asked.push(request.plan.summary);
          signal.addEventListener('abort', () => reject(new StreamError('Cancelled', 'cancelled')));
          answers.set(request.plan.summary, () => resolve(report(request.plan.summary === 'b' ? 'covered' : 'uncovered')));
        }),
      5,
    );
    checker.request('p', 'k1', body('a'));
    checker.request('p', 'k1', body('a'));
    expect(checker.get('p')).toMatchObject({ key: 'k1', loading: true, report: null });
    await wait(20);
    expect(asked).toEqual(['a']);
    checker.request('p', 'k2', body('b'));
    await wait(20);
    expect(asked).toEqual(['a', 'b']);
    answers.get('a')!(); // aborted already: ignored
    answers.get('b')!();
    await wait(0);
    expect(checker.get('p')).toMatchObject({ key: 'k2', loading: false, error: null });
    expect(checker.get('p').report!.requirements[0].status).toBe('covered');
  });

  it('keeps the last good report when a check fails, with the error, and retries on demand', async () => {
    let fail = false;
    const checker = new CoverageChecker(async () => {
      if (fail) throw new StreamError('the plan cites requirement ids the list does not have: R3', 'invalid_request', 422);
      return report('uncovered');
    }, 1);
    checker.request('p', 'k1', body('a'));
    await wait(10);
    fail = true;
    checker.request('p', 'k2', body('b'));
    await wait(10);
    expect(checker.get('p')).toMatchObject({ key: 'k2', loading: false, error: { code: 'invalid_request' } });
    expect(checker.get('p').report).not.toBeNull();
    fail = false;
    checker.retry('p', body('b'), 'k2');
    await wait(10);
    expect(checker.get('p')).toMatchObject({ key: 'k2', error: null });
  });
});

describe('coverageRequest', () => {
  it('sends the plan with every finished detail and the reviewed list; nothing before there is a plan', () => {
    const project = createProject({ idea: 'x' });
    expect(coverageRequest(project)).toBeNull();
    const design = { projectName: 'P', summary: 's', requirements: [{ id: 'R1', text: ' Book ', kind: 'feature', source: 'brief' }] } as ProjectDesign;
    const plan: DevPlan = { projectName: 'P', summary: 's', phases: [{ number: 1, title: 'A', summary: 'a', steps: [] }] };
    const withPlan = {
      ...project,
      design: { ...project.design, value: design },
      plan: { ...project.plan, value: plan },
      phases: { '1': { status: 'done' as const, text: '', tokens: 0, error: null, startedAt: 1, finishedAt: 2, result: { number: 1, title: 'A', summary: 'a', steps: [{ id: '1.1', title: 'S', details: 'd' }] } } },
    };
    const request = coverageRequest(withPlan)!;
    expect(request.body.plan.phases[0].steps).toHaveLength(1);
    expect(request.body.requirements).toEqual([{ id: 'R1', text: 'Book', kind: 'feature', source: 'brief' }]);
    const edited = { ...withPlan, design: { ...withPlan.design, value: { ...design, requirements: [] } } };
    expect(coverageRequest(edited)!.key).not.toBe(request.key);
  });
});
