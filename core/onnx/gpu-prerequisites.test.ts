import { describe, expect, it } from 'vitest';
import { missingGpuPrerequisite, thisMachine, vulkanDriverDirs, type MachineView } from './gpu-prerequisites.js';

const ORT = '/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64';

/** A Linux machine holding exactly `files` (folders list the files directly inside them). */
function machine(files: string[], env: NodeJS.ProcessEnv = {}, platform: NodeJS.Platform = 'linux'): MachineView {
  return {
    platform,
    env,
    home: '/home/u',
    ortLibraryDir: ORT,
    exists: (f) => files.includes(f),
    list: (dir) => files.filter((f) => f.startsWith(`${dir}/`) && !f.slice(dir.length + 1).includes('/')).map((f) => f.slice(dir.length + 1)),
  };
}

describe('CUDA prerequisites (Linux)', () => {
  it('names the missing provider library first', () => {
    expect(missingGpuPrerequisite('cuda', machine(['/dev/nvidiactl']))).toBe(`this onnxruntime-node install has no CUDA provider library (no libonnxruntime_providers_cuda.so in ${ORT})`);
  });

  it('then the missing NVIDIA driver', () => {
    expect(missingGpuPrerequisite('cuda', machine([`${ORT}/libonnxruntime_providers_cuda.so`]))).toBe('no NVIDIA driver is loaded (none of /proc/driver/nvidia/version, /dev/nvidiactl, /dev/dxg)');
  });

  it('leaves the decision to the probe when the library and any driver trace are there (WSL included)', () => {
    for (const driver of ['/proc/driver/nvidia/version', '/dev/nvidiactl', '/dev/dxg']) {
      expect(missingGpuPrerequisite('cuda', machine([`${ORT}/libonnxruntime_providers_cuda.so`, driver]))).toBeNull();
    }
  });
});

describe('WebGPU prerequisites (Linux)', () => {
  it('needs a Vulkan driver manifest in one of the loader folders', () => {
    expect(missingGpuPrerequisite('webgpu', machine(['/etc/vulkan/icd.d/README']))).toMatch(/^no Vulkan driver is installed/);
    for (const manifest of ['/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', '/etc/vulkan/icd.d/nvidia_icd.json', '/home/u/.local/share/vulkan/icd.d/x.json', '/usr/local/etc/vulkan/icd.d/y.json']) {
      expect(missingGpuPrerequisite('webgpu', machine([manifest]))).toBeNull();
    }
  });

  it('follows the XDG folders and leaves drivers named by the environment to the probe', () => {
    expect(missingGpuPrerequisite('webgpu', machine(['/nix/gl/vulkan/icd.d/a.json'], { XDG_DATA_DIRS: '/nix/gl:/usr/share' }))).toBeNull();
    expect(missingGpuPrerequisite('webgpu', machine([], { VK_ICD_FILENAMES: '/opt/icd.json' }))).toBeNull();
    expect(vulkanDriverDirs({ VK_DRIVER_FILES: '/opt/icd.json' }, '/h')).toBeNull();
    expect(vulkanDriverDirs({}, '/h')).toEqual(['/h/.config/vulkan/icd.d', '/etc/xdg/vulkan/icd.d', '/usr/local/etc/vulkan/icd.d', '/etc/vulkan/icd.d', '/h/.local/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d']);
  });
});

describe('elsewhere', () => {
  it('never rules out the CPU provider, nor any provider off Linux', () => {
    expect(missingGpuPrerequisite('cpu', machine([]))).toBeNull();
    for (const platform of ['win32', 'darwin'] as const) {
      expect(missingGpuPrerequisite('cuda', machine([], {}, platform))).toBeNull();
      expect(missingGpuPrerequisite('webgpu', machine([], {}, platform))).toBeNull();
    }
  });

  it('finds onnxruntime\'s library folder on this machine', () => {
    const m = thisMachine();
    expect(m.ortLibraryDir).not.toBeNull();
    if (m.platform === 'linux') expect(m.exists(`${m.ortLibraryDir}/onnxruntime_binding.node`)).toBe(true);
  });
});
