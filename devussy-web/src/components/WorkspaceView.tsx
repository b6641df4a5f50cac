'use client';

import { memo, useCallback, useState } from 'react';
import { api } from '@/lib/api';
import { plural } from '@/lib/project';
import {
  PHASE_STATE_LABEL,
  STEP_STATUS_LABEL,
  pendingByStep,
  requirementCount,
  shownDone,
  stepsByPhase,
  toggleAction,
  type PhaseProgress,
  type Workspace,
  type WorkspaceAction,
  type WorkspaceStep,
} from '@/lib/workspace';
import { toRunError, useWorkspaces, workspaceStore } from '@/lib/workspaceStore';
import { Markdown } from './Markdown';
import { StepChecks } from './StepChecks';
import { CopyButton, ErrorBox, downloadBlob, downloadText } from './ui';

type Apply = (actions: WorkspaceAction[]) => void;
type PendingKind = WorkspaceAction['action'] | undefined;
type Pending = Map<string, WorkspaceAction['action']>;

/** A one-line form (a block's reason, a note) under a step. */
function StepTextForm({
  stepId,
  label,
  submit,
  multiline = false,
  onSubmit,
  onCancel,
}: {
  stepId: string;
  label: string;
  submit: string;
  multiline?: boolean;
  onSubmit: (text: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState('');
  const id = `ws-${submit.replace(/\W+/g, '-').toLowerCase()}-${stepId}`;
  const tooLong = text.length > 2000;
  return (
    <form
      className="ws-step-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim() && !tooLong) onSubmit(text.trim());
      }}
      onKeyDown={(event) => event.key === 'Escape' && onCancel()}
    >
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea id={id} rows={2} value={text} autoFocus onChange={(event) => setText(event.target.value)} />
      ) : (
        <input id={id} type="text" value={text} autoFocus onChange={(event) => setText(event.target.value)} />
      )}
      {tooLong ? <span className="hint">At most 2,000 characters ({text.length.toLocaleString()}).</span> : null}
      <div className="actions" style={{ marginTop: '0.3rem' }}>
        <button type="submit" className="small primary" disabled={!text.trim() || tooLong}>
          {submit}
        </button>
        <button type="button" className="small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function StepDetails({ step }: { step: WorkspaceStep }) {
  return (
    <div className="step-body" data-testid="ws-step-body">
      {step.details ? <Markdown source={step.details} /> : null}
      <StepChecks acceptanceCriteria={step.acceptanceCriteria} testCommand={step.testCommand} />
      {step.covers?.length ? <p className="hint">Covers {step.covers.join(', ')}</p> : null}
      {step.dependsOn?.length ? <p className="hint">Depends on {step.dependsOn.join(', ')}</p> : null}
      {step.waitsOn?.length ? <p className="hint">Waits on {step.waitsOn.join(', ')}</p> : null}
    </div>
  );
}

