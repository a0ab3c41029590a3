/**
 * Model upload against the real API, PostgreSQL and blob storage: a zip and a folder upload
 * succeed; every validation failure gets its reason and a message for people and leaves no row,
 * no blob and no temporary file behind; roles and teams are enforced.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@fep/db';
import { readModelIndex } from '@fep/engine/model/model-store.ts';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { directoryEntries, editJson, repackageShippedModel, writeTinyModel, zipDirectory, zipEntries, zipWithRawName } from '../testing/model-fixtures.ts';
import { registerBuiltinModel } from './builtin-model.ts';
import { verifyChain } from '../audit/audit.service.ts';

let api: TestApi;
let owner: TestClient;
let teamId: string;
let otherOwner: TestClient;
let otherTeamId: string;
const members = new Map<Role, TestClient>();
let root: string;
let good: string;

interface UploadResult {
  status: number;
  body: any;
}

async function upload(client: TestClient | null, team: string, files: [string, Buffer | string][]): Promise<UploadResult> {
  const form = new FormData();
  for (const [name, data] of files) form.append('file', new Blob([Buffer.isBuffer(data) ? new Uint8Array(data) : data]), name);
  const res = await fetch(`${api.url}/api/models/upload?teamId=${encodeURIComponent(team)}`, {
    method: 'POST',
    headers: client?.cookie ? { cookie: client.cookie } : client?.bearer ? { authorization: `Bearer ${client.bearer}` } : {},
    body: form,
  });
  return { status: res.status, body: await res.json() };
}

const uploadZip = async (client: TestClient | null, team: string, zip: Buffer, name = 'model.zip') => upload(client, team, [[name, zip]]);

/** A copy of the good model directory, edited. */
function variant(name: string, edit: (dir: string) => void): string {
  const dir = path.join(root, name);
  for (const [rel, bytes] of directoryEntries(good)) {
    const target = path.join(dir, rel);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  edit(dir);
  return dir;
}

function countObjects(): number {
  const dir = path.join(api.runtime.config.storageDir, 'objects');
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const a of readdirSync(dir)) for (const b of readdirSync(path.join(dir, a))) n += readdirSync(path.join(dir, a, b)).length;
  return n;
}

function leftoverUploads(): string[] {
  const dir = path.join(api.runtime.config.storageDir, 'model-uploads');
  return existsSync(dir) ? readdirSync(dir) : [];
}

beforeAll(async () => {
  api = await startTestApi();
  root = mkdtempSync(path.join(os.tmpdir(), 'fep-model-upload-'));
  good = path.join(root, 'good');
  await writeTinyModel(good, { name: 'tiny-upload', version: '1.0.0' });
  const o = await api.signUp('Owner');
  owner = o.client;
  teamId = (await owner.ok<any>(`mutation { createTeam(input: { name: "Models" }) { id } }`)).createTeam.id;
  for (const role of ['ADMIN', 'REVIEWER', 'RATER', 'AUDITOR'] as Role[]) {
    const m = await api.signUp(role);
    const { inviteMember } = await owner.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
      i: { teamId, email: m.email, role },
    });
    await m.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inviteMember.token });
    members.set(role, m.client);
  }
  members.set('OWNER', owner);
  otherOwner = (await api.signUp('Other')).client;
  otherTeamId = (await otherOwner.ok<any>(`mutation { createTeam(input: { name: "Others" }) { id } }`)).createTeam.id;
});

