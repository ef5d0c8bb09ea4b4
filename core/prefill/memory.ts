import { execFile } from 'node:child_process';

export interface DeviceMemoryReading {
  bytes: number | null;
  note: string;
}

/**
 * Device memory held by this process (the memory child, see memory-child.ts). onnxruntime-node
 * exposes no allocator statistics, so for CUDA the driver is asked (nvidia-smi per-process usage;
 * the CUDA arena keeps its high-water mark, so a reading after the run approximates the peak).
 * WebGPU offers no such query.
 */
export function readDeviceMemory(provider: string): Promise<DeviceMemoryReading> {
  if (provider === 'cpu') return Promise.resolve({ bytes: null, note: 'CPU provider: all memory is in the process RSS' });
  if (provider !== 'cuda') {
    return Promise.resolve({ bytes: null, note: `the '${provider}' provider exposes no device memory statistics to onnxruntime-node` });
  }
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'], { timeout: 5000 }, (err, stdout) => {
      if (err) {
        resolve({ bytes: null, note: `nvidia-smi unavailable (${err.message.split('\n')[0]})` });
        return;
      }
      for (const line of stdout.split('\n')) {
        const [pid, mib] = line.split(',').map((s) => s.trim());
        if (Number(pid) === process.pid && Number.isFinite(Number(mib))) {
          resolve({ bytes: Number(mib) * 1024 * 1024, note: 'nvidia-smi per-process usage of the memory child after its run (CUDA arena high-water mark)' });
          return;
        }
      }
      resolve({ bytes: null, note: 'nvidia-smi lists no GPU memory for this process' });
    });
  });
}
