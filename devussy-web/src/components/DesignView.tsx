'use client';

import { useState } from 'react';
import { isActive, type Project } from '@/lib/project';
import { cancelStage, runDesign, runPlan } from '@/lib/runner';
import { appStore, liveKey } from '@/lib/store';
import type { DesignReview, ProjectDesign } from '@/lib/types';
import { offerUndo } from '@/lib/undo';
import { RefineForm, RefinementChanges } from './Refine';
import { RequirementsReview, requirementsReady } from './RequirementsReview';
import { StreamText } from './StreamText';
import { ErrorBox, StageHeader } from './ui';

const lines = (items: string[]) => items.join('\n');
const unlines = (text: string) => text.split('\n').map((item) => item.trim()).filter(Boolean);

function DesignEditor({ design, onSave, onCancel }: { design: ProjectDesign; onSave: (d: ProjectDesign) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState({
    summary: design.summary,
    objectives: lines(design.objectives ?? []),
    techStack: lines(design.techStack ?? []),
    architecture: design.architecture ?? '',
    dataModel: design.dataModel ?? '',
    risks: (design.risks ?? []).map((r) => (r.mitigation ? `${r.risk} :: ${r.mitigation}` : r.risk)).join('\n'),
    testingStrategy: design.testingStrategy ?? '',
  });
  const set = (field: keyof typeof draft) => (event: React.ChangeEvent<HTMLTextAreaElement>) => setDraft({ ...draft, [field]: event.target.value });
  const risks = unlines(draft.risks).map((line) => {
    const [risk, ...rest] = line.split('::');
    // A risk without a mitigation keeps it empty: a gap, not an invented answer.
    return { risk: risk.trim(), mitigation: rest.join('::').trim() || null };
  });
  // Only the summary is required: other parts may be empty (as a design from the server may have them).
  const problems = [!draft.summary.trim() && 'the summary is empty'].filter(Boolean) as string[];

  const field = (id: keyof typeof draft, label: string, hint?: string, rows = 4) => (
    <div className="field">
      <label htmlFor={`design-${id}`}>
        {label} {hint ? <span className="hint">{hint}</span> : null}
      </label>
      <textarea id={`design-${id}`} rows={rows} value={draft[id]} onChange={set(id)} />
    </div>
  );

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (problems.length) return;
        onSave({
          ...design,
          summary: draft.summary.trim(),
          objectives: unlines(draft.objectives),
          techStack: unlines(draft.techStack),
          architecture: draft.architecture.trim(),
          dataModel: draft.dataModel.trim(),
          risks,
          testingStrategy: draft.testingStrategy.trim(),
        });
      }}
    >
      {field('summary', 'Summary')}
      <div className="field-row">
        {field('objectives', 'Objectives', 'one per line')}
        {field('techStack', 'Tech stack', 'one per line')}
      </div>
      {field('architecture', 'Architecture', undefined, 6)}
      {field('dataModel', 'Data model', undefined, 5)}
      {field('risks', 'Risks', 'one per line: risk :: mitigation')}
      {field('testingStrategy', 'Testing strategy')}
      {problems.length ? (
        <p className="error-box" role="alert">
          Cannot save yet: {problems.join('; ')}.
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={problems.length > 0}>
          Save design
        </button>
        <button type="button" onClick={onCancel}>
          Discard changes
        </button>
      </div>
    </form>
  );
}

const NOT_GIVEN = <span className="muted">not given</span>;

