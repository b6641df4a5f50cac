// The living plans opened in this browser: kept in memory, saved to localStorage on every change
// (a reload keeps them), and changed only through the server (POST /api/workspace/update), one
// request at a time per plan so each change starts from the files the previous one left.
'use client';

import { ExternalStore } from './externalStore';
import { useSyncExternalStore } from 'react';
import { api } from './api';
import type { PlanSource } from './planFiles';
import { localTimestamp } from './planFiles';
import type { RunError } from './project';
import { StreamError } from './sse';
import type { KeyValueStorage } from './storage';
import { MemoryStorage } from './storage';
import { applyUpdate, createWorkspace, WorkspaceStorage, type Workspace, type WorkspaceAction } from './workspace';

export interface WorkspaceState {
  workspaces: Record<string, Workspace>;
  /** Most recently changed first. */
  order: string[];
  /** The plan shown instead of a project, or null. */
  activeId: string | null;
  /** Changes on their way to the server, per workspace, in order. */
  pending: Record<string, WorkspaceAction[]>;
  /** The last failed change per workspace (shown until the next change). */
  errors: Record<string, RunError | null>;
  storageError: string | null;
}


export function toRunError(error: unknown): RunError {
  if (error instanceof StreamError) return { message: error.message, code: error.code };
  return { message: (error as Error)?.message || String(error), code: 'internal_error' };
}

export class WorkspaceStore extends ExternalStore<WorkspaceState> {
  private storage: WorkspaceStorage;
  private queues = new Map<string, Promise<unknown>>();

  constructor(
    backing: KeyValueStorage = new MemoryStorage(),
    private readonly client: Pick<typeof api, 'workspaceStatus' | 'workspaceUpdate'> = api,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super({ workspaces: {}, order: [], activeId: null, pending: {}, errors: {}, storageError: null });
    this.storage = new WorkspaceStorage(backing);
  }

  load(backing: KeyValueStorage, activeId: string | null = null): void {
    this.storage = new WorkspaceStorage(backing);
    const workspaces: Record<string, Workspace> = {};
    const order: string[] = [];
    for (const summary of this.storage.list()) {
      const workspace = this.storage.load(summary.id);
      if (workspace) {
        workspaces[workspace.id] = workspace;
        order.push(workspace.id);
      }
    }
    this.setState({ workspaces, order, activeId: activeId && workspaces[activeId] ? activeId : null });
  }

  get(id: string): Workspace | undefined {
    return this.state.workspaces[id];
  }

  select(id: string | null): void {
    if (id !== this.state.activeId) this.setState({ activeId: id && this.state.workspaces[id] ? id : null });
  }

  /** Read a picked plan through the server; the workspace is added and shown. Throws StreamError. */
  async open(source: PlanSource): Promise<Workspace> {
    const body = source.kind === 'zip' ? { zip: source.zip } : { files: source.files };
    const answer = await this.client.workspaceStatus(body);
    const same = this.state.order.map((id) => this.state.workspaces[id]).find((item) => sameFiles(item.files, answer.files));
    if (same) {
      this.select(same.id);
      return same;
    }
    const workspace = createWorkspace(answer, source.label, this.clock().getTime());
    this.put(workspace);
    this.setState({ activeId: workspace.id });
    return workspace;
  }

  /**
   * Apply actions (all or none, as the server does) after every change already on its way, with the
   * files that change left. A failure is kept in `errors` and thrown.
   */
  apply(id: string, actions: WorkspaceAction[]): Promise<Workspace> {
    this.setPending(id, [...(this.state.pending[id] ?? []), ...actions]);
    this.setState({ errors: { ...this.state.errors, [id]: null } });
    const previous = this.queues.get(id) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        const current = this.state.workspaces[id];
        if (!current) throw new StreamError('This plan was closed', 'not_open');
        const answer = await this.client.workspaceUpdate({ files: current.files, actions, now: localTimestamp(this.clock()) });
        const latest = this.state.workspaces[id];
        if (!latest) throw new StreamError('This plan was closed', 'not_open');
        const updated = applyUpdate(latest, answer, this.clock().getTime());
        this.put(updated);
        return updated;
      })
      .catch((error: unknown) => {
        this.setState({ errors: { ...this.state.errors, [id]: toRunError(error) } });
        throw error;
      })
      .finally(() => {
        this.setPending(id, (this.state.pending[id] ?? []).filter((action) => !actions.includes(action)));
        if (this.queues.get(id) === run) this.queues.delete(id);
      });
    this.queues.set(id, run);
    return run;
  }

  dismissError(id: string): void {
    this.setState({ errors: { ...this.state.errors, [id]: null } });
  }

  remove(id: string): Workspace | undefined {
    const removed = this.state.workspaces[id];
    if (!removed) return undefined;
    const { [id]: _gone, ...workspaces } = this.state.workspaces;
    try {
      this.storage.remove(id);
    } catch {
      // a stale entry in storage loses nothing
    }
    this.setState({ workspaces, order: this.state.order.filter((item) => item !== id), activeId: this.state.activeId === id ? null : this.state.activeId });
    return removed;
  }

  /** Put back a removed workspace (Undo). */
  restore(workspace: Workspace): void {
    this.put(workspace);
    this.setState({ activeId: workspace.id });
  }

  private put(workspace: Workspace): void {
    const workspaces = { ...this.state.workspaces, [workspace.id]: workspace };
    const order = [workspace.id, ...this.state.order.filter((id) => id !== workspace.id)].sort((a, b) => workspaces[b].updatedAt - workspaces[a].updatedAt);
    let storageError: string | null = null;
    try {
      this.storage.save(workspace);
    } catch (failure) {
      storageError = `Could not save “${workspace.name}” in this browser (${(failure as Error).message}). Export the zip to keep the changes.`;
    }
    this.setState({ workspaces, order, storageError });
  }

  private setPending(id: string, actions: WorkspaceAction[]): void {
    this.setState({ pending: { ...this.state.pending, [id]: actions } });
  }
}

function sameFiles(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

export const workspaceStore = new WorkspaceStore();

export function useWorkspaces(): WorkspaceState {
  return useSyncExternalStore(workspaceStore.subscribe, workspaceStore.getState, workspaceStore.getState);
}
