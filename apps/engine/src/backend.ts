/**
 * TensorFlow.js backend selection for the engine.
 *
 * Order of preference: `tfjs-node-gpu` (CUDA) → `tfjs-node` (native libtensorflow) → `wasm` → `cpu`.
 * The two native packages are optional: they are *not* dependencies of @fep/engine (their install
 * script downloads libtensorflow from a host outside the npm registry, which fails offline) and are loaded
 * with a dynamic `import()` only if present. Set `ENGINE_BACKEND` to one of
 * `node-gpu | node | wasm | cpu` to force a choice (an explicit argument to `initBackend` wins over
 * the variable). The choice is made and logged once per process.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { kernelThreadCount } from './core/kernel-threads.ts';
import { installFastWasmKernels } from './core/wasm-kernels.ts';

export type BackendPreference = 'node-gpu' | 'node' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['node-gpu', 'node', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The TF.js backend name actually active (`tensorflow`, `wasm`, `cpu`). */
  backend: string;
  device: 'gpu' | 'cpu';
  /** The preference that produced it. */
  preference: BackendPreference;
}

export class UnknownBackendError extends Error {
  constructor(value: string) {
    super(`Unknown engine backend "${value}"; expected one of ${BACKEND_PREFERENCES.join(', ')}.`);
    this.name = 'UnknownBackendError';
  }
}

let current: Promise<BackendInfo> | null = null;

function parsePreference(value: string): BackendPreference {
  if ((BACKEND_PREFERENCES as readonly string[]).includes(value)) return value as BackendPreference;
  throw new UnknownBackendError(value);
}

/** Import an optional package by a computed name so bundlers/tsc do not require it to exist. */
async function importOptional(name: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ name);
    return true;
  } catch {
    return false;
  }
}

async function tryPreference(pref: BackendPreference): Promise<BackendInfo | null> {
  switch (pref) {
    case 'node-gpu':
    case 'node': {
      const pkg = pref === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      if (!(await importOptional(pkg))) return null;
      if (!(await tf.setBackend('tensorflow'))) return null;
      await tf.ready();
      // tfjs-node-gpu loads even without a usable CUDA (libtensorflow then runs on the CPU with a
      // warning), so the device is what the binding reports, not what the package name promises.
      const usingGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
      return { backend: tf.getBackend(), device: usingGpu ? 'gpu' : 'cpu', preference: pref };
    }
    case 'wasm':
    case 'cpu': {
      if (!(await tf.setBackend(pref))) return null;
      await tf.ready();
      // Faster Slice/SplitV/Concat for wasm (identical values; see core/wasm-kernels.ts).
      if (pref === 'wasm') installFastWasmKernels();
      return { backend: tf.getBackend(), device: 'cpu', preference: pref };
    }
  }
}

async function select(preferred?: BackendPreference): Promise<BackendInfo> {
  const order: BackendPreference[] = preferred
    ? [preferred, ...BACKEND_PREFERENCES.filter((p) => p !== preferred)]
    : [...BACKEND_PREFERENCES];
  for (const pref of order) {
    const info = await tryPreference(pref);
    if (info) {
      const note = preferred && pref !== preferred ? ` (requested ${preferred} unavailable)` : '';
      console.info(`[engine] TensorFlow.js backend: ${info.backend} on ${info.device}${note}`);
      return info;
    }
  }
  throw new Error('No TensorFlow.js backend could be initialised.');
}

/**
 * Initialise the TF.js backend once per process and return what was chosen. Later calls return the
 * same result (a different `preferred` after the first call is ignored: backends cannot be swapped
 * under live tensors).
 */
export function initBackend(preferred?: BackendPreference | string): Promise<BackendInfo> {
  if (!current) {
    const raw = preferred ?? process.env.ENGINE_BACKEND;
    const pref = raw ? parsePreference(raw) : undefined;
    // Fail at start-up, not at the first explanation, on a bad ENGINE_KERNEL_THREADS.
    kernelThreadCount();
    current = select(pref).catch((err: unknown) => {
      current = null;
      throw err;
    });
  }
  return current;
}

const ENGINE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
let versionCache: string | null = null;

/**
 * Version stamp recorded with every explanation: `FEP_ENGINE_VERSION` if set, else the git commit of
 * the checkout (`git rev-parse HEAD`), else the package version.
 */
export function engineVersion(): string {
  const fromEnv = process.env.FEP_ENGINE_VERSION?.trim();
  if (fromEnv) return fromEnv;
  if (versionCache) return versionCache;
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: ENGINE_DIR,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    }).trim();
    if (/^[0-9a-f]{40}$/.test(sha)) return (versionCache = sha);
  } catch {
    // not a git checkout: fall through to the package version
  }
  const pkg = JSON.parse(readFileSync(join(ENGINE_DIR, 'package.json'), 'utf8')) as { version: string };
  return (versionCache = pkg.version);
}
