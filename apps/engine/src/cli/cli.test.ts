import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../synth/npy.ts';
import { generateClip } from '../synth/synth-actions.ts';
import { decodeClip } from '../video/decode.ts';
import { withTempDir } from '../video/test-fixtures.ts';
import { runInProcess } from './run-in-process.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/fep.mjs');

/** Spawns the real `fep` bin (node → tsx loader → src/cli/main.ts). */
function fep(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FEP_NO_PROGRESS: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let tmp: Awaited<ReturnType<typeof withTempDir>>;
beforeAll(async () => {
  tmp = await withTempDir();
});
afterAll(() => tmp.cleanup());


describe('fep argument errors', () => {
  it('the real bin exits 2 with the command list when no command is given', async () => {
    const r = await fep();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing command');
    expect(r.stderr).toContain('Usage: fep <command>');
  });

  it('the real bin exits 2 on a malformed option value, with the usage', async () => {
    const r = await fep('synth', '--seed', 'abc', '--out', tmp.file('x.mp4'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--seed must be an integer');
    expect(r.stderr).toContain('Usage: fep synth');
  });

  it('exits 2 on an unknown command or option, with the usage', async () => {
    const a = await runInProcess('frobnicate');
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('Unknown command "frobnicate"');
    const b = await runInProcess('synth', '--seed', '1', '--out', tmp.file('x.mp4'), '--colour', 'red');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/Unknown option '--colour'/);
    expect(b.stderr).toContain('Usage: fep synth');
    expect((await runInProcess('info', 'a.mp4', 'b.mp4')).stderr).toContain('Unexpected argument "b.mp4"');
  });

  it('exits 2 on missing or malformed values', async () => {
    const missing = await runInProcess('synth', '--out', tmp.file('x.mp4'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing required option --seed');
    const c = await runInProcess('synth', '--seed', '1', '--out', tmp.file('x.mp4'), '--class', 'dance');
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('--class must be one of move_left');
    expect((await runInProcess('synth', '--seed=-3', '--out', tmp.file('x.mp4'))).stderr).toContain('--seed must be ≥ 0');
    expect((await runInProcess('synth', '--seed', '1', '--out', tmp.file('x.avi'))).stderr).toContain('--out must name an .mp4');
    expect((await runInProcess('info')).code).toBe(2);
    expect(await readdir(tmp.dir)).toEqual([]); // nothing written on argument errors
  });

  it('prints help with exit 0', async () => {
    const r = await runInProcess('synth', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: fep synth');
    expect((await runInProcess('--help')).stdout).toContain('Commands:');
  });
});

describe('fep synth → fep info', () => {
  it('sizes clips from the same built-in model directory the loader uses', async () => {
    const { BUILTIN_MODEL_DIR: loaderDir } = await import('../model/load-model.ts');
    const { BUILTIN_MODEL_DIR: synthDir } = await import('./commands/synth.ts');
    expect(synthDir).toBe(loaderDir);
  });

  it('writes a clip that decodes back to the generated frames, and its ground truth', async () => {
    const out = tmp.file('clip.mp4');
    const gt = tmp.file('gt.npy');
    const r = await fep('synth', '--class', 'rotate_cw', '--seed', '7', '--out', out, '--gt', gt);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { label: string; shape: number[]; classIndex: number };
    expect(summary.label).toBe('rotate_cw');
    const [T, H, W] = summary.shape as [number, number, number];

    const info = await fep('info', out);
    expect(info.code).toBe(0);
    const meta = JSON.parse(info.stdout) as { frameCount: number; width: number; height: number; codec: string };
    expect(meta).toMatchObject({ frameCount: T, width: W, height: H, codec: 'h264' });

    const mask = readNpy(gt);
    expect(mask).toMatchObject({ dtype: 'uint8', shape: [T, H, W] });
    const expected = generateClip({ seed: 7, classIndex: summary.classIndex, frames: T, height: H, width: W });
    expect(Buffer.compare(Buffer.from(mask.data), Buffer.from(expected.gt))).toBe(0);

    // Lossless by default: the decoded clip is the generated one up to YUV rounding.
    const clip = await decodeClip(out, { frames: T, height: H, width: W });
    let maxErr = 0;
    for (let i = 0; i < clip.data.length; i++) maxErr = Math.max(maxErr, Math.abs(clip.data[i]! - expected.frames[i]!));
    expect(maxErr).toBeLessThanOrEqual(4 / 255);
    expect(clip.sourceFrameIndices).toEqual(Array.from({ length: T }, (_, i) => i));
  });

  it('reports an unusable video with its typed code and exit 1', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(tmp.file('notes.txt'), 'not a video\n'.repeat(10));
    const r = await fep('info', tmp.file('notes.txt'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('NOT_A_VIDEO');
  });
});
