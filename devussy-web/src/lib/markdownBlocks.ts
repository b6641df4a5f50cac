// Live markdown is rendered block by block: a stream's text is split at blank lines outside code
// fences, finished blocks keep their rendered elements (memoised on their text), and only the last,
// still-growing block is parsed again when a frame publishes new tokens.

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}(\s|$)/;

/** Blocks end at blank lines outside fences; a heading line is a block of its own once its line ends. */
export function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (fence === null && HEADING.test(line) && index < lines.length - 1) {
      if (current.length) blocks.push(current.join('\n'));
      blocks.push(line);
      current = [];
      continue;
    }
    const marker = FENCE.exec(line)?.[1];
    if (marker) {
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    }
    if (fence === null && !marker && line.trim() === '') {
      if (current.length) blocks.push(current.join('\n'));
      current = [];
      continue;
    }
    current.push(line);
  }
  if (current.length) blocks.push(current.join('\n'));
  return blocks;
}
