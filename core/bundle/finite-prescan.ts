/**
 * The non-finite check of a bundle's float32 tensors, done while the file is read: each chunk is
 * scanned as it arrives, while libuv reads the next one and while it is still in the cache, so the
 * validation need not walk the 130 MB of a 60-s clip again afterwards (the machine's memory
 * bandwidth, not arithmetic, is what that walk costs). It only vouches for what it saw whole: a
 * header it cannot read yet or at all, another dtype, an unaligned tensor or a non-finite value
 * leave that tensor to the full check in validateFeatureBundle, which also words the error.
 */

/** The tensors validateFeatureBundle checks for NaN and infinities. */
const CHECKED_TENSORS: ReadonlySet<string> = new Set(['audio_embeds', 'video_embeds', 'audio_scores', 'video_scores', 'decoder_attention']);

interface ScannedRange {
  name: string;
  /** Absolute byte offsets in the file. */
  start: number;
  end: number;
  /** The next byte to scan (always start + a multiple of 4). */
  next: number;
  finite: boolean;
}

export class FinitePrescan {
  private ranges: ScannedRange[] | null = null;
  private unusable = false;

  /** Takes what has arrived: the file's first `to` bytes are in `bytes` (chunks arrive in order). */
  take(bytes: Uint8Array, to: number): void {
    if (this.unusable) return;
    try {
      if (this.ranges === null && !this.readHeader(bytes, to)) return;
      this.scan(bytes, to);
    } catch {
      // Called between reads that are still in flight: never throw, just vouch for nothing.
      this.unusable = true;
      this.ranges = null;
    }
  }

  private scan(bytes: Uint8Array, to: number): void {
    for (const range of this.ranges ?? []) {
      if (!range.finite || range.next >= range.end) continue;
      const floats = Math.floor((Math.min(range.end, to) - range.next) / 4);
      if (floats <= 0) continue;
      const values = new Float32Array(bytes.buffer, bytes.byteOffset + range.next, floats);
      for (let i = 0; i < floats; i++) {
        const v = values[i];
        // v - v is 0 for every finite v and NaN for NaN and +-Infinity (as findNonFinite).
        if (v - v !== 0) {
          range.finite = false;
          break;
        }
      }
      range.next += floats * 4;
    }
  }

  /** Byte ranges [start, end) of the tensors seen whole and finite, by tensor name. */
  finiteRanges(): Map<string, [number, number]> {
    const out = new Map<string, [number, number]>();
    for (const range of this.ranges ?? []) if (range.finite && range.next === range.end) out.set(range.name, [range.start, range.end]);
    return out;
  }

  /** Learns the float32 tensors' byte ranges once the whole header has arrived; false until then. */
  private readHeader(bytes: Uint8Array, received: number): boolean {
    if (received < 8) return false;
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
    if (received < 8 + headerLength) return false;
    const dataStart = 8 + headerLength;
    this.ranges = [];
    try {
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, dataStart))) as Record<string, { dtype?: unknown; data_offsets?: unknown }>;
      for (const name of CHECKED_TENSORS) {
        const entry = header[name];
        const offsets = entry?.data_offsets;
        if (entry?.dtype !== 'F32' || !Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(Number.isSafeInteger)) continue;
        const [begin, end] = offsets as [number, number];
        const start = dataStart + begin;
        if (begin < 0 || end < begin || (bytes.byteOffset + start) % 4 !== 0 || (end - begin) % 4 !== 0 || dataStart + end > bytes.length) continue;
        this.ranges.push({ name, start, end: dataStart + end, next: start, finite: true });
      }
    } catch {
      // A header that is not JSON is the parser's to report; nothing is vouched for.
      this.unusable = true;
      return false;
    }
    return true;
  }
}
