'use client';

import { IDEA_MAX_CHARS, displayName, type Project, type ProjectInput } from '@/lib/project';
import { runDesign, runEverything, sendInterview } from '@/lib/runner';
import { appStore } from '@/lib/store';

export function NewProjectForm({ project }: { project: Project }) {
  const { input } = project;
  const set = (field: keyof ProjectInput, value: string) =>
    appStore.update(project.id, (p) => {
      const next = { ...p.input, [field]: value };
      // Until the design names it, the project is shown by the name typed or the start of the idea.
      const named = field === 'projectName' || !p.design.value;
      return { ...p, input: next, name: named ? displayName(next) : p.name };
    });
  const ready = Boolean(input.idea.trim());
  const startInterview = () => {
    appStore.navigate(project.id, 'interview');
    // The interview starts from the idea already typed, instead of asking for it again.
    if (input.idea.trim() && project.interview.turns.length === 0) void sendInterview(project.id, input.idea.trim()).catch(() => undefined);
  };

  return (
    <section className="panel" aria-labelledby="new-heading">
      <div className="panel-head">
        <h2 id="new-heading">Your idea</h2>
      </div>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (ready) void runDesign(project.id).catch(() => undefined);
        }}
      >
        <div className="field">
          <label htmlFor="project-name">Project name</label>
          <input
            id="project-name"
            type="text"
            value={input.projectName}
            maxLength={200}
            placeholder="Optional: named from your idea when left empty"
            onChange={(e) => set('projectName', e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="project-idea">
            What do you want to build? <span className="hint">(required)</span>
          </label>
          <textarea
            id="project-idea"
            rows={6}
            value={input.idea}
            maxLength={IDEA_MAX_CHARS}
            aria-describedby="idea-count"
            placeholder="A web app where families share recipes, plan weekly meals and get a shopping list…"
            onChange={(e) => set('idea', e.target.value)}
          />
          <span id="idea-count" className={`hint counter${input.idea.length > IDEA_MAX_CHARS * 0.9 ? ' near-limit' : ''}`} data-testid="idea-count">
            {input.idea.length.toLocaleString('en-US')} / {IDEA_MAX_CHARS.toLocaleString('en-US')} characters
            {input.idea.length > 2000 ? ' · long ideas are summarised in the design; the full text is kept in the brief' : ''}
          </span>
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="project-languages">
              Languages <span className="hint">comma-separated, optional</span>
            </label>
            <input id="project-languages" type="text" value={input.languages} placeholder="Python, TypeScript" onChange={(e) => set('languages', e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="project-frameworks">
              Frameworks <span className="hint">optional</span>
            </label>
            <input id="project-frameworks" type="text" value={input.frameworks} placeholder="FastAPI, React" onChange={(e) => set('frameworks', e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="project-apis">
              APIs and integrations <span className="hint">optional</span>
            </label>
            <input id="project-apis" type="text" value={input.apis} placeholder="Stripe, OpenAI" onChange={(e) => set('apis', e.target.value)} />
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={!ready} data-testid="create-design">
            Create design →
          </button>
          <button type="button" onClick={startInterview} data-testid="start-interview">
            Refine with an interview first
          </button>
          <button type="button" disabled={!ready} onClick={() => void runEverything(project.id)}>
            Run everything in one go
          </button>
          {!ready ? <span className="hint">Describe the idea to continue, or start with the interview.</span> : null}
        </div>
      </form>
    </section>
  );
}
