'use client';

import { useRef, useState } from 'react';
import { PlanFilesError, picksFromDrop, picksFromInput, readPlanSource, type BrowserPick } from '@/lib/planFiles';
import { plural } from '@/lib/project';
import { toRunError, useWorkspaces, workspaceStore } from '@/lib/workspaceStore';
import { offerUndoAction } from '@/lib/undo';
import { ErrorBox, HiddenFileInput } from './ui';

/**
 * The sidebar's "Living plans": open a plan zip or the folder `devussy plan` wrote (file pickers or
 * drag and drop), and the plans opened in this browser.
 */
export function OpenPlan({ onOpen }: { onOpen: (id: string) => void }) {
  const state = useWorkspaces();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; code: string } | null>(null);
  const [dragging, setDragging] = useState(false);
  const zipInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const open = async (read: () => Promise<BrowserPick[]>) => {
    setError(null);
    setBusy(true);
    try {
      const source = await readPlanSource(await read());
      const workspace = await workspaceStore.open(source);
      onOpen(workspace.id);
    } catch (failure) {
      setError(failure instanceof PlanFilesError ? { message: failure.message, code: 'not_a_plan' } : toRunError(failure));
    } finally {
      setBusy(false);
    }
  };

  const onPicked = (event: React.ChangeEvent<HTMLInputElement>) => {
    const picks = picksFromInput(event.target.files ?? []);
    event.target.value = '';
    if (picks.length) void open(async () => picks);
  };

  const remove = (id: string) => {
    const removed = workspaceStore.remove(id);
    if (removed) offerUndoAction(`Living plan “${removed.name}” removed from this browser`, () => workspaceStore.restore(removed));
  };

  return (
    <section aria-labelledby="living-heading" className="living-plans">
      <h2 id="living-heading" className="sidebar-heading">
        Living plans
      </h2>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        data-testid="plan-dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          const transfer = event.dataTransfer;
          // The DataTransfer is emptied once the handler returns: start reading it now.
          const picks = picksFromDrop(transfer);
          void open(() => picks);
        }}
      >
        <p className="hint" style={{ margin: 0 }}>
          Open a plan <code>devussy plan</code> wrote to tick steps and see what is next. Drop its zip or folder here, or:
        </p>
        <div className="actions" style={{ marginTop: '0.4rem' }}>
          <button type="button" className="small" onClick={() => zipInput.current?.click()} disabled={busy} data-testid="open-plan-zip-button">
            Open zip…
          </button>
          <button type="button" className="small" onClick={() => folderInput.current?.click()} disabled={busy} data-testid="open-plan-folder-button">
            Open folder…
          </button>
        </div>
        {busy ? (
          <p className="hint" role="status" style={{ margin: '0.3rem 0 0' }}>
            Reading the plan…
          </p>
        ) : null}
      </div>
      <HiddenFileInput
        ref={zipInput}
        accept=".zip,application/zip"
        data-testid="open-plan-zip"
        onChange={onPicked}
      />
      <HiddenFileInput
        ref={(element) => {
          folderInput.current = element;
          // Not in React's typings: a folder picker (each file keeps its path in the folder).
          element?.setAttribute('webkitdirectory', '');
        }}
        multiple
        data-testid="open-plan-folder"
        onChange={onPicked}
      />
      {error ? (
        <div data-testid="open-plan-error">
          <ErrorBox error={error} />
        </div>
      ) : null}
      {state.order.length ? (
        <ul className="project-list" data-testid="workspace-list">
          {state.order.map((id) => {
            const workspace = state.workspaces[id];
            return (
              <li key={id} style={{ display: 'flex', alignItems: 'center' }}>
                <button type="button" aria-current={id === state.activeId} onClick={() => onOpen(id)}>
                  <span className="name">{workspace.name}</span>
                  <span className="meta">
                    {workspace.status.done}/{plural(workspace.status.total, 'step')} done
                  </span>
                </button>
                <button type="button" className="ghost small" aria-label={`Remove ${workspace.name} from this browser`} onClick={() => remove(id)}>
                  ✕
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}
