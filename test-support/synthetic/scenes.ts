/** The synthetic video scenes: clusters, drift, a moving object and a face, with hard cuts. */
import { EMBED_SCALE } from './options.js';
import { Rng, addScaled, hashInts, randomDirection } from './random.js';

export interface Scene {
  startPatch: number;
  endPatch: number;
  /** Per token position: which cluster it belongs to. */
  assignment: Uint8Array;
  /** Per cluster: background + cluster direction, the static part of its tokens. */
  clusterVectors: Float32Array[];
  /** Per cluster: amplitude of its fixed per-position texture (flat sky vs. foliage). */
  textureAmplitude: number[];
  clusterColors: [number, number, number][];
  objectVector: Float32Array | null;
  objectColor: [number, number, number];
  /** Object centre per patch of the scene, in merged-token units, [x, y]. */
  objectPath: [number, number][];
  objectRadius: number;
  /** Face region (token rectangle) where the current speaker's direction shows. */
  face: { row: number; col: number; rows: number; cols: number };
  textureSeed: number;
}

export function makeScenes(rng: Rng, seed: number, temporalPatches: number, rows: number, cols: number, hiddenSize: number): Scene[] {
  const scenes: Scene[] = [];
  let start = 0;
  let sceneIndex = 0;
  while (start < temporalPatches) {
    const length = Math.max(2, Math.round(rng.uniform(6, 16)));
    const end = Math.min(temporalPatches, start + length);
    const background = randomDirection(hashInts(seed, 11, sceneIndex), hiddenSize);
    const clusterCount = 3 + rng.int(3);
    const centres: [number, number][] = [];
    for (let c = 0; c < clusterCount; c++) centres.push([rng.uniform(0, cols), rng.uniform(0, rows)]);
    const assignment = new Uint8Array(rows * cols);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        let best = 0;
        let bestDistance = Infinity;
        for (let c = 0; c < clusterCount; c++) {
          const distance = (x + 0.5 - centres[c][0]) ** 2 + (y + 0.5 - centres[c][1]) ** 2;
          if (distance < bestDistance) {
            bestDistance = distance;
            best = c;
          }
        }
        assignment[y * cols + x] = best;
      }
    }
    const clusterVectors: Float32Array[] = [];
    const textureAmplitude: number[] = [];
    const clusterColors: [number, number, number][] = [];
    for (let c = 0; c < clusterCount; c++) {
      const vector = randomDirection(hashInts(seed, 12, sceneIndex, c), hiddenSize);
      addScaled(vector, 0, background, 0.7);
      clusterVectors.push(vector);
      textureAmplitude.push(rng.uniform(0.15, 0.7) * EMBED_SCALE);
      clusterColors.push([40 + rng.int(180), 40 + rng.int(180), 40 + rng.int(180)]);
    }
    let objectVector: Float32Array | null = null;
    const objectPath: [number, number][] = [];
    if (rng.chance(0.8)) {
      objectVector = randomDirection(hashInts(seed, 13, sceneIndex), hiddenSize);
      addScaled(objectVector, 0, background, 0.3);
      let x = rng.uniform(1, cols - 1);
      let y = rng.uniform(1, rows - 1);
      let vx = rng.uniform(0.4, 1.2) * (rng.chance(0.5) ? 1 : -1);
      let vy = rng.uniform(0.2, 0.6) * (rng.chance(0.5) ? 1 : -1);
      for (let t = start; t < end; t++) {
        objectPath.push([x, y]);
        x += vx;
        y += vy;
        if (x < 0 || x > cols) { vx = -vx; x += 2 * vx; }
        if (y < 0 || y > rows) { vy = -vy; y += 2 * vy; }
      }
    }
    const faceRows = Math.max(1, Math.min(2, rows));
    const faceCols = Math.max(1, Math.min(2, cols));
    scenes.push({
      startPatch: start,
      endPatch: end,
      assignment,
      clusterVectors,
      textureAmplitude,
      clusterColors,
      objectVector,
      objectColor: [220 + rng.int(36), 30 + rng.int(60), 30 + rng.int(60)],
      objectPath,
      objectRadius: rng.uniform(1.1, 1.9),
      face: { row: rng.int(rows - faceRows + 1), col: rng.int(cols - faceCols + 1), rows: faceRows, cols: faceCols },
      textureSeed: hashInts(seed, 14, sceneIndex),
    });
    start = end;
    sceneIndex++;
  }
  return scenes;
}

export function objectCovers(scene: Scene, patchInScene: number, x: number, y: number): boolean {
  if (scene.objectVector === null) return false;
  const [cx, cy] = scene.objectPath[patchInScene];
  return (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 < scene.objectRadius ** 2;
}

export function inFace(scene: Scene, x: number, y: number): boolean {
  const { row, col, rows, cols } = scene.face;
  return y >= row && y < row + rows && x >= col && x < col + cols;
}
