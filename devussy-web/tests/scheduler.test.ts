import { describe, expect, it } from 'vitest';
import { CancelledError, Scheduler } from '@/lib/scheduler';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Scheduler', () => {
  it.each([1, 2, 3, 5])('never runs more than %i tasks at once', async (limit) => {
    const scheduler = new Scheduler(limit);
    let active = 0;
    let peak = 0;
    const tasks = Array.from({ length: 12 }, (_, i) =>
      scheduler.run(`t${i}`, async () => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 1 + (i % 3)));
        active -= 1;
        return i;
      }),
    );
    expect(await Promise.all(tasks)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(peak).toBe(limit);
    expect(scheduler.maxObserved).toBe(limit);
  });

  it('runs everything at once with limit 0 ("all")', async () => {
    const scheduler = new Scheduler(0);
    const gates = Array.from({ length: 7 }, deferred);
    const runs = gates.map((gate, i) => scheduler.run(`t${i}`, () => gate.promise));
    expect(scheduler.activeCount).toBe(7);
    gates.forEach((gate) => gate.resolve());
    await Promise.all(runs);
    expect(scheduler.activeCount).toBe(0);
  });

  it('starts queued tasks in FIFO order as slots free up', async () => {
    const scheduler = new Scheduler(1);
    const order: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const runs = gates.map((gate, i) =>
      scheduler.run(`t${i}`, async () => {
        order.push(`start ${i}`);
        await gate.promise;
      }),
    );
    expect(scheduler.snapshot()).toMatchObject({ running: ['t0'], queued: ['t1', 't2'] });
    gates[0].resolve();
    await tick();
    expect(order).toEqual(['start 0', 'start 1']);
    gates[1].resolve();
    gates[2].resolve();
    await Promise.all(runs);
    expect(order).toEqual(['start 0', 'start 1', 'start 2']);
  });

  it('raising the limit starts waiting tasks at once; lowering it never kills running ones', async () => {
    const scheduler = new Scheduler(1);
    const gates = Array.from({ length: 4 }, deferred);
    const runs = gates.map((gate, i) => scheduler.run(`t${i}`, () => gate.promise));
    expect(scheduler.activeCount).toBe(1);
    scheduler.setLimit(3);
    expect(scheduler.activeCount).toBe(3);
    scheduler.setLimit(1);
    expect(scheduler.activeCount).toBe(3);
    gates[0].resolve();
    gates[1].resolve();
    await tick();
    expect(scheduler.activeCount).toBe(1); // t2 still running, t3 waits for the lower limit
    gates[2].resolve();
    await tick();
    expect(scheduler.snapshot().running).toEqual(['t3']);
    gates[3].resolve();
    await Promise.all(runs);
  });

  it('returns the same promise for a key already queued or running (no double runs)', async () => {
    const scheduler = new Scheduler(1);
    let calls = 0;
    const gate = deferred();
    const a = scheduler.run('same', async () => {
      calls += 1;
      await gate.promise;
      return 'ok';
    });
    const b = scheduler.run('same', async () => 'other');
    gate.resolve();
    expect(await a).toBe('ok');
    expect(await b).toBe('ok');
    expect(calls).toBe(1);
  });

  it('cancels a queued task without running it, and aborts a running one', async () => {
    const scheduler = new Scheduler(1);
    let queuedRan = false;
    let aborted = false;
    const running = scheduler.run('a', (signal) => new Promise<void>((_, reject) => {
      signal.addEventListener('abort', () => {
        aborted = true;
        reject(new CancelledError());
      });
    }));
    const queued = scheduler.run('b', async () => {
      queuedRan = true;
    });
    expect(scheduler.cancel('b')).toBe(true);
    await expect(queued).rejects.toBeInstanceOf(CancelledError);
    scheduler.cancel('a');
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(aborted).toBe(true);
    expect(queuedRan).toBe(false);
    expect(scheduler.activeCount).toBe(0);
  });

  it('cancelAll stops everything; a failing task frees its slot', async () => {
    const scheduler = new Scheduler(2);
    const failing = scheduler.run('bad', async () => {
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect(scheduler.activeCount).toBe(0);
    const runs = Array.from({ length: 4 }, (_, i) =>
      scheduler.run(`t${i}`, (signal) => new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new CancelledError())))),
    );
    scheduler.cancelAll();
    const results = await Promise.allSettled(runs);
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(scheduler.activeCount + scheduler.queuedCount).toBe(0);
  });
});
