import { spawnSync } from 'node:child_process';

/**
 * Finds a python3 with numpy for the tests that compare against numpy references. Tests skip,
 * naming the reason, where none exists (OMNIZIP_PYTHON overrides the interpreter).
 */
export interface PythonProbe {
  python: string | null;
  skipReason: string;
}

let cached: PythonProbe | null = null;

export function findPythonWithNumpy(): PythonProbe {
  if (cached) return cached;
  const python = process.env.OMNIZIP_PYTHON ?? 'python3';
  const run = spawnSync(python, ['-c', 'import numpy, sys; print(numpy.__version__)'], { encoding: 'utf8' });
  if (run.error) {
    cached = { python: null, skipReason: `${python} not found (install python3 and python3-numpy, or set OMNIZIP_PYTHON)` };
  } else if (run.status !== 0) {
    cached = { python: null, skipReason: `${python} has no numpy (apt-get install python3-numpy)` };
  } else {
    cached = { python, skipReason: '' };
  }
  return cached;
}
