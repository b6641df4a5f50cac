'use client';

import { useMemo } from 'react';
import { useCoverage, type CoverageEntry } from '@/lib/coverage';
import { showStep } from '@/lib/focusStep';
import type { Project } from '@/lib/project';
import type { Requirement } from '@/lib/types';
import { ErrorBox } from './ui';

const STATUS_LABEL: Record<CoverageEntry['status'], string> = {
  covered: 'Covered',
  planned: 'Planned',
  uncovered: 'Uncovered',
  respected: 'Respected',
  violated: 'Violated',
};
const ORDER: CoverageEntry['status'][] = ['violated', 'uncovered', 'planned', 'covered', 'respected'];
const GAP_LABEL = { acceptance_criteria: 'no acceptance criteria', test_command: 'no test command', covers: 'no Covers: line' } as const;

/** A step id that opens the step in the execution view. */
function StepLink({ projectId, stepId }: { projectId: string; stepId: string }) {
  return (
    <button type="button" className="step-link" onClick={() => showStep(projectId, stepId)} aria-label={`Show step ${stepId}`} data-testid="coverage-step">
      {stepId}
    </button>
  );
}

/**
 * Requirement → covering steps, as the server's coverage check reports it (POST /api/coverage), for
 * the plan as assembled here and the reviewed list. Uncovered and violated requirements stand out;
 * a step opens in the execution view.
 */
export function CoverageMatrix({ project }: { project: Project }) {
  const coverage = useCoverage(project);
  const { report, loading, error } = coverage;
  const texts = useMemo(
    () => new Map<string, Requirement>((project.design.value?.requirements ?? project.plan.value?.requirements ?? []).map((r) => [r.id, r])),
    [project.design.value?.requirements, project.plan.value?.requirements],
  );
  if (!project.plan.value) return null;
  const counts = ORDER.map((status) => [status, report?.requirements.filter((entry) => entry.status === status).length ?? 0] as const).filter(([, n]) => n > 0);

  return (
    <section className="panel" aria-labelledby="coverage-heading" data-testid="coverage-matrix" aria-busy={loading || undefined}>
      <div className="panel-head">
        <h3 id="coverage-heading">Requirements coverage</h3>
        <span className="muted" style={{ fontSize: '0.85rem' }} data-testid="coverage-summary">
          {counts.map(([status, n]) => `${n} ${STATUS_LABEL[status].toLowerCase()}`).join(' · ')}
        </span>
        <span className="spacer" />
        {loading ? <span className="hint">Checking…</span> : null}
      </div>
      {error ? (
        <div data-testid="coverage-error">
          <ErrorBox error={error}>
            {' '}
            <button type="button" className="small" onClick={coverage.retry}>
              Check again
            </button>
          </ErrorBox>
          {report ? <p className="hint">The table below is from before the last change.</p> : null}
        </div>
      ) : null}
      {report && report.requirements.length === 0 ? (
        <p className="muted" data-testid="coverage-none">
          No requirements to check. Add them in the design&apos;s requirement review, then the plan is checked against them.
        </p>
      ) : null}
      {report && report.requirements.length ? (
        <div className="table-scroll">
          <table className="coverage-table" data-testid="coverage-table">
            <caption className="visually-hidden">Each requirement, its coverage status, and the steps that cover or violate it</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Requirement</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Steps</th>
              </tr>
            </thead>
            <tbody>
              {report.requirements.map((entry) => {
                const violations = report.violations.filter((violation) => violation.requirement === entry.id);
                return (
                  <tr key={entry.id} className={`cov-row cov-${entry.status}`} data-testid="coverage-row" data-requirement={entry.id} data-status={entry.status}>
                    <th scope="row">{entry.id}</th>
                    <td>{texts.get(entry.id)?.text ?? ''}</td>
                    <td className="hint">{entry.kind.replace('_', '-')}</td>
                    <td>
                      <span className={`badge cov-${entry.status}`}>{STATUS_LABEL[entry.status]}</span>
                    </td>
                    <td>
                      {entry.status === 'violated' ? (
                        <ul className="cov-violations">
                          {violations.map((violation) => (
                            <li key={`${violation.step}-${violation.rule}`} data-testid="coverage-violation">
                              <StepLink projectId={project.id} stepId={violation.step} />: {violation.message}
                            </li>
                          ))}
                        </ul>
                      ) : entry.steps.length ? (
                        <span className="cov-steps">
                          {entry.steps.map((stepId) => (
                            <StepLink key={stepId} projectId={project.id} stepId={stepId} />
                          ))}
                        </span>
                      ) : entry.status === 'planned' ? (
                        <span className="hint">phase {entry.phases.join(', ')}, not detailed yet</span>
                      ) : entry.status === 'uncovered' ? (
                        <span className="hint">no step covers it</span>
                      ) : (
                        <span className="hint">no step contradicts it</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {report?.gaps.length ? (
        <details className="cov-gaps" data-testid="coverage-gaps">
          <summary>
            {report.gaps.length} {report.gaps.length === 1 ? 'step has' : 'steps have'} gaps
          </summary>
          <ul>
            {report.gaps.map((gap) => (
              <li key={gap.step}>
                <StepLink projectId={project.id} stepId={gap.step} />: {gap.missing.map((missing) => GAP_LABEL[missing]).join(', ')}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
