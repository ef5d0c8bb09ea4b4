import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProviderName } from '../onnx/session.js';
import { entryUrl } from '../runtime/entry-points.js';
import { ModelManifestError, ModelSignatureError, PrefillCancelledError, PrefillError } from './errors.js';
import type { PrefillModelSpec } from './manifest.js';
import { RESULT_MARKER, type MemoryChildReply, type MemoryChildRequest, type MemoryChildResult } from './memory-protocol.js';
import type { SequencePositions } from './positions.js';
import type { PrefillSequence } from './prefill-sequence.js';

/** The child's errors by kind (core/protocol/errors.ts); any other kind becomes a PrefillError naming it. */
const CHILD_ERRORS: Record<string, new (message: string) => Error> = { 'bad-manifest': ModelManifestError, 'model-mismatch': ModelSignatureError, 'prefill-failed': PrefillError };
const STDERR_TAIL = 2000;

const bytesOf = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Runs the memory pass of each sequence in its own child process (memory-child.ts) and returns
 * the child's OS peak-RSS readings. The model and the clip's position ids are written once to a
 * private temp directory; each sequence adds its embeddings and positions there. `dispose()`
 * removes the directory.
 */
export class MemoryProbe {
  private sequenceCount = 0;

  private constructor(
    private readonly dir: string,
    private readonly modelPath: string,
    private readonly spec: PrefillModelSpec,
    private readonly fullLength: number,
    private readonly provider: ProviderName,
    readonly cpuArena: boolean,
    private readonly childScript: string,
  ) {}

  /**
   * `model` is the ONNX bytes (demo decoder) or the model file's path (a manifest's model, read
   * by onnxruntime in the child so external weight files are found next to it).
   */
  static async prepare(options: {
    model: Uint8Array | string;
    spec: PrefillModelSpec;
    positions: SequencePositions;
    provider: ProviderName;
    /** CPU arena on in the measured session (default true: the session a real deployment runs). */
    cpuArena?: boolean;
    /** The child's entry script; default the memory-child entry (core/runtime/entry-points.ts). */
    childScript?: string;
  }): Promise<MemoryProbe> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'omnizip-prefill-mem-'));
    try {
      let modelPath: string;
      if (typeof options.model === 'string') {
        modelPath = options.model;
      } else {
        modelPath = path.join(dir, 'model.onnx');
        await writeFile(modelPath, options.model);
      }
      await writeFile(path.join(dir, 'mrope.i32'), bytesOf(options.positions.mrope));
      await writeFile(path.join(dir, 'linear.i32'), bytesOf(options.positions.linear));
      const childScript = options.childScript ?? fileURLToPath(entryUrl('memory-child'));
      return new MemoryProbe(dir, modelPath, options.spec, options.positions.linear.length, options.provider, options.cpuArena ?? true, childScript);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  async measure(seq: PrefillSequence, signal?: AbortSignal): Promise<MemoryChildResult> {
    if (signal?.aborted) throw new PrefillCancelledError();
    const index = this.sequenceCount++;
    const embedsFile = path.join(this.dir, `seq${index}.f32`);
    const sequencePositionsFile = path.join(this.dir, `seq${index}.pos.i32`);
    await writeFile(embedsFile, bytesOf(seq.embeds));
    await writeFile(sequencePositionsFile, bytesOf(seq.sequencePositions));
    const request: MemoryChildRequest = {
      modelPath: this.modelPath,
      spec: this.spec,
      provider: this.provider,
      cpuArena: this.cpuArena,
      label: seq.label,
      tokens: seq.tokens,
      hiddenSize: seq.hiddenSize,
      embedsFile,
      sequencePositionsFile,
      fullLength: this.fullLength,
      mropeFile: path.join(this.dir, 'mrope.i32'),
      linearFile: path.join(this.dir, 'linear.i32'),
    };
    try {
      return await this.runChild(request, signal);
    } finally {
      await Promise.all([rm(embedsFile, { force: true }), rm(sequencePositionsFile, { force: true })]);
    }
  }

  private runChild(request: MemoryChildRequest, signal: AbortSignal | undefined): Promise<MemoryChildResult> {
    return new Promise((resolve, reject) => {
      // Inside Electron (the compute host) execPath is the Electron binary: run it as plain Node.
      const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
      const child = spawn(process.execPath, [this.childScript], { stdio: ['pipe', 'pipe', 'pipe'], env, windowsHide: true });
      let stdout = '';
      let stderr = '';
      let settled = false;
      const finish = (action: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        action();
      };
      // Unlike a worker thread inside native inference, a separate process can be killed at once.
      const onAbort = () => {
        child.kill('SIGKILL');
        finish(() => reject(new PrefillCancelledError()));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (d: string) => (stdout += d));
      child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-STDERR_TAIL)));
      child.on('error', (err) => finish(() => reject(new PrefillError(`memory pass of '${request.label}': cannot start ${process.execPath}: ${err.message}`))));
      child.on('close', (code, sig) => {
        const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
        if (!line) {
          const how = sig ? `was killed by ${sig}${sig === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exited with code ${code}`;
          finish(() => reject(new PrefillError(`memory pass of '${request.label}': the child process ${how} without a result${stderr.trim() ? `; stderr: ${stderr.trim()}` : ''}`)));
          return;
        }
        const reply = JSON.parse(line.slice(RESULT_MARKER.length)) as MemoryChildReply;
        if (reply.ok) {
          finish(() => resolve(reply.result));
        } else {
          const Type = CHILD_ERRORS[reply.kind] ?? PrefillError;
          finish(() => reject(new Type(reply.kind in CHILD_ERRORS ? reply.message : `memory pass of '${request.label}': ${reply.message}`)));
        }
      });
      child.stdin.on('error', () => undefined); // a child that died early closes its stdin; 'close' reports why
      child.stdin.end(JSON.stringify(request));
    });
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
