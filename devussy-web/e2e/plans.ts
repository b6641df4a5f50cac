// Plan folders written by the real CLI (`devussy plan` with the built-in engine), for the living-plan
// specs: the folder, the zip it writes next to the files, and helpers to read a zip back.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './stack';

function python(): string {
  const venv = path.join(REPO_ROOT, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

function run(args: string[], cwd = REPO_ROOT): string {
  const env: Record<string, string | undefined> = { ...process.env, DEVUSSY_PROVIDER: 'builtin', PYTHONPATH: path.join(REPO_ROOT, 'src') };
  // No real keys or endpoints from the developer's shell reach the CLI.
  for (const key of Object.keys(env)) if (/^(OPENAI_|ANTHROPIC_)|^DEVUSSY_(?!PROVIDER$)/.test(key)) delete env[key];
  return execFileSync(python(), args, { cwd, env: env as NodeJS.ProcessEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface WrittenPlan {
  /** The folder `devussy plan` wrote. */
  dir: string;
  /** The zip it wrote inside that folder. */
  zip: string;
}

export function writePlan(idea: string, name: string): WrittenPlan {
  const root = mkdtempSync(path.join(os.tmpdir(), 'devussy-e2e-'));
  const dir = path.join(root, name);
  run(['-m', 'devussy', 'plan', idea, '--provider', 'builtin', '--name', name, '--out', dir, '--plain']);
  const zip = readdirSync(dir).find((file) => file.endsWith('.zip'));
  if (!zip) throw new Error(`devussy plan wrote no zip in ${dir}`);
  return { dir, zip: path.join(dir, zip) };
}

/**
 * The pytest suite's small plan with requirements (tests/workspace/plans.py: phases 1–3, eight steps,
 * R1–R4), written as `devussy plan` writes a folder, plus its zip (devussy.artifacts.build_zip).
 */
export function writeRecipePlan(): WrittenPlan {
  const root = mkdtempSync(path.join(os.tmpdir(), 'devussy-e2e-'));
  const dir = path.join(root, 'recipe-box');
  const zip = path.join(root, 'recipe-box-devplan.zip');
  const code = [
    'import sys, pathlib',
    'from devussy.artifacts import build_zip',
    'from tests.workspace.plans import recipe_files, write_folder',
    'files = recipe_files()',
    'write_folder(pathlib.Path(sys.argv[1]), files)',
    'pathlib.Path(sys.argv[2]).write_bytes(build_zip(files, root="recipe-box"))',
  ].join('\n');
  run(['-c', code, dir, zip]);
  return { dir, zip };
}

/** The files inside a zip, name → text (read with Python's zipfile). */
export function readZip(file: string): Record<string, string> {
  const code = 'import json, sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))';
  return JSON.parse(run(['-c', code, file])) as Record<string, string>;
}

/** A zip holding the given files (for inputs that are not plans). */
export function makeZip(file: string, files: Record<string, string>): string {
  const code = 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n    [z.writestr(n, t) for n, t in json.loads(sys.argv[2]).items()]';
  run(['-c', code, file, JSON.stringify(files)]);
  return file;
}

/** `devussy status --json` of a folder: what the CLI reads from files the browser changed. */
export interface CliStatus {
  done: number;
  total: number;
  blocked: { id: string }[];
  phases: { number: number; total: number }[];
}

export function cliStatus(dir: string): CliStatus {
  return JSON.parse(run(['-m', 'devussy', 'status', dir, '--json'])) as CliStatus;
}
