'use client';

import { useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { liveText } from '@/lib/liveText';

/**
 * The live text of one stream. Subscribes to its own key in the live store, which publishes at
 * most once per animation frame, so only this element re-renders while tokens arrive. Text only:
 * model output is never interpreted as HTML.
 */
export function StreamText({
  streamKey,
  fallback = '',
  compact = false,
  label,
  testId,
}: {
  streamKey: string;
  fallback?: string;
  compact?: boolean;
  label: string;
  testId?: string;
}) {
  const entry = useSyncExternalStore(
    (listener) => liveText.subscribe(streamKey, listener),
    () => liveText.get(streamKey),
    () => liveText.get(streamKey),
  );
  const text = entry.text || fallback;
  const ref = useRef<HTMLPreElement>(null);
  const stick = useRef(true);

  useLayoutEffect(() => {
    const element = ref.current;
    if (element && stick.current) element.scrollTop = element.scrollHeight;
  }, [text]);

  return (
    <pre
      ref={ref}
      className={`stream${compact ? ' compact' : ''}`}
      aria-label={label}
      tabIndex={0}
      data-testid={testId}
      onScroll={(event) => {
        const element = event.currentTarget;
        stick.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
      }}
    >
      {text}
    </pre>
  );
}
