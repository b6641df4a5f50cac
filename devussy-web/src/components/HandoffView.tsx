'use client';

import { useState } from 'react';
import { api } from '@/lib/api';
import { allPhasesDone, isActive, mergedPlan, type Project } from '@/lib/project';
import { cancelStage, loadArtifacts, runHandoff } from '@/lib/runner';
import { staleness } from '@/lib/stale';
import { liveKey } from '@/lib/store';
import { offerUndo } from '@/lib/undo';
import { Markdown } from './Markdown';
import { StreamText } from './StreamText';
import { CopyButton, ErrorBox, StageHeader, downloadBlob, downloadText } from './ui';

function FileRow({ name, content }: { name: string; content: string }) {
  const [open, setOpen] = useState(false);
  const type = name.endsWith('.json') ? 'application/json' : name.endsWith('.md') ? 'text/markdown' : 'text/plain';
  const base = name.split('/').pop() || name;
  return (
    <li data-testid="artifact-file">
      <span className="file-name">{name}</span>
      <span className="hint">{(new Blob([content]).size / 1024).toFixed(1)} KB</span>
      <button type="button" className="small" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide' : 'View'}
      </button>
      <CopyButton text={content} />
      <button type="button" className="small" onClick={() => downloadText(content, base, type)}>
        Download
      </button>
      {open ? (
        <div style={{ flexBasis: '100%' }}>
          {name.endsWith('.md') ? <Markdown source={content} /> : <pre className="stream">{content}</pre>}
        </div>
      ) : null}
    </li>
  );
}

export function HandoffView({ project }: { project: Project }) {
  const { run, value, files } = project.handoff;
  const busy = isActive(run);
  const [zipState, setZipState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const [filesError, setFilesError] = useState<string | null>(null);
  const ready = allPhasesDone(project);

  const downloadZip = async () => {
    const plan = mergedPlan(project);
    if (!plan) return;
    setZipState({ busy: true, error: null });
    try {
      const { blob, filename } = await api.artifactsZip({ design: project.design.value, plan, handoff: value, review: project.design.review ?? null });
      downloadBlob(blob, filename);
      setZipState({ busy: false, error: null });
    } catch (error) {
      setZipState({ busy: false, error: (error as Error).message });
    }
  };

  return (
    <section aria-labelledby="handoff-heading" data-testid="handoff-view">
      <div className="panel">
        <StageHeader
          headingId="handoff-heading"
          title="Handoff"
          run={run}
          streamKey={liveKey(project.id, 'handoff')}
          hasResult={Boolean(value)}
          stale={staleness(project).handoff}
          onCancel={() => cancelStage(project.id, 'handoff')}
        >
          <button
            type="button"
            disabled={!project.design.value || !project.plan.value}
            onClick={() => {
              if (value) offerUndo('Handoff regenerated', project);
              void runHandoff(project.id).catch(() => undefined);
            }}
            data-testid="generate-handoff"
          >
            {value ? 'Regenerate' : 'Create handoff'}
          </button>
        </StageHeader>
        {!ready && !value ? <p className="hint">Some phases have no details yet; the handoff will use the plan as it is.</p> : null}
        {run.error && !busy ? <ErrorBox error={run.error} /> : null}
        {busy ? <StreamText streamKey={liveKey(project.id, 'handoff')} fallback={run.text} label="Handoff, streaming" live testId="handoff-stream" /> : null}
        {value && !busy ? (
          <>
            <div className="actions" style={{ marginTop: 0, marginBottom: '0.75rem' }}>
              <CopyButton text={value.prompt} label="Copy prompt" className="" />
              <button type="button" onClick={() => downloadText(value.prompt, 'handoff.md', 'text/markdown')}>
                Download handoff.md
              </button>
              <button type="button" className="primary" onClick={() => void downloadZip()} disabled={zipState.busy} data-testid="download-zip">
                {zipState.busy ? 'Preparing zip…' : 'Download all (zip)'}
              </button>
              {value.startPhase ? (
                <span className="hint">
                  Start at phase {value.startPhase}
                  {value.startStep ? `, step ${value.startStep}` : ''}
                </span>
              ) : null}
            </div>
            {zipState.error ? <ErrorBox error={{ message: zipState.error, code: 'artifacts' }} /> : null}
            <article className="panel" style={{ boxShadow: 'none' }} data-testid="handoff-prompt">
              <Markdown source={value.prompt} />
            </article>
          </>
        ) : null}
        {!value && !busy && !run.text ? <p className="empty">No handoff yet.</p> : null}
      </div>
      {value && !busy ? (
        <div className="panel">
          <div className="panel-head">
            <h3>Files</h3>
            <span className="spacer" />
            <button
              type="button"
              className="small"
              onClick={() => {
                setFilesError(null);
                loadArtifacts(project.id).catch((error) => setFilesError((error as Error).message));
              }}
            >
              {files ? 'Refresh' : 'Load files'}
            </button>
          </div>
          {filesError ? <ErrorBox error={{ message: filesError, code: 'artifacts' }} /> : null}
          {files ? (
            <ul className="file-list" data-testid="artifact-files">
              {Object.entries(files).map(([name, content]) => (
                <FileRow key={name} name={name} content={content} />
              ))}
            </ul>
          ) : (
            <p className="muted">The files (devplan.md, one file per phase, handoff.md, plan.json) appear here.</p>
          )}
        </div>
      ) : null}
    </section>
  );
}
