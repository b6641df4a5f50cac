// Overall progress of a project's run: how many parts (design, plan, each phase, handoff) are done,
// and the time spent streaming (the union of every run's interval, so idle time between runs
// does not count).
import { isActive, type Project, type StageRun } from './project';

export interface Overview {
  done: number;
  total: number;
  elapsedMs: number;
  active: boolean;
  started: boolean;
}

export function overview(project: Project, now = Date.now()): Overview {
  const phases = project.plan.value?.phases ?? project.plan.streamedPhases;
  const phaseCount = phases.length || project.design.value?.complexity?.phaseCount || 0;
  const phaseRuns = phases.map((phase) => project.phases[String(phase.number)]).filter(Boolean);
  const done =
    Number(Boolean(project.design.value)) +
    Number(Boolean(project.plan.value)) +
    phaseRuns.filter((run) => run.status === 'done').length +
    Number(Boolean(project.handoff.value));
  const runs: StageRun[] = [project.design.run, project.plan.run, ...Object.values(project.phases), project.handoff.run];
  const intervals = runs
    .filter((run) => run.startedAt !== null)
    .map((run) => [run.startedAt as number, isActive(run) ? now : run.finishedAt ?? run.startedAt as number] as const)
    .sort((a, b) => a[0] - b[0]);
  let elapsedMs = 0;
  let end = -Infinity;
  for (const [start, stop] of intervals) {
    if (stop <= end) continue;
    elapsedMs += stop - Math.max(start, end);
    end = stop;
  }
  return { done, total: 3 + phaseCount, elapsedMs, active: runs.some(isActive), started: intervals.length > 0 };
}
