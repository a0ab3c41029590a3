/**
 * Backend selection order and fallback (src/backend.ts). The backend is chosen once per process, so
 * every case runs src/testing/backend-probe.ts in a fresh child process (`node --import tsx`) and
 * reads the JSON it prints: initBackend()'s result and the `[engine] TensorFlow.js backend: …` line.
 *
 * This checkout does not install @tensorflow/tfjs-node or -node-gpu (their install downloads
 * libtensorflow, which fails offline), so the native backends are genuinely unavailable here. A
 * native package that is installed but cannot load is simulated with packages of those names in a
 * temporary node_modules that src/testing/extra-node-modules.mjs adds to the child's resolution
 * path; their entry throws the error Node's dlopen raises when the binding's shared libraries are
 * missing: libtensorflow.so.2 (an interrupted install, a copied node_modules without deps/) or a CUDA
 * library linked at load time (libcudart.so.11.0). Note: the libtensorflow 2.9.1 that tfjs-node-gpu
 * 4.22 downloads opens most CUDA libraries lazily — a host without CUDA 11.2/cuDNN 8.1 then LOADS
 * the package and runs on the CPU with TensorFlow warnings (see docs/gpu.md), which no test here
 * can tell from a GPU.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from './backend.ts';

const run = promisify(execFile);
const ENGINE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROBE = join(ENGINE_DIR, 'src/testing/backend-probe.ts');
const EXTRA_NODE_MODULES = join(ENGINE_DIR, 'src/testing/extra-node-modules.mjs');
const TMP_PREFIX = 'fep-backend-test-';

type ProbeResult =
  | { ok: true; info: BackendInfo; log: string[] }
  | { ok: false; name: string; message: string; log: string[] };

interface Probe {
  result: ProbeResult;
  stderr: string;
}

/** Run one selection in a fresh process. `nodeModules`: an extra node_modules on its resolution path. */
async function probe(opts: { env?: Record<string, string>; arg?: string; nodeModules?: string } = {}): Promise<Probe> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (!opts.env || !('ENGINE_BACKEND' in opts.env)) delete env.ENGINE_BACKEND;
  delete env.FEP_EXTRA_NODE_MODULES;
  const args = ['--import', 'tsx'];
  if (opts.nodeModules) {
    env.FEP_EXTRA_NODE_MODULES = opts.nodeModules;
    args.push('--import', EXTRA_NODE_MODULES);
  }
  args.push(PROBE);
  if (opts.arg) args.push(opts.arg);
  const { stdout, stderr } = await run(process.execPath, args, { cwd: ENGINE_DIR, env, timeout: 60_000 });
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (!line) throw new Error(`backend probe printed no result.\nstdout: ${stdout}\nstderr: ${stderr}`);
  return { result: JSON.parse(line) as ProbeResult, stderr };
}

function expectBackend(p: Probe, info: BackendInfo, log: string): void {
  expect(p.result).toEqual({ ok: true, info, log: [log] });
}

/** Write a fake package `name` whose CommonJS entry runs `body`, under `<root>/node_modules`. */
function fakePackage(root: string, name: string, body: string): void {
  const dir = join(root, 'node_modules', name);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'dist/index.js' }));
  writeFileSync(join(dir, 'dist/index.js'), body);
}

/**
 * The entry of a native package whose binding cannot be loaded: what tfjs-node(-gpu)'s
 * `require(tfjs_binding.node)` throws when the dynamic linker cannot find a library it needs
 * (Node reports dlopen failures as ERR_DLOPEN_FAILED with the linker's message). The stderr line
 * proves the package was found and its entry ran.
 */
function dlopenFailure(pkg: string, missingLib: string): string {
  return `process.stderr.write('[fake ${pkg}] loading native binding\\n');
const err = new Error('${missingLib}: cannot open shared object file: No such file or directory');
err.code = 'ERR_DLOPEN_FAILED';
throw err;
`;
}

/**
 * A native package that loads: like tfjs-node it registers a backend named 'tensorflow' (priority
 * 3) with the TF.js engine — here the engine's own CPU backend factory under that name, reached
 * through the global engine singleton TF.js keeps (no libtensorflow needed).
 */
const LOADABLE_NODE = `process.stderr.write('[fake @tensorflow/tfjs-node] loaded\\n');
const engine = globalThis._tfengine;
engine.registerBackend('tensorflow', engine.findBackendFactory('cpu'), 3);
`;

const tmpRoots: string[] = [];
const ours = () => readdirSync(tmpdir()).filter((n) => n.startsWith(TMP_PREFIX));
let before: string[] = [];

beforeAll(() => {
  before = ours();
});

afterAll(() => {
  for (const root of tmpRoots) rmSync(root, { recursive: true, force: true });
  for (const root of tmpRoots) expect(existsSync(root)).toBe(false);
  // Nothing of ours is left in the temporary directory.
  expect(ours()).toEqual(before);
});

/** A temporary directory holding `node_modules/` with the given fake packages. */
function tempNodeModules(packages: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), TMP_PREFIX));
  tmpRoots.push(root);
  for (const [name, body] of Object.entries(packages)) fakePackage(root, name, body);
  return join(root, 'node_modules');
}

