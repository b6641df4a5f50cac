// Undo for destructive actions (delete a phase or a project, regenerate a stage): the project as it
// was is kept, and Undo puts it back, stopping the streams started since. One level, like a toast.
'use client';

import { useSyncExternalStore } from 'react';
import { isActive, type Project, type StageRun } from './project';
import { cancelAll, disownStreams } from './runner';
import { appStore } from './store';

export interface UndoEntry {
  id: number;
  label: string;
  projectId: string | null;
  /** The project before the action. */
  before: Project | null;
  /** Anything else (a living plan removed): how to put it back. */
  restore?: () => void;
}

let entry: UndoEntry | null = null;
let nextId = 1;
const listeners = new Set<() => void>();

function emit(): void {
  for (const listener of [...listeners]) listener();
}

/** Remember a project before a destructive action, and offer to undo it. */
export function offerUndo(label: string, before: Project): void {
  entry = { id: nextId++, label, projectId: before.id, before };
  emit();
}

/** Offer to undo something that is not a project change, with its own way back. */
export function offerUndoAction(label: string, restore: () => void): void {
  entry = { id: nextId++, label, projectId: null, before: null, restore };
  emit();
}

/** Run `action` on a project after remembering how it was. */
export function undoable(projectId: string, label: string, action: () => void): void {
  const before = appStore.get(projectId);
  if (before) offerUndo(label, before);
  action();
}

export function undo(): void {
  const current = entry;
  if (!current) return;
  entry = null;
  if (current.restore) {
    current.restore();
    emit();
    return;
  }
  if (!current.projectId || !current.before) return;
  if (appStore.get(current.projectId)) {
    cancelAll(current.projectId);
    disownStreams(current.projectId);
  }
  appStore.restore(settled(current.before));
  emit();
}

/** The copy to put back: streams of that moment are gone, so their runs end as cancelled. */
function settled(project: Project): Project {
  const settle = <R extends StageRun>(run: R): R =>
    isActive(run) ? { ...run, status: 'cancelled', error: { message: 'Cancelled', code: 'cancelled' }, finishedAt: run.finishedAt ?? Date.now() } : run;
  return {
    ...project,
    mode: 'step',
    interview: { ...project.interview, run: settle(project.interview.run) },
    design: { ...project.design, run: settle(project.design.run) },
    plan: { ...project.plan, run: settle(project.plan.run) },
    phases: Object.fromEntries(Object.entries(project.phases).map(([key, run]) => [key, settle(run)])),
    handoff: { ...project.handoff, run: settle(project.handoff.run) },
  };
}

export function dismissUndo(id?: number): void {
  if (!entry || (id !== undefined && entry.id !== id)) return;
  entry = null;
  emit();
}

export function useUndo(): UndoEntry | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => entry,
    () => null,
  );
}
