// "Show me step 2.3": a click in the coverage matrix asks the execution view to open a step's
// details, scroll to it and move focus there (the request waits until that view is on the page).
'use client';

import { useSyncExternalStore } from 'react';
import { appStore } from './store';

let requested: { projectId: string; stepId: string; id: number } | null = null;
let nextId = 1;
const listeners = new Set<() => void>();

export function showStep(projectId: string, stepId: string): void {
  requested = { projectId, stepId, id: nextId++ };
  appStore.navigate(projectId, 'execute');
  for (const listener of [...listeners]) listener();
}

/** The step the execution view should show, once; `done` clears the request. */
export function useStepRequest(projectId: string): { stepId: string | null; id: number; done: () => void } {
  const current = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => requested,
    () => null,
  );
  const mine = current && current.projectId === projectId ? current : null;
  return {
    stepId: mine?.stepId ?? null,
    id: mine?.id ?? 0,
    done: () => {
      if (requested === mine) requested = null;
    },
  };
}
