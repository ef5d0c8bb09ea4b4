import { describe, expect, it } from 'vitest';
import { isAllowedNavigation, isTrustedSender } from './ipc-guard.js';

const trusted = { webContentsId: 3, rendererUrl: 'file:///opt/omnizip/resources/app.asar/dist/renderer/index.html' };

describe('IPC sender guard', () => {
  it('accepts the main frame of our window on our page', () => {
    expect(isTrustedSender({ senderId: 3, frameUrl: 'file:///opt/omnizip/resources/app.asar/dist/renderer/index.html?x=1#top', isMainFrame: true }, trusted)).toBe(true);
  });

  it('refuses other windows, subframes, other pages and unknown senders', () => {
    expect(isTrustedSender({ senderId: 4, frameUrl: trusted.rendererUrl, isMainFrame: true }, trusted)).toBe(false);
    expect(isTrustedSender({ senderId: 3, frameUrl: trusted.rendererUrl, isMainFrame: false }, trusted)).toBe(false);
    expect(isTrustedSender({ senderId: 3, frameUrl: 'https://evil.example/', isMainFrame: true }, trusted)).toBe(false);
    expect(isTrustedSender({ senderId: 3, frameUrl: 'file:///tmp/other.html', isMainFrame: true }, trusted)).toBe(false);
    expect(isTrustedSender({ senderId: 3, frameUrl: null, isMainFrame: true }, trusted)).toBe(false);
    expect(isTrustedSender({ senderId: 3, frameUrl: trusted.rendererUrl, isMainFrame: true }, null)).toBe(false);
  });

  it('allows no navigation away from the renderer page', () => {
    expect(isAllowedNavigation('https://example.com', trusted.rendererUrl)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', trusted.rendererUrl)).toBe(false);
    expect(isAllowedNavigation(`${trusted.rendererUrl}?open=1`, trusted.rendererUrl)).toBe(true);
  });
});
