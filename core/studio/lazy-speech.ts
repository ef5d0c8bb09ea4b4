/**
 * A clip's speech reference (Silero VAD, in the compute worker) that runs once something asks for
 * it, or `startAfterMs` after the clip opened, whichever comes first. Started with the open, the
 * VAD took ~0.8 s of CPU during a cold start while the page was still evaluating plotly for its
 * first draw on the same two cores; the page asks for it (clip.speechReference) once it has drawn,
 * and plans that rank audio by speech_activity ask before they run.
 */
export class LazySpeech {
  /** Settles with the clip's note about its speech reference (null: none); never rejects. */
  readonly settled: Promise<string | null>;
  /** Resolving a promise twice is a no-op: this starts the run once, however often it is called. */
  private readonly begin: () => void;
  private timer: ReturnType<typeof setTimeout> | null;

  constructor(run: () => Promise<string | null>, startAfterMs: number) {
    let begin = () => {};
    this.settled = new Promise<void>((resolve) => (begin = resolve)).then(run);
    this.begin = begin;
    this.timer = setTimeout(() => this.start(), startAfterMs);
    // A pending start must not keep a CLI or a test process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Starts the run if it has not started (idempotent). */
  start(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.begin();
  }

  /** Starts the run if need be and waits for it. */
  wait(): Promise<string | null> {
    this.start();
    return this.settled;
  }
}
