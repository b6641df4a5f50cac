'use client';

import { useEffect, useState, useSyncExternalStore } from 'react';
import { liveText } from '@/lib/liveText';
import { isActive, plural, type RunCheck, type RunError, type RunStatus, type StageRun } from '@/lib/project';

const STATUS_LABEL: Record<RunStatus, string> = {
  idle: 'Not started',
  queued: 'Queued',
  running: 'Streaming',
  done: 'Done',
  error: 'Error',
  cancelled: 'Cancelled',
  paused: 'Paused',
};

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge ${status}`} data-testid="status-badge">
      {STATUS_LABEL[status]}
    </span>
  );
}

/** Re-renders every second while `active`. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes}m ${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

export function Elapsed({ run }: { run: Pick<StageRun, 'status' | 'startedAt' | 'finishedAt'> }) {
  const running = run.status === 'running';
  const now = useNow(running);
  if (!run.startedAt) return <span>—</span>;
  const end = running ? now : run.finishedAt ?? now;
  return <span title="Elapsed time">{formatDuration(end - run.startedAt)}</span>;
}

/** Tokens of a run: counted live (once per frame) while it streams, else the run's final count. */
export function Tokens({ run, streamKey }: { run: StageRun; streamKey: string }) {
  const entry = useSyncExternalStore(
    (listener) => liveText.subscribe(streamKey, listener),
    () => liveText.get(streamKey),
    () => liveText.get(streamKey),
  );
  const count = run.status === 'running' ? entry.tokens || run.tokens : run.tokens;
  return (
    <span title="Tokens streamed" data-testid="tokens">
      {plural(count, 'token')}
    </span>
  );
}

/** "Stale" next to a result made from an input that has changed since. */
export function StaleMark({ what }: { what: string }) {
  return (
    <span className="badge stale" data-testid="stale-mark" title={`Made before an earlier stage changed: regenerate the ${what} to bring it up to date`}>
      Stale
    </span>
  );
}

/** A stage's header: title, status, elapsed time and tokens, then Cancel while it runs, else `children`. */
export function StageHeader({
  headingId,
  title,
  run,
  streamKey,
  hasResult,
  stale = false,
  onCancel,
  children,
}: {
  headingId: string;
  title: string;
  run: StageRun;
  streamKey: string;
  hasResult: boolean;
  stale?: boolean;
  onCancel: () => void;
  children: React.ReactNode;
}) {
  return (
    <div className="panel-head">
      <h2 id={headingId}>{title}</h2>
      <StatusBadge status={run.status === 'idle' && hasResult ? 'done' : run.status} />
      {stale ? <StaleMark what={title.toLowerCase()} /> : null}
      <span className="muted" style={{ fontSize: '0.85rem' }} data-testid="stage-stats">
        <Elapsed run={run} /> · <Tokens run={run} streamKey={streamKey} />
      </span>
      <span className="spacer" />
      {isActive(run) ? (
        <button type="button" className="danger" onClick={onCancel}>
          Cancel
        </button>
      ) : (
        children
      )}
      <RunCheckNote check={run.check} streaming={isActive(run)} />
    </div>
  );
}

export function ErrorBox({ error, children }: { error: RunError; children?: React.ReactNode }) {
  return (
    <div className="error-box" role="alert" data-testid="error-box">
      <strong>{error.code === 'cancelled' ? 'Cancelled' : error.code === 'invalid_response' ? 'Invalid response' : 'Failed'}:</strong> {error.message}{' '}
      {error.code && error.code !== 'cancelled' ? <code>({error.code})</code> : null}
      {children}
    </div>
  );
}

export function CopyButton({ text, label = 'Copy', className = 'small' }: { text: string; label?: string; className?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <button type="button" className={className} onClick={copy} aria-live="polite">
      {state === 'copied' ? 'Copied ✓' : state === 'failed' ? 'Copy failed' : label}
    </button>
  );
}

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(text: string, filename: string, type = 'text/plain'): void {
  downloadBlob(new Blob([text], { type: `${type};charset=utf-8` }), filename);
}

/**
 * A run's second pass and requirements check (progress events `repair` and `coverage`): the repair's
 * text streams after the first answer's, and what the check could not resolve stays in view.
 */
export function RunCheckNote({ check, streaming }: { check: RunCheck | null | undefined; streaming: boolean }) {
  if (!check) return null;
  const unresolved = check.unresolved ?? [];
  return (
    <div className="run-check" data-testid="run-check">
      {check.repair?.length ? (
        <details className="hint" data-testid="run-check-repair">
          <summary>
            Second pass{streaming ? ' (streaming after the first answer)' : ''}: the first answer had {plural(check.repair.length, 'problem')}
          </summary>
          <ul>
            {check.repair.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {check.repaired !== null && unresolved.length ? (
        <div className="banner" role="status" data-testid="run-check-unresolved">
          <strong>Requirements check: {plural(unresolved.length, 'problem')} still open{check.repaired ? ' after the repair' : ''}</strong>
          <ul>
            {unresolved.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      ) : check.repaired ? (
        <span className="hint" data-testid="run-check-repaired">
          Requirements check: repaired in a second pass
        </span>
      ) : null}
    </div>
  );
}

/** A file input a button opens (`ref.current.click()`): out of sight, out of the tab order and of the accessibility tree. */
export function HiddenFileInput(props: Omit<React.InputHTMLAttributes<HTMLInputElement>, 'type' | 'className' | 'tabIndex'> & { ref?: React.Ref<HTMLInputElement> }) {
  return <input {...props} type="file" className="visually-hidden" tabIndex={-1} aria-hidden="true" />;
}
