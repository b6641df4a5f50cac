'use client';

import { memo, useLayoutEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import ReactMarkdown from 'react-markdown';
import { liveText } from '@/lib/liveText';
import { splitBlocks } from '@/lib/markdownBlocks';

/** One finished block: rendered once, then kept while the stream grows after it. */
const Block = memo(function Block({ source }: { source: string }) {
  return <ReactMarkdown skipHtml>{source}</ReactMarkdown>;
});

/**
 * The live text of one stream, rendered as markdown in the layout it keeps when finished. It
 * subscribes to its own key in the live store, which publishes at most once per animation frame.
 * Each markdown block is parsed once, when it is complete (markdownBlocks.ts); while `live`, the block
 * still growing is shown as plain text in the same typography, so a frame costs a text update per
 * stream rather than a markdown parse (see the bench in docs/web.md). Markdown goes through
 * react-markdown with `skipHtml`: model output never becomes HTML. Not an aria-live region: a screen
 * reader is not made to read a stream token by token.
 */
export function StreamText({
  streamKey,
  fallback = '',
  compact = false,
  live = false,
  label,
  testId,
}: {
  streamKey: string;
  fallback?: string;
  compact?: boolean;
  /** The stream is still running: its last block is still growing. */
  live?: boolean;
  label: string;
  testId?: string;
}) {
  const entry = useSyncExternalStore(
    (listener) => liveText.subscribe(streamKey, listener),
    () => liveText.get(streamKey),
    () => liveText.get(streamKey),
  );
  const text = entry.text || fallback;
  const blocks = useMemo(() => splitBlocks(text), [text]);
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useLayoutEffect(() => {
    const element = ref.current;
    if (element && stick.current) element.scrollTop = element.scrollHeight;
  }, [text]);

  return (
    <div
      ref={ref}
      className={`stream markdown${compact ? ' compact' : ''}`}
      role="region"
      aria-label={label}
      aria-busy={text ? undefined : true}
      tabIndex={0}
      data-testid={testId}
      data-chars={text.length}
      onScroll={(event) => {
        const element = event.currentTarget;
        stick.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
      }}
    >
      {blocks.map((block, index) =>
        live && index === blocks.length - 1 ? (
          <p key={index} className="md-growing">
            {block}
          </p>
        ) : (
          <Block key={index} source={block} />
        ),
      )}
    </div>
  );
}

/** A finished stream's raw text (the source of what was rendered), e.g. under "Streamed output". */
export function RawText({ text, label }: { text: string; label: string }) {
  return (
    <pre className="stream raw compact" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}