export function DesignDetails({ design, review }: { design: ProjectDesign; review?: DesignReview | null }) {
  return (
    <dl className="kv" data-testid="design-details">
      <dt>Summary</dt>
      <dd>{design.summary}</dd>
      <dt>Objectives</dt>
      <dd>
        <ul style={{ margin: 0, paddingLeft: '1.1rem' }}>
          {(design.objectives ?? []).map((item, index) => (
            <li key={index}>{item}</li>
          ))}
        </ul>
      </dd>
      <dt>Tech stack</dt>
      <dd className="chips">
        {(design.techStack ?? []).map((item, index) => (
          <span className="chip" key={index}>
            {item}
          </span>
        ))}
      </dd>
      <dt>Architecture</dt>
      <dd>{design.architecture || NOT_GIVEN}</dd>
      <dt>Data model</dt>
      <dd>{design.dataModel || NOT_GIVEN}</dd>
      <dt>Risks</dt>
      <dd>
        <ul style={{ margin: 0, paddingLeft: '1.1rem' }}>
          {(design.risks ?? []).map((risk, index) => (
            <li key={index}>
              <strong>{risk.risk}</strong>
              {risk.mitigation ? ` — ${risk.mitigation}` : ''}
            </li>
          ))}
        </ul>
      </dd>
      <dt>Testing strategy</dt>
      <dd>{design.testingStrategy || NOT_GIVEN}</dd>
      {review && review.findings && review.findings.length > 0 ? (
        <>
          <dt>Review</dt>
          <dd data-testid="design-review">
            <ul style={{ margin: 0, paddingLeft: '1.1rem' }}>
              {review.findings.map((finding, index) => (
                <li key={index}>{finding.message}</li>
              ))}
            </ul>
            {review.corrected ? 'Corrected in one round.' : review.note}
          </dd>
        </>
      ) : null}
      {design.complexity ? (
        <>
          <dt>Complexity</dt>
          <dd>
            {design.complexity.level} (score {design.complexity.score}), {design.complexity.phaseCount} phases of about {design.complexity.depth} steps
          </dd>
        </>
      ) : null}
    </dl>
  );
}

export function DesignView({ project }: { project: Project }) {
  const [editing, setEditing] = useState(false);
  const { run, value } = project.design;
  const busy = isActive(run);
  const planBusy = isActive(project.plan.run);

  return (
    <section className="panel" aria-labelledby="design-heading" data-testid="design-view">
      <StageHeader
        headingId="design-heading"
        title="Design"
        run={run}
        streamKey={liveKey(project.id, 'design')}
        hasResult={Boolean(value)}
        onCancel={() => cancelStage(project.id, 'design')}
      >
        <button
          type="button"
          onClick={() => {
            if (value) offerUndo('Design regenerated', project);
            void runDesign(project.id).catch(() => undefined);
          }}
          disabled={planBusy}
          data-testid="regenerate-design"
        >
          {value ? 'Regenerate' : 'Create design'}
        </button>
      </StageHeader>
      {run.error && !busy ? <ErrorBox error={run.error} /> : null}
      {busy || (!value && run.text) ? (
        <StreamText streamKey={liveKey(project.id, 'design')} fallback={run.text} label="Design, streaming" live={busy} testId="design-stream" />
      ) : null}
      {!busy && !value && !run.text ? <p className="empty">No design yet. Create it from your idea.</p> : null}
      {value && !busy ? (
        editing ? (
          <DesignEditor
            design={value}
            onCancel={() => setEditing(false)}
            onSave={(design) => {
              appStore.update(project.id, (p) => ({ ...p, design: { ...p.design, value: design } }));
              setEditing(false);
            }}
          />
        ) : (
          <>
            {run.refined ? (
              <RefinementChanges
                refined={run.refined}
                onDismiss={() => appStore.update(project.id, (p) => ({ ...p, design: { ...p.design, run: { ...p.design.run, refined: null } } }))}
              />
            ) : null}
            <DesignDetails design={value} review={project.design.review} />
            <RequirementsReview project={project} disabled={planBusy} />
            <div className="actions">
              <button
                type="button"
                className="primary"
                disabled={planBusy || !requirementsReady(project)}
                title={requirementsReady(project) ? undefined : 'Fix the requirements first (an empty or too long one)'}
                data-testid="approve-design"
                onClick={() => {
                  if (project.plan.value) appStore.navigate(project.id, 'plan');
                  else void runPlan(project.id).catch(() => undefined);
                }}
              >
                {project.plan.value ? 'Go to the plan →' : 'Approve and create the plan →'}
              </button>
              <button type="button" onClick={() => setEditing(true)} data-testid="edit-design">
                Edit design
              </button>
            </div>
            <RefineForm
              id="refine-design"
              what="the design"
              examples="e.g. “make voting anonymous”, “use PostgreSQL instead”"
              disabled={planBusy}
              onRefine={(instruction) => {
                offerUndo('Design refined', project);
                void runDesign(project.id, undefined, { instruction }).catch(() => undefined);
              }}
            />
          </>
        )
      ) : null}
    </section>
  );
}
