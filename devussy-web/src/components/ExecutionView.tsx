'use client';

import { memo, useEffect, useMemo, useState } from 'react';
import { useStepRequest } from '@/lib/focusStep';
import { CONCURRENCY_CHOICES, allPhasesDone, emptyPhaseRun, isActive, plural, type PhaseRun, type Project } from '@/lib/project';
import { cancelPhase, runAllPhases, runHandoff, runPhase, setConcurrency } from '@/lib/runner';
import { staleness } from '@/lib/stale';
import { appStore, liveKey } from '@/lib/store';
import type { Phase, Requirement, Step } from '@/lib/types';
import { undoable } from '@/lib/undo';
import { CoverageMatrix } from './CoverageMatrix';
import { RefineForm, RefinementChanges } from './Refine';
import { Markdown } from './Markdown';
import { StepChecks } from './StepChecks';
import { RawText, StreamText } from './StreamText';
import { Elapsed, ErrorBox, RunCheckNote, StaleMark, StatusBadge, Tokens } from './ui';

/** Requirement ids as chips, with the requirement's text when the brief lists it. */
function RequirementIds({ ids, requirements, label }: { ids: string[]; requirements: Map<string, Requirement>; label: string }) {
  return (
    <span className="chips" aria-label={label} data-testid="requirement-ids">
      {ids.map((id) => (
        <span key={id} className="chip req" title={requirements.get(id)?.text ?? id}>
          {id}
        </span>
      ))}
    </span>
  );
}

