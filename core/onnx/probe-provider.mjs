// Probes one onnxruntime execution provider in a throwaway process: GPU provider start-up
// (adapter discovery, driver loading) can hang or abort natively, and that must never take down
// the process that serves the UI. Reads a tiny ONNX model on stdin, creates a session with exactly
// one provider, runs it, checks the answer and prints one JSON line: {ok, provider, device, error?}.
// Plain .mjs on purpose: it must start fast and without a TypeScript loader.
import ort from 'onnxruntime-node';
import { execFileSync } from 'node:child_process';

const provider = process.argv[2];

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

function cudaDeviceName() {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { timeout: 5000, encoding: 'utf8' });
    const first = out.split('\n')[0]?.trim();
    return first ? `${first} (CUDA device 0)` : 'CUDA device 0';
  } catch {
    return 'CUDA device 0';
  }
}

function report(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  const model = await readStdin();
  const session = await ort.InferenceSession.create(new Uint8Array(model), { executionProviders: [provider], graphOptimizationLevel: 'all' });
  // The probe model computes max_j (a_i . b_j); with these inputs the answer is exactly [6, 15].
  const a = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
  const b = new ort.Tensor('float32', Float32Array.from([1, 1, 1, 0, 0, 0]), [2, 3]);
  const out = await session.run({ a, b });
  const values = Array.from(out[session.outputNames[0]].data);
  if (values.length !== 2 || Math.abs(values[0] - 6) > 1e-4 || Math.abs(values[1] - 15) > 1e-4) {
    report({ ok: false, provider, error: `probe model returned [${values.join(', ')}] instead of [6, 15]` });
  } else {
    const device = provider === 'cuda' ? cudaDeviceName() : provider === 'webgpu' ? 'WebGPU adapter chosen by onnxruntime (Dawn)' : 'CPU';
    report({ ok: true, provider, device });
  }
  await session.release();
  process.exit(0);
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  const lastLine = message.split('\n').filter((l) => l.trim()).slice(-1)[0] ?? message;
  // onnxruntime prefixes failed checks with the source location and the check itself; the reason follows.
  const reason = lastLine.includes(' was false. ') ? lastLine.slice(lastLine.lastIndexOf(' was false. ') + 12) : lastLine;
  report({ ok: false, provider, error: reason });
  process.exit(0);
}
