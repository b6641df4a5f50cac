'use client';

import { useState } from 'react';
import { isActive, type Project } from '@/lib/project';
import { cancelStage, runDesign, sendInterview } from '@/lib/runner';
import { appStore, liveKey } from '@/lib/store';
import { Markdown } from './Markdown';
import { StreamText } from './StreamText';
import { ErrorBox } from './ui';

export function InterviewChat({ project }: { project: Project }) {
  const [draft, setDraft] = useState('');
  const { turns, brief, run } = project.interview;
  const busy = isActive(run);
  const lastUser = turns.at(-1)?.role === 'user' ? turns.at(-1)!.content : null;
  const failed = !busy && lastUser !== null && (run.status === 'error' || run.status === 'cancelled');

  const send = () => {
    const text = draft.trim();
    if (!text || busy) return;
    setDraft('');
    void sendInterview(project.id, text).catch(() => undefined);
  };

  return (
    <section className="panel" aria-labelledby="interview-heading">
      <div className="panel-head">
        <h2 id="interview-heading">Interview</h2>
        <span className="muted">Answer a few questions; the interviewer turns them into a project brief.</span>
      </div>
      <div className="chat" data-testid="chat">
        {/* Only finished turns are announced; the reply still streaming sits outside the live region. */}
        <div className="chat-turns" role="log" aria-live="polite">
          {turns.length === 0 && !busy ? (
            <p className="muted">Say what you want to build, e.g. “A CLI that backs up my photos to S3”.</p>
          ) : null}
          {turns.map((turn, index) => (
            <div key={index} className={`bubble ${turn.role}`} data-testid={`bubble-${turn.role}`}>
              {turn.role === 'assistant' ? <Markdown source={turn.content} /> : turn.content}
            </div>
          ))}
        </div>
        {busy ? (
          <div className="bubble assistant">
            <StreamText streamKey={liveKey(project.id, 'interview')} label="Interviewer reply, streaming" compact live testId="interview-stream" />
          </div>
        ) : null}
      </div>
      {failed && run.error ? (
        <ErrorBox error={run.error}>
          {' '}
          <button type="button" className="small" onClick={() => void sendInterview(project.id, lastUser!, true).catch(() => undefined)}>
            Retry
          </button>
        </ErrorBox>
      ) : null}
      {brief ? (
        <div className="panel" style={{ marginTop: '1rem', background: 'var(--ok-soft)' }} data-testid="brief-ready">
          <h3>Brief ready: {brief.name}</h3>
          <p style={{ whiteSpace: 'pre-wrap' }}>{brief.summary}</p>
          {brief.requirements?.length ? (
            <>
              <h4 style={{ margin: '0.5rem 0 0.25rem' }}>Requirements found</h4>
              <ul className="ws-plain" data-testid="brief-requirements">
                {brief.requirements.map((requirement) => (
                  <li key={requirement.id}>
                    <strong>{requirement.id}</strong> <span className="hint">({(requirement.kind ?? 'feature').replace('_', '-')})</span> {requirement.text}
                  </li>
                ))}
              </ul>
              <p className="hint">You can edit, add and remove them after the design, before the plan is made.</p>
            </>
          ) : null}
          <button type="button" className="primary" onClick={() => void runDesign(project.id).catch(() => undefined)}>
            Create the design from this brief →
          </button>
        </div>
      ) : null}
      <form
        className="actions"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
      >
        <label htmlFor="interview-input" className="visually-hidden">
          Your answer
        </label>
        <textarea
          id="interview-input"
          rows={2}
          style={{ flex: 1, minHeight: '2.8rem' }}
          value={draft}
          placeholder="Type your answer (Enter to send, Shift+Enter for a new line)"
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey) {
              event.preventDefault();
              send();
            }
          }}
        />
        {busy ? (
          <button type="button" className="danger" onClick={() => cancelStage(project.id, 'interview')}>
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={!draft.trim()}>
            Send
          </button>
        )}
        <button type="button" className="ghost" onClick={() => appStore.navigate(project.id, 'new')}>
          Back to the idea
        </button>
      </form>
    </section>
  );
}