afterAll(async () => {
  await api?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('model upload: success', () => {
  let modelId: string;

  it('registers a zipped model folder with its manifest, model card, stored files and an audit event', async () => {
    const res = await uploadZip(owner, teamId, await zipDirectory(good, 'tiny-upload'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.model).toMatchObject({ name: 'tiny-upload', version: '1.0.0', teamId, format: 'layers-model' });
    modelId = res.body.model.id;

    const { models } = await owner.ok<any>(`query($t: ID!) { models(teamId: $t, first: 100) { nodes { id name version builtin labels manifest modelCard } } }`, { t: teamId });
    const listed = models.nodes.find((m: any) => m.id === modelId);
    expect(listed).toMatchObject({ builtin: false, labels: ['class_0', 'class_1', 'class_2'] });
    expect(listed.manifest.input).toMatchObject({ frames: 4, height: 16, width: 16 });
    expect(listed.modelCard.markdown).toContain('A tiny test model');

    // Stored content-addressed: an index blob naming each file, every file byte-identical.
    const row = await api.runtime.db.model.findUniqueOrThrow({ where: { id: modelId } });
    expect(row.createdById).toBeTruthy();
    const index = await readModelIndex(api.runtime.storage, row.archiveSha256!);
    expect(index.files.map((f) => f.path).sort()).toEqual(['MODEL_CARD.md', 'fep-model.json', 'model.json', 'weights.bin']);
    for (const f of index.files) expect((await api.runtime.storage.read(f.sha256)).equals(readFileSync(path.join(good, f.path)))).toBe(true);

    const event = await api.runtime.db.auditEvent.findFirstOrThrow({ where: { teamId, action: 'model.uploaded' } });
    expect(event).toMatchObject({ subjectType: 'Model', subjectId: modelId });
    expect((event.payload as any).filesSha256).toBe(row.archiveSha256);
    expect((await verifyChain(api.runtime.db, teamId)).ok).toBe(true);
    expect(leftoverUploads()).toEqual([]);
  });

  it('registers the files of a folder (paths as a folder picker sends them); extra files are not stored', async () => {
    const dir = variant('folder', (d) => {
      editJson(path.join(d, 'fep-model.json'), (m) => ({ ...m, version: '2.0.0' }));
      writeFileSync(path.join(d, 'notes.txt'), 'not part of the model');
    });
    const res = await upload(members.get('REVIEWER')!, teamId, directoryEntries(dir, 'my-model'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.model.version).toBe('2.0.0');
    expect(res.body.ignored).toEqual(['notes.txt']);
  });

  it('accepts an API token instead of the session cookie', async () => {
    const { createApiToken } = await owner.ok<any>(`mutation { createApiToken(input: { name: "ci", scope: WRITE }) { token } }`);
    const bot = api.client();
    bot.bearer = createApiToken.token;
    const dir = variant('by-token', (d) => editJson(path.join(d, 'fep-model.json'), (m) => ({ ...m, version: '3.0.0' })));
    const res = await uploadZip(bot, teamId, await zipDirectory(dir));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it('refuses the same name and version in the same team as a conflict', async () => {
    const before = countObjects();
    const res = await uploadZip(owner, teamId, await zipDirectory(good));
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'CONFLICT', reason: 'DUPLICATE' });
    expect(res.body.error.message).toMatch(/tiny-upload 1\.0\.0 is already registered in this team/);
    expect(countObjects()).toBe(before);
  });

  it('refuses the name and version of a built-in model', async () => {
    const builtin = await registerBuiltinModel(api.runtime.db);
    expect(builtin).not.toBeNull();
    const dir = path.join(root, 'builtin-copy');
    repackageShippedModel(dir, builtin!.name, builtin!.version);
    const res = await uploadZip(owner, teamId, await zipDirectory(dir));
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/is already registered as a built-in model/);
  });

  it('keeps the model to its team: another team neither sees nor uses it, but may upload the same name and version', async () => {
    const { models } = await otherOwner.ok<any>(`query($t: ID!) { models(teamId: $t, first: 100) { nodes { id } pageInfo { hasNextPage } } }`, { t: otherTeamId });
    expect(models.pageInfo.hasNextPage).toBe(false); // the whole list, so absence means something
    expect(models.nodes.map((m: any) => m.id)).not.toContain(modelId);
    const direct = await otherOwner.gql(`query($id: ID!, $t: ID!) { model(id: $id, teamId: $t) { id } }`, { id: modelId, t: otherTeamId });
    expect(direct.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const use = await otherOwner.gql(`mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id } }`, {
      i: { teamId: otherTeamId, videoId: 'any', modelId },
    });
    expect(use.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Uploading into a team one is not a member of is refused.
    const intoOurs = await uploadZip(otherOwner, teamId, await zipDirectory(good));
    expect(intoOurs.status).toBe(403);
    const own = await uploadZip(otherOwner, otherTeamId, await zipDirectory(good));
    expect(own.status, JSON.stringify(own.body)).toBe(201);
  });
});

describe('model upload: who may upload', () => {
  for (const role of ['OWNER', 'ADMIN', 'REVIEWER', 'RATER', 'AUDITOR'] as Role[]) {
    const allowed = ['OWNER', 'ADMIN', 'REVIEWER'].includes(role);
    it(`${role} ${allowed ? 'may' : 'may not'} upload`, async () => {
      const dir = variant(`role-${role}`, (d) => editJson(path.join(d, 'fep-model.json'), (m) => ({ ...m, name: `by-${role.toLowerCase()}` })));
      const res = await uploadZip(members.get(role)!, teamId, await zipDirectory(dir));
      if (allowed) expect(res.status, JSON.stringify(res.body)).toBe(201);
      else expect(res.body.error).toMatchObject({ code: 'FORBIDDEN' });
    });
  }

  it('refuses anonymous callers', async () => {
    const res = await uploadZip(null, teamId, await zipDirectory(good));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });
});

describe('model upload: validation errors', () => {
  let modelsBefore: number;
  let objectsBefore: number;

  beforeAll(async () => {
    modelsBefore = await api.runtime.db.model.count();
    objectsBefore = countObjects();
  });

  /** Uploads `zip` and checks the error, and that nothing at all was kept. */
  async function expectRefused(zip: Buffer | [string, Buffer | string][], reason: string, message: RegExp, status = 400) {
    const res = Buffer.isBuffer(zip) ? await uploadZip(owner, teamId, zip) : await upload(owner, teamId, zip);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.reason).toBe(reason);
    expect(res.body.error.message).toMatch(message);
    expect(await api.runtime.db.model.count()).toBe(modelsBefore);
    expect(countObjects()).toBe(objectsBefore);
    expect(leftoverUploads()).toEqual([]);
    expect(JSON.stringify(res.body)).not.toContain(api.runtime.config.storageDir);
    return res.body.error as { message: string; problems: string[] };
  }

  const renamed = (d: string) => editJson(path.join(d, 'fep-model.json'), (m) => ({ ...m, name: `bad-${path.basename(d)}` }));

  it('a zip without fep-model.json', async () => {
    const dir = variant('no-manifest', (d) => unlinkSync(path.join(d, 'fep-model.json')));
    await expectRefused(await zipDirectory(dir), 'MISSING_MANIFEST', /There is no fep-model\.json in the upload/);
  });

  it('fep-model.json that is not JSON', async () => {
    const dir = variant('not-json', (d) => writeFileSync(path.join(d, 'fep-model.json'), '{ "name": "x", '));
    await expectRefused(await zipDirectory(dir), 'MANIFEST_NOT_JSON', /fep-model\.json is not valid JSON/);
  });

  it('model.json that is not JSON, without showing server paths', async () => {
    const dir = variant('model-json', (d) => {
      renamed(d);
      writeFileSync(path.join(d, 'model.json'), '{ "modelTopology": ');
    });
    const err = await expectRefused(await zipDirectory(dir), 'MODEL_JSON_INVALID', /^model\.json is not valid JSON/);
    expect(err.message).not.toContain(api.runtime.config.storageDir);
  });

  it('manifest fields, each listed', async () => {
    const dir = variant('fields', (d) =>
      editJson(path.join(d, 'fep-model.json'), (m) => ({ ...m, version: '', labels: ['one'], input: { ...m.input, layout: 'NHWC', std: [0.2, 0, 0.2] } })),
    );
    const err = await expectRefused(await zipDirectory(dir), 'MANIFEST_INVALID', /fep-model\.json has 4 fields that are not valid/);
    expect(err.problems.map((p) => p.split(':')[0]).sort()).toEqual(['input.layout', 'input.std.1', 'labels', 'version']);
  });

  it('weights that do not match weightsSha256', async () => {
    const dir = variant('tampered', (d) => {
      renamed(d);
      const file = path.join(d, 'weights.bin');
      const bytes = readFileSync(file);
      bytes[0] = bytes[0]! ^ 0xff;
      writeFileSync(file, bytes);
    });
    const err = await expectRefused(await zipDirectory(dir), 'WEIGHTS_HASH_MISMATCH', /do not match the weightsSha256/);
    expect(err.problems.join('\n')).toMatch(/[0-9a-f]{64}/);
  });

  it('a missing weight shard', async () => {
    const dir = variant('no-shard', (d) => {
      renamed(d);
      unlinkSync(path.join(d, 'weights.bin'));
    });
    await expectRefused(await zipDirectory(dir), 'MISSING_WEIGHT_SHARD', /“weights\.bin” listed in model\.json is missing/);
  });

  it('a network input shape different from the manifest input', async () => {
    const dir = variant('frames', (d) => editJson(path.join(d, 'fep-model.json'), (m) => ({ ...m, name: 'frames', input: { ...m.input, frames: 8 } })));
    await expectRefused(await zipDirectory(dir), 'INPUT_SHAPE_MISMATCH', /The network takes input \[N, 4, 16, 16, 3\] but fep-model\.json’s input .* implies \[N, 8, 16, 16, 3\]/);
  });

  it('output units different from the number of labels', async () => {
    const dir = variant('labels', (d) => editJson(path.join(d, 'fep-model.json'), (m) => ({ ...m, name: 'labels', labels: ['a', 'b', 'c', 'd'] })));
    await expectRefused(await zipDirectory(dir), 'OUTPUT_UNITS_MISMATCH', /The network has 3 output units but fep-model\.json lists 4 labels/);
  });

  it('a layer class TF.js does not know', async () => {
    const dir = variant('layer', (d) => {
      renamed(d);
      editJson(path.join(d, 'model.json'), (m) => {
        m.modelTopology.config.layers.at(-1).class_name = 'MyPythonOnlyLayer';
        return m;
      });
    });
    await expectRefused(await zipDirectory(dir), 'UNSUPPORTED_LAYER', /layer class TF\.js cannot run here: MyPythonOnlyLayer/);
  });

  it('a model card named in the manifest but missing', async () => {
    const dir = variant('card', (d) => {
      renamed(d);
      unlinkSync(path.join(d, 'MODEL_CARD.md'));
    });
    await expectRefused(await zipDirectory(dir), 'MODEL_CARD_INVALID', /names the model card “MODEL_CARD\.md”/);
  });

  it('zip-slip: an entry outside the model folder', async () => {
    const zip = await zipWithRawName([...directoryEntries(good), ['zz/evil.txt', 'pwned']], 'zz/evil.txt', '../evil.txt');
    await expectRefused(zip, 'UNSAFE_PATH', /outside the model folder/);
    expect(existsSync(path.join(api.runtime.config.storageDir, 'model-uploads', 'evil.txt'))).toBe(false);
  });

  it('path traversal in a folder upload', async () => {
    await expectRefused([...directoryEntries(good), ['../../evil.txt', 'pwned']], 'UNSAFE_PATH', /points outside the model folder/);
  });

  it('a file that is not a zip', async () => {
    await expectRefused(Buffer.from('definitely not a zip'), 'NOT_A_ZIP', /not a zip archive/);
  });

  it('too large (body and unpacked size) and too many files', async () => {
    const saved = { bytes: process.env.MAX_MODEL_UPLOAD_BYTES, files: process.env.MAX_MODEL_UPLOAD_FILES };
    try {
      process.env.MAX_MODEL_UPLOAD_BYTES = String(32 * 1024);
      // Unpacked: 64 KB of zeros compress to almost nothing, so only the unpacked check sees it.
      await expectRefused(await zipEntries([...directoryEntries(good), ['padding.bin', Buffer.alloc(64 * 1024)]]), 'TOO_LARGE', /larger than the .* limit/, 413);
      // The body itself.
      await expectRefused([...directoryEntries(good), ['noise.bin', Buffer.from(Array.from({ length: 80 * 1024 }, (_, i) => (i * 7919) % 251))]], 'TOO_LARGE', /larger than the .* limit/, 413);
      delete process.env.MAX_MODEL_UPLOAD_BYTES;
      process.env.MAX_MODEL_UPLOAD_FILES = '5';
      const many: [string, string][] = Array.from({ length: 6 }, (_, i) => [`extra-${i}.txt`, 'x']);
      await expectRefused(await zipEntries([...directoryEntries(good), ...many]), 'TOO_MANY_FILES', /more than 5 files/);
      await expectRefused([...directoryEntries(good), ...many], 'TOO_MANY_FILES', /more than 5 files/);
    } finally {
      if (saved.bytes === undefined) delete process.env.MAX_MODEL_UPLOAD_BYTES;
      else process.env.MAX_MODEL_UPLOAD_BYTES = saved.bytes;
      if (saved.files === undefined) delete process.env.MAX_MODEL_UPLOAD_FILES;
      else process.env.MAX_MODEL_UPLOAD_FILES = saved.files;
    }
  });

  it('an empty upload', async () => {
    await expectRefused([], 'NO_FILES', /The upload is empty/);
  });
});
