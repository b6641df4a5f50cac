import { describe, expect, it } from 'vitest';
import { PlanFilesError, choosePlanFiles, localTimestamp, readPlanSource, toBase64 } from '@/lib/planFiles';

const picked = (...paths: string[]) => paths.map((path) => ({ path, size: 10 }));

describe('choosePlanFiles', () => {
  it('keeps the plan files of the folder that holds plan.json, and nothing else', () => {
    const files = picked(
      'recipe-box/plan.json',
      'recipe-box/devplan.md',
      'recipe-box/phase1.md',
      'recipe-box/phase12.md',
      'recipe-box/handoff.md',
      'recipe-box/design.md',
      'recipe-box/recipe-box-devplan.zip',
      'recipe-box/notes.md',
      'recipe-box/phase0.md',
      'recipe-box/.devussy/lock',
      'recipe-box/.devussy/phase1.md',
    );
    expect(choosePlanFiles(files).map((file) => file.path)).toEqual([
      'recipe-box/plan.json',
      'recipe-box/devplan.md',
      'recipe-box/phase1.md',
      'recipe-box/phase12.md',
      'recipe-box/handoff.md',
      'recipe-box/design.md',
    ]);
  });

  it('takes files picked one by one (no folder) as well', () => {
    expect(choosePlanFiles(picked('plan.json', 'devplan.md', 'phase1.md')).map((file) => file.path)).toEqual(['plan.json', 'devplan.md', 'phase1.md']);
  });

  it('refuses a folder of several plans, naming them, and a folder with no plan', () => {
    expect(() => choosePlanFiles(picked('out/a/plan.json', 'out/a/devplan.md', 'out/b/plan.json'))).toThrow('This folder holds 2 plans (out/a, out/b): pick one of them.');
    expect(() => choosePlanFiles(picked('src/index.ts', 'README.md'))).toThrow('No plan files here');
    expect(() => choosePlanFiles(picked('x/devplan.md', 'x/phase1.md'))).toThrow('No plan.json here');
  });

  it('refuses a plan file larger than the server reads', () => {
    expect(() => choosePlanFiles([{ path: 'p/plan.json', size: 10 }, { path: 'p/phase1.md', size: 6_000_000 }])).toThrow(PlanFilesError);
  });
});

describe('readPlanSource', () => {
  const file = (name: string, text: string) => new File([text], name);

  it('sends one zip as base64, and a folder as its plan files by name', async () => {
    const zip = await readPlanSource([{ file: file('plan.zip', 'PK\u0003\u0004'), path: 'plan.zip' }]);
    expect(zip).toEqual({ kind: 'zip', zip: btoa('PK\u0003\u0004'), label: 'plan.zip' });
    const folder = await readPlanSource([
      { file: file('plan.json', '{}'), path: 'box/plan.json' },
      { file: file('phase1.md', '# Phase 1'), path: 'box/phase1.md' },
      { file: file('app.py', 'print()'), path: 'box/app.py' },
    ]);
    expect(folder).toEqual({ kind: 'files', files: { 'plan.json': '{}', 'phase1.md': '# Phase 1' }, label: 'box/' });
  });

  it('says what is wrong with what was picked', async () => {
    await expect(readPlanSource([])).rejects.toThrow('Nothing was picked');
    await expect(readPlanSource([{ file: file('a.zip', ''), path: 'a.zip' }, { file: file('b.zip', ''), path: 'b.zip' }])).rejects.toThrow('one plan zip at a time');
  });
});

describe('toBase64 and localTimestamp', () => {
  it('encodes large byte arrays in slices, byte for byte', () => {
    const bytes = new Uint8Array(200_000).map((_, index) => (index * 7) % 256);
    expect(Buffer.from(toBase64(bytes), 'base64').equals(Buffer.from(bytes))).toBe(true);
  });

  it('writes the local time with its offset, as the server dates the progress log', () => {
    const date = new Date(2026, 4, 4, 10, 12, 5);
    const stamp = localTimestamp(date);
    expect(stamp).toMatch(/^2026-05-04T10:12:05[+-]\d\d:\d\d$/);
    expect(new Date(stamp).getTime()).toBe(date.getTime());
  });
});
