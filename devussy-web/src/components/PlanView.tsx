'use client';

import { useState } from 'react';
import { addPhase, deletePhase, isActive, movePhase, updatePhase, type Project } from '@/lib/project';
import { cancelStage, runAllPhases, runPlan } from '@/lib/runner';
import { appStore, liveKey } from '@/lib/store';
import { StreamText } from './StreamText';
import { ErrorBox, StageHeader } from './ui';

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
  const hasRuns = Object.keys(project.phases).length > 0;

  return (
    <section className="panel" aria-labelledby="plan-heading" data-testid="plan-view">
      <StageHeader headingId="plan-heading" title="Development plan" run={run} hasResult={Boolean(value)} onCancel={() => cancelStage(project.id, 'plan')}>
        <button
          type="button"
          disabled={!project.design.value || phasesBusy}
          onClick={() => {
            if (hasRuns && !window.confirm('Regenerate the plan? Phase details already generated will be discarded.')) return;
            void runPlan(project.id).catch(() => undefined);
          }}
        >
          {value ? 'Regenerate plan' : 'Create plan'}
        </button>
      </StageHeader>
      {run.error && !busy ? <ErrorBox error={run.error} /> : null}

      {busy || (!value && run.text) ? (
        <>
          <StreamText streamKey={liveKey(project.id, 'plan')} fallback={run.text} label="Plan, streaming" testId="plan-stream" />
          {streamedPhases.length ? (
            <>
              <h3 style={{ marginTop: '1rem' }}>Phases so far</h3>
              <ol className="steps" data-testid="streamed-phases">
                {streamedPhases.map((phase) => (
                  <li key={phase.number}>
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
                  {phase.dependsOn?.length ? <span className="hint">Depends on phase {phase.dependsOn.join(', ')}</span> : null}
                </div>
                <div className="controls">
                  <button type="button" className="small" disabled={index === 0 || phasesBusy} aria-label={`Move phase ${phase.number} up`} onClick={() => appStore.update(project.id, (p) => movePhase(p, phase.number, -1))}>
                    ↑
                  </button>
                  <button
                    type="button"
                    className="small"
                    disabled={index === value.phases.length - 1 || phasesBusy}
                    aria-label={`Move phase ${phase.number} down`}
                    onClick={() => appStore.update(project.id, (p) => movePhase(p, phase.number, 1))}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="small danger"
                    disabled={value.phases.length <= 1 || phasesBusy}
                    aria-label={`Delete phase ${phase.number}`}
                    onClick={() => appStore.update(project.id, (p) => deletePhase(p, phase.number))}
                  >
                    ✕
                  </button>
                </div>
              </li>
            ))}
          </ol>
          <AddPhaseForm project={project} />
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
            <button type="button" onClick={() => appStore.update(project.id, (p) => ({ ...p, stage: 'execute' }))}>
              Go to execution without starting
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}
