'use client';

import { useEffect, useRef, useState } from 'react';
import { EXAMPLE_IDEAS, offlineSettings } from '@/lib/examples';
import { STAGES, isRunning, type StageKey } from '@/lib/project';
import { ImportError, ProjectStorage, exportProject, importProject } from '@/lib/storage';
import { appStore, useAppState } from '@/lib/store';
import { cancelAll, markResumed, markUnloading, runEverything } from '@/lib/runner';
import { offerUndo } from '@/lib/undo';
import { useWorkspaces, workspaceStore } from '@/lib/workspaceStore';
import { AccessTokenBanner } from './AccessToken';
import { OpenPlan } from './OpenPlan';
import { WorkspaceView } from './WorkspaceView';
import { UndoToast } from './UndoToast';
import { ProjectView } from './ProjectView';
import { HiddenFileInput, downloadText } from './ui';
import { slugify } from '@/lib/text';

function useTheme(): [string, () => void] {
  const [theme, setTheme] = useState('light');
  useEffect(() => {
    setTheme(document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');
  }, []);
  const toggle = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try {
      new ProjectStorage(localStorage).setTheme(next);
    } catch {
      // Private mode: the theme just isn't remembered.
    }
    setTheme(next);
  };
  return [theme, toggle];
}

/** The URL of a project's stage: `#/<project id>/<stage>` (older `#<id>` links still open the project). */
export function locationFor(projectId: string | null, stage: StageKey | null): string {
  return projectId ? `#/${encodeURIComponent(projectId)}/${stage ?? 'new'}` : '';
}

/** The URL of an opened living plan. */
export function workspaceLocation(workspaceId: string): string {
  return `#/${LIVING}/${encodeURIComponent(workspaceId)}`;
}

const LIVING = 'living';

