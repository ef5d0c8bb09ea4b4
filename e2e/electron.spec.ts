import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { findElectronBinary } from '../electron/find-electron.js';
import { repoRoot, screenshotDir } from './helpers.js';

const availability = findElectronBinary(repoRoot);
if (!availability.ok) console.log(`[electron e2e] skipped: Electron cannot run here: ${availability.reason}`);

test.describe('desktop app (Electron)', () => {
  test.skip(!availability.ok, `Electron cannot run here: ${availability.ok ? '' : availability.reason}`);

  test('opens the demo in a sandboxed window with the IPC bridge only', async () => {
    const app = await electron.launch({ executablePath: availability.ok ? availability.binary : undefined, args: [repoRoot] });
    try {
      const window = await app.firstWindow();
      await expect(window.getByTestId('count-audio')).not.toHaveText('', { timeout: 60_000 });
      expect(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      expect(await window.evaluate(() => typeof (window as unknown as { process?: unknown }).process)).toBe('undefined');
      expect(await window.evaluate(() => Object.keys((window as unknown as { omnizipBridge: object }).omnizipBridge).sort())).toEqual(['invoke', 'onEvent']);
      const refused = await window.evaluate(() => (window as unknown as { omnizipBridge: { invoke(m: string, p: unknown): Promise<{ ok: boolean }> } }).omnizipBridge.invoke('fs.readFile', {}));
      expect(refused.ok).toBe(false);
      await expect(window.getByTestId('statusbar')).toContainText('desktop');
      await window.screenshot({ path: path.join(screenshotDir, 'electron-window.png') });
    } finally {
      await app.close();
    }
  });
});
