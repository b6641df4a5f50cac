'use client';

import { useState } from 'react';
import { addPhase, deletePhase, isActive, movePhase, moveWarning, updatePhase, type Project } from '@/lib/project';
import { cancelStage, runAllPhases, runPlan } from '@/lib/runner';
import { staleness } from '@/lib/stale';
import { appStore, liveKey } from '@/lib/store';
import { offerUndo, undoable } from '@/lib/undo';
import { CoverageMatrix } from './CoverageMatrix';
import { RefineForm, RefinementChanges } from './Refine';
import { StreamText } from './StreamText';
import { ErrorBox, StageHeader } from './ui';

/** A move button. A move past a dependency drops it: the toast says which, and Undo puts it back. */
function MoveButton({ project, number, delta, busy }: { project: Project; number: number; delta: -1 | 1; busy: boolean }) {
  const phases = project.plan.value?.phases ?? [];
  const index = phases.findIndex((phase) => phase.number === number);
  const atEnd = delta === -1 ? index === 0 : index === phases.length - 1;
  const warning = atEnd ? null : moveWarning(project, number, delta);
  const label = `Move phase ${number} ${delta === -1 ? 'up' : 'down'}`;
  return (
    <button
      type="button"
      className="small"
      disabled={atEnd || busy}
      aria-label={label}
      title={warning ? `${label}: ${warning}` : label}
      onClick={() => {
        const move = () => appStore.update(project.id, (p) => movePhase(p, number, delta));
        if (warning) undoable(project.id, `Phase moved: ${warning}.`, move);
        else move();
      }}
    >
      {delta === -1 ? '↑' : '↓'}
    </button>
  );
}

function AddPhaseForm({ project }: { project: Project }) {
  const [title, setTitle] = useState('');
  const [summary, setSummary] = useState('');
  return (
    <form
      className="panel"
      style={{ marginTop: '0.75rem', boxShadow: 'none' }}
      onSubmit={(event) => {
        event.preventDefault();
        if (!title.trim() || !summary.trim()) return;
        appStore.update(project.id, (p) => addPhase(p, title.trim(), summary.trim()));
        setTitle('');
        setSummary('');
      }}
    >
      <h3>Add a phase</h3>
      <div className="field-row">
        <div className="field">
          <label htmlFor="new-phase-title">Title</label>
          <input id="new-phase-title" type="text" value={title} maxLength={500} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-phase-summary">Summary</label>
          <input id="new-phase-summary" type="text" value={summary} onChange={(e) => setSummary(e.target.value)} />
        </div>
      </div>
      <button type="submit" disabled={!title.trim() || !summary.trim()} data-testid="add-phase">
        + Add phase
      </button>
    </form>
  );
}

export function PlanView({ project }: { project: Project }) {
  const { run, value, streamedPhases } = project.plan;
  const busy = isActive(run);
  const phasesBusy = Object.values(project.phases).some(isActive);
  const stale = staleness(project).plan;

  return (
    <section className="panel" aria-labelledby="plan-heading" data-testid="plan-view">
      <StageHeader
        headingId="plan-heading"
        title="Development plan"
        run={run}
        streamKey={liveKey(project.id, 'plan')}
        hasResult={Boolean(value)}
        stale={stale}
        onCancel={() => cancelStage(project.id, 'plan')}
      >
        <button
          type="button"
          disabled={!project.design.value || phasesBusy}
          data-testid="regenerate-plan"
          onClick={() => {
            // Phase details of the old plan are discarded: Undo brings them back.
            if (value) offerUndo('Plan regenerated', project);
            void runPlan(project.id).catch(() => undefined);
          }}
        >
          {value ? 'Regenerate plan' : 'Create plan'}
        </button>
      </StageHeader>
      {run.error && !busy ? <ErrorBox error={run.error} /> : null}

      {busy || (!value && run.text) ? (
        <>
          <StreamText streamKey={liveKey(project.id, 'plan')} fallback={run.text} label="Plan, streaming" live={busy} testId="plan-stream" />
          {streamedPhases.length ? (
            <>
              <h3 style={{ marginTop: '1rem' }}>Phases so far</h3>
              <ol className="steps" data-testid="streamed-phases">
                {streamedPhases.map((phase) => (
                  <li key={phase.number} value={phase.number}>
                    <strong>{phase.title}</strong> — {phase.summary}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
        </>
      ) : null}

      {!busy && !value && !run.text ? <p className="empty">No plan yet. Approve the design to create one.</p> : null}

      {value && !busy ? (
        <>
          {run.refined ? (
            <RefinementChanges
              refined={run.refined}
              onDismiss={() => appStore.update(project.id, (p) => ({ ...p, plan: { ...p.plan, run: { ...p.plan.run, refined: null } } }))}
            />
          ) : null}
          <p className="muted">{value.summary}</p>
          <ol className="phase-edit-list" data-testid="plan-phases">
            {value.phases.map((phase, index) => (
              <li key={phase.number} className="phase-edit" data-testid="plan-phase">
                <span className="phase-num" aria-hidden="true">
                  {phase.number}
                </span>
                <div>
                  <label htmlFor={`phase-title-${phase.number}`} className="visually-hidden">
                    Phase {phase.number} title
                  </label>
                  <input
                    id={`phase-title-${phase.number}`}
                    type="text"
                    value={phase.title}
                    maxLength={500}
                    onChange={(e) => appStore.update(project.id, (p) => updatePhase(p, phase.number, { title: e.target.value }))}
                  />
                  <label htmlFor={`phase-summary-${phase.number}`} className="visually-hidden">
                    Phase {phase.number} summary
                  </label>
                  <textarea
                    id={`phase-summary-${phase.number}`}
                    rows={2}
                    value={phase.summary}
                    onChange={(e) => appStore.update(project.id, (p) => updatePhase(p, phase.number, { summary: e.target.value }))}
                  />
                  {phase.dependsOn?.length ? (
                    <span className="hint" data-testid="phase-depends">
                      Depends on phase {phase.dependsOn.join(', ')}
                    </span>
                  ) : null}
                </div>
                <div className="controls">
                  <MoveButton project={project} number={phase.number} delta={-1} busy={phasesBusy} />
                  <MoveButton project={project} number={phase.number} delta={1} busy={phasesBusy} />
                  <button
                    type="button"
                    className="small danger"
                    disabled={value.phases.length <= 1 || phasesBusy}
                    aria-label={`Delete phase ${phase.number}`}
                    onClick={() => undoable(project.id, `Phase ${phase.number} “${phase.title}” deleted`, () => appStore.update(project.id, (p) => deletePhase(p, phase.number)))}
                  >
                    ✕
                  </button>
                </div>
              </li>
            ))}
          </ol>
          <AddPhaseForm project={project} />
          <RefineForm
            id="refine-plan"
            what="the plan"
            examples="e.g. “split phase 3”, “add a phase for the admin dashboard”"
            disabled={phasesBusy}
            onRefine={(instruction) => {
              offerUndo('Plan refined', project);
              // Phases the refinement leaves as they were keep their details.
              void runPlan(project.id, { instruction, keepFinished: true }).catch(() => undefined);
            }}
          />
          <CoverageMatrix project={project} />
          <div className="actions">
            <button
              type="button"
              className="primary"
              data-testid="approve-plan"
              disabled={value.phases.some((phase) => !phase.title.trim() || !phase.summary.trim())}
              onClick={() => void runAllPhases(project.id)}
            >
              Approve and detail every phase →
            </button>
            <button type="button" onClick={() => appStore.navigate(project.id, 'execute')}>
              Go to execution without starting
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}
