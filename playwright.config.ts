import { defineConfig } from '@playwright/test';

/**
 * Browser tests of the studio in web mode, in Debian's Chromium (no browser download here; CI
 * installs `chromium` with apt). `npm run test:e2e` builds the renderer first; the global setup
 * starts `omnizip-studio serve` and hands its tokenised URL to the tests.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: 'e2e',
  testMatch: /.*\.spec\.ts$/,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  workers: 1,
  fullyParallel: false,
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results/e2e',
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1600, height: 1300 },
    acceptDownloads: true,
    launchOptions: { executablePath: process.env.OMNIZIP_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
  },
});
