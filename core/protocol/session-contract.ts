/**
 * The contract of session autosave: what the studio keeps per clip so that nothing the user made
 * is lost on a crash or reload (the current config, the pinned compare A, the inference panel's
 * kept result rows), the methods that save and clear it, and the `restored` field an open answers
 * with. Part of `hostMethods` (contract.ts).
 *
 * No Node imports: the renderer bundles this file.
 */
import { array, boolean, nullable, number, object, oneOf, record, string, type Infer } from './check.js';
import { prefillResultShape } from './prefill-contract.js';

const clipId = string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ });

/** Kept prefill runs saved per clip; older ones drop first (each row set is a few kB). */
export const MAX_SAVED_PREFILL_RUNS = 50;
export const SAVED_SESSION_FORMAT = 'omnizip-studio-session';
export const SAVED_SESSION_VERSION = 1;

/** One kept prefill run as the panel shows it: the table-ready view without the (large) core report. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
const { reportJson, clipId: resultClipId, ...savedPrefillShape } = prefillResultShape;
export const savedPrefillRunCheck = object({
  id: number({ integer: true, min: 1 }),
  finishedAt: string({ maxLength: 64 }),
  result: object(savedPrefillShape),
});
export type SavedPrefillRun = Infer<typeof savedPrefillRunCheck>;

/** What one clip's session file holds besides its format header. */
export const savedSessionCheck = object({
  /** Config overrides as the parameter panel holds them (validated again by the core on load). */
  config: record(),
  pinnedConfig: nullable(record()),
  compareMode: oneOf(['off', 'pinned', 'baselines'] as const),
  prefill: array(savedPrefillRunCheck, { maxLength: MAX_SAVED_PREFILL_RUNS }),
});
export type SavedSession = Infer<typeof savedSessionCheck>;

/** The file on disk: the state under a format header, so a future version can tell its files apart. */
export const savedSessionFileCheck = object({
  format: oneOf([SAVED_SESSION_FORMAT] as const),
  version: number({ integer: true, min: 1, max: SAVED_SESSION_VERSION }),
  contentHash: string({ maxLength: 128 }),
  savedAt: string({ maxLength: 64 }),
  state: savedSessionCheck,
});

/** What an open answers when it found this clip's saved session (`ClipSummary.restored`). */
export const restoredSessionCheck = object({
  state: savedSessionCheck,
  savedAt: string(),
});
export type RestoredSession = Infer<typeof restoredSessionCheck>;

export const sessionMethods = {
  /** Keeps the clip's state; the host answers once it is written (atomically, fsynced), so an acknowledged save survives a crash. */
  'session.save': { params: object({ clipId, state: savedSessionCheck }), result: object({ saved: boolean() }) },
  /** Forgets the clip's saved state (the "Reset" of the restored line). */
  'session.reset': { params: object({ clipId }), result: object({ cleared: boolean() }) },
} as const;
