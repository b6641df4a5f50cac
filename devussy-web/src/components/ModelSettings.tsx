'use client';

import { useEffect, useRef, useState } from 'react';
import { api, type ModelsInfo } from '@/lib/api';
import { CONCURRENCY_CHOICES, type Project, type StageModelSettings } from '@/lib/project';
import { setConcurrency } from '@/lib/runner';
import { appStore } from '@/lib/store';
import { STAGE_NAMES, type StageName } from '@/lib/types';

const STAGE_LABEL: Record<StageName, string> = {
  interview: 'Interview',
  design: 'Design',
  basic_plan: 'Plan',
  phase_detail: 'Phase details',
  handoff: 'Handoff',
};

function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export function ModelSettingsDialog({ project, onClose }: { project: Project; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [info, setInfo] = useState<ModelsInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    const controller = new AbortController();
    api
      .models(controller.signal)
      .then(setInfo)
      .catch((failure) => {
        if (!controller.signal.aborted) setError((failure as Error).message);
      });
    return () => controller.abort();
  }, []);

  const update = (stage: StageName, patch: Partial<StageModelSettings>) =>
    appStore.update(project.id, (p) => {
      const next = { ...(p.settings.stages[stage] ?? {}), ...patch };
      for (const key of Object.keys(next) as (keyof StageModelSettings)[]) if (next[key] === undefined || next[key] === '') delete next[key];
      return { ...p, settings: { ...p.settings, stages: { ...p.settings.stages, [stage]: next } } };
    });

  const modelsFor = (providerName: string | null | undefined): string[] => {
    const provider = info?.providers.find((p) => p.name === (providerName || info.provider));
    const models = new Set<string>(provider?.models ?? []);
    if (!providerName || providerName === info?.provider) for (const model of info?.models ?? []) models.add(model);
    return [...models];
  };

  return (
    <dialog ref={dialog} onClose={onClose} aria-labelledby="settings-heading" data-testid="settings-dialog">
      <div className="dialog-body">
        <div className="panel-head">
          <h2 id="settings-heading">Models and limits</h2>
          <span className="spacer" />
          <button type="button" onClick={() => dialog.current?.close()} aria-label="Close settings">
            ✕
          </button>
        </div>
        <p className="hint">
          Choose among what this server offers. Empty fields use the server default
          {info ? ` (${info.provider}${info.model ? ` · ${info.model}` : ''})` : ''}. Keys and endpoints are configured on the server only.
        </p>
        {error ? (
          <div className="error-box" role="alert">
            Could not load the server’s models: {error}
          </div>
        ) : null}
        {!info && !error ? <p className="muted">Loading models…</p> : null}
        <table className="settings-table">
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Engine</th>
              <th scope="col">Model</th>
              <th scope="col">Temperature</th>
              <th scope="col">Max tokens</th>
            </tr>
          </thead>
          <tbody>
            {STAGE_NAMES.map((stage) => {
              const chosen = project.settings.stages[stage] ?? {};
              const models = modelsFor(chosen.provider);
              return (
                <tr key={stage}>
                  <th scope="row" style={{ textAlign: 'left' }}>
                    {STAGE_LABEL[stage]}
                  </th>
                  <td>
                    <select
                      aria-label={`${STAGE_LABEL[stage]} engine`}
                      value={chosen.provider ?? ''}
                      onChange={(e) => update(stage, { provider: e.target.value || undefined, model: undefined })}
                    >
                      <option value="">Server default</option>
                      {(info?.providers ?? []).map((provider) => (
                        <option key={provider.name} value={provider.name} disabled={!provider.usable} title={provider.reason ?? undefined}>
                          {provider.name}
                          {provider.default ? ' (server default)' : ''}
                          {provider.usable ? '' : ' — not configured'}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select aria-label={`${STAGE_LABEL[stage]} model`} value={chosen.model ?? ''} onChange={(e) => update(stage, { model: e.target.value || undefined })}>
                      <option value="">Default</option>
                      {models.map((model) => (
                        <option key={model} value={model}>
                          {model}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      type="number"
                      aria-label={`${STAGE_LABEL[stage]} temperature`}
                      min={0}
                      max={2}
                      step={0.1}
                      placeholder="default"
                      value={chosen.temperature ?? ''}
                      onChange={(e) => {
                        const value = numberOrUndefined(e.target.value);
                        update(stage, { temperature: value === undefined ? undefined : Math.min(2, Math.max(0, value)) });
                      }}
                    />
                  </td>
                  <td>
                    <input
                      type="number"
                      aria-label={`${STAGE_LABEL[stage]} max tokens`}
                      min={1}
                      max={200000}
                      step={100}
                      placeholder="default"
                      value={chosen.maxTokens ?? ''}
                      onChange={(e) => {
                        const value = numberOrUndefined(e.target.value);
                        update(stage, { maxTokens: value === undefined ? undefined : Math.min(200_000, Math.max(1, Math.round(value))) });
                      }}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {info?.providers.some((provider) => !provider.usable) ? (
          <ul className="hint" style={{ margin: '0.5rem 0 0', paddingLeft: '1.1rem' }}>
            {info.providers
              .filter((provider) => !provider.usable)
              .map((provider) => (
                <li key={provider.name}>
                  {provider.name}: {provider.reason ?? 'not available on this server'}
                </li>
              ))}
          </ul>
        ) : null}
        <div className="field" style={{ marginTop: '1rem' }}>
          <label>
            <input
              type="checkbox"
              checked={Boolean(project.settings.review)}
              onChange={(e) => appStore.update(project.id, (p) => ({ ...p, settings: { ...p.settings, review: e.target.checked || undefined } }))}
              data-testid="settings-review"
            />{' '}
            Design review <span className="hint">an LLM reviewer reads the design; one correction round applies its findings (rule checks always run)</span>
          </label>
        </div>
        <div className="field" style={{ marginTop: '1rem', maxWidth: 260 }}>
          <label htmlFor="settings-concurrency">Phase details at once</label>
          <select id="settings-concurrency" value={String(project.settings.concurrency)} onChange={(e) => setConcurrency(project.id, Number(e.target.value))}>
            {CONCURRENCY_CHOICES.map((choice) => (
              <option key={choice} value={choice}>
                {choice === 0 ? 'All' : choice}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button type="button" className="primary" onClick={() => dialog.current?.close()}>
            Done
          </button>
        </div>
      </div>
    </dialog>
  );
}
