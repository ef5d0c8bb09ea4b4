/**
 * The memory pass of one sequence, in its own short-lived process (spawned by memory-probe.ts).
 *
 * Why a process: onnxruntime's CPU arena keeps what it grew, and memory freed by a released
 * session is not returned to the OS, so in a long-lived process every reading after the first
 * depends on what ran before. A fresh process starts clean, and its OS peak counter then holds
 * exactly one model load and one prefill run.
 *
 * Steps: read the request (stdin) and the arrays (temp files), create the session, build the
 * feeds, read the baseline RSS and the peak so far, reset the peak counter where the OS allows,
 * run once, read the peak again. One line with the result goes to stdout.
 */
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { sessionOptions } from '../onnx/session.js';
import { errorKind, OmniZipError } from '../protocol/errors.js';
import { modelFeeds, sessionSignature } from './feeds.js';
import { validateSignature } from './manifest.js';
import { readDeviceMemory } from './memory.js';
import { RESULT_MARKER, type MemoryChildReply, type MemoryChildRequest } from './memory-protocol.js';
import { readPeakRss, resetPeakRss } from './peak-rss.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A typed array over a file's bytes (copied, so the view is aligned whatever Buffer gave us). */
async function readArray<T>(file: string, Ctor: { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, expected: number, what: string): Promise<T> {
  const bytes = await readFile(file);
  if (bytes.byteLength !== expected * Ctor.BYTES_PER_ELEMENT) {
    throw new Error(`${file}: ${what} has ${bytes.byteLength} bytes, expected ${expected * Ctor.BYTES_PER_ELEMENT}`);
  }
  return new Ctor(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

async function measure(request: MemoryChildRequest): Promise<MemoryChildReply> {
  const { spec } = request;
  const embeds = await readArray(request.embedsFile, Float32Array, request.tokens * request.hiddenSize, 'the embeddings');
  const sequencePositions = await readArray(request.sequencePositionsFile, Int32Array, request.tokens, 'the sequence positions');
  const linear = await readArray(request.linearFile, Int32Array, request.fullLength, 'the linear positions');
  const mrope = await readArray(request.mropeFile, Int32Array, 3 * request.fullLength, 'the M-RoPE positions');

  const options = request.provider === 'cpu' ? { ...sessionOptions('cpu'), enableCpuMemArena: request.cpuArena } : sessionOptions(request.provider);
  const session = await ort.InferenceSession.create(request.modelPath, options);
  const signature = sessionSignature(session);
  validateSignature(spec, signature, spec.modelPath ?? request.modelPath);
  const feeds = modelFeeds(spec, signature, { label: request.label, tokens: request.tokens, embeds, sequencePositions }, { linear, mrope });

  const rssBaselineBytes = process.memoryUsage.rss();
  const loadPeakBytes = readPeakRss().bytes;
  const peakReset = resetPeakRss();
  const started = performance.now();
  await session.run(feeds);
  const runMs = performance.now() - started;
  const peak = readPeakRss();
  const device = await readDeviceMemory(request.provider);
  await session.release();
  return {
    ok: true,
    result: {
      counter: peak.counter,
      peakReset,
      rssBaselineBytes,
      loadPeakBytes,
      rssPeakBytes: peak.bytes,
      maxRssBytes: peak.maxRssBytes,
      deviceBytes: device.bytes,
      deviceNote: device.note,
      runMs,
    },
  };
}

let reply: MemoryChildReply;
try {
  reply = await measure(JSON.parse(await readStdin()) as MemoryChildRequest);
} catch (err) {
  const error = err instanceof Error ? err : new Error(String(err));
  // An error without a kind keeps its class name in the message, so the parent's one line says what failed.
  reply = { ok: false, kind: errorKind(error), message: error instanceof OmniZipError ? error.message : `${error.name}: ${error.message}` };
}
process.stdout.write(`${RESULT_MARKER}${JSON.stringify(reply)}\n`, () => process.exit(reply.ok ? 0 : 1));
