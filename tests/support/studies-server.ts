/**
 * Test world for the study and review browser tests: the real web server (tests/e2e/web-server.ts),
 * three signed-up people in one team (owner, a RATER, a REVIEWER), and explanations inserted as
 * DONE rows whose saliency volume is a real float32 .npy in the server's blob storage and whose
 * video is a real H.264 clip (ffmpeg). The engine is not run: these suites test the UI and API.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { TestClient } from '@fep/api/testing/test-api.ts';
import { openDatabase, type DatabaseHandle } from '@fep/db';
import { createStorage } from '@fep/shared';
import type { BrowserContext } from 'playwright-core';
import type { WebServer } from '../e2e/web-server.ts';

/** Clip rate and size of the synthetic videos (25 fps like the engine's clips). */
export const FPS = 25;
const SECONDS = 2;

export interface Person {
  client: TestClient;
  userId: string;
  name: string;
}

export interface StudyWorld {
  teamId: string;
  owner: Person;
  rater: Person;
  member: Person;
  /** Explanation ids per video: [[fep, ep], [fep, ep]]. */
  explanations: { id: string; method: string; videoId: string }[];
  db: DatabaseHandle;
  close(): Promise<void>;
}

/** A float32 C-order .npy (format 1.0), as numpy.save writes it. */
export function npyFloat32(data: Float32Array, shape: number[]): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** A Gaussian blob moving across the frame: a plausible-looking saliency volume [T, H, W]. */
function blobVolume(T: number, H: number, W: number, phase: number): Float32Array {
  const v = new Float32Array(T * H * W);
  for (let t = 0; t < T; t++) {
    const cx = ((t / T + phase) % 1) * W;
    const cy = H / 2;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) v[(t * H + y) * W + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 8);
  }
  return v;
}

async function signUp(url: string, name: string): Promise<Person> {
  const client = new TestClient(url);
  const email = `${name.toLowerCase().replace(/\W/g, '')}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`;
  const data = await client.ok<{ signUp: { user: { id: string } } }>(
    `mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }`,
    { input: { email, password: 'correct horse battery staple', name } },
  );
  return { client, userId: data.signUp.user.id, name, email } as Person & { email: string };
}

export async function createStudyWorld(server: WebServer): Promise<StudyWorld> {
  const owner = (await signUp(server.url, 'Olga Owner')) as Person & { email: string };
  const teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Plausibility Lab" }) { id } }`)).createTeam.id as string;
  const invite = async (name: string, role: string) => {
    const p = (await signUp(server.url, name)) as Person & { email: string };
    const inv = await owner.client.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
      i: { teamId, email: p.email, role },
    });
    await p.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inv.inviteMember.token });
    return p;
  };
  const rater = await invite('Rita Rater', 'RATER');
  const member = await invite('Max Member', 'REVIEWER');

  const db = await openDatabase({ databaseUrl: server.databaseUrl, dataDir: server.dataDir, migrate: false });
  const storage = createStorage(path.join(server.dataDir, 'storage'));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fep-study-e2e-'));
  const explanations: StudyWorld['explanations'] = [];
  try {
    const model = await db.prisma.model.create({
      data: { teamId, name: 'toy-r2plus1d', version: '1', format: 'layers-model', manifest: {}, labels: ['walk', 'run'], weightsSha256: 'a'.repeat(64) },
    });
    for (const [vi, pattern] of (['testsrc', 'smptebars'] as const).entries()) {
      const file = path.join(tmp, `clip-${vi}.mp4`);
      execFileSync(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', `${pattern}=size=160x120:rate=${FPS}`, '-t', String(SECONDS), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', file]);
      const stored = await storage.putBuffer(readFileSync(file));
      const video = await db.prisma.video.create({
        data: {
          teamId,
          uploadedById: owner.userId,
          title: `clip ${vi + 1}`,
          filename: `clip-${vi}.mp4`,
          sha256: stored.sha256,
          sizeBytes: BigInt(stored.size),
          status: 'READY',
          fps: FPS,
          frameCount: FPS * SECONDS,
          durationSec: SECONDS,
          width: 160,
          height: 120,
        },
      });
      for (const [mi, method] of ['fep', 'ep'].entries()) {
        const [T, H, W] = [16, 12, 16];
        const npy = await storage.putBuffer(npyFloat32(blobVolume(T, H, W, 0.5 * mi + 0.25 * vi), [T, H, W]));
        const e = await db.prisma.explanation.create({
          data: {
            teamId,
            videoId: video.id,
            modelId: model.id,
            requestedById: owner.userId,
            method,
            params: {},
            status: 'DONE',
            progress: 1,
            windowStartSec: 0,
            saliencySha256: npy.sha256,
            saliencyShape: [T, H, W],
            provenance: { seed: 1 },
            finishedAt: new Date(),
          },
        });
        explanations.push({ id: e.id, method, videoId: video.id });
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { teamId, owner, rater, member, explanations, db, close: () => db.close() };
}

/** Signs a browser context in as `person` by handing it their session cookie. */
export async function signInBrowser(context: BrowserContext, baseURL: string, person: Person): Promise<void> {
  const [name, value] = person.client.cookie!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: baseURL, httpOnly: true, sameSite: 'Lax' }]);
}
