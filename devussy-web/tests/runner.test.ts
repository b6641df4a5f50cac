import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAllPhases, runEverything } from '@/lib/runner';
import { appStore } from '@/lib/store';
import type { Phase } from '@/lib/types';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sseResponse(events: (Record<string, unknown> | number)[], signal?: AbortSignal | null): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const event of events) {
        if (signal?.aborted) return controller.error(new DOMException('aborted', 'AbortError'));
        if (typeof event === 'number') await sleep(event);
        else controller.enqueue(encoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`));
      }
      controller.close();
    },
  });
  return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
}

const design = {
  projectName: 'Runner test', summary: 'S', objectives: ['o'], techStack: ['t'], architecture: 'a', dataModel: 'd',
  risks: [{ risk: 'r', mitigation: 'm' }], testingStrategy: 't',
};
const phases: Phase[] = [1, 2, 3, 4, 5].map((number) => ({ number, title: `P${number}`, summary: 's', dependsOn: [] }));

/** A fake API: records when each call starts and ends, and how many details run at once. */
function fakeApi() {
  const log: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const detailCalls: number[] = [];
  const fetchImpl = async (url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    if (url.endsWith('/api/design')) return sseResponse([{ type: 'token', content: 'design' }, { type: 'done', design, usage: {} }]);
    if (url.endsWith('/api/plan/basic')) {
      log.push('plan start');
      const events: (Record<string, unknown> | number)[] = [];
      for (const phase of phases) events.push({ type: 'token', content: `phase ${phase.number} ` }, { type: 'progress', event: 'phase', phase }, 30);
      events.push({ type: 'done', plan: { projectName: 'Runner test', summary: 's', phases }, usage: {} });
      const response = sseResponse(events);
      // Log the end of the plan stream when the body is consumed.
      void response.clone().text().then(() => log.push('plan done'));
      return response;
    }
    if (url.endsWith('/api/plan/detail')) {
      const number = body.phaseNumber as number;
      detailCalls.push(number);
      log.push(`detail ${number} start`);
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      const steps = [{ id: `${number}.1`, title: 'x', details: 'y', acceptanceCriteria: ['z'], testCommand: 'true' }];
      const events = [{ type: 'token', content: 'a' }, 40, { type: 'token', content: 'b' }, { type: 'done', phase: { ...phases[number - 1], steps }, usage: { completionTokens: 2 } }];
      const response = sseResponse(events, init.signal);
      void response.clone().text().finally(() => {
        running -= 1;
        log.push(`detail ${number} done`);
      });
      return response;
    }
    if (url.endsWith('/api/handoff')) {
      log.push('handoff');
      return sseResponse([{ type: 'done', handoff: { projectName: 'Runner test', prompt: '# Go' }, usage: {} }]);
    }
    if (url.includes('/api/artifacts')) return new Response(JSON.stringify({ files: { 'handoff.md': '# Go' } }), { headers: { 'Content-Type': 'application/json' } });
    throw new Error(`unexpected ${url}`);
  };
  return { log, detailCalls, fetchImpl, maxRunning: () => maxRunning };
}

afterEach(() => vi.unstubAllGlobals());

describe('runEverything', () => {
  it('starts phase details while the plan streams, honours the limit, and ends with the handoff', async () => {
    const api = fakeApi();
    vi.stubGlobal('fetch', api.fetchImpl);
    const project = appStore.create({ projectName: 'Runner test', idea: 'An idea' });
    appStore.update(project.id, (p) => ({ ...p, settings: { ...p.settings, concurrency: 2 } }));
    await runEverything(project.id);

    const after = appStore.get(project.id)!;
    expect(after.handoff.value?.prompt).toBe('# Go');
    expect(Object.values(after.phases).map((run) => run.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(api.log.indexOf('detail 1 start')).toBeLessThan(api.log.indexOf('plan done'));
    expect(api.maxRunning()).toBe(2);
    expect(api.detailCalls.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(api.log.at(-1)).toBe('handoff');

    // Running the phases again re-runs nothing that is finished.
    await runAllPhases(project.id);
    expect(api.detailCalls).toHaveLength(5);
  });
});