export function parseLocation(hash: string): { projectId: string | null; stage: StageKey | null; workspaceId: string | null } {
  const [id, stage] = hash.replace(/^#\/?/, '').split('/');
  if (id === LIVING) return { projectId: null, stage: null, workspaceId: stage ? decodeURIComponent(stage) : null };
  const known = STAGES.find((item) => item.key === stage)?.key ?? null;
  return { projectId: id ? decodeURIComponent(id) : null, stage: known, workspaceId: null };
}

/** "New project": a living plan shown instead is put away. */
function newProject(): void {
  workspaceStore.select(null);
  appStore.createOrReuseBlank();
}

/** Show a project (or the empty state): a living plan shown instead is put away. */
function showProject(projectId: string | null): void {
  workspaceStore.select(null);
  appStore.select(projectId);
}

/** Start one of the example ideas on the offline engine, all the way to the handoff. */
function startExample(idea: string): void {
  workspaceStore.select(null);
  const project = appStore.createOrReuseBlank();
  appStore.update(project.id, (p) => ({ ...p, input: { ...p.input, idea }, settings: offlineSettings(p.settings) }));
  void runEverything(project.id);
}

export function App() {
  const state = useAppState();
  const living = useWorkspaces();
  const [theme, toggleTheme] = useTheme();
  const [importError, setImportError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let storage: Storage | undefined;
    try {
      storage = window.localStorage;
    } catch {
      storage = undefined;
    }
    const backing = storage ?? { getItem: () => null, setItem: () => undefined, removeItem: () => undefined };
    appStore.load(backing);
    const initial = parseLocation(location.hash);
    workspaceStore.load(backing, initial.workspaceId);
    if (initial.projectId && initial.stage && appStore.get(initial.projectId)) appStore.navigate(initial.projectId, initial.stage);
    const save = () => appStore.flush(true);
    // Leaving while something streams asks first (the browser shows its own "Leave site?" prompt);
    // if the user leaves anyway, the streams come back paused with their text so far.
    const beforeUnload = (event: BeforeUnloadEvent) => {
      save();
      if (Object.values(appStore.getState().projects).some(isRunning)) {
        event.preventDefault();
        event.returnValue = '';
      }
    };
    const pageHide = () => {
      markUnloading();
      save();
    };
    const pageShow = (event: PageTransitionEvent) => event.persisted && markResumed();
    // Back and Forward move between projects and stages inside the app.
    const popState = () => {
      const { projectId, stage, workspaceId } = parseLocation(location.hash);
      if (workspaceId) {
        workspaceStore.select(workspaceId);
        return;
      }
      workspaceStore.select(null);
      if (projectId && appStore.get(projectId)) {
        appStore.select(projectId);
        if (stage) appStore.navigate(projectId, stage);
      } else if (!projectId) {
        appStore.select(null);
      }
    };
    window.addEventListener('beforeunload', beforeUnload);
    window.addEventListener('pagehide', pageHide);
    window.addEventListener('pageshow', pageShow);
    window.addEventListener('popstate', popState);
    const onVisibility = () => document.visibilityState === 'hidden' && save();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      window.removeEventListener('pagehide', pageHide);
      window.removeEventListener('pageshow', pageShow);
      window.removeEventListener('popstate', popState);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, []);

  const workspace = living.activeId ? living.workspaces[living.activeId] ?? null : null;
  const active = !workspace && state.activeId ? state.projects[state.activeId] : null;
  const activeStage = active?.stage ?? null;

  // Each project and stage is a history entry (#/<id>/<stage>): Back returns to the previous one
  // instead of leaving the app, and a reload reopens the same place.
  const firstEntry = useRef(true);
  useEffect(() => {
    if (!state.loaded) return;
    const target = workspace ? workspaceLocation(workspace.id) : locationFor(active?.id ?? null, activeStage);
    if (location.hash === target) {
      firstEntry.current = false;
      return;
    }
    if (firstEntry.current) history.replaceState(null, '', target || location.pathname);
    else history.pushState(null, '', target || location.pathname);
    firstEntry.current = false;
  }, [active?.id, activeStage, workspace?.id, state.loaded]);

  const onImport = async (file: File) => {
    setImportError(null);
    try {
      const project = importProject(await file.text(), appStore.takenIds());
      workspaceStore.select(null);
      appStore.add(project);
    } catch (error) {
      setImportError(error instanceof ImportError ? error.message : `Could not import: ${(error as Error).message}`);
    }
  };

  const onDelete = (id: string) => {
    const project = appStore.get(id);
    if (!project) return;
    cancelAll(id);
    offerUndo(`Project “${project.name}” deleted`, appStore.get(id) ?? project);
    appStore.remove(id);
  };

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Devussy
        </span>
        <span className="muted tagline" style={{ fontSize: '0.85rem' }}>
          idea → design → plan → handoff
        </span>
        <span className="spacer" />
        <button type="button" className="icon-button" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      <div className="shell">
        <aside className="sidebar" aria-label="Projects">
          <button
            type="button"
            className="primary"
            onClick={newProject}
            data-testid="new-project"
          >
            + New project
          </button>
          <div className="actions" style={{ marginTop: 0 }}>
            <button type="button" className="small" onClick={() => fileInput.current?.click()}>
              Import JSON
            </button>
            <HiddenFileInput
              ref={fileInput}
              accept="application/json,.json"
              aria-label="Import a project file"
              data-testid="import-input"
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file) void onImport(file);
                event.target.value = '';
              }}
            />
            {active ? (
              <button type="button" className="small" onClick={() => downloadText(exportProject(active), `${slugify(active.name)}.devussy.json`, 'application/json')}>
                Export JSON
              </button>
            ) : null}
          </div>
          {importError ? (
            <div className="error-box" role="alert" data-testid="import-error">
              {importError}
            </div>
          ) : null}
          <h2 className="visually-hidden">Your projects</h2>
          {state.order.length === 0 && state.loaded ? <p className="muted" style={{ fontSize: '0.85rem' }}>No projects yet.</p> : null}
          <ul className="project-list" data-testid="project-list">
            {state.order.map((id) => {
              const project = state.projects[id];
              return (
                <li key={id} style={{ display: 'flex', alignItems: 'center' }}>
                  <button type="button" aria-current={id === active?.id} onClick={() => showProject(id)}>
                    <span className="name">{project.name}</span>
                    <span className="meta">{new Date(project.updatedAt).toLocaleString()}</span>
                  </button>
                  <button type="button" className="ghost small" aria-label={`Delete ${project.name}`} onClick={() => onDelete(id)}>
                    ✕
                  </button>
                </li>
              );
            })}
          </ul>
          <OpenPlan onOpen={(id) => workspaceStore.select(id)} />
        </aside>
        <main className="main" id="main" tabIndex={-1}>
          <AccessTokenBanner />
          <UndoToast />
          {state.storageError || living.storageError ? (
            <div className="banner" role="alert">
              {state.storageError ?? living.storageError}
            </div>
          ) : null}
          {!state.loaded ? (
            <p className="muted">Loading…</p>
          ) : workspace ? (
            <WorkspaceView key={workspace.id} workspace={workspace} />
          ) : active ? (
            <ProjectView key={active.id} project={active} />
          ) : (
            <section className="panel empty" data-testid="empty-state">
              <h2>Plan your next project</h2>
              <p>Describe an idea; Devussy designs it, breaks it into phases with testable steps, and writes a handoff prompt for you or a coding agent.</p>
              <button type="button" className="primary" onClick={newProject}>
                Start a new project
              </button>
              <h3 className="examples-heading">Or try an example</h3>
              <p className="hint">Runs start to finish on the built-in offline engine: no key, no cost.</p>
              <ul className="examples">
                {EXAMPLE_IDEAS.map((example) => (
                  <li key={example.title}>
                    <button type="button" className="example" onClick={() => startExample(example.idea)} data-testid="example-idea">
                      <strong>{example.title}</strong>
                      <span>{example.idea}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </main>
      </div>
    </div>
  );
}
