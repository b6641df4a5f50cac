import { describe, expect, it } from 'vitest';
import { createProject, type Project } from '@/lib/project';
import { ImportError, MemoryStorage, ProjectStorage, exportProject, importProject } from '@/lib/storage';
import type { DevPlan, ProjectDesign } from '@/lib/types';

const design: ProjectDesign = {
  projectName: 'Recipe box',
  summary: 'Store recipes',
  objectives: ['Save recipes'],
  techStack: ['Python'],
  architecture: 'Monolith',
  dataModel: 'Recipe(id, title)',
  risks: [{ risk: 'Scope creep', mitigation: 'Small phases' }],
  testingStrategy: 'pytest',
};

const plan: DevPlan = {
  projectName: 'Recipe box',
  summary: 'Plan',
  phases: [
    { number: 1, title: 'Setup', summary: 'Repo', dependsOn: [] },
    { number: 2, title: 'API', summary: 'Endpoints', dependsOn: [1] },
  ],
};

function fullProject(): Project {
  const project = createProject({ projectName: 'Recipe box', idea: 'A recipe manager' });
  project.design.value = design;
  project.design.run = { ...project.design.run, status: 'done', text: 'design text', tokens: 12 };
  project.plan.value = plan;
  project.phases['1'] = {
    status: 'done', text: 'detail', tokens: 5, error: null, startedAt: 1, finishedAt: 2,
    result: { ...plan.phases[0], steps: [{ id: '1.1', title: 'Init', details: 'git init', acceptanceCriteria: ['repo exists'], testCommand: 'git status' }] },
  };
  project.phases['2'] = { status: 'running', text: 'half of it', tokens: 3, error: null, startedAt: 1, finishedAt: null, result: null };
  return project;
}

describe('refinements', () => {
  it('what a refinement changed survives export and import; a malformed one is refused', () => {
    const project = fullProject();
    project.design.run = { ...project.design.run, refined: { instruction: 'make voting anonymous', changes: [{ kind: 'added', what: 'Requirement R2', after: 'Votes are anonymous (constraint)' }] } };
    const imported = importProject(exportProject(project));
    expect(imported.design.run.refined).toEqual(project.design.run.refined);
    const broken = JSON.parse(exportProject(project));
    broken.design.run.refined.changes[0].kind = 'moved';
    expect(() => importProject(JSON.stringify(broken))).toThrow(/design\.run\.refined\.changes\.0\.kind/);
  });

  it('a run\'s second pass and requirements check survive export and import', () => {
    const project = fullProject();
    project.plan.run = { ...project.plan.run, check: { repair: ['phase 2 cites no requirement'], repaired: true, unresolved: ['R4 is covered by no phase'] } };
    expect(importProject(exportProject(project)).plan.run.check).toEqual(project.plan.run.check);
  });
});

describe('ProjectStorage', () => {
  it('round-trips projects and lists them newest first', () => {
    const storage = new ProjectStorage(new MemoryStorage());
    const older = { ...createProject({ projectName: 'Old' }), updatedAt: 1 };
    const newer = { ...fullProject(), updatedAt: 2 };
    storage.save(older);
    storage.save(newer);
    expect(storage.list().map((item) => item.name)).toEqual(['Recipe box', 'Old']);
    const loaded = storage.load(newer.id)!;
    expect(loaded.design.value).toEqual(design);
    expect(loaded.phases['1'].result?.steps?.[0].id).toBe('1.1');
  });

  it('pauses a run interrupted by a reload, keeping its partial text', () => {
    const storage = new ProjectStorage(new MemoryStorage());
    const project = fullProject();
    storage.save(project);
    const loaded = storage.load(project.id)!;
    expect(loaded.phases['2']).toMatchObject({ status: 'paused', text: 'half of it', error: null });
    expect(loaded.phases['1'].status).toBe('done');
  });

  it('removes projects and survives a damaged entry', () => {
    const backing = new MemoryStorage();
    const storage = new ProjectStorage(backing);
    const project = createProject({ projectName: 'P' });
    storage.save(project);
    backing.setItem(`devussy.project.v1.${project.id}`, '{broken');
    expect(storage.load(project.id)).toBeNull();
    storage.remove(project.id);
    expect(storage.list()).toEqual([]);
    backing.setItem('devussy.projects.v1', 'not json');
    expect(storage.list()).toEqual([]);
  });
});

describe('import / export', () => {
  it('round-trips through JSON', () => {
    const project = fullProject();
    const imported = importProject(exportProject(project));
    expect(imported.id).toBe(project.id);
    expect(imported.plan.value).toEqual(plan);
    expect(imported.design.value).toEqual(design);
  });

  it('gives an imported project a new id when its id is taken', () => {
    const project = fullProject();
    const imported = importProject(exportProject(project), [project.id]);
    expect(imported.id).not.toBe(project.id);
  });

  it.each([
    ['not JSON', '{oops', /not valid JSON/],
    ['another kind of file', JSON.stringify({ hello: 'world' }), /not a Devussy project file/],
    ['a newer version', JSON.stringify({ ...createProject(), version: 2 }), /unsupported project version/],
  ])('refuses %s with a clear error', (_label, json, message) => {
    expect(() => importProject(json)).toThrow(ImportError);
    expect(() => importProject(json)).toThrow(message);
  });

  it('names the field that is wrong', () => {
    const project = fullProject() as unknown as { plan: { value: { phases: { number: unknown }[] } } };
    project.plan.value.phases[1].number = 'two';
    expect(() => importProject(JSON.stringify(project))).toThrow(/plan\.value\.phases\.1\.number/);
  });

  it('refuses a bad step id', () => {
    const project = fullProject();
    project.phases['1'].result!.steps![0].id = 'one';
    expect(() => importProject(JSON.stringify(project))).toThrow(/phases\.1\.result\.steps\.0\.id: .*pattern/);
  });
});