/** One step of the checklist: tick/untick, block/unblock with a reason, notes, details. */
const StepRow = memo(function StepRow({ step, change, apply }: { step: WorkspaceStep; change: PendingKind; apply: Apply }) {
  const [form, setForm] = useState<'block' | 'note' | null>(null);
  const [open, setOpen] = useState(false);
  const pending = change !== undefined;
  const done = step.status === 'done';
  const blocked = step.status === 'blocked';
  const checkboxId = `ws-check-${step.id}`;
  return (
    <li className="ws-step" data-testid="ws-step" data-step={step.id} data-status={step.status} aria-busy={pending || undefined}>
      <div className="ws-step-line">
        <input
          id={checkboxId}
          type="checkbox"
          checked={shownDone(step, change)}
          disabled={pending}
          onChange={() => apply([toggleAction(step)])}
          aria-describedby={`ws-state-${step.id}`}
        />
        <label htmlFor={checkboxId} className="ws-step-title">
          <span className="step-id">{step.id}</span> {step.title}
        </label>
        <span className={`badge ws-${step.status}`} id={`ws-state-${step.id}`} data-testid="ws-step-status">
          {pending ? 'Saving…' : STEP_STATUS_LABEL[step.status]}
        </span>
      </div>
      {blocked && step.blockedReason ? (
        <p className="ws-reason" data-testid="ws-block-reason">
          Blocked: {step.blockedReason}
        </p>
      ) : null}
      {step.notes?.length ? (
        <ul className="ws-notes" aria-label={`Notes on ${step.id}`} data-testid="ws-notes">
          {step.notes.map((note, index) => (
            <li key={index}>{note}</li>
          ))}
        </ul>
      ) : null}
      <div className="ws-step-actions">
        {blocked ? (
          <button type="button" className="small" disabled={pending} onClick={() => apply([{ action: 'reopen', step: step.id }])}>
            Unblock<span className="visually-hidden"> {step.id}</span>
          </button>
        ) : !done ? (
          <button type="button" className="small" disabled={pending} aria-expanded={form === 'block'} onClick={() => setForm(form === 'block' ? null : 'block')}>
            Block…<span className="visually-hidden"> {step.id}</span>
          </button>
        ) : null}
        <button type="button" className="small" disabled={pending} aria-expanded={form === 'note'} onClick={() => setForm(form === 'note' ? null : 'note')}>
          Add note…<span className="visually-hidden"> to {step.id}</span>
        </button>
        <button type="button" className="small ghost" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide details' : 'Details'}
          <span className="visually-hidden"> of {step.id}</span>
        </button>
      </div>
      {form === 'block' ? (
        <StepTextForm
          stepId={step.id}
          label={`Why is ${step.id} blocked?`}
          submit="Block"
          onCancel={() => setForm(null)}
          onSubmit={(reason) => {
            setForm(null);
            apply([{ action: 'block', step: step.id, reason }]);
          }}
        />
      ) : null}
      {form === 'note' ? (
        <StepTextForm
          stepId={step.id}
          label={`Note on ${step.id}`}
          submit="Add note"
          multiline
          onCancel={() => setForm(null)}
          onSubmit={(note) => {
            setForm(null);
            apply([{ action: 'note', step: step.id, note }]);
          }}
        />
      ) : null}
      {open ? <StepDetails step={step} /> : null}
    </li>
  );
});

function PhaseSection({ phase, steps, pending, apply }: { phase: PhaseProgress; steps: WorkspaceStep[]; pending: Pending; apply: Apply }) {
  // Open at first unless finished or empty; afterwards it stays as the user leaves it.
  const [initiallyOpen] = useState(phase.state !== 'done' && phase.total > 0);
  return (
    <li className="ws-phase" data-testid="ws-phase" data-phase={phase.number} data-state={phase.state}>
      <details open={initiallyOpen}>
        <summary>
          <span className="phase-num">#{phase.number}</span> <strong>{phase.title}</strong>{' '}
          <span className={`badge ws-phase-${phase.state}`}>{PHASE_STATE_LABEL[phase.state]}</span>{' '}
          <span className="ws-phase-progress">
            <progress value={phase.done} max={Math.max(phase.total, 1)} aria-label={`Phase ${phase.number} progress`} />
            <span data-testid="ws-phase-count">
              {phase.done}/{phase.total}
            </span>
            {phase.blocked ? <span className="ws-blocked-count"> · {phase.blocked} blocked</span> : null}
          </span>
        </summary>
        {steps.length ? (
          <ul className="ws-checklist">
            {steps.map((step) => (
              <StepRow key={step.id} step={step} change={pending.get(step.id)} apply={apply} />
            ))}
          </ul>
        ) : (
          <p className="muted" style={{ fontSize: '0.85rem' }}>
            No steps yet: this phase was not detailed.
          </p>
        )}
      </details>
    </li>
  );
}

