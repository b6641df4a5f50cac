'use client';

import { useEffect } from 'react';
import { dismissUndo, undo, useUndo } from '@/lib/undo';

/** "Phase 3 deleted — Undo", for a while after a delete or a regenerate. */
export function UndoToast() {
  const entry = useUndo();
  useEffect(() => {
    if (!entry) return;
    const timer = setTimeout(() => dismissUndo(entry.id), 15_000);
    return () => clearTimeout(timer);
  }, [entry]);
  if (!entry) return null;
  return (
    <div className="toast" role="status" data-testid="undo-toast">
      <span>{entry.label}</span>
      <button type="button" className="small primary" onClick={undo} data-testid="undo">
        Undo
      </button>
      <button type="button" className="small ghost" aria-label="Dismiss" onClick={() => dismissUndo(entry.id)}>
        ✕
      </button>
    </div>
  );
}
