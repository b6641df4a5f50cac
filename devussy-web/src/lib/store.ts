// The app's state: every project, kept in memory and saved to localStorage shortly after each
// change (including the partial text of streams still running, so a reload loses nothing).
'use client';

import { ExternalStore } from './externalStore';
import { useSyncExternalStore } from 'react';
import { liveText } from './liveText';
import { createProject, isActive, isBlank, type Project, type ProjectInput, type StageKey } from './project';
import { MemoryStorage, ProjectStorage, type KeyValueStorage } from './storage';

export interface AppState {
  projects: Record<string, Project>;
  /** Project ids, most recently updated first. */
  order: string[];
  activeId: string | null;
  /** Set when saving failed (e.g. storage full); shown as a banner. */
  storageError: string | null;
  loaded: boolean;
}


export function liveKey(projectId: string, part: string): string {
  return `${projectId}/${part}`;
}

/** The project as it should be saved: runs still streaming carry their text so far. */
function withLiveText(project: Project): Project {
  const fill = <T extends { status: string; text: string; tokens: number }>(run: T, part: string): T => {
    if (!isActive(run as never)) return run;
    const live = liveText.current(liveKey(project.id, part));
    return { ...run, text: live.text || run.text, tokens: live.tokens || run.tokens };
  };
  const phases = Object.fromEntries(
    Object.entries(project.phases).map(([number, run]) => [number, fill(run, `phase/${number}`)]),
  );
  return {
    ...project,
    interview: { ...project.interview, run: fill(project.interview.run, 'interview') },
    design: { ...project.design, run: fill(project.design.run, 'design') },
    plan: { ...project.plan, run: fill(project.plan.run, 'plan') },
    handoff: { ...project.handoff, run: fill(project.handoff.run, 'handoff') },
    phases,
  };
}

export class AppStore extends ExternalStore<AppState> {
  private dirty = new Set<string>();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private storage: ProjectStorage;

  constructor(backing?: KeyValueStorage, private readonly saveDelayMs = 300) {
    super({ projects: {}, order: [], activeId: null, storageError: null, loaded: false });
    this.storage = new ProjectStorage(backing ?? new MemoryStorage());
  }

  /** Read every saved project (called once in the browser). */
  load(backing: KeyValueStorage): void {
    this.storage = new ProjectStorage(backing);
    const projects: Record<string, Project> = {};
    const order: string[] = [];
    for (const summary of this.storage.list()) {
      const project = this.storage.load(summary.id);
      if (project) {
        projects[project.id] = project;
        order.push(project.id);
      }
    }
    // The URL names the open project: `#/<id>/<stage>` (or an older `#<id>`).
    const hashId = typeof location !== 'undefined' ? decodeURIComponent(location.hash.replace(/^#\/?/, '').split('/')[0]) : '';
    const activeId = hashId && projects[hashId] ? hashId : order[0] ?? null;
    this.setState({ projects, order, activeId, loaded: true });
  }

  get(projectId: string): Project | undefined {
    return this.state.projects[projectId];
  }

  select(projectId: string | null): void {
    this.setState({ activeId: projectId });
  }

  create(input: Partial<ProjectInput> = {}): Project {
    const project = createProject(input);
    this.put(project);
    this.setState({ activeId: project.id });
    return project;
  }

  /** "New project": reuse a project nobody has typed into yet instead of piling up empty ones. */
  createOrReuseBlank(): Project {
    const blank = this.state.order.map((id) => this.state.projects[id]).find((project) => project && isBlank(project));
    if (blank) {
      this.setState({ activeId: blank.id });
      return blank;
    }
    return this.create();
  }

  /** Show a stage of a project: navigation, not a change, so the project keeps its place in the list. */
  navigate(projectId: string, stage: StageKey): void {
    const current = this.state.projects[projectId];
    if (!current || current.stage === stage) return;
    this.dirty.add(projectId);
    this.setState({ projects: { ...this.state.projects, [projectId]: { ...current, stage } } });
    this.scheduleSave();
  }

  /** Put back an earlier copy of a project (Undo), or a deleted project. */
  restore(project: Project): void {
    this.put({ ...project, updatedAt: Date.now() });
    this.setState({ activeId: project.id });
  }

  add(project: Project): void {
    this.put({ ...project, updatedAt: Date.now() });
    this.setState({ activeId: project.id });
  }

  update(projectId: string, updater: (project: Project) => Project): void {
    const current = this.state.projects[projectId];
    if (!current) return;
    const next = updater(current);
    if (next === current) return;
    this.put({ ...next, updatedAt: Date.now() });
  }

  remove(projectId: string): void {
    const { [projectId]: _removed, ...projects } = this.state.projects;
    const order = this.state.order.filter((id) => id !== projectId);
    this.dirty.delete(projectId);
    try {
      this.storage.remove(projectId);
    } catch {
      // A failed removal leaves a stale entry; nothing to lose.
    }
    this.setState({ projects, order, activeId: this.state.activeId === projectId ? order[0] ?? null : this.state.activeId });
  }

  takenIds(): string[] {
    return Object.keys(this.state.projects);
  }

  /** Save every changed project now; `all` saves every project (on page hide/unload). */
  flush(all = false): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const ids = all ? this.state.order : [...this.dirty];
    this.dirty.clear();
    let error: string | null = null;
    for (const id of ids) {
      const project = this.state.projects[id];
      if (!project) continue;
      try {
        this.storage.save(withLiveText(project));
      } catch (failure) {
        error = `Could not save "${project.name}" in this browser (${(failure as Error).message}). Export it to keep a copy.`;
      }
    }
    if (error !== this.state.storageError) this.setState({ storageError: error });
  }

  /** Mark a project for saving without changing it (used while streams run). */
  touch(projectId: string): void {
    this.dirty.add(projectId);
    this.scheduleSave();
  }

  private put(project: Project): void {
    const projects = { ...this.state.projects, [project.id]: project };
    // Most recently changed first; navigation (navigate) does not change updatedAt, so not the order.
    const order = [project.id, ...this.state.order.filter((id) => id !== project.id)].sort(
      (a, b) => projects[b].updatedAt - projects[a].updatedAt,
    );
    this.dirty.add(project.id);
    this.setState({ projects, order });
    this.scheduleSave();
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), this.saveDelayMs);
  }
}

export const appStore = new AppStore();

export function useAppState(): AppState {
  return useSyncExternalStore(appStore.subscribe, appStore.getState, appStore.getState);
}

export function useProject(projectId: string | null): Project | null {
  const state = useAppState();
  return projectId ? state.projects[projectId] ?? null : null;
}
