'use client';

import { useEffect, useRef, useState } from 'react';
import { ImportError, ProjectStorage, exportProject, importProject } from '@/lib/storage';
import { appStore, useAppState } from '@/lib/store';
import { cancelAll, markUnloading } from '@/lib/runner';
import { AccessTokenBanner } from './AccessToken';
import { ProjectView } from './ProjectView';
import { downloadText } from './ui';
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

export function App() {
  const state = useAppState();
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
    if (storage) appStore.load(storage);
    else appStore.load({ getItem: () => null, setItem: () => undefined, removeItem: () => undefined });
    const save = () => appStore.flush(true);
    const beforeUnload = () => {
      markUnloading();
      save();
    };
    window.addEventListener('beforeunload', beforeUnload);
    window.addEventListener('pagehide', save);
    const onVisibility = () => document.visibilityState === 'hidden' && save();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      window.removeEventListener('pagehide', save);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, []);

  // Keep the URL hash on the open project, so a reload (or a shared link on this browser) reopens it.
  useEffect(() => {
    if (!state.loaded) return;
    const hash = state.activeId ? `#${state.activeId}` : '';
    if (location.hash !== hash) history.replaceState(null, '', hash || location.pathname);
  }, [state.activeId, state.loaded]);

  const active = state.activeId ? state.projects[state.activeId] : null;

  const onImport = async (file: File) => {
    setImportError(null);
    try {
      const project = importProject(await file.text(), appStore.takenIds());
      appStore.add(project);
    } catch (error) {
      setImportError(error instanceof ImportError ? error.message : `Could not import: ${(error as Error).message}`);
    }
  };

  const onDelete = (id: string) => {
    const project = state.projects[id];
    if (!project) return;
    if (!window.confirm(`Delete "${project.name}" from this browser? Export it first to keep a copy.`)) return;
    cancelAll(id);
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
          <button type="button" className="primary" onClick={() => appStore.create()} data-testid="new-project">
            + New project
          </button>
          <div className="actions" style={{ marginTop: 0 }}>
            <button type="button" className="small" onClick={() => fileInput.current?.click()}>
              Import JSON
            </button>
            <input
              ref={fileInput}
              type="file"
              accept="application/json,.json"
              className="visually-hidden"
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
                  <button type="button" aria-current={id === state.activeId} onClick={() => appStore.select(id)}>
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
        </aside>
        <main className="main" id="main" tabIndex={-1}>
          <AccessTokenBanner />
          {state.storageError ? (
            <div className="banner" role="alert">
              {state.storageError}
            </div>
          ) : null}
          {!state.loaded ? (
            <p className="muted">Loading…</p>
          ) : active ? (
            <ProjectView key={active.id} project={active} />
          ) : (
            <section className="panel empty">
              <h2>Plan your next project</h2>
              <p>Describe an idea; Devussy designs it, breaks it into phases with testable steps, and writes a handoff prompt for you or a coding agent.</p>
              <button type="button" className="primary" onClick={() => appStore.create()}>
                Start a new project
              </button>
            </section>
          )}
        </main>
      </div>
    </div>
  );
}
