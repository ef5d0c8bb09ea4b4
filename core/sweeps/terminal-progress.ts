/** A one-line progress bar with throughput and ETA for `sweep run` in a terminal (plain lines when not a TTY). */
import type { SweepProgress } from './executor.js';

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressLine(p: SweepProgress, width = 24): string {
  const finished = p.alreadyDone + p.done + p.failed;
  const fraction = p.total === 0 ? 1 : finished / p.total;
  const filled = Math.round(fraction * width);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  const eta = p.etaMs === null ? 'ETA --' : `ETA ${formatDuration(p.etaMs)}`;
  const resumed = p.alreadyDone > 0 ? ` (${p.alreadyDone} resumed)` : '';
  const failed = p.failed > 0 ? `, ${p.failed} failed` : '';
  return `[${bar}] ${finished}/${p.total}${resumed}${failed}, ${p.inFlight} running, ${p.rate.toFixed(p.rate < 10 ? 2 : 1)} trials/s, ${eta}`;
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): { update: (p: SweepProgress) => void; end: () => void } {
  const tty = stream.isTTY === true;
  let last = 0;
  let pending: SweepProgress | null = null;
  return {
    update(p) {
      pending = p;
      const now = Date.now();
      if (now - last < (tty ? 100 : 5000)) return;
      last = now;
      stream.write(tty ? `\r${progressLine(p)}\x1b[K` : `${progressLine(p)}\n`);
    },
    end() {
      if (pending) stream.write(tty ? `\r${progressLine(pending)}\x1b[K\n` : `${progressLine(pending)}\n`);
    },
  };
}
