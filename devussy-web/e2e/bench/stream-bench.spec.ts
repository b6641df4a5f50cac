// Bench: 10 phases streaming at once at ~100 tokens/s each from the loopback fake provider, each
// rendered live as markdown. (BENCH_TOKENS_PER_SECOND and BENCH_CPU_THROTTLE change the rate and
// slow the page's CPU.) Prints JSON: whether every character was shown exactly once (each card's final
// text against the token events on the wire, parsed separately; every mid-stream sample of the
// rendered markdown is, once markdown syntax and spacing are left out, an in-order subsequence of the
// wire text), the longest main-thread task (PerformanceObserver
// 'longtask') during streaming against an idle baseline on the same page, frame gaps, and how many
// DOM updates each stream caused against its token count (batched to animation frames).
//
//   cd devussy-web && npm run build && npx playwright test --config playwright.bench.config.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createParser } from 'eventsource-parser';
import { startStack, stopPids, WEB_DIR, type Stack } from '../stack';
import { createDesignAndPlan, createProject } from '../helpers';

const PHASES = 10;
const TOKENS_PER_SECOND = Number(process.env.BENCH_TOKENS_PER_SECOND ?? 100);
// Slow the page's CPU down (Chromium's CPU throttling; 4 ≈ a mid-range phone) to see the headroom.
const CPU_THROTTLE = Number(process.env.BENCH_CPU_THROTTLE ?? 1);
let stack: Stack;

test.beforeAll(async () => {
  stack = await startStack({ fake: { tokensPerSecond: TOKENS_PER_SECOND } });
});
test.afterAll(() => stopPids(stack?.pids ?? []));

/** Whether `shown` (rendered markdown's text) keeps the wire text's characters in order, spacing aside. */
function inOrderWithin(shown: string, wire: string): boolean {
  const a = shown.replace(/\s+/g, '');
  const b = wire.replace(/\s+/g, '');
  let at = 0;
  for (const char of a) {
    at = b.indexOf(char, at);
    if (at < 0) return false;
    at += 1;
  }
  return true;
}

function tokensOnTheWire(body: string): { text: string; tokens: number; done: boolean } {
  let text = '';
  let tokens = 0;
  let done = false;
  const parser = createParser({
    onEvent(event) {
      const data = JSON.parse(event.data) as { type: string; content?: string };
      if (data.type === 'token') {
        text += data.content ?? '';
        tokens += 1;
      } else if (data.type === 'done') done = true;
    },
  });
  parser.feed(body);
  return { text, tokens, done };
}

