import { describe, expect, it } from 'vitest';
import { liveText } from '@/lib/liveText';
import { AppStore, liveKey } from '@/lib/store';
import { MemoryStorage } from '@/lib/storage';

describe('AppStore', () => {
  it('saves projects with the text of streams still running, and reloads them as paused', () => {
    const backing = new MemoryStorage();
    const store = new AppStore(backing, 10_000);
    store.load(backing);
    const project = store.create({ projectName: 'Saved', idea: 'x' });
    store.update(project.id, (p) => ({
      ...p,
      phases: { '1': { status: 'running', text: '', tokens: 0, error: null, startedAt: 1, finishedAt: null, result: null } },
    }));
    liveText.set(liveKey(project.id, 'phase/1'), 'partial ', 1);
    liveText.append(liveKey(project.id, 'phase/1'), 'text');
    store.flush(true);

    const reloaded = new AppStore(backing);
    reloaded.load(backing);
    expect(reloaded.getState().order).toEqual([project.id]);
    expect(reloaded.get(project.id)!.phases['1']).toMatchObject({ status: 'paused', text: 'partial text', tokens: 2, error: null });
  });

  it('lists the most recently changed project first and removes projects', () => {
    const backing = new MemoryStorage();
    const store = new AppStore(backing, 10_000);
    store.load(backing);
    const a = store.create({ projectName: 'A' });
    const b = store.create({ projectName: 'B' });
    store.update(a.id, (p) => ({ ...p, name: 'A2' }));
    expect(store.getState().order).toEqual([a.id, b.id]);
    store.remove(a.id);
    store.flush(true);
    const reloaded = new AppStore(backing);
    reloaded.load(backing);
    expect(reloaded.getState().order).toEqual([b.id]);
  });

  it('reports a full storage instead of failing silently', () => {
    const full = new MemoryStorage();
    full.setItem = () => {
      throw new DOMException('quota exceeded', 'QuotaExceededError');
    };
    const store = new AppStore(full, 10_000);
    store.load(full);
    store.create({ projectName: 'Big' });
    store.flush();
    expect(store.getState().storageError).toMatch(/Could not save "Big".*Export it/);
  });
});
