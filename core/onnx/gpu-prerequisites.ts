/**
 * What a GPU execution provider needs from the machine before a probe child is worth starting.
 * Each probe child loads onnxruntime (0.4-0.8 s of CPU on the 2-core machines) only to report that
 * the provider cannot start; on a first start 'auto' waited for both before analysing anything
 * (issue 16 goal 5's cold start). These checks answer from a few file lookups instead, and only
 * where the answer is certain: on Linux, onnxruntime loads the CUDA provider from a library beside
 * its own, which needs NVIDIA's kernel driver; its WebGPU provider (Dawn) finds adapters through
 * Vulkan, whose loader reads driver manifests from fixed folders. Elsewhere, or when anything is
 * present, the probe child decides as before.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { ProviderName } from '../protocol/enums.js';

/** The machine as the checks see it (tests pass their own). */
export interface MachineView {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
  /** The folder holding onnxruntime's shared library, or null when it cannot be found. */
  ortLibraryDir: string | null;
  exists(file: string): boolean;
  /** File names in a folder; empty when it is missing or unreadable. */
  list(dir: string): string[];
}

function ortLibraryDir(): string | null {
  try {
    const pkg = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    return path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

export function thisMachine(): MachineView {
  return {
    platform: process.platform,
    env: process.env,
    home: os.homedir(),
    ortLibraryDir: ortLibraryDir(),
    exists: existsSync,
    list: (dir) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
  };
}

/** The NVIDIA driver's traces: its proc entry and control device, or WSL's GPU paravirtualisation device. */
const NVIDIA_DRIVER_FILES = ['/proc/driver/nvidia/version', '/dev/nvidiactl', '/dev/dxg'];

function missingCuda(m: MachineView): string | null {
  if (m.ortLibraryDir && !m.exists(path.join(m.ortLibraryDir, 'libonnxruntime_providers_cuda.so'))) {
    return `this onnxruntime-node install has no CUDA provider library (no libonnxruntime_providers_cuda.so in ${m.ortLibraryDir})`;
  }
  if (!NVIDIA_DRIVER_FILES.some((f) => m.exists(f))) return `no NVIDIA driver is loaded (none of ${NVIDIA_DRIVER_FILES.join(', ')})`;
  return null;
}

/**
 * The folders the Vulkan loader reads driver manifests from on Linux (its LoaderDriverInterface
 * documentation), or null when an environment variable names drivers itself.
 */
export function vulkanDriverDirs(env: NodeJS.ProcessEnv, home: string): string[] | null {
  if (env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES || env.VK_ADD_DRIVER_FILES) return null;
  const split = (value: string | undefined, fallback: string) => (value || fallback).split(':').filter(Boolean);
  const roots = [
    env.XDG_CONFIG_HOME || path.join(home, '.config'),
    ...split(env.XDG_CONFIG_DIRS, '/etc/xdg'),
    '/usr/local/etc',
    '/etc',
    env.XDG_DATA_HOME || path.join(home, '.local', 'share'),
    ...split(env.XDG_DATA_DIRS, '/usr/local/share:/usr/share'),
  ];
  return [...new Set(roots.map((root) => path.join(root, 'vulkan', 'icd.d')))];
}

function missingWebGpu(m: MachineView): string | null {
  const dirs = vulkanDriverDirs(m.env, m.home);
  if (dirs === null || dirs.some((dir) => m.list(dir).some((name) => name.endsWith('.json')))) return null;
  return 'no Vulkan driver is installed (no driver manifest in the Vulkan loader\'s folders), so WebGPU has no adapter';
}

/**
 * Why `provider` cannot start on this machine, known without starting it; null when only a probe
 * can tell (always for the CPU provider, and on platforms other than Linux).
 */
export function missingGpuPrerequisite(provider: ProviderName, machine: MachineView = thisMachine()): string | null {
  if (machine.platform !== 'linux') return null;
  if (provider === 'cuda') return missingCuda(machine);
  if (provider === 'webgpu') return missingWebGpu(machine);
  return null;
}
