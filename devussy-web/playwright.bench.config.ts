import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/chromium';

// Benchmarks print JSON figures; they are not part of `make test`.
export default defineConfig({
  testDir: './e2e/bench',
  outputDir: './test-results/bench',
  timeout: 180_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions,
    viewport: { width: 1600, height: 1000 },
  },
});
