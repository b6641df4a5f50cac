// Starts the real backend for browser tests: dev_server.py (API + the static build on one origin),
// optionally behind the loopback fake OpenAI-compatible server. Loopback only; every process is
// stopped by stopStack (and killed if the test run dies).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const WEB_DIR = path.resolve(__dirname, '..');
export const REPO_ROOT = path.resolve(WEB_DIR, '..');

export interface FakeProviderOptions {
  tokensPerSecond: number;
  failOnceMatching?: string;
  fault?: 'cut' | '500' | '503' | '429' | 'stall' | 'malformed' | 'error';
  faultAfter?: number;
  /** The fake model (`module:name`); the stage responder (a good model) by default. */
  responder?: string;
}

export interface Stack {
  baseURL: string;
  pids: number[];
}

function python(): string {
  const venv = path.join(REPO_ROOT, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

/** The environment for our servers: no real keys or endpoints leak in from the developer's shell. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(DEVUSSY_|OPENAI_|ANTHROPIC_)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, PYTHONUNBUFFERED: '1', NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', ...extra } as unknown as NodeJS.ProcessEnv;
}

/** Spawn a process and resolve with the first stdout line matching `ready`. */
function spawnUntil(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 30_000): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not become ready in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
      const match = output.match(ready);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        // Keep draining so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        resolve({ child, match });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.E2E_SERVER_LOGS) process.stderr.write(chunk);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

export async function startStack(options: { fake?: FakeProviderOptions; env?: Record<string, string> } = {}): Promise<Stack> {
  const pids: number[] = [];
  const env: Record<string, string> = { DEVUSSY_PROVIDER: 'builtin', ...options.env };
  try {
    if (options.fake) {
      const args = ['-m', 'tests.fakes.openai_server', '--port', '0', '--tokens-per-second', String(options.fake.tokensPerSecond), '--responder', options.fake.responder ?? 'tests.fakes.stage_responder:respond'];
      if (options.fake.failOnceMatching) {
        args.push('--fail-once-matching', options.fake.failOnceMatching, '--fault', options.fake.fault ?? 'cut', '--fault-after', String(options.fake.faultAfter ?? 3));
      }
      const fake = await spawnUntil(python(), args, cleanEnv({}), /READY (\S+)/);
      pids.push(fake.child.pid!);
      Object.assign(env, {
        DEVUSSY_PROVIDER: 'openai',
        DEVUSSY_BASE_URL: fake.match[1],
        DEVUSSY_MODEL: 'fake',
        OPENAI_API_KEY: 'sk-test-not-a-real-key',
      });
    }
    const server = await spawnUntil(python(), ['dev_server.py', '--host', '127.0.0.1', '--port', '0'], cleanEnv(env), /(http:\/\/127\.0\.0\.1:\d+)\//);
    pids.push(server.child.pid!);
    return { baseURL: server.match[1], pids };
  } catch (error) {
    stopPids(pids);
    throw error;
  }
}

export function stopPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
