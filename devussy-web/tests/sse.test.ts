import { describe, expect, it, vi } from 'vitest';
import { StreamError, streamSSE } from '@/lib/sse';

/** A fetch that answers with the given chunks as an event stream. */
function fakeFetch(chunks: (string | Uint8Array)[], init: { status?: number; contentType?: string; delayMs?: number } = {}) {
  const calls: { url: string; body: unknown }[] = [];
  const impl = (async (url: string, request: RequestInit) => {
    calls.push({ url, body: JSON.parse(String(request.body)) });
    const encoder = new TextEncoder();
    const signal = request.signal;
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (const chunk of chunks) {
          if (init.delayMs) await new Promise((resolve) => setTimeout(resolve, init.delayMs));
          if (signal?.aborted) {
            controller.error(new DOMException('aborted', 'AbortError'));
            return;
          }
          controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
        }
        controller.close();
      },
    });
    return new Response(stream, {
      status: init.status ?? 200,
      headers: { 'Content-Type': init.contentType ?? 'text/event-stream; charset=utf-8' },
    });
  }) as unknown as typeof fetch;
  return { impl, calls };
}

function event(n: number, data: Record<string, unknown>, eol = '\n'): string {
  return `id: ${n}${eol}event: ${data.type}${eol}data: ${JSON.stringify(data)}${eol}${eol}`;
}

