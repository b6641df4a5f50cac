import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '@/lib/storage';
import {
  WorkspaceStorage,
  applyUpdate,
  createWorkspace,
  pendingByStep,
  requirementCount,
  shownDone,
  stepsByPhase,
  toggleAction,
  validateWorkspace,
} from '@/lib/workspace';
import { status, step } from './fixtures/workspace';

describe('workspace model', () => {
  it('groups steps by phase in the order the server lists them', () => {
    const grouped = stepsByPhase([step('1.1'), step('2.1'), step('1.2')]);
    expect([...grouped.keys()]).toEqual([1, 2]);
    expect(grouped.get(1)!.map((s) => s.id)).toEqual(['1.1', '1.2']);
  });

  it('a checkbox ticks an open step and reopens a done one; a change on its way shows at once', () => {
    expect(toggleAction(step('1.1', 'ready'))).toEqual({ action: 'done', step: '1.1' });
    expect(toggleAction(step('1.1', 'blocked'))).toEqual({ action: 'done', step: '1.1' });
    expect(toggleAction(step('1.1', 'done'))).toEqual({ action: 'reopen', step: '1.1' });
    expect(shownDone(step('1.1', 'ready'), 'done')).toBe(true);
    expect(shownDone(step('1.1', 'done'), 'reopen')).toBe(false);
    expect(shownDone(step('1.1', 'done'), 'note')).toBe(true);
    expect(shownDone(step('1.1', 'ready'), undefined)).toBe(false);
    const pending = pendingByStep([{ action: 'done', step: '1.1' }, { action: 'note', step: '1.2', note: 'x' }, { action: 'reopen', step: '1.1' }]);
    expect(pending.get('1.1')).toBe('reopen');
  });

  it('takes the files, state and log of an update', () => {
    const workspace = createWorkspace({ status: status(), steps: [step('1.1'), step('1.2', 'waiting')], files: { 'plan.json': '{}' } }, 'box.zip', 1);
    expect(workspace).toMatchObject({ name: 'Recipe Box', source: 'box.zip', openedAt: 1, lastChange: null });
    const after = applyUpdate(
      workspace,
      { status: status({ done: 1 }), steps: [step('1.1', 'done'), step('1.2')], files: { 'plan.json': '{}', 'phase1.md': 'x' }, logged: ['Done 1.1'], changed: ['phase1.md'] },
      5,
    );
    expect(after.status.done).toBe(1);
    expect(after.lastChange).toEqual({ logged: ['Done 1.1'], messages: [], changed: ['phase1.md'], at: 5 });
    expect(after.updatedAt).toBe(5);
    expect(after.id).toBe(workspace.id);
  });

  it('counts the requirements plan.json lists, and reads a broken plan.json as none', () => {
    expect(requirementCount({ 'plan.json': JSON.stringify({ plan: { requirements: [{ id: 'R1' }, { id: 'R2' }] } }) })).toBe(2);
    expect(requirementCount({ 'plan.json': '{' })).toBe(0);
    expect(requirementCount({})).toBe(0);
  });
});

describe('WorkspaceStorage', () => {
  it('saves and reloads workspaces, most recently changed first, and removes them', () => {
    const backing = new MemoryStorage();
    const storage = new WorkspaceStorage(backing);
    const a = { ...createWorkspace({ status: status(), steps: [step('1.1')], files: { 'plan.json': '{}' } }, 'a.zip', 1) };
    const b = { ...createWorkspace({ status: status({ projectName: 'Other' }), steps: [], files: {} }, 'b/', 2) };
    storage.save(a);
    storage.save(b);
    expect(storage.list().map((item) => item.name)).toEqual(['Other', 'Recipe Box']);
    expect(storage.load(a.id)).toMatchObject(a);
    storage.remove(b.id);
    expect(storage.list().map((item) => item.id)).toEqual([a.id]);
    expect(storage.load(b.id)).toBeNull();
  });

  it('refuses a damaged entry instead of breaking the page', () => {
    const backing = new MemoryStorage();
    backing.setItem('devussy.workspaces.v1', JSON.stringify([{ id: 'x', name: 'X', updatedAt: 1 }]));
    backing.setItem('devussy.workspace.v1.x', JSON.stringify({ schema: 'devussy-workspace', version: 1, id: 'x', files: 3 }));
    expect(new WorkspaceStorage(backing).load('x')).toBeNull();
    expect(() => validateWorkspace({ schema: 'devussy-workspace', version: 1 })).toThrow(/not a saved living plan: id/);
    backing.setItem('devussy.workspaces.v1', '{');
    expect(new WorkspaceStorage(backing).list()).toEqual([]);
  });
});
