// SSE client for the Devussy API (DESIGN §4): POST a JSON body, read `text/event-stream` with
// eventsource-parser, and resolve with the single terminal `done` event. Anything else — an `error`
// event, an HTTP error, a broken connection, a stream that ends without `done` — rejects with a
// StreamError, so a truncated stream can never pass for a success.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Largest single event accepted (a `done` event carries a whole plan, so this is generous). */
export const MAX_EVENT_CHARS = 8 * 1024 * 1024;

/**
 * After the terminal event the server ends the response; the rest is read (and ignored) for this
 * long so the request finishes cleanly instead of being aborted (`net::ERR_ABORTED` in DevTools).
 */
export const DRAIN_AFTER_DONE_MS = 2000;

export interface StreamEventData {
  type: string;
  [key: string]: unknown;
}

export interface DoneEvent extends StreamEventData {
  type: 'done';
}

export interface StreamHandlers {
  /** Each `token` event's text, in order. */
  onToken?: (text: string) => void;
  /** Each `progress` event (e.g. `{event: "phase", phase: {...}}` while a plan streams). */
  onProgress?: (data: StreamEventData) => void;
  /** The `start` event. */
  onStart?: (data: StreamEventData) => void;
  /** A comment line such as the `: ping` heartbeat. */
  onHeartbeat?: () => void;
}

export interface StreamOptions extends StreamHandlers {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  fetchImpl?: typeof fetch;
}

export type StreamErrorCode =
  | 'cancelled'
  | 'network_error'
  | 'http_error'
  | 'not_a_stream'
  | 'bad_event'
  | 'stream_incomplete'
  | string; // server codes: provider_timeout, parse_failed, ...

export class StreamError extends Error {
  readonly code: StreamErrorCode;
  readonly status?: number;

  constructor(message: string, code: StreamErrorCode, status?: number) {
    super(message);
    this.name = 'StreamError';
    this.code = code;
    this.status = status;
  }
}

export function isCancelled(error: unknown): boolean {
  return error instanceof StreamError && error.code === 'cancelled';
}

function abortError(): StreamError {
  return new StreamError('Cancelled', 'cancelled');
}

async function httpError(response: Response): Promise<StreamError> {
  let message = `${response.status} ${response.statusText}`.trim();
  let code: string = 'http_error';
  try {
    const body = (await response.json()) as { error?: unknown; code?: unknown; message?: unknown };
    const text = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : '';
    if (text) message = text;
    if (typeof body.code === 'string' && body.code) code = body.code;
  } catch {
    // Not JSON: keep the status line.
  }
  return new StreamError(message, code, response.status);
}

function parseData(message: EventSourceMessage): StreamEventData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.data);
  } catch {
    throw new StreamError(`Malformed event data from server (${message.event ?? 'message'})`, 'bad_event');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StreamError('Malformed event data from server', 'bad_event');
  }
  const data = parsed as StreamEventData;
  // The JSON repeats the type; fall back to the `event:` field for readers of either.
  const type = typeof data.type === 'string' ? data.type : message.event;
  return { ...data, type: type ?? 'message' };
}

/** Read what follows the terminal event until the response ends (true) or a short while passes. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, signal: AbortSignal | undefined): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), DRAIN_AFTER_DONE_MS);
  });
  const toEnd = (async () => {
    try {
      for (;;) {
        if (signal?.aborted) return false;
        const chunk = await reader.read();
        if (chunk.done) return true;
      }
    } catch {
      return false;
    }
  })();
  try {
    return await Promise.race([toEnd, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * POST `body` to `url` and stream the response. Resolves with the `done` event's data.
 */
export async function streamSSE(url: string, body: unknown, options: StreamOptions = {}): Promise<DoneEvent> {
  const { signal, fetchImpl = fetch } = options;
  if (signal?.aborted) throw abortError();

  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', ...options.headers },
      body: JSON.stringify(body),
      signal,
      cache: 'no-store',
    });
  } catch (error) {
    if (signal?.aborted) throw abortError();
    throw new StreamError(`Could not reach the server: ${(error as Error).message}`, 'network_error');
  }

  if (!response.ok) throw await httpError(response);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.includes('text/event-stream') || !response.body) {
    throw new StreamError(`Expected an event stream, got "${contentType || 'no body'}"`, 'not_a_stream', response.status);
  }

  let terminal: { done: DoneEvent } | { error: StreamError } | null = null;
  let handlerError: unknown = null;
  const parser = createParser({
    onEvent(message) {
      if (terminal || handlerError) return;
      try {
        const data = parseData(message);
        switch (data.type) {
          case 'token':
            options.onToken?.(typeof data.content === 'string' ? data.content : String(data.content ?? ''));
            break;
          case 'progress':
            options.onProgress?.(data);
            break;
          case 'start':
            options.onStart?.(data);
            break;
          case 'done':
            terminal = { done: data as DoneEvent };
            break;
          case 'error': {
            const text = typeof data.error === 'string' && data.error ? data.error : 'The server reported an error';
            const code = typeof data.code === 'string' && data.code ? data.code : 'internal_error';
            terminal = { error: new StreamError(text, code) };
            break;
          }
          default:
            // Unknown event types are ignored, like unknown fields.
            break;
        }
      } catch (error) {
        handlerError = error;
      }
    },
    onComment() {
      options.onHeartbeat?.();
    },
    // A server that never ends an event must not grow this buffer without bound.
    maxBufferSize: MAX_EVENT_CHARS,
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded' && !handlerError) {
        handlerError = new StreamError(`An event from the server exceeded ${MAX_EVENT_CHARS} characters`, 'bad_event');
      }
    },
  });

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let ended = false;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw abortError();
        throw new StreamError(`Connection lost: ${(error as Error).message}`, 'network_error');
      }
      if (chunk.done) {
        ended = true;
        const tail = decoder.decode();
        if (tail) parser.feed(tail);
        // An event not closed by a blank line is discarded (SSE spec): the stream is then incomplete.
        break;
      }
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      if (handlerError) break;
      if (terminal) {
        ended = await drain(reader, signal);
        break;
      }
    }
  } finally {
    // A response not read to its end (failure, or a server that keeps it open) is cancelled.
    if (!ended) reader.cancel().catch(() => undefined);
  }

  if (handlerError) throw handlerError;
  if (signal?.aborted && !terminal) throw abortError();
  const result = terminal as { done: DoneEvent } | { error: StreamError } | null;
  if (!result) {
    throw new StreamError('The stream ended before the server reported completion', 'stream_incomplete');
  }
  if ('error' in result) throw result.error;
  return result.done;
}
