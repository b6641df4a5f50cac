'use client';

import { useState } from 'react';
import type { Refinement } from '@/lib/changes';
import { INSTRUCTION_MAX_CHARS } from '@/lib/runner';

/**
 * "Refine by asking": a short instruction ("make voting anonymous", "split phase 3") that regenerates
 * the design, the plan or one phase with it. The run streams like any other; Undo puts the old result back.
 */
export function RefineForm({
  id,
  what,
  examples,
  disabled = false,
  onRefine,
  compact = false,
}: {
  id: string;
  what: string;
  examples: string;
  disabled?: boolean;
  onRefine: (instruction: string) => void;
  compact?: boolean;
}) {
  const [instruction, setInstruction] = useState('');
  const text = instruction.trim();
  const tooLong = text.length > INSTRUCTION_MAX_CHARS;
  return (
    <form
      className={`refine${compact ? ' compact' : ''}`}
      data-testid="refine-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (!text || tooLong || disabled) return;
        onRefine(text);
        setInstruction('');
      }}
    >
      <label htmlFor={id}>Refine {what} by asking</label>
      <div className="refine-row">
        <input
          id={id}
          type="text"
          value={instruction}
          placeholder={examples}
          disabled={disabled}
          aria-describedby={tooLong ? `${id}-too-long` : undefined}
          onChange={(event) => setInstruction(event.target.value)}
        />
        <button type="submit" className={compact ? 'small' : ''} disabled={!text || tooLong || disabled} data-testid="refine-submit">
          Refine
        </button>
      </div>
      {tooLong ? (
        <span className="hint" id={`${id}-too-long`}>
          At most {INSTRUCTION_MAX_CHARS.toLocaleString()} characters ({text.length.toLocaleString()}).
        </span>
      ) : null}
    </form>
  );
}

const MARK = { added: '+', removed: '−', changed: '~' } as const;
const LABEL = { added: 'Added', removed: 'Removed', changed: 'Changed' } as const;

/** What the last refinement changed: added, removed and changed items, with the old and new text. */
export function RefinementChanges({ refined, onDismiss, compact = false }: { refined: Refinement; onDismiss: () => void; compact?: boolean }) {
  const counts = (['added', 'removed', 'changed'] as const)
    .map((kind) => [kind, refined.changes.filter((change) => change.kind === kind).length] as const)
    .filter(([, n]) => n > 0);
  return (
    <section className={`refine-changes${compact ? ' compact' : ''}`} data-testid="refine-changes" aria-label="What the refinement changed">
      <div className="refine-changes-head">
        <strong>Refined: “{refined.instruction}”</strong>
        <span className="hint" data-testid="refine-counts">
          {counts.length ? counts.map(([kind, n]) => `${n} ${kind}`).join(' · ') : 'nothing changed'}
        </span>
        <span className="spacer" />
        <button type="button" className="small ghost" onClick={onDismiss} aria-label="Dismiss what changed">
          ✕
        </button>
      </div>
      {refined.changes.length ? (
        <ul className="change-list">
          {refined.changes.map((change, index) => (
            <li key={index} className={`change ${change.kind}`} data-testid="refine-change" data-kind={change.kind}>
              <span className="change-mark" aria-hidden="true">
                {MARK[change.kind]}
              </span>
              <span className="visually-hidden">{LABEL[change.kind]}: </span>
              <strong>{change.what}</strong>
              {change.kind === 'changed' ? (
                <>
                  {': '}
                  <del>{change.before}</del> <span aria-hidden="true">→</span>
                  <span className="visually-hidden"> now </span> <ins>{change.after}</ins>
                </>
              ) : (
                <>: {change.kind === 'added' ? change.after : <del>{change.before}</del>}</>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted" style={{ margin: 0 }}>
          The result is the same as before.
        </p>
      )}
    </section>
  );
}
