/**
 * Who may talk to the main process: only the main frame of our own window, showing our own
 * renderer page. Pure functions so the rule is unit-tested without Electron.
 */

export interface SenderFacts {
  /** webContents id of the sender. */
  senderId: number;
  /** URL of the frame that sent the message (null when the frame is gone). */
  frameUrl: string | null;
  /** Whether that frame is the top frame of its page. */
  isMainFrame: boolean;
}

export interface TrustedWindow {
  webContentsId: number;
  /** file:// URL of dist/renderer/index.html (query and hash ignored). */
  rendererUrl: string;
}

function stripSearch(url: string): string | null {
  try {
    const u = new URL(url);
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return null;
  }
}

export function isTrustedSender(sender: SenderFacts, trusted: TrustedWindow | null): boolean {
  if (!trusted || sender.senderId !== trusted.webContentsId || !sender.isMainFrame || !sender.frameUrl) return false;
  const url = stripSearch(sender.frameUrl);
  return url !== null && url === stripSearch(trusted.rendererUrl);
}

/** Navigation is allowed nowhere: the renderer is one page, and links never replace it. */
export function isAllowedNavigation(target: string, rendererUrl: string): boolean {
  return stripSearch(target) === stripSearch(rendererUrl);
}
