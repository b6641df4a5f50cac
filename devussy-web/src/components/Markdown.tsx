'use client';

import ReactMarkdown, { type Components } from 'react-markdown';

/** A link to one of the plan's own files (`phase2.md`, `devplan.md`), relative to the plan folder. */
const PLAN_FILE_LINK = /^(?:\.\/)?([\w-]+\.md)$/;

/**
 * Markdown from the model, rendered safely: react-markdown builds React elements (no innerHTML),
 * `skipHtml` drops any raw HTML in the source, and its default URL transform removes
 * `javascript:` and other unsafe links. With `onFileLink`, links to the plan's own files (which
 * would lead nowhere in the app) become buttons that show that file's part of the page.
 */
export function Markdown({ source, onFileLink }: { source: string; onFileLink?: (name: string) => void }) {
  const components: Components | undefined = onFileLink
    ? {
        a: ({ href, children }) => {
          const file = PLAN_FILE_LINK.exec(href ?? '')?.[1];
          if (!file) return <a href={href}>{children}</a>;
          return (
            <button type="button" className="link-button" onClick={() => onFileLink(file)}>
              {children}
            </button>
          );
        },
      }
    : undefined;
  return (
    <div className="markdown">
      <ReactMarkdown skipHtml components={components}>
        {source}
      </ReactMarkdown>
    </div>
  );
}