describe('backend selection (node-gpu → node → wasm → cpu), one child process per case', () => {
  it('the native packages are not installed in this checkout (precondition of the cases below)', async () => {
    for (const pkg of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
      await expect(import(/* @vite-ignore */ pkg)).rejects.toThrow();
    }
  });

  it('picks wasm by default when no native package is installed', async () => {
    expectBackend(await probe(), { backend: 'wasm', device: 'cpu', preference: 'wasm' }, '[engine] TensorFlow.js backend: wasm on cpu');
  });

  it('ENGINE_BACKEND=node-gpu falls back to wasm and logs that node-gpu was unavailable', async () => {
    expectBackend(
      await probe({ env: { ENGINE_BACKEND: 'node-gpu' } }),
      { backend: 'wasm', device: 'cpu', preference: 'wasm' },
      '[engine] TensorFlow.js backend: wasm on cpu (requested node-gpu unavailable)',
    );
  });

  it('ENGINE_BACKEND=node falls back to wasm and logs that node was unavailable', async () => {
    expectBackend(
      await probe({ env: { ENGINE_BACKEND: 'node' } }),
      { backend: 'wasm', device: 'cpu', preference: 'wasm' },
      '[engine] TensorFlow.js backend: wasm on cpu (requested node unavailable)',
    );
  });

  it('ENGINE_BACKEND=cpu gives the cpu backend', async () => {
    expectBackend(await probe({ env: { ENGINE_BACKEND: 'cpu' } }), { backend: 'cpu', device: 'cpu', preference: 'cpu' }, '[engine] TensorFlow.js backend: cpu on cpu');
  });

  it('an explicit initBackend argument wins over ENGINE_BACKEND', async () => {
    expectBackend(await probe({ env: { ENGINE_BACKEND: 'wasm' }, arg: 'cpu' }), { backend: 'cpu', device: 'cpu', preference: 'cpu' }, '[engine] TensorFlow.js backend: cpu on cpu');
  });

  it('an unknown ENGINE_BACKEND is a typed UnknownBackendError naming the accepted values', async () => {
    const { result } = await probe({ env: { ENGINE_BACKEND: 'cuda' } });
    expect(result).toEqual({
      ok: false,
      name: 'UnknownBackendError',
      message: 'Unknown engine backend "cuda"; expected one of node-gpu, node, wasm, cpu.',
      log: [],
    });
  });

  it('a bad ENGINE_KERNEL_THREADS fails at start-up with a typed error, before any backend loads', async () => {
    const { result } = await probe({ env: { ENGINE_KERNEL_THREADS: 'lots' } });
    expect(result).toEqual({
      ok: false,
      name: 'InvalidKernelThreadsError',
      message: 'ENGINE_KERNEL_THREADS must be an integer ≥ 1, got "lots"',
      log: [],
    });
  });

  it('the UnknownBackendError class is exported and thrown in-process', async () => {
    const { initBackend, UnknownBackendError } = await import('./backend.ts');
    expect(() => initBackend('tpu')).toThrow(UnknownBackendError);
    expect(() => initBackend('tpu')).toThrow('Unknown engine backend "tpu"; expected one of node-gpu, node, wasm, cpu.');
  });

  for (const lib of ['libtensorflow.so.2', 'libcudart.so.11.0']) {
    it(`skips an installed tfjs-node-gpu whose binding fails to load (${lib} missing) and uses wasm`, async () => {
      const nodeModules = tempNodeModules({ '@tensorflow/tfjs-node-gpu': dlopenFailure('@tensorflow/tfjs-node-gpu', lib) });
      const p = await probe({ nodeModules });
      expect(p.stderr).toContain('[fake @tensorflow/tfjs-node-gpu] loading native binding');
      expectBackend(p, { backend: 'wasm', device: 'cpu', preference: 'wasm' }, '[engine] TensorFlow.js backend: wasm on cpu');
    });
  }

  it('ENGINE_BACKEND=node-gpu with a broken tfjs-node-gpu and a broken tfjs-node falls back to wasm and says so', async () => {
    const nodeModules = tempNodeModules({
      '@tensorflow/tfjs-node-gpu': dlopenFailure('@tensorflow/tfjs-node-gpu', 'libtensorflow.so.2'),
      '@tensorflow/tfjs-node': dlopenFailure('@tensorflow/tfjs-node', 'libtensorflow.so.2'),
    });
    const p = await probe({ env: { ENGINE_BACKEND: 'node-gpu' }, nodeModules });
    expect(p.stderr).toContain('[fake @tensorflow/tfjs-node-gpu] loading native binding');
    expect(p.stderr).toContain('[fake @tensorflow/tfjs-node] loading native binding');
    expectBackend(p, { backend: 'wasm', device: 'cpu', preference: 'wasm' }, '[engine] TensorFlow.js backend: wasm on cpu (requested node-gpu unavailable)');
  });

  it('after a broken tfjs-node-gpu the next backend in order, tfjs-node, is used when it loads', async () => {
    const nodeModules = tempNodeModules({
      '@tensorflow/tfjs-node-gpu': dlopenFailure('@tensorflow/tfjs-node-gpu', 'libtensorflow.so.2'),
      '@tensorflow/tfjs-node': LOADABLE_NODE,
    });
    const p = await probe({ nodeModules });
    expect(p.stderr).toContain('[fake @tensorflow/tfjs-node-gpu] loading native binding');
    expect(p.stderr).toContain('[fake @tensorflow/tfjs-node] loaded');
    expectBackend(p, { backend: 'tensorflow', device: 'cpu', preference: 'node' }, '[engine] TensorFlow.js backend: tensorflow on cpu');
  });
});