describe('streamSSE', () => {
  it('streams tokens in order and resolves with the done event', async () => {
    const body = [
      event(1, { type: 'start', stage: 'design' }),
      event(2, { type: 'token', content: 'Hel' }),
      event(3, { type: 'token', content: 'lo' }),
      event(4, { type: 'done', done: true, design: { projectName: 'X' } }),
    ].join('');
    const { impl, calls } = fakeFetch([body]);
    const tokens: string[] = [];
    const onStart = vi.fn();
    const done = await streamSSE('/api/design', { projectName: 'X' }, { fetchImpl: impl, onToken: (t) => tokens.push(t), onStart });
    expect(tokens.join('')).toBe('Hello');
    expect(done.design).toEqual({ projectName: 'X' });
    expect(onStart).toHaveBeenCalledOnce();
    expect(calls[0]).toEqual({ url: '/api/design', body: { projectName: 'X' } });
  });

  it('handles events split across chunks at every byte, including inside multi-byte characters', async () => {
    const text = event(1, { type: 'token', content: 'héllo → wörld 🎉' }) + event(2, { type: 'done', done: true });
    const bytes = new TextEncoder().encode(text);
    const chunks = Array.from(bytes, (byte) => new Uint8Array([byte]));
    const { impl } = fakeFetch(chunks);
    const tokens: string[] = [];
    await streamSSE('/x', {}, { fetchImpl: impl, onToken: (t) => tokens.push(t) });
    expect(tokens).toEqual(['héllo → wörld 🎉']);
  });

  it('accepts CRLF and CR line endings', async () => {
    const crlf = event(1, { type: 'token', content: 'a' }, '\r\n') + event(2, { type: 'token', content: 'b' }, '\r') + event(3, { type: 'done' }, '\r\n');
    const { impl } = fakeFetch([crlf.slice(0, 7), crlf.slice(7, 40), crlf.slice(40)]);
    const tokens: string[] = [];
    await streamSSE('/x', {}, { fetchImpl: impl, onToken: (t) => tokens.push(t) });
    expect(tokens).toEqual(['a', 'b']);
  });

  it('ignores heartbeat comments and reports them', async () => {
    const { impl } = fakeFetch([': ping\n\n', event(1, { type: 'token', content: 'x' }), ': ping\n\n', event(2, { type: 'done' })]);
    const onHeartbeat = vi.fn();
    const tokens: string[] = [];
    await streamSSE('/x', {}, { fetchImpl: impl, onHeartbeat, onToken: (t) => tokens.push(t) });
    expect(onHeartbeat).toHaveBeenCalledTimes(2);
    expect(tokens).toEqual(['x']);
  });

  it('uses the event field when the JSON lacks a type', async () => {
    const { impl } = fakeFetch(['event: token\ndata: {"content":"z"}\n\n', 'event: done\ndata: {"done":true}\n\n']);
    const tokens: string[] = [];
    await streamSSE('/x', {}, { fetchImpl: impl, onToken: (t) => tokens.push(t) });
    expect(tokens).toEqual(['z']);
  });

  it('rejects with the server error event, code included, after passing on partial tokens', async () => {
    const { impl } = fakeFetch([event(1, { type: 'token', content: 'part' }), event(2, { type: 'error', error: 'Upstream timed out', code: 'provider_timeout' })]);
    const tokens: string[] = [];
    const failure = streamSSE('/x', {}, { fetchImpl: impl, onToken: (t) => tokens.push(t) });
    await expect(failure).rejects.toMatchObject({ name: 'StreamError', message: 'Upstream timed out', code: 'provider_timeout' });
    expect(tokens).toEqual(['part']);
  });

  it('treats a stream that ends without done as an error', async () => {
    const { impl } = fakeFetch([event(1, { type: 'token', content: 'half' })]);
    await expect(streamSSE('/x', {}, { fetchImpl: impl })).rejects.toMatchObject({ code: 'stream_incomplete' });
  });

  it('treats an empty stream as an error', async () => {
    const { impl } = fakeFetch([]);
    await expect(streamSSE('/x', {}, { fetchImpl: impl })).rejects.toBeInstanceOf(StreamError);
  });

  it('discards an unterminated final event, as the SSE spec says, so the stream is incomplete', async () => {
    const { impl } = fakeFetch(['data: {"type":"done","done":true}']);
    await expect(streamSSE('/x', {}, { fetchImpl: impl })).rejects.toMatchObject({ code: 'stream_incomplete' });
  });

  it('reports HTTP errors with the server message and code, without opening a stream', async () => {
    const impl = (async () =>
      new Response(JSON.stringify({ error: 'phaseNumber: unknown phase 9', code: 'unknown_phase' }), {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
      })) as unknown as typeof fetch;
    await expect(streamSSE('/x', {}, { fetchImpl: impl })).rejects.toMatchObject({ code: 'unknown_phase', status: 404, message: 'phaseNumber: unknown phase 9' });
  });

  it('refuses a response that is not an event stream', async () => {
    const { impl } = fakeFetch(['<html>'], { contentType: 'text/html' });
    await expect(streamSSE('/x', {}, { fetchImpl: impl })).rejects.toMatchObject({ code: 'not_a_stream' });
  });

  it('rejects malformed event data', async () => {
    const { impl } = fakeFetch(['data: {not json\n\n', event(2, { type: 'done' })]);
    await expect(streamSSE('/x', {}, { fetchImpl: impl })).rejects.toMatchObject({ code: 'bad_event' });
  });

  it('cancels through the AbortSignal', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => event(i, { type: 'token', content: `${i} ` }));
    const { impl } = fakeFetch([...chunks, event(99, { type: 'done' })], { delayMs: 5 });
    const controller = new AbortController();
    const tokens: string[] = [];
    const run = streamSSE('/x', {}, {
      fetchImpl: impl,
      signal: controller.signal,
      onToken: (t) => {
        tokens.push(t);
        if (tokens.length === 3) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(tokens.length).toBeLessThan(50);
  });

  it('reports a network failure', async () => {
    const impl = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    await expect(streamSSE('/x', {}, { fetchImpl: impl })).rejects.toMatchObject({ code: 'network_error' });
  });

  it('reads the response to its end after done instead of aborting it (issue 13: net::ERR_ABORTED)', async () => {
    let cancelled = false;
    const encoder = new TextEncoder();
    const impl = (async () => {
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode(event(1, { type: 'done', done: true })));
          await new Promise((resolve) => setTimeout(resolve, 20));
          controller.enqueue(encoder.encode(': trailing comment\n\n'));
          controller.close();
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(stream, { headers: { 'Content-Type': 'text/event-stream' } });
    }) as unknown as typeof fetch;
    await expect(streamSSE('/api/x', {}, { fetchImpl: impl })).resolves.toMatchObject({ type: 'done' });
    expect(cancelled).toBe(false);
  });

  it('gives up draining a response the server keeps open after done', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let cancelled = false;
      const impl = (async () => {
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(event(1, { type: 'done', done: true })));
          },
          cancel() {
            cancelled = true;
          },
        });
        return new Response(stream, { headers: { 'Content-Type': 'text/event-stream' } });
      }) as unknown as typeof fetch;
      const run = streamSSE('/api/x', {}, { fetchImpl: impl });
      await vi.advanceTimersByTimeAsync(2500);
      await expect(run).resolves.toMatchObject({ type: 'done' });
      expect(cancelled).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('delivers progress events', async () => {
    const phase = { number: 1, title: 'Setup', summary: 's' };
    const { impl } = fakeFetch([event(1, { type: 'progress', event: 'phase', phase }), event(2, { type: 'done', plan: {} })]);
    const seen: unknown[] = [];
    await streamSSE('/x', {}, { fetchImpl: impl, onProgress: (data) => seen.push(data.phase) });
    expect(seen).toEqual([phase]);
  });
});

describe('streamSSE limits', () => {
  it('refuses an event larger than the buffer limit instead of growing without bound', async () => {
    const { MAX_EVENT_CHARS } = await import('@/lib/sse');
    const piece = 'x'.repeat(1024 * 1024);
    const chunks = ['data: "', ...Array.from({ length: Math.ceil(MAX_EVENT_CHARS / piece.length) + 1 }, () => piece)];
    const { impl } = fakeFetch(chunks);
    await expect(streamSSE('/x', {}, { fetchImpl: impl })).rejects.toMatchObject({ code: 'bad_event' });
  });
});
