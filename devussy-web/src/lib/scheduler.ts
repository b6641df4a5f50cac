// A keyed concurrency limiter: at most `limit` tasks run at once, the rest wait in FIFO order.
// Each task gets its own AbortSignal; cancelling a queued task removes it, cancelling a running one
// aborts it. Lowering the limit never kills running tasks; it only delays new starts.

export type ConcurrencyLimit = number; // 0 (or Infinity) means "all at once"

export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

interface Job {
  key: string;
  task: (signal: AbortSignal) => Promise<unknown>;
  controller: AbortController;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  promise: Promise<unknown>;
}

export interface SchedulerSnapshot {
  running: string[];
  queued: string[];
  limit: number;
}

export class Scheduler {
  private limit: number;
  private queue: Job[] = [];
  private running = new Map<string, Job>();
  private listeners = new Set<() => void>();
  /** Highest number of tasks ever running at once. */
  maxObserved = 0;

  constructor(limit: ConcurrencyLimit = 2) {
    this.limit = normaliseLimit(limit);
  }

  get activeCount(): number {
    return this.running.size;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  getLimit(): number {
    return this.limit;
  }

  setLimit(limit: ConcurrencyLimit): void {
    this.limit = normaliseLimit(limit);
    this.pump();
  }

  has(key: string): boolean {
    return this.running.has(key) || this.queue.some((job) => job.key === key);
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  /** Queue a task. If the key is already queued or running, the existing promise is returned. */
  run<T>(key: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const existing = this.running.get(key) ?? this.queue.find((job) => job.key === key);
    if (existing) return existing.promise as Promise<T>;
    let resolve!: (value: unknown) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const job: Job = { key, task, controller: new AbortController(), resolve, reject, promise };
    this.queue.push(job);
    this.pump();
    this.emit();
    return promise as Promise<T>;
  }

  cancel(key: string): boolean {
    const index = this.queue.findIndex((job) => job.key === key);
    if (index >= 0) {
      const [job] = this.queue.splice(index, 1);
      job.reject(new CancelledError());
      this.emit();
      return true;
    }
    const job = this.running.get(key);
    if (job) {
      job.controller.abort();
      return true;
    }
    return false;
  }

  cancelAll(): void {
    const queued = this.queue.splice(0);
    for (const job of queued) job.reject(new CancelledError());
    for (const job of this.running.values()) job.controller.abort();
    this.emit();
  }

  snapshot(): SchedulerSnapshot {
    return { running: [...this.running.keys()], queued: this.queue.map((job) => job.key), limit: this.limit };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private pump(): void {
    while (this.queue.length > 0 && this.running.size < this.limit) {
      const job = this.queue.shift()!;
      this.start(job);
    }
  }

  private start(job: Job): void {
    this.running.set(job.key, job);
    this.maxObserved = Math.max(this.maxObserved, this.running.size);
    let outcome: Promise<unknown>;
    try {
      outcome = Promise.resolve(job.task(job.controller.signal));
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(job.resolve, job.reject).finally(() => {
      this.running.delete(job.key);
      this.pump();
      this.emit();
    });
    this.emit();
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

function normaliseLimit(limit: number): number {
  if (!Number.isFinite(limit) || limit <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(1, Math.floor(limit));
}
