import { describe, expect, it } from 'vitest';
import { LiveTextStore } from '@/lib/liveText';

function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (callback: () => void) => queue.push(callback),
    run: () => queue.splice(0).forEach((callback) => callback()),
    get pending() {
      return queue.length;
    },
  };
}

describe('LiveTextStore', () => {
  it('publishes each key at most once per frame, however many tokens arrive', () => {
    const frames = manualFrames();
    const store = new LiveTextStore(frames.schedule);
    let notified = 0;
    store.subscribe('a', () => (notified += 1));
    for (let i = 0; i < 100; i += 1) {
      store.append('a', `${i},`);
      store.append('b', 'x');
    }
    expect(frames.pending).toBe(1);
    expect(store.get('a').text).toBe('');
    expect(store.current('a').tokens).toBe(100);
    frames.run();
    expect(notified).toBe(1);
    expect(store.get('a').text).toBe(Array.from({ length: 100 }, (_, i) => `${i},`).join(''));
    expect(store.get('b')).toEqual({ text: 'x'.repeat(100), tokens: 100 });
  });

  it('keeps every character exactly once across frames', () => {
    const frames = manualFrames();
    const store = new LiveTextStore(frames.schedule);
    const sent: string[] = [];
    for (let frame = 0; frame < 20; frame += 1) {
      for (let i = 0; i < 7; i += 1) {
        const token = `[${frame}.${i}]`;
        sent.push(token);
        store.append('k', token);
      }
      frames.run();
    }
    expect(store.get('k').text).toBe(sent.join(''));
    expect(store.publishCount.get('k')).toBe(20);
  });

  it('set replaces the text at once and drops unpublished chunks', () => {
    const frames = manualFrames();
    const store = new LiveTextStore(frames.schedule);
    store.append('k', 'stale');
    store.set('k', 'final', 3);
    frames.run();
    expect(store.get('k')).toEqual({ text: 'final', tokens: 3 });
  });
});

describe('splitBlocks (live markdown)', () => {
  it('splits at blank lines, keeps fenced code whole, and the parts rebuild the text', async () => {
    const { splitBlocks } = await import('@/lib/markdownBlocks');
    const text = '# Title\n\nIntro line\nsecond\n\n```\ncode\n\nmore code\n```\n\n- a\n- b';
    expect(splitBlocks(text)).toEqual(['# Title', 'Intro line\nsecond', '```\ncode\n\nmore code\n```', '- a\n- b']);
    // A fence still open (mid-stream) keeps everything after it in the last block.
    expect(splitBlocks('para\n\n```js\nx\n\ny')).toEqual(['para', '```js\nx\n\ny']);
    expect(splitBlocks('')).toEqual([]);
    // A heading is complete once its line ends (it renders at once); while typed, it is still growing.
    expect(splitBlocks('## Phase 1\nSetup the repo')).toEqual(['## Phase 1', 'Setup the repo']);
    expect(splitBlocks('text\n## Phase')).toEqual(['text\n## Phase']);
  });
});
