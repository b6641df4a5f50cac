'use client';

import { useState } from 'react';
import { mergedPlan, type Project } from '@/lib/project';
import {
  REQUIREMENT_KINDS,
  REQUIREMENT_MAX_CHARS,
  addRequirement,
  citationsOf,
  describeCitations,
  nextRequirementId,
  removeRequirement,
  requirementProblems,
  updateRequirement,
  type RequirementKind,
} from '@/lib/requirements';
import { appStore } from '@/lib/store';
import type { Requirement } from '@/lib/types';
import { undoable } from '@/lib/undo';

/** Replace the design's requirement list (the plan made from it becomes stale). */
function setList(projectId: string, update: (list: Requirement[]) => Requirement[]): void {
  appStore.update(projectId, (project) => {
    const design = project.design.value;
    if (!design) return project;
    return { ...project, design: { ...project.design, value: { ...design, requirements: update(design.requirements ?? []) } } };
  });
}

function KindSelect({ id, value, onChange, label }: { id: string; value: RequirementKind; onChange: (kind: RequirementKind) => void; label: string }) {
  return (
    <>
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value as RequirementKind)}>
        {REQUIREMENT_KINDS.map((kind) => (
          <option key={kind.value} value={kind.value} title={kind.hint}>
            {kind.label}
          </option>
        ))}
      </select>
    </>
  );
}

function AddRequirement({ project }: { project: Project }) {
  const [text, setText] = useState('');
  const [kind, setKind] = useState<RequirementKind>('feature');
  const design = project.design.value!;
  const issued = project.lastRequirementId ? [`R${project.lastRequirementId}`] : [];
  const nextId = nextRequirementId(design.requirements ?? [], mergedPlan(project), [...(design.brief?.requirements ?? []).map((r) => r.id), ...issued]);
  const tooLong = text.trim().length > REQUIREMENT_MAX_CHARS;
  return (
    <form
      className="req-add"
      onSubmit={(event) => {
        event.preventDefault();
        if (!text.trim() || tooLong) return;
        setList(project.id, (list) => addRequirement(list, text, kind, nextId));
        appStore.update(project.id, (p) => ({ ...p, lastRequirementId: Number(nextId.slice(1)) }));
        setText('');
      }}
    >
      <span className="req-id" aria-hidden="true">
        {nextId}
      </span>
      <label htmlFor="new-requirement" className="visually-hidden">
        New requirement ({nextId})
      </label>
      <input id="new-requirement" type="text" value={text} placeholder="Add a requirement…" onChange={(event) => setText(event.target.value)} />
      <KindSelect id="new-requirement-kind" value={kind} onChange={setKind} label="Kind of the new requirement" />
      <button type="submit" className="small" disabled={!text.trim() || tooLong} data-testid="add-requirement">
        + Add
      </button>
    </form>
  );
}

/**
 * The numbered requirements the plan must cover, reviewed before planning: edit the text and kind,
 * add, remove. Ids stay as they are; removing one the plan cites says where (Undo puts it back).
 */
export function RequirementsReview({ project, disabled }: { project: Project; disabled: boolean }) {
  const design = project.design.value;
  if (!design) return null;
  const list = design.requirements ?? [];
  const plan = mergedPlan(project);
  const problems = requirementProblems(list);

  return (
    <section className="req-review" aria-labelledby="req-heading" data-testid="requirements-review">
      <div className="panel-head" style={{ marginBottom: '0.4rem' }}>
        <h3 id="req-heading">Requirements ({list.length})</h3>
        <span className="hint">What the plan must cover or respect. Review them before planning: the list is sent with the plan and every phase detail.</span>
      </div>
      {list.length === 0 ? <p className="muted">No requirements were found in the idea. Add the ones the plan must cover.</p> : null}
      <fieldset disabled={disabled} className="req-fieldset">
        <legend className="visually-hidden">Requirements</legend>
        <ul className="req-list">
          {list.map((requirement) => {
            const cited = describeCitations(citationsOf(plan, requirement.id));
            const problem = problems.get(requirement.id);
            return (
              <li key={requirement.id} className="req-item" data-testid="requirement" data-requirement={requirement.id}>
                <span className="req-id">{requirement.id}</span>
                <label htmlFor={`req-text-${requirement.id}`} className="visually-hidden">
                  Requirement {requirement.id}
                </label>
                <input
                  id={`req-text-${requirement.id}`}
                  type="text"
                  value={requirement.text}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? `req-problem-${requirement.id}` : undefined}
                  onChange={(event) => setList(project.id, (items) => updateRequirement(items, requirement.id, { text: event.target.value }))}
                />
                <KindSelect
                  id={`req-kind-${requirement.id}`}
                  value={requirement.kind ?? 'feature'}
                  label={`Kind of ${requirement.id}`}
                  onChange={(kind) => setList(project.id, (items) => updateRequirement(items, requirement.id, { kind }))}
                />
                <span className="chip req-source" title="Where it came from">
                  {requirement.source ?? 'brief'}
                </span>
                <button
                  type="button"
                  className="small ghost danger"
                  aria-label={`Remove ${requirement.id}`}
                  title={cited ? `The plan cites ${requirement.id} in ${cited}` : `Remove ${requirement.id}`}
                  onClick={() =>
                    undoable(
                      project.id,
                      cited
                        ? `${requirement.id} removed. The plan cites it in ${cited}: regenerate the plan (it is stale now).`
                        : `${requirement.id} removed`,
                      () => setList(project.id, (items) => removeRequirement(items, requirement.id)),
                    )
                  }
                >
                  ✕
                </button>
                {cited ? (
                  <span className="hint req-cited" data-testid="requirement-cited">
                    cited by {cited}
                  </span>
                ) : null}
                {problem ? (
                  <span className="req-problem" id={`req-problem-${requirement.id}`} role="alert">
                    {problem}
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
        <AddRequirement project={project} />
      </fieldset>
    </section>
  );
}

/** Whether the list can be sent (no empty or too long requirement). */
export function requirementsReady(project: Project): boolean {
  return requirementProblems(project.design.value?.requirements ?? []).size === 0;
}
