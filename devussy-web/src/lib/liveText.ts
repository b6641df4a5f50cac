// Live text of streams in progress, kept outside React state. Tokens are appended as they arrive;
// subscribers are told at most once per animation frame per key, so ten fast streams cost ten small
// re-renders a frame instead of one per token.

export interface LiveEntry {
  readonly text: string;
  readonly tokens: number;
}

const EMPTY: LiveEntry = Object.freeze({ text: '', tokens: 0 });

type FrameScheduler = (callback: () => void) => void;

function defaultScheduler(callback: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => callback());
  else setTimeout(callback, 16);
}

export class LiveTextStore {
  private entries = new Map<string, LiveEntry>();
  private pending = new Map<string, { chunks: string[]; tokens: number }>();
  private listeners = new Map<string, Set<() => void>>();
  private frameRequested = false;
  /** How many times each key was published (for tests and the bench). */
  readonly publishCount = new Map<string, number>();

  constructor(private readonly scheduleFrame: FrameScheduler = defaultScheduler) {}

  get(key: string): LiveEntry {
    return this.entries.get(key) ?? EMPTY;
  }

  /** Text including chunks not yet published (for persistence and for the final result). */
  current(key: string): LiveEntry {
    const entry = this.get(key);
    const pending = this.pending.get(key);
    if (!pending) return entry;
    return { text: entry.text + pending.chunks.join(''), tokens: entry.tokens + pending.tokens };
  }

  append(key: string, chunk: string): void {
    let pending = this.pending.get(key);
    if (!pending) {
      pending = { chunks: [], tokens: 0 };
      this.pending.set(key, pending);
    }
    pending.chunks.push(chunk);
    pending.tokens += 1;
    this.requestFrame();
  }

  /** Replace a key's text at once (start of a run, or the final text). */
  set(key: string, text: string, tokens = 0): void {
    this.pending.delete(key);
    this.entries.set(key, { text, tokens });
    this.notify(key);
  }

  clear(key: string): void {
    this.pending.delete(key);
    if (this.entries.delete(key)) this.notify(key);
  }

  subscribe(key: string, listener: () => void): () => void {
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  /** Publish everything pending; runs once per frame. */
  flush(): void {
    this.frameRequested = false;
    const keys = [...this.pending.keys()];
    for (const key of keys) {
      const pending = this.pending.get(key)!;
      this.pending.delete(key);
      const entry = this.get(key);
      this.entries.set(key, { text: entry.text + pending.chunks.join(''), tokens: entry.tokens + pending.tokens });
      this.notify(key);
    }
  }

  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    this.scheduleFrame(() => this.flush());
  }

  private notify(key: string): void {
    this.publishCount.set(key, (this.publishCount.get(key) ?? 0) + 1);
    const set = this.listeners.get(key);
    if (set) for (const listener of [...set]) listener();
  }
}

export const liveText = new LiveTextStore();
