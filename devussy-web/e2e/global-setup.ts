// Starts the backends the specs use, each on a free loopback port, and passes their URLs to the
// tests through the environment. The returned function is Playwright's teardown.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { WEB_DIR, startStack, stopPids } from './stack';

export const FAILING_PHASE = 3;

export default async function globalSetup(): Promise<() => Promise<void>> {
  // Point the specs at servers you run yourself by setting all four URLs.
  if (process.env.E2E_BUILTIN_URL && process.env.E2E_FAKE_URL && process.env.E2E_FAILING_URL && process.env.E2E_DEFECTIVE_URL) return async () => undefined;
  if (!existsSync(path.join(WEB_DIR, 'out', 'index.html'))) {
    throw new Error('devussy-web/out is missing: build the UI first (make web-build, or npm run build)');
  }
  const pids: number[] = [];
  const kill = () => stopPids(pids);
  process.once('exit', kill);
  try {
    const [builtin, fake, failing, defective] = await Promise.all([
      startStack(),
      startStack({ fake: { tokensPerSecond: 80 } }),
      // The first detail request for phase 3 is cut after a few chunks: a provider failure mid-stream.
      startStack({ fake: { tokensPerSecond: 80, failOnceMatching: `Detail Phase ${FAILING_PHASE}:`, fault: 'cut', faultAfter: 5 } }),
      // A model that contradicts a constraint in one phase detail and does not fix it when asked.
      startStack({ fake: { tokensPerSecond: 400, responder: 'tests.fakes.e2e_responders:stubborn_contradiction' } }),
    ]);
    pids.push(...builtin.pids, ...fake.pids, ...failing.pids, ...defective.pids);
    process.env.E2E_BUILTIN_URL = builtin.baseURL;
    process.env.E2E_FAKE_URL = fake.baseURL;
    process.env.E2E_FAILING_URL = failing.baseURL;
    process.env.E2E_DEFECTIVE_URL = defective.baseURL;
  } catch (error) {
    kill();
    throw error;
  }
  return async () => kill();
}
