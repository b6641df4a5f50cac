import { describe, expect, it } from 'vitest';
import { StreamError } from '@/lib/sse';
import { MemoryStorage } from '@/lib/storage';
import type { WorkspaceAction } from '@/lib/workspace';
import { WorkspaceStore } from '@/lib/workspaceStore';
import { status, step } from './fixtures/workspace';

type UpdateBody = { files?: Record<string, string> | null; actions: WorkspaceAction[]; now?: string | null };

/** A fake workspace API: each update appends its actions to phase1.md, so the order of changes shows in the files. */
function fakeClient(options: { failOn?: string } = {}) {
  const calls: UpdateBody[] = [];
  const gates: (() => void)[] = [];
  const client = {
    workspaceStatus: async () => ({ status: status(), steps: [step('1.1'), step('1.2')], files: { 'plan.json': '{}', 'phase1.md': '' } }),
    workspaceUpdate: async (body: UpdateBody) => {
      calls.push(body);
      await new Promise<void>((resolve) => gates.push(resolve));
      if (options.failOn && body.actions.some((action) => action.step === options.failOn)) {
        throw new StreamError(`there is no step '${options.failOn}' in this plan`, 'unknown_step', 404);
      }
      const files = { ...body.files!, 'phase1.md': `${body.files!['phase1.md']}${body.actions.map((a) => `${a.action} ${a.step};`).join('')}` };
      return { status: status({ done: 1 }), steps: [step('1.1', 'done'), step('1.2')], files, logged: body.actions.map((a) => `${a.action} ${a.step}`), changed: ['phase1.md'] };
    },
  };
  const release = async () => {
    while (!gates.length) await new Promise((resolve) => setTimeout(resolve, 0));
    gates.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { client, calls, release };
}

const clock = () => new Date(2026, 4, 4, 10, 12);

describe('WorkspaceStore', () => {
  it('opens a plan through the server, saves it, and shows the same files again instead of a copy', async () => {
    const backing = new MemoryStorage();
    const { client } = fakeClient();
    const store = new WorkspaceStore(backing, client as never, clock);
    const opened = await store.open({ kind: 'zip', zip: 'UEs=', label: 'box.zip' });
    expect(store.getState().activeId).toBe(opened.id);
    const again = await store.open({ kind: 'files', files: { 'plan.json': '{}', 'phase1.md': '' }, label: 'box/' });
    expect(again.id).toBe(opened.id);
    expect(store.getState().order).toEqual([opened.id]);

    const reloaded = new WorkspaceStore(backing, client as never, clock);
    reloaded.load(backing, opened.id);
    expect(reloaded.getState().activeId).toBe(opened.id);
    expect(reloaded.get(opened.id)!.source).toBe('box.zip');
  });

  it('sends changes one at a time, each with the files the previous one left, and dated with the local time', async () => {
    const { client, calls, release } = fakeClient();
    const store = new WorkspaceStore(new MemoryStorage(), client as never, clock);
    const { id } = await store.open({ kind: 'zip', zip: 'UEs=', label: 'box.zip' });
    const first = store.apply(id, [{ action: 'done', step: '1.1' }]);
    const second = store.apply(id, [{ action: 'note', step: '1.1', note: 'hi' }]);
    expect(store.getState().pending[id].map((action) => action.step)).toEqual(['1.1', '1.1']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(calls).toHaveLength(1); // the second waits for the first's answer
    await release();
    await first;
    await release();
    await second;
    expect(calls[1].files!['phase1.md']).toBe('done 1.1;');
    expect(calls[0].now).toMatch(/^2026-05-04T10:12:00[+-]\d\d:\d\d$/);
    expect(store.get(id)!.files['phase1.md']).toBe('done 1.1;note 1.1;');
    expect(store.get(id)!.lastChange!.logged).toEqual(['note 1.1']);
    expect(store.getState().pending[id]).toEqual([]);
  });

  it('keeps the server\'s error, leaves the files as they were, and the next change still goes through', async () => {
    const { client, release } = fakeClient({ failOn: '9.9' });
    const store = new WorkspaceStore(new MemoryStorage(), client as never, clock);
    const { id } = await store.open({ kind: 'zip', zip: 'UEs=', label: 'box.zip' });
    const failing = store.apply(id, [{ action: 'done', step: '9.9' }]);
    const next = store.apply(id, [{ action: 'done', step: '1.1' }]);
    await release();
    await expect(failing).rejects.toThrow("no step '9.9'");
    expect(store.getState().errors[id]).toEqual({ message: "there is no step '9.9' in this plan", code: 'unknown_step' });
    expect(store.get(id)!.files['phase1.md']).toBe('');
    await release();
    await next;
    expect(store.get(id)!.files['phase1.md']).toBe('done 1.1;');
  });

  it('says when saving failed (storage full) and removes and restores a workspace', async () => {
    const full = new MemoryStorage();
    full.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    const { client } = fakeClient();
    const store = new WorkspaceStore(full, client as never, clock);
    store.load(full);
    const opened = await store.open({ kind: 'zip', zip: 'UEs=', label: 'box.zip' });
    expect(store.getState().storageError).toContain('Export the zip');
    const removed = store.remove(opened.id)!;
    expect(store.getState().order).toEqual([]);
    expect(store.getState().activeId).toBeNull();
    store.restore(removed);
    expect(store.getState().activeId).toBe(opened.id);
  });
});
