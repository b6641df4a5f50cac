'use client';

import ReactMarkdown from 'react-markdown';

/**
 * Markdown from the model, rendered safely: react-markdown builds React elements (no innerHTML),
 * `skipHtml` drops any raw HTML in the source, and its default URL transform removes
 * `javascript:` and other unsafe links.
 */
export function Markdown({ source }: { source: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown skipHtml>{source}</ReactMarkdown>
    </div>
  );
}
