/**
 * Whether a replan is in flight, for background requests (the session autosave) that would
 * otherwise share the slider's round trip and the UI thread with it: they wait until the plan is
 * drawn. Its own module so that the autosave does not import the actions that start it.
 */
let busy = false;
let waiters: Array<() => void> = [];

export function setReplanBusy(value: boolean): void {
  busy = value;
  if (busy) return;
  const ready = waiters;
  waiters = [];
  for (const resolve of ready) resolve();
}

export function isReplanBusy(): boolean {
  return busy;
}

/** Resolves when no replan is in flight, after the frame that draws its plan (at once in a DOM-less test). */
export async function whenReplansIdle(): Promise<void> {
  while (busy) await new Promise<void>((resolve) => waiters.push(resolve));
  if (typeof requestAnimationFrame === 'function') await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
