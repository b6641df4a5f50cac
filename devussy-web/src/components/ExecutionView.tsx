'use client';

import { memo, useSyncExternalStore } from 'react';
import { liveText } from '@/lib/liveText';
import { CONCURRENCY_CHOICES, allPhasesDone, emptyPhaseRun, isActive, type PhaseRun, type Project } from '@/lib/project';
import { cancelAll, cancelPhase, runAllPhases, runHandoff, runPhase, setConcurrency } from '@/lib/runner';
import { appStore, liveKey } from '@/lib/store';
import type { Phase } from '@/lib/types';
import { StreamText } from './StreamText';
import { Elapsed, ErrorBox, StatusBadge } from './ui';

function LiveTokens({ streamKey, fallback }: { streamKey: string; fallback: number }) {
  const entry = useSyncExternalStore(
    (listener) => liveText.subscribe(streamKey, listener),
    () => liveText.get(streamKey),
    () => liveText.get(streamKey),
  );
  return <span title="Tokens streamed">{entry.tokens || fallback} tokens</span>;
}

const PhaseCard = memo(function PhaseCard({ projectId, phase, run }: { projectId: string; phase: Phase; run: PhaseRun }) {
  const key = liveKey(projectId, `phase/${phase.number}`);
  const active = isActive(run);
  const steps = run.result?.steps ?? [];
  const ignore = () => undefined;
  return (
    <article className="phase-card" data-testid="phase-card" data-phase={phase.number} data-status={run.status} aria-labelledby={`phase-card-title-${phase.number}`}>
      <header>
        <span className="phase-num">#{phase.number}</span>
        <h3 id={`phase-card-title-${phase.number}`} data-testid="phase-title">
          {phase.title}
        </h3>
        <StatusBadge status={run.status} />
      </header>
      <div className="phase-stats" aria-live="off">
        <Elapsed run={run} />
        {run.status === 'running' ? <LiveTokens streamKey={key} fallback={run.tokens} /> : <span title="Tokens">{run.tokens} tokens</span>}
        {steps.length ? <span>{steps.length} steps</span> : null}
      </div>
      {run.error && !active ? <ErrorBox error={run.error} /> : null}
      {run.status === 'done' && steps.length ? (
        <>
          <ol className="steps" data-testid="phase-steps">
            {steps.map((step) => (
              <li key={step.id}>
                <strong>{step.id}</strong> {step.title}
                {step.testCommand ? (
                  <>
                    {' '}
                    — <code>{step.testCommand}</code>
                  </>
                ) : null}
              </li>
            ))}
          </ol>
          <details>
            <summary className="hint">Streamed output</summary>
            <StreamText streamKey={key} fallback={run.text} label={`Phase ${phase.number} output`} compact />
          </details>
        </>
      ) : run.status !== 'idle' && run.status !== 'queued' ? (
        <StreamText streamKey={key} fallback={run.text} label={`Phase ${phase.number} output`} compact testId="phase-stream" />
      ) : run.status === 'queued' ? (
        <p className="muted" style={{ fontSize: '0.85rem', margin: 0 }}>
          Waiting for a free slot. {phase.summary}
        </p>
      ) : (
        <p className="muted" style={{ fontSize: '0.85rem', margin: 0 }}>
          {phase.summary}
        </p>
      )}
      <div className="actions" style={{ marginTop: 0 }}>
        {active ? (
          <button type="button" className="small danger" onClick={() => cancelPhase(projectId, phase.number)} data-testid="cancel-phase">
            Cancel
          </button>
        ) : run.status === 'done' ? (
          <button type="button" className="small" onClick={() => void runPhase(projectId, phase.number, { force: true }).catch(ignore)} data-testid="rerun-phase">
            Re-run
          </button>
        ) : (
          <button type="button" className="small" onClick={() => void runPhase(projectId, phase.number).catch(ignore)} data-testid="retry-phase">
            {run.status === 'idle' ? 'Run' : 'Retry'}
          </button>
        )}
      </div>
    </article>
  );
});

export function ExecutionView({ project }: { project: Project }) {
  const phases = project.plan.value?.phases ?? project.plan.streamedPhases;
  const runs = phases.map((phase) => project.phases[String(phase.number)] ?? emptyPhaseRun());
  const count = (status: string) => runs.filter((run) => run.status === status).length;
  const anyActive = runs.some(isActive);
  const failed = runs.filter((run) => run.status === 'error' || run.status === 'cancelled').length;
  const remaining = runs.filter((run) => run.status !== 'done' && !isActive(run)).length;
  const planReady = Boolean(project.plan.value);
  const complete = allPhasesDone(project);

  return (
    <section aria-labelledby="exec-heading" data-testid="execution-view">
      <div className="panel">
        <div className="panel-head">
          <h2 id="exec-heading">Execution</h2>
          <span className="muted" style={{ fontSize: '0.85rem' }} data-testid="exec-summary" aria-live="polite">
            {count('done')}/{phases.length} done · {count('running')} streaming · {count('queued')} queued
            {count('error') ? ` · ${count('error')} failed` : ''}
            {isActive(project.plan.run) ? ' · plan still streaming' : ''}
          </span>
        </div>
        <div className="exec-toolbar">
          <label htmlFor="concurrency" style={{ margin: 0 }}>
            Run at once
          </label>
          <select
            id="concurrency"
            data-testid="concurrency"
            value={String(project.settings.concurrency)}
            onChange={(e) => setConcurrency(project.id, Number(e.target.value))}
          >
            {CONCURRENCY_CHOICES.map((choice) => (
              <option key={choice} value={choice}>
                {choice === 0 ? 'All' : choice}
              </option>
            ))}
          </select>
          {project.settings.concurrency === 0 || project.settings.concurrency > 6 ? (
            <span className="hint" title="Browsers open at most 6 connections to one HTTP/1.1 server; HTTP/2 hosts have no such limit.">
              (over HTTP/1.1 the browser streams at most 6 at once)
            </span>
          ) : null}
          <button type="button" className="primary" disabled={!planReady || remaining === 0} onClick={() => void runAllPhases(project.id)} data-testid="run-all-phases">
            {failed ? `Run remaining (${remaining})` : `Run all (${remaining})`}
          </button>
          {anyActive ? (
            <button type="button" className="danger" onClick={() => cancelAll(project.id)} data-testid="cancel-all">
              Cancel all
            </button>
          ) : null}
          <span className="spacer" style={{ flex: 1 }} />
          {complete ? (
            <button type="button" className="primary" data-testid="create-handoff" onClick={() => (project.handoff.value ? appStore.update(project.id, (p) => ({ ...p, stage: 'handoff' })) : void runHandoff(project.id).catch(() => undefined))}>
              {project.handoff.value ? 'Go to the handoff →' : 'Create the handoff →'}
            </button>
          ) : null}
        </div>
      </div>
      {phases.length === 0 ? (
        <p className="panel empty">No phases yet. {isActive(project.plan.run) ? 'They appear here as the plan streams.' : 'Create the plan first.'}</p>
      ) : (
        <div className="phase-grid" data-testid="phase-grid">
          {phases.map((phase, index) => (
            <PhaseCard key={phase.number} projectId={project.id} phase={phase} run={runs[index]} />
          ))}
        </div>
      )}
    </section>
  );
}