/** One step, opened to read its details, acceptance criteria, test command and the requirements it covers. */
function StepItem({ step, requirements }: { step: Step; requirements: Map<string, Requirement> }) {
  const covers = step.covers ?? [];
  // The body (markdown) is rendered when opened: a finished card with many steps stays cheap.
  const [open, setOpen] = useState(false);
  return (
    <li>
      <details data-testid="step" data-step-id={step.id} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>
          <span className="step-id">{step.id}</span> <span data-testid="step-title">{step.title}</span>
          {covers.length ? <RequirementIds ids={covers} requirements={requirements} label={`Step ${step.id} covers`} /> : null}
        </summary>
        {open ? (
        <div className="step-body" data-testid="step-body">
          <Markdown source={step.details} />
          <StepChecks acceptanceCriteria={step.acceptanceCriteria} testCommand={step.testCommand} />
          {covers.length ? (
            <>
              <h4>Covers</h4>
              <ul data-testid="step-covers">
                {covers.map((id) => (
                  <li key={id}>
                    <strong>{id}</strong>
                    {requirements.get(id) ? ` — ${requirements.get(id)!.text}` : ''}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {step.dependsOn?.length ? <p className="hint">Depends on step {step.dependsOn.join(', ')}</p> : null}
        </div>
        ) : null}
      </details>
    </li>
  );
}

const PhaseCard = memo(function PhaseCard({
  projectId,
  phase,
  run,
  stale,
  requirements,
}: {
  projectId: string;
  phase: Phase;
  run: PhaseRun;
  stale: boolean;
  requirements: Map<string, Requirement>;
}) {
  const key = liveKey(projectId, `phase/${phase.number}`);
  const active = isActive(run);
  const steps = run.result?.steps ?? [];
  const phaseRequirements = phase.requirements ?? run.result?.requirements ?? [];
  const ignore = () => undefined;
  const [refining, setRefining] = useState(false);
  return (
    <article className="phase-card" data-testid="phase-card" data-phase={phase.number} data-status={run.status} aria-labelledby={`phase-card-title-${phase.number}`}>
      <header>
        <span className="phase-num">#{phase.number}</span>
        <h3 id={`phase-card-title-${phase.number}`} data-testid="phase-title">
          {phase.title}
        </h3>
        {stale ? <StaleMark what="phase" /> : null}
        <StatusBadge status={run.status} />
      </header>
      <div className="phase-stats" aria-live="off">
        <Elapsed run={run} />
        <Tokens run={run} streamKey={key} />
        {steps.length ? <span data-testid="step-count">{plural(steps.length, 'step')}</span> : null}
        {phaseRequirements.length ? <RequirementIds ids={phaseRequirements} requirements={requirements} label={`Phase ${phase.number} requirements`} /> : null}
      </div>
      <RunCheckNote check={run.check} streaming={active} />
      {run.error && !active ? <ErrorBox error={run.error} /> : null}
      {run.status === 'done' && steps.length ? (
        <>
          <ol className="steps" data-testid="phase-steps">
            {steps.map((step) => (
              <StepItem key={step.id} step={step} requirements={requirements} />
            ))}
          </ol>
          {run.refined ? (
            <RefinementChanges
              compact
              refined={run.refined}
              onDismiss={() =>
                appStore.update(projectId, (p) => ({ ...p, phases: { ...p.phases, [String(phase.number)]: { ...run, refined: null } } }))
              }
            />
          ) : null}
          <details>
            <summary className="hint">Streamed output</summary>
            <RawText text={run.text} label={`Phase ${phase.number} output`} />
          </details>
          {refining ? (
            <RefineForm
              compact
              id={`refine-phase-${phase.number}`}
              what={`phase ${phase.number}`}
              examples="e.g. “add a load test”, “merge the last two steps”"
              onRefine={(instruction) => {
                setRefining(false);
                undoable(projectId, `Phase ${phase.number} refined`, () =>
                  void runPhase(projectId, phase.number, { force: true, instruction }).catch(ignore),
                );
              }}
            />
          ) : null}
        </>
      ) : run.status !== 'idle' && run.status !== 'queued' ? (
        <StreamText streamKey={key} fallback={run.text} label={`Phase ${phase.number} output`} compact live={run.status === 'running'} testId="phase-stream" />
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
          <>
            <button
              type="button"
              className="small"
              onClick={() => undoable(projectId, `Phase ${phase.number} re-run`, () => void runPhase(projectId, phase.number, { force: true }).catch(ignore))}
              data-testid="rerun-phase"
            >
              Re-run
            </button>
            <button type="button" className="small" aria-expanded={refining} onClick={() => setRefining(!refining)} data-testid="refine-phase">
              Refine…<span className="visually-hidden"> phase {phase.number}</span>
            </button>
          </>
        ) : (
          <button type="button" className="small" onClick={() => void runPhase(projectId, phase.number).catch(ignore)} data-testid="retry-phase">
            {run.status === 'idle' ? 'Run' : run.status === 'paused' ? 'Resume' : 'Retry'}
          </button>
        )}
      </div>
    </article>
  );
});

function useRequirements(project: Project): Map<string, Requirement> {
  const sources = [
    project.plan.value?.requirements,
    project.design.value?.requirements,
    project.plan.value?.brief?.requirements,
    project.design.value?.brief?.requirements,
    project.interview.brief?.requirements,
  ];
  const list = sources.find((requirements) => requirements?.length);
  return useMemo(() => new Map((list ?? []).map((requirement) => [requirement.id, requirement])), [list]);
}

export function ExecutionView({ project }: { project: Project }) {
  const phases = project.plan.value?.phases ?? project.plan.streamedPhases;
  const runs = phases.map((phase) => project.phases[String(phase.number)] ?? emptyPhaseRun());
  const count = (status: string) => runs.filter((run) => run.status === status).length;
  const failed = runs.filter((run) => run.status === 'error' || run.status === 'cancelled').length;
  const paused = count('paused');
  const remaining = runs.filter((run) => run.status !== 'done' && !isActive(run)).length;
  const planReady = Boolean(project.plan.value);
  const complete = allPhasesDone(project);
  const stalePhases = staleness(project).phases;
  const requirements = useRequirements(project);
  const request = useStepRequest(project.id);
  // A step asked for from the coverage matrix: open it, bring it into view, move focus to it.
  useEffect(() => {
    if (!request.stepId) return;
    const step = document.querySelector<HTMLDetailsElement>(`details[data-step-id="${CSS.escape(request.stepId)}"]`);
    request.done();
    if (!step) return;
    step.open = true;
    step.scrollIntoView({ block: 'center' });
    step.querySelector('summary')?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request.id]);

  return (
    <section aria-labelledby="exec-heading" data-testid="execution-view">
      <div className="panel">
        <div className="panel-head">
          <h2 id="exec-heading">Execution</h2>
          <span className="muted" style={{ fontSize: '0.85rem' }} data-testid="exec-summary" aria-live="polite">
            {count('done')}/{phases.length} done · {count('running')} streaming · {count('queued')} queued
            {count('error') ? ` · ${count('error')} failed` : ''}
            {paused ? ` · ${paused} paused` : ''}
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
            {paused ? `Resume (${remaining})` : failed ? `Run remaining (${remaining})` : `Run all (${remaining})`}
          </button>
          <span className="spacer" style={{ flex: 1 }} />
          {complete ? (
            <button
              type="button"
              className="primary"
              data-testid="create-handoff"
              onClick={() => (project.handoff.value ? appStore.navigate(project.id, 'handoff') : void runHandoff(project.id).catch(() => undefined))}
            >
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
            <PhaseCard
              key={phase.number}
              projectId={project.id}
              phase={phase}
              run={runs[index]}
              stale={stalePhases.includes(phase.number)}
              requirements={requirements}
            />
          ))}
        </div>
      )}
      {project.plan.value ? (
        <div style={{ marginTop: '1rem' }}>
          <CoverageMatrix project={project} />
        </div>
      ) : null}
    </section>
  );
}