test('10 phases streaming at once', async ({ page }) => {
  // Instrumentation, installed before the app loads.
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    const longTasks: { start: number; duration: number }[] = [];
    w.__longTasks = longTasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    const longFrames: { start: number; duration: number }[] = [];
    w.__longFrames = longFrames;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longFrames.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'long-animation-frame', buffered: true });
    const frames: number[] = [];
    w.__frames = frames;
    const tick = (time: number) => {
      frames.push(time);
      if (frames.length > 100_000) frames.splice(0, 50_000);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    // Tee each phase-detail response so the bench can compare the screen with the wire.
    const wire: Record<string, string> = {};
    w.__wire = wire;
    const original = window.fetch.bind(window);
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await original(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.includes('/api/plan/detail') && typeof init?.body === 'string') {
        const phase = String((JSON.parse(init.body) as { phaseNumber: number }).phaseNumber);
        void response.clone().text().then((text) => (wire[phase] = text));
      }
      return response;
    };
  });

  await page.goto(stack.baseURL);
  await createProject(page, 'Bench fleet', 'A multi-tenant logistics SaaS: fleet tracking, routing, driver app, billing, RBAC, audit logs, analytics, webhooks, public API, Kubernetes, PostgreSQL, Kafka.');
  await createDesignAndPlan(page);
  // Exactly 10 phases: add or delete in the plan editor.
  for (let count = await page.getByTestId('plan-phase').count(); count !== PHASES; count = await page.getByTestId('plan-phase').count()) {
    if (count > PHASES) await page.getByRole('button', { name: `Delete phase ${count}` }).click();
    else {
      await page.getByLabel('Title', { exact: true }).fill(`Extra phase ${count + 1}`);
      await page.getByLabel('Summary', { exact: true }).fill('More work of the same kind, detailed like the others.');
      await page.getByTestId('add-phase').click();
    }
  }
  await page.getByRole('button', { name: 'Go to execution without starting' }).click();
  await page.getByTestId('concurrency').selectOption('0');

  // Check that long tasks are observed at all here: an 80 ms busy loop must show up as one.
  // (In a task of the page's own event loop: work done by page.evaluate itself is not a "task".)
  await page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          const end = performance.now() + 80;
          while (performance.now() < end) {
            // busy
          }
          resolve();
        }, 0),
      ),
  );
  await page.waitForTimeout(200);
  const observerWorks = await page.evaluate(() =>
    (window as unknown as { __longTasks: { duration: number }[] }).__longTasks.some((task) => task.duration >= 75),
  );

  // Idle baseline on the same page.
  await page.waitForTimeout(2000);
  const baseline = await page.evaluate(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[]; __frames: number[] };
    const since = performance.now() - 2000;
    const tasks = w.__longTasks.filter((t) => t.start >= since);
    const frames = w.__frames.filter((f) => f >= since);
    const gaps = frames.slice(1).map((f, i) => f - frames[i]);
    return { longestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)), maxFrameGapMs: Math.max(0, ...gaps) };
  });

  // Sample what the screen shows while streaming, and count DOM updates per stream.
  await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    const samples: Record<string, string[]> = {};
    const updates: Record<string, number> = {};
    const windows: Record<string, [number, number]> = {};
    const maxRunning = { value: 0 };
    w.__windows = windows;
    w.__samples = samples;
    w.__updates = updates;
    w.__maxRunning = maxRunning;
    w.__t0 = performance.now();
    const observer = new MutationObserver((records) => {
      const touched = new Set<string>();
      for (const record of records) {
        const pre = (record.target instanceof Element ? record.target : record.target.parentElement)?.closest('[data-testid="phase-stream"]');
        const card = pre?.closest('[data-testid="phase-card"]');
        if (card) touched.add(card.getAttribute('data-phase')!);
      }
      const now = performance.now();
      for (const phase of touched) {
        updates[phase] = (updates[phase] ?? 0) + 1;
        windows[phase] = [windows[phase]?.[0] ?? now, now];
      }
      maxRunning.value = Math.max(maxRunning.value, document.querySelectorAll('[data-testid="phase-card"][data-status="running"]').length);
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-status'] });
    const sample = () => {
      for (const card of document.querySelectorAll('[data-testid="phase-card"]')) {
        const text = card.querySelector('[data-testid="phase-stream"]')?.textContent;
        if (text) (samples[card.getAttribute('data-phase')!] ??= []).push(text);
      }
    };
    w.__sampler = setInterval(sample, 250);
  });

  if (CPU_THROTTLE > 1) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_THROTTLE });
  }
  const started = Date.now();
  await page.getByTestId('run-all-phases').click();
  await expect(page.locator('[data-testid="phase-card"][data-status="done"]')).toHaveCount(PHASES, { timeout: 150_000 });
  const wallSeconds = (Date.now() - started) / 1000;
  await page.waitForTimeout(500);

  const measured = await page.evaluate(() => {
    const w = window as unknown as {
      __longTasks: { start: number; duration: number }[];
      __longFrames: { start: number; duration: number }[];
      __frames: number[];
      __t0: number;
      __sampler: number;
      __samples: Record<string, string[]>;
      __updates: Record<string, number>;
      __windows: Record<string, [number, number]>;
      __maxRunning: { value: number };
      __wire: Record<string, string>;
    };
    clearInterval(w.__sampler);
    const tasks = w.__longTasks.filter((t) => t.start >= w.__t0);
    const frames = w.__frames.filter((f) => f >= w.__t0);
    const gaps = frames.slice(1).map((f, i) => f - frames[i]).sort((a, b) => a - b);
    // Final text as shown: the card's stream text (kept in the DOM under "Streamed output").
    const shown: Record<string, string> = {};
    for (const card of document.querySelectorAll('[data-testid="phase-card"]')) {
      shown[card.getAttribute('data-phase')!] = card.querySelector('pre.stream')?.textContent ?? '';
    }
    return {
      longTasks: tasks.map((t) => t.duration),
      longFrames: w.__longFrames.filter((f) => f.start >= w.__t0).map((f) => f.duration),
      frameGapP50: gaps[Math.floor(gaps.length * 0.5)] ?? 0,
      frameGapP99: gaps[Math.floor(gaps.length * 0.99)] ?? 0,
      maxFrameGap: gaps.at(-1) ?? 0,
      samples: w.__samples,
      updates: w.__updates,
      windows: Object.values(w.__windows),
      t0: w.__t0,
      maxRunning: w.__maxRunning.value,
      wire: w.__wire,
      shown,
    };
  });

  let tokens = 0;
  let characters = 0;
  const mismatched: string[] = [];
  let badSamples = 0;
  let sampleCount = 0;
  const updatesPerToken: number[] = [];
  for (let phase = 1; phase <= PHASES; phase += 1) {
    const key = String(phase);
    const wire = tokensOnTheWire(measured.wire[key] ?? '');
    tokens += wire.tokens;
    characters += wire.text.length;
    if (!wire.done || measured.shown[key] !== wire.text) mismatched.push(key);
    for (const sample of measured.samples[key] ?? []) {
      sampleCount += 1;
      if (!inOrderWithin(sample, wire.text)) badSamples += 1;
    }
    if (wire.tokens) updatesPerToken.push((measured.updates[key] ?? 0) / wire.tokens);
  }
  const longest = Math.max(0, ...measured.longTasks);
  // Streams showing text at the same moment: the largest overlap of [first update, last update].
  const edges = measured.windows.flatMap(([start, end]) => [[start, 1], [end, -1]] as const).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let overlap = 0;
  let maxOverlap = 0;
  for (const [, delta] of edges) maxOverlap = Math.max(maxOverlap, (overlap += delta));
  const durations = measured.windows.map(([start, end]) => (end - start) / 1000);
  const firstText = measured.windows.map(([start]) => (start - measured.t0) / 1000);
  const result = {
    bench: 'web-stream-10-phases',
    rendering: 'live markdown (each block parsed once when complete; the growing block as text)',
    phases: PHASES,
    tokensPerSecondPerStream: TOKENS_PER_SECOND,
    cpuThrottle: CPU_THROTTLE,
    maxStreamingAtOnce: measured.maxRunning,
    maxStreamsShowingTextAtOnce: maxOverlap,
    secondsToFirstText: { min: Number(Math.min(...firstText).toFixed(2)), max: Number(Math.max(...firstText).toFixed(2)) },
    streamSeconds: { min: Number(Math.min(...durations).toFixed(2)), max: Number(Math.max(...durations).toFixed(2)) },
    wallSeconds: Number(wallSeconds.toFixed(2)),
    tokens,
    characters,
    everyCharacterShownExactlyOnce: mismatched.length === 0 && badSamples === 0,
    phasesMismatched: mismatched,
    midStreamSamples: sampleCount,
    midStreamSamplesOutOfOrder: badSamples,
    longTaskObserverVerified: observerWorks,
    longTaskCount: measured.longTasks.length,
    longestTaskMs: Number(longest.toFixed(1)),
    totalLongTaskMs: Number(measured.longTasks.reduce((a, b) => a + b, 0).toFixed(1)),
    longAnimationFrameCount: measured.longFrames.length,
    longestAnimationFrameMs: Number(Math.max(0, ...measured.longFrames).toFixed(1)),
    baselineIdleLongestTaskMs: Number(baseline.longestTaskMs.toFixed(1)),
    frameGapMs: { p50: Number(measured.frameGapP50.toFixed(1)), p99: Number(measured.frameGapP99.toFixed(1)), max: Number(measured.maxFrameGap.toFixed(1)) },
    baselineIdleMaxFrameGapMs: Number(baseline.maxFrameGapMs.toFixed(1)),
    domUpdatesPerToken: Number((updatesPerToken.reduce((a, b) => a + b, 0) / Math.max(1, updatesPerToken.length)).toFixed(3)),
  };
  const out = path.join(WEB_DIR, 'test-results', 'bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'stream-bench.json'), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
  expect(result.everyCharacterShownExactlyOnce).toBe(true);
  expect(result.longTaskObserverVerified).toBe(true);
  expect(result.maxStreamingAtOnce).toBe(PHASES);
});
