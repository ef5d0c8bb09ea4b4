/**
 * Moments of web mode's start-up on the server's clock (ms since this process started), for
 * `npm run bench:ui`, which lines them up with the page's own marks: when the server listened,
 * served the page and each of its scripts, had the demo ready, and answered the page's first calls.
 * Each moment is written once, as one `omnizip-startup <ms> <what>` line, and only when
 * OMNIZIP_STARTUP_MARKS=1 (the bench sets it); otherwise marking costs nothing.
 */
export type StartupMark = (what: string) => void;

export const STARTUP_MARK_PREFIX = 'omnizip-startup';

export function startupMarks(write: ((line: string) => void) | null, now: () => number = () => performance.now()): StartupMark {
  if (!write) return () => undefined;
  const seen = new Set<string>();
  return (what) => {
    if (seen.has(what)) return;
    seen.add(what);
    write(`${STARTUP_MARK_PREFIX} ${now().toFixed(1)} ${what}\n`);
  };
}

/** The marks in a process' output, in order: ms and what, as written by startupMarks. */
export function parseStartupMarks(output: string): { ms: number; what: string }[] {
  const marks: { ms: number; what: string }[] = [];
  for (const m of output.matchAll(new RegExp(`^${STARTUP_MARK_PREFIX} ([0-9.]+) (.+)$`, 'gm'))) marks.push({ ms: Number(m[1]), what: m[2] });
  return marks;
}
