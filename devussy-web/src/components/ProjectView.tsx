'use client';

import { useState } from 'react';
import { overview } from '@/lib/progress';
import { STAGES, isRunning, pausedParts, plural, stageAvailable, stageStatus, type Project, type StageKey } from '@/lib/project';
import { cancelAll, regenerateStale, resume, runEverything } from '@/lib/runner';
import { staleness } from '@/lib/stale';
import { appStore } from '@/lib/store';
import { DesignView } from './DesignView';
import { ExecutionView } from './ExecutionView';
import { HandoffView } from './HandoffView';
import { InterviewChat } from './InterviewChat';
import { ModelSettingsDialog } from './ModelSettings';
import { NewProjectForm } from './NewProjectForm';
import { PlanView } from './PlanView';
import { formatDuration, useNow } from './ui';

/** Overall progress of the run (parts done of all parts) and the time spent streaming. */
function RunOverview({ project }: { project: Project }) {
  const running = isRunning(project);
  const now = useNow(running);
  const { done, total, elapsedMs, started } = overview(project, now);
  if (!started) return null;
  return (
    <div className="run-overview" data-testid="run-overview">
      <progress value={done} max={total} aria-label="Overall progress" />
      <span className="muted">
        {done} of {total} parts done · <span data-testid="run-elapsed" title="Time spent streaming">{formatDuration(elapsedMs)}</span>
        {running ? ' · running' : ''}
      </span>
    </div>
  );
}

export function ProjectView({ project }: { project: Project }) {
  const [settingsOpen, setSettingsOpen] = useState(false);
  const go = (stage: StageKey) => appStore.navigate(project.id, stage);
  const running = isRunning(project);
  const canRunAll = Boolean(project.input.idea.trim() || project.interview.brief || project.design.value);
  const paused = pausedParts(project);
  const stale = staleness(project);

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
          title={canRunAll ? 'Design, plan, all phase details and the handoff in one go (a stage already streaming is joined)' : 'Describe the idea first'}
          data-testid="run-everything"
        >
          {project.mode === 'auto' ? 'Running everything…' : '▶ Run everything'}
        </button>
      </div>
      <RunOverview project={project} />

      {paused.length ? (
        <div className="banner info" role="status" data-testid="paused-banner">
          Paused when the page was left: {paused.join(', ')}. Finished work is kept.{' '}
          <button type="button" className="small primary" onClick={() => void resume(project.id)} data-testid="resume">
            Resume
          </button>
        </div>
      ) : null}
      {stale.any && !running ? (
        <div className="banner info" role="status" data-testid="stale-banner">
          {stale.plan ? 'The design changed after the plan was made: the plan and everything after it are stale.' : `${plural(stale.count, 'part')} made before an edit ${stale.count === 1 ? 'is' : 'are'} stale.`}{' '}
          <button type="button" className="small primary" onClick={() => void regenerateStale(project.id, stale)} data-testid="regenerate-stale">
            Regenerate stale ({stale.plan ? 'plan' : stale.count})
          </button>
        </div>
      ) : null}

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
