/** Safetensors data is little-endian; typed-array views are only valid as-is on little-endian hosts. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the byte order of each `elementSize`-byte element of `bytes` in place. */
export function swapBytesInPlace(bytes: Uint8Array, elementSize: number): void {
  if (elementSize <= 1) return;
  for (let start = 0; start + elementSize <= bytes.length; start += elementSize) {
    for (let lo = start, hi = start + elementSize - 1; lo < hi; lo++, hi--) {
      const tmp = bytes[lo];
      bytes[lo] = bytes[hi];
      bytes[hi] = tmp;
    }
  }
}