function NextUp({ workspace, pending, apply }: { workspace: Workspace; pending: Pending; apply: Apply }) {
  const { waves, done, total } = workspace.status;
  return (
    <section className="panel" aria-labelledby="ws-next-heading" data-testid="ws-next">
      <h3 id="ws-next-heading">Next task group</h3>
      {waves.length === 0 ? (
        <p className="muted">{done === total ? 'Every step is done.' : 'Nothing can start: every open step is blocked or waits on a blocked step.'}</p>
      ) : (
        <ol className="ws-waves">
          {waves.map((wave, index) => (
            <li key={index} data-testid="ws-wave">
              <span className="hint">
                Wave {index + 1}: {index === 0 ? 'can start now' : `after wave ${index}`}
                {wave.length > 1 ? ', in parallel' : ''}
              </span>
              <ul>
                {wave.map((ref) => (
                  <li key={ref.id}>
                    <span className="step-id">{ref.id}</span> {ref.title}{' '}
                    {index === 0 ? (
                      <button type="button" className="small" disabled={pending.has(ref.id)} onClick={() => apply([{ action: 'done', step: ref.id }])}>
                        Mark done<span className="visually-hidden"> {ref.id}</span>
                      </button>
                    ) : null}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Blocked({ workspace, pending, apply }: { workspace: Workspace; pending: Pending; apply: Apply }) {
  const { blocked, held } = workspace.status;
  if (!blocked.length && !held.length) return null;
  return (
    <section className="panel" aria-labelledby="ws-blocked-heading" data-testid="ws-blocked">
      <h3 id="ws-blocked-heading">Blocked</h3>
      <ul className="ws-plain">
        {blocked.map((step) => (
          <li key={step.id}>
            <span className="step-id">{step.id}</span> {step.title} — <em>{step.blockedReason}</em>{' '}
            <button type="button" className="small" disabled={pending.has(step.id)} onClick={() => apply([{ action: 'reopen', step: step.id }])}>
              Unblock<span className="visually-hidden"> {step.id}</span>
            </button>
          </li>
        ))}
      </ul>
      {held.length ? (
        <>
          <h4 className="hint">Waiting on a block</h4>
          <ul className="ws-plain" data-testid="ws-held">
            {held.map((step) => (
              <li key={step.id}>
                <span className="step-id">{step.id}</span> {step.title}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function OpenRequirements({ workspace }: { workspace: Workspace }) {
  const open = workspace.status.openRequirements;
  return (
    <section className="panel" aria-labelledby="ws-req-heading" data-testid="ws-open-requirements">
      <h3 id="ws-req-heading">Requirements still open</h3>
      {open.length === 0 ? (
        <p className="muted">
          {requirementCount(workspace.files)
            ? 'None: every feature, integration and quality requirement is covered by a done step.'
            : 'This plan lists no requirements.'}
        </p>
      ) : (
        <ul className="ws-plain">
          {open.map((requirement) => (
            <li key={requirement.id}>
              <strong>{requirement.id}</strong> <span className="hint">({requirement.kind.replace('_', '-')})</span> {requirement.text}
              <span className="hint">
                {' — '}
                {requirement.openSteps?.length ? `planned in ${requirement.openSteps.join(', ')}` : 'no step covers it'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function WorkspaceView({ workspace }: { workspace: Workspace }) {
  const state = useWorkspaces();
  const pending = pendingByStep(state.pending[workspace.id] ?? []);
  const error = state.errors[workspace.id] ?? null;
  const [exporting, setExporting] = useState<{ busy: boolean; error: { message: string; code: string } | null }>({ busy: false, error: null });
  const workspaceId = workspace.id;
  // Stable, so a change re-renders only the steps whose state changed (StepRow is memoised).
  const apply: Apply = useCallback((actions) => void workspaceStore.apply(workspaceId, actions).catch(() => undefined), [workspaceId]);
  const { status } = workspace;
  const byPhase = stepsByPhase(workspace.steps);
  const handoff = workspace.files['handoff.md'] ?? '';
  const last = workspace.lastChange;

  // A link to phaseN.md in the handoff opens that phase's checklist here.
  const showFile = (name: string) => {
    const number = /^phase(\d+)\.md$/.exec(name)?.[1];
    const details = number ? document.querySelector<HTMLDetailsElement>(`[data-testid="ws-phase"][data-phase="${number}"] > details`) : null;
    if (!details) return;
    details.open = true;
    details.scrollIntoView({ block: 'start' });
    details.querySelector('summary')?.focus();
  };

  const exportZip = async () => {
    setExporting({ busy: true, error: null });
    try {
      const { blob, filename } = await api.workspaceExport({ files: workspace.files });
      downloadBlob(blob, filename);
      setExporting({ busy: false, error: null });
    } catch (failure) {
      setExporting({ busy: false, error: toRunError(failure) });
    }
  };

  return (
    <div data-testid="workspace-view" data-workspace-id={workspace.id}>
      <div className="panel-head">
        <h1 style={{ fontSize: '1.4rem', margin: 0, overflowWrap: 'anywhere' }} data-testid="workspace-title">
          {workspace.name}
        </h1>
        <span className="badge">Living plan</span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => void exportZip()} disabled={exporting.busy} data-testid="workspace-export">
          {exporting.busy ? 'Preparing zip…' : 'Export zip'}
        </button>
      </div>
      <p className="hint" style={{ marginTop: '-0.4rem' }}>
        Opened from {workspace.source}. Each change is made by the server exactly as <code>devussy done</code> makes it and kept in this browser; export the zip to
        take the files back.
      </p>
      <div className="run-overview">
        <progress value={status.done} max={Math.max(status.total, 1)} aria-label="Steps done" />
        <span className="muted" data-testid="workspace-progress">
          {status.done} of {plural(status.total, 'step')} done
          {status.blocked.length ? ` · ${status.blocked.length} blocked` : ''}
        </span>
      </div>
      {error ? (
        <div data-testid="workspace-error">
          <ErrorBox error={error}>
            {' '}
            <button type="button" className="small" onClick={() => workspaceStore.dismissError(workspace.id)}>
              Dismiss
            </button>
          </ErrorBox>
        </div>
      ) : null}
      {exporting.error ? <ErrorBox error={exporting.error} /> : null}
      {/* One announcement per change (what the server logged), never per keystroke or token. */}
      <div className="visually-hidden" role="status" data-testid="workspace-announce">
        {last ? [...last.logged, ...last.messages].join('. ') : ''}
      </div>
      {last && (last.logged.length || last.messages.length) ? (
        <div className="banner info" data-testid="workspace-last-change">
          <span>
            {last.logged.map((line) => (
              <span key={line} style={{ display: 'block' }}>
                Logged: {line}
              </span>
            ))}
            {last.messages.map((line) => (
              <span key={line} style={{ display: 'block' }}>
                {line}
              </span>
            ))}
          </span>
        </div>
      ) : null}
      {status.warnings?.length ? (
        <div className="banner" data-testid="workspace-warnings">
          {status.warnings.map((warning) => (
            <span key={warning} style={{ display: 'block' }}>
              {warning}
            </span>
          ))}
        </div>
      ) : null}

      <div className="ws-grid">
        <div>
          <NextUp workspace={workspace} pending={pending} apply={apply} />
          <Blocked workspace={workspace} pending={pending} apply={apply} />
          <OpenRequirements workspace={workspace} />
          {status.recentProgress.length ? (
            <section className="panel" aria-labelledby="ws-log-heading" data-testid="ws-recent">
              <h3 id="ws-log-heading">Recent progress</h3>
              <ul className="ws-plain">
                {status.recentProgress.map((line, index) => (
                  <li key={index}>{line}</li>
                ))}
              </ul>
            </section>
          ) : null}
        </div>
        <section className="panel" aria-labelledby="ws-phases-heading">
          <h3 id="ws-phases-heading">Phases</h3>
          <ol className="ws-phases" data-testid="ws-phases">
            {status.phases.map((phase) => (
              <PhaseSection key={phase.number} phase={phase} steps={byPhase.get(phase.number) ?? []} pending={pending} apply={apply} />
            ))}
          </ol>
        </section>
      </div>

      <section className="panel" aria-labelledby="ws-handoff-heading" data-testid="workspace-handoff">
        <div className="panel-head">
          <h3 id="ws-handoff-heading">handoff.md</h3>
          <span className="hint">regenerated after every change</span>
          <span className="spacer" />
          <CopyButton text={handoff} label="Copy" />
          <button type="button" className="small" onClick={() => downloadText(handoff, 'handoff.md', 'text/markdown')}>
            Download handoff.md
          </button>
        </div>
        {handoff ? <Markdown source={handoff} onFileLink={showFile} /> : <p className="muted">This plan has no handoff.md yet; the first change writes it.</p>}
      </section>
    </div>
  );
}
