// Reading a plan the user picks or drops (a folder `devussy plan` wrote, or its zip) into what the
// workspace endpoints take: `{files}` or `{zip}`. Only which files to send is decided here; reading
// and editing them is the server's job (POST /api/workspace/*).

/**
 * The names the server reads as a plan (src/devussy/workspace/folder.py, PLAN_FILE_NAME). Filtering
 * here keeps a picked folder's other files (sources, images, node_modules) out of the request.
 */
const PLAN_FILE = /^(plan\.json|devplan\.md|design\.md|handoff\.md|phase[1-9][0-9]*\.md)$/;
/** A plan file is small; anything bigger is not one (the server refuses files over 5 MB). */
const MAX_PLAN_FILE_BYTES = 5_000_000;

export interface PickedFile {
  /** Path inside what was picked, `/`-separated: `recipe-box/phase1.md` (or just `phase1.md`). */
  path: string;
  size: number;
}

export class PlanFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanFilesError';
  }
}

function folderOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index < 0 ? '' : path.slice(0, index);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The plan files among what was picked: those of the one folder that holds a `plan.json`. Picking a
 * folder of several plans (e.g. `devussy-out/`) is refused with their names, so nothing is mixed.
 */
export function choosePlanFiles<F extends PickedFile>(picked: F[]): F[] {
  const candidates = picked.filter((file) => PLAN_FILE.test(baseName(file.path)) && !file.path.split('/').includes('.devussy'));
  const roots = [...new Set(candidates.filter((file) => baseName(file.path) === 'plan.json').map((file) => folderOf(file.path)))].sort();
  if (roots.length === 0) {
    throw new PlanFilesError(
      candidates.length
        ? 'No plan.json here: pick the folder `devussy plan` wrote (it holds plan.json, devplan.md and the phase files).'
        : 'No plan files here: pick the folder `devussy plan` wrote, or its zip.',
    );
  }
  if (roots.length > 1) {
    const names = roots.map((root) => root || '(the top folder)').slice(0, 6).join(', ');
    throw new PlanFilesError(`This folder holds ${roots.length} plans (${names}): pick one of them.`);
  }
  const chosen = candidates.filter((file) => folderOf(file.path) === roots[0]);
  const large = chosen.find((file) => file.size > MAX_PLAN_FILE_BYTES);
  if (large) throw new PlanFilesError(`${baseName(large.path)} is larger than 5 MB: not a plan file.`);
  return chosen;
}

export function isZipName(name: string): boolean {
  return /\.zip$/i.test(name);
}

/** Bytes as base64 (in slices, so a large zip does not overflow the argument list of fromCharCode). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const slice = 0x8000;
  for (let index = 0; index < bytes.length; index += slice) {
    binary += String.fromCharCode(...bytes.subarray(index, index + slice));
  }
  return btoa(binary);
}

/** The local time with its offset (`2026-05-04T10:12:00+02:00`): the server dates the progress log with it. */
export function localTimestamp(date: Date): string {
  const pad = (value: number) => String(Math.abs(value)).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

/** What the user opened, as the workspace endpoints take it, and how to name it in the list. */
export type PlanSource = { kind: 'zip'; zip: string; label: string } | { kind: 'files'; files: Record<string, string>; label: string };

/** A `File` from an input or a drop, with the path it had inside the picked folder. */
export interface BrowserPick {
  file: File;
  path: string;
}

/** Read what was picked or dropped: one zip, or the plan files of one folder. */
export async function readPlanSource(picks: BrowserPick[]): Promise<PlanSource> {
  if (picks.length === 0) throw new PlanFilesError('Nothing was picked.');
  const zips = picks.filter((pick) => isZipName(pick.file.name));
  if (zips.length === 1 && picks.length === 1) {
    const bytes = new Uint8Array(await zips[0].file.arrayBuffer());
    return { kind: 'zip', zip: toBase64(bytes), label: zips[0].file.name };
  }
  if (zips.length > 1) throw new PlanFilesError('Open one plan zip at a time.');
  const chosen = choosePlanFiles(picks.map((pick) => ({ ...pick, size: pick.file.size })));
  const files: Record<string, string> = {};
  for (const pick of chosen) files[baseName(pick.path)] = await pick.file.text();
  const folder = folderOf(chosen[0].path);
  return { kind: 'files', files, label: folder ? `${baseName(folder)}/` : 'plan files' };
}

/** Files from an `<input type=file>` (with `webkitdirectory`, each keeps its path in the folder). */
export function picksFromInput(files: FileList | File[]): BrowserPick[] {
  return Array.from(files).map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

/** Files from a drop: folders are walked (Chromium, Firefox, Safari), else the dropped files as they are. */
export async function picksFromDrop(transfer: DataTransfer): Promise<BrowserPick[]> {
  const entries = Array.from(transfer.items ?? [])
    .map((item) => (item.kind === 'file' && typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null))
    .filter((entry): entry is FileSystemEntry => entry !== null);
  if (!entries.length) return picksFromInput(transfer.files);
  const picks: BrowserPick[] = [];
  for (const entry of entries) await walk(entry, '', picks);
  return picks;
}

const MAX_WALKED = 5000;

async function walk(entry: FileSystemEntry, prefix: string, into: BrowserPick[]): Promise<void> {
  if (into.length >= MAX_WALKED) return;
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    into.push({ file, path });
    return;
  }
  if (!entry.isDirectory || ['node_modules', '.git'].includes(entry.name)) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns the entries in batches until an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    for (const child of batch) await walk(child, path, into);
  }
}
