import { describe, expect, it } from 'vitest';
import {
  addPhase, createProject, deletePhase, mergedPlan, modelConfigFor, movePhase, moveWarning, plural, partialPlan, splitList, updatePhase, type Project,
} from '@/lib/project';
import type { Phase, ProjectDesign } from '@/lib/types';

function withPlan(): Project {
  const project = createProject({ projectName: 'P', idea: 'x' });
  project.plan.value = {
    projectName: 'P',
    summary: 's',
    phases: [
      { number: 1, title: 'One', summary: 'a', dependsOn: [] },
      { number: 2, title: 'Two', summary: 'b', dependsOn: [1] },
      { number: 3, title: 'Three', summary: 'c', dependsOn: [1, 2] },
    ],
  };
  const detailed: Phase = {
    number: 2, title: 'Two', summary: 'b', dependsOn: [1],
    steps: [
      { id: '2.1', title: 's1', details: 'd', acceptanceCriteria: ['ok'], testCommand: 't' },
      { id: '2.2', title: 's2', details: 'd', acceptanceCriteria: ['ok'], testCommand: 't', dependsOn: ['2.1', '1.1'] },
    ],
  };
  project.phases['2'] = { status: 'done', text: 'two', tokens: 1, error: null, startedAt: 0, finishedAt: 1, result: detailed };
  return project;
}

describe('plan editing', () => {
  it('moving a phase renumbers phases, dependencies, step ids and runs together', () => {
    const moved = movePhase(withPlan(), 2, -1);
    const phases = moved.plan.value!.phases;
    expect(phases.map((p) => [p.number, p.title])).toEqual([[1, 'Two'], [2, 'One'], [3, 'Three']]);
    expect(phases[0].dependsOn).toEqual([]);
    expect(phases[2].dependsOn).toEqual([1, 2]);
    expect(moved.phases['1'].text).toBe('two');
    expect(moved.phases['1'].result!.steps!.map((s) => s.id)).toEqual(['1.1', '1.2']);
    // Step 2.2 depended on 1.1, a step of the phase that now comes after it: dropped.
    expect(moved.phases['1'].result!.steps![1].dependsOn).toEqual(['1.1']);
    expect(moved.phases['2']).toBeUndefined();
  });

  it('deleting a phase drops its run and dependencies on it', () => {
    const deleted = deletePhase(withPlan(), 1);
    expect(deleted.plan.value!.phases.map((p) => [p.number, p.title, p.dependsOn])).toEqual([[1, 'Two', []], [2, 'Three', [1]]]);
    expect(Object.keys(deleted.phases)).toEqual(['1']);
  });

  it('adding a phase appends it with the next number', () => {
    const added = addPhase(withPlan(), 'Four', 'd');
    expect(added.plan.value!.phases.at(-1)).toMatchObject({ number: 4, title: 'Four', dependsOn: [] });
  });

  it('a move past a dependency drops it and says so: dependencies always point back (issue 13)', () => {
    const project = withPlan();
    // Phase 3 depends on phases 1 and 2. Moving 2 below 3 (or 3 above 2) gives that up.
    expect(moveWarning(project, 2, 1)).toMatch(/“Three” no longer depends on “Two”/);
    expect(moveWarning(project, 3, -1)).toMatch(/“Three” no longer depends on “Two”/);
    expect(moveWarning(project, 1, 1)).toMatch(/“Two” no longer depends on “One”/);
    expect(moveWarning(movePhase(project, 2, -1), 1, 1)).toBeNull();
    const moved = movePhase(project, 3, -1);
    expect(moved.plan.value!.phases.map((p) => [p.number, p.title, p.dependsOn])).toEqual([[1, 'One', []], [2, 'Three', [1]], [3, 'Two', [1]]]);
    // Any sequence of moves keeps every dependency pointing back, for phases and steps.
    let shuffled = project;
    for (const [number, delta] of [[3, -1], [2, -1], [3, -1], [1, 1], [2, 1]] as const) shuffled = movePhase(shuffled, number, delta);
    for (const phase of shuffled.plan.value!.phases) for (const dep of phase.dependsOn ?? []) expect(dep).toBeLessThan(phase.number);
    for (const run of Object.values(shuffled.phases)) {
      for (const step of run.result?.steps ?? []) for (const dep of step.dependsOn ?? []) expect(Number(dep.split('.')[0])).toBeLessThanOrEqual(run.result!.number);
    }
  });

  it('moving past either end changes nothing', () => {
    const project = withPlan();
    expect(movePhase(project, 1, -1)).toBe(project);
    expect(movePhase(project, 3, 1)).toBe(project);
  });
});

describe('plans sent to the server', () => {
  it('merges finished phase details into the plan, keeping the edited title', () => {
    const merged = mergedPlan(updatePhase(withPlan(), 2, { title: 'Two, renamed' }))!;
    expect(merged.phases[1].title).toBe('Two, renamed');
    expect(merged.phases[1].steps).toHaveLength(2);
    expect(merged.phases[0].steps).toBeUndefined();
  });

  it('a partial plan drops dependencies on phases not yet streamed', () => {
    const design = { projectName: 'P', summary: 's', techStack: ['x'] } as ProjectDesign;
    const plan = partialPlan(design, [{ number: 2, title: 't', summary: 's', dependsOn: [1, 3] }]);
    expect(plan.phases[0].dependsOn).toEqual([]);
    expect(plan.projectName).toBe('P');
  });
});

describe('settings and input', () => {
  it('builds modelConfig only from what is set', () => {
    const project = createProject();
    expect(modelConfigFor(project.settings, 'design')).toBeUndefined();
    project.settings.stages.design = { model: 'gpt-x', temperature: 0.2, maxTokens: 900 };
    expect(modelConfigFor(project.settings, 'design')).toEqual({ model: 'gpt-x', temperature: 0.2, maxTokens: 900 });
  });

  it('says "1 step", not "1 steps" (issue 13)', () => {
    expect(plural(1, 'step')).toBe('1 step');
    expect(plural(0, 'step')).toBe('0 steps');
    expect(plural(3, 'step')).toBe('3 steps');
  });

  it('defaults to 3 phase details at once, like the server and the CLI (issue 13)', () => {
    expect(createProject().settings.concurrency).toBe(3);
  });

  it('splits comma or newline separated lists', () => {
    expect(splitList(' Python, TypeScript\nGo ,, ')).toEqual(['Python', 'TypeScript', 'Go']);
  });
});
