'use client';

import { useState } from 'react';
import { STAGES, isActive, stageAvailable, stageStatus, type Project, type StageKey } from '@/lib/project';
import { cancelAll, runEverything } from '@/lib/runner';
import { appStore } from '@/lib/store';
import { DesignView } from './DesignView';
import { ExecutionView } from './ExecutionView';
import { HandoffView } from './HandoffView';
import { InterviewChat } from './InterviewChat';
import { ModelSettingsDialog } from './ModelSettings';
import { NewProjectForm } from './NewProjectForm';
import { PlanView } from './PlanView';

function anythingRunning(project: Project): boolean {
  return (
    isActive(project.interview.run) ||
    isActive(project.design.run) ||
    isActive(project.plan.run) ||
    isActive(project.handoff.run) ||
    Object.values(project.phases).some(isActive)
  );
}

export function ProjectView({ project }: { project: Project }) {
  const [settingsOpen, setSettingsOpen] = useState(false);
  const go = (stage: StageKey) => appStore.update(project.id, (p) => ({ ...p, stage }));
  const running = anythingRunning(project);
  const canRunAll = Boolean(project.input.idea.trim() || project.interview.brief || project.design.value);

  return (
    <div data-testid="project-view" data-project-id={project.id}>
      <div className="panel-head">
        <h1 style={{ fontSize: '1.4rem', margin: 0, overflowWrap: 'anywhere' }} data-testid="project-title">
          {project.name}
        </h1>
        <span className="spacer" />
        <button type="button" onClick={() => setSettingsOpen(true)} data-testid="open-settings">
          ⚙ Models
        </button>
        {running ? (
          <button type="button" className="danger" onClick={() => cancelAll(project.id)} data-testid="cancel-everything">
            ■ Cancel all
          </button>
        ) : null}
        <button
          type="button"
          className="primary"
          disabled={!canRunAll || project.mode === 'auto'}
          onClick={() => void runEverything(project.id)}
          title={canRunAll ? 'Design, plan, all phase details and the handoff in one go' : 'Describe the idea first'}
          data-testid="run-everything"
        >
          {project.mode === 'auto' ? 'Running everything…' : '▶ Run everything'}
        </button>
      </div>

      <nav aria-label="Stages">
        <ol className="stepper">
          {STAGES.map((stage) => {
            const status = stageStatus(project, stage.key);
            const available = stageAvailable(project, stage.key);
            return (
              <li key={stage.key}>
                <button
                  type="button"
                  aria-current={project.stage === stage.key ? 'step' : undefined}
                  disabled={!available}
                  onClick={() => go(stage.key)}
                  data-testid={`stage-${stage.key}`}
                  data-status={status}
                >
                  <span className={`step-dot ${status}`} aria-hidden="true" />
                  {stage.label}
                  <span className="visually-hidden"> ({status})</span>
                </button>
              </li>
            );
          })}
        </ol>
      </nav>

      {project.stage === 'new' ? <NewProjectForm project={project} /> : null}
      {project.stage === 'interview' ? <InterviewChat project={project} /> : null}
      {project.stage === 'design' ? <DesignView project={project} /> : null}
      {project.stage === 'plan' ? <PlanView project={project} /> : null}
      {project.stage === 'execute' ? <ExecutionView project={project} /> : null}
      {project.stage === 'handoff' ? <HandoffView project={project} /> : null}

      {settingsOpen ? <ModelSettingsDialog project={project} onClose={() => setSettingsOpen(false)} /> : null}
    </div>
  );
}
