/**
 * Converts RGB24 frames (height x width x 3 bytes each) to a float32 NCHW batch, each channel as
 * (x / 255 - mean[c]) / std[c].
 */
export function framesToNchw(frames: Uint8Array[], width: number, height: number, mean = [0, 0, 0], std = [1, 1, 1]): Float32Array {
  const plane = width * height;
  const out = new Float32Array(frames.length * 3 * plane);
  const scale = [1 / (255 * std[0]), 1 / (255 * std[1]), 1 / (255 * std[2])];
  const offset = [mean[0] / std[0], mean[1] / std[1], mean[2] / std[2]];
  frames.forEach((frame, f) => {
    const base = f * 3 * plane;
    for (let p = 0; p < plane; p++) {
      out[base + p] = frame[p * 3] * scale[0] - offset[0];
      out[base + plane + p] = frame[p * 3 + 1] * scale[1] - offset[1];
      out[base + 2 * plane + p] = frame[p * 3 + 2] * scale[2] - offset[2];
    }
  });
  return out;
}

export interface QwenPatchGeometry {
  patchSize: number;
  temporalPatchSize: number;
  mergeSize: number;
}

/**
 * Qwen2-VL / Qwen2.5-Omni's `pixel_values` for video: frames cut into (temporal 2) x 14 x 14 patches,
 * rows ordered temporal patch, then 2x2 merge window in raster order, then the patch inside the
 * window; each row holds channel, temporal, y, x. Returns [gridT*gridH*gridW, 3*2*14*14] and the grid.
 */
export function framesToQwenPatches(
  frames: Uint8Array[],
  width: number,
  height: number,
  mean: number[],
  std: number[],
  geometry: QwenPatchGeometry,
): { data: Float32Array; rows: number; cols: number; gridThw: [number, number, number] } {
  const { patchSize: ps, temporalPatchSize: tps, mergeSize: m } = geometry;
  const gridT = frames.length / tps;
  const gridH = height / ps;
  const gridW = width / ps;
  if (!Number.isInteger(gridT) || !Number.isInteger(gridH / m) || !Number.isInteger(gridW / m)) {
    throw new RangeError(`frames ${frames.length} x ${width}x${height} do not tile into ${tps} x ${ps * m}px patches`);
  }
  const cols = 3 * tps * ps * ps;
  const rows = gridT * gridH * gridW;
  const data = new Float32Array(rows * cols);
  let row = 0;
  for (let t = 0; t < gridT; t++) {
    for (let bh = 0; bh < gridH / m; bh++) {
      for (let bw = 0; bw < gridW / m; bw++) {
        for (let mh = 0; mh < m; mh++) {
          for (let mw = 0; mw < m; mw++) {
            const py = (bh * m + mh) * ps;
            const px = (bw * m + mw) * ps;
            let col = row * cols;
            for (let c = 0; c < 3; c++) {
              for (let tp = 0; tp < tps; tp++) {
                const frame = frames[t * tps + tp];
                for (let y = 0; y < ps; y++) {
                  const rowStart = ((py + y) * width + px) * 3 + c;
                  for (let x = 0; x < ps; x++) data[col++] = (frame[rowStart + x * 3] / 255 - mean[c]) / std[c];
                }
              }
            }
            row++;
          }
        }
      }
    }
  }
  return { data, rows, cols, gridThw: [gridT, gridH, gridW] };
}
