/**
 * Regenerates docs/examples/audit-report/: an audit report for the shipped model with a small
 * study, produced the way users produce one — through the real HTTP API, the tus upload, the
 * queue and the engine — on a throw-away embedded database. Needs Redis and Chromium (for the PDF).
 *
 *   npm run example:audit-report
 *   EXAMPLE_OUT=/tmp/report npm run example:audit-report     # write elsewhere (a dry run)
 *
 * Steps: owner + 3 reviewers sign up → team → two SynthActions clips uploaded → F-EP and EP
 * explanations (60 iterations each, seed 1) → plausibility ratings → a 7-point Likert study over
 * the four explanations, rated by the three reviewers → model card revision → report.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { buildSchema, createApiRuntime, registerBuiltinModel, startApiServer } from '@fep/api';
import { TestClient } from '@fep/api/testing/test-api.ts';
import { uploadVideoOverTus } from '@fep/api/testing/tus-upload.ts';
import { verifyBundle } from '@fep/api/governance/report-render.ts';
import { initBackend } from '@fep/engine/backend.ts';
import { generateClip } from '@fep/engine/synth/synth-actions.ts';
import { encodeMp4 } from '@fep/engine/video/encode.ts';
import { disposeModelCache, startExplainWorker } from '@fep/engine/worker/explain-worker.ts';
import { createExplainQueueEvents, loadConfig } from '@fep/shared';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.env.EXAMPLE_OUT ? path.resolve(process.env.EXAMPLE_OUT) : path.join(root, 'docs/examples/audit-report');
const ITERATIONS = Number(process.env.EXAMPLE_ITERATIONS ?? 60);

const tmp = await mkdtemp(path.join(os.tmpdir(), 'fep-example-'));
const prefix = `fepex${randomBytes(3).toString('hex')}`;
const config = { ...loadConfig(), databaseUrl: undefined, dataDir: tmp, storageDir: path.join(tmp, 'storage') };
const runtime = await createApiRuntime(config, { queuePrefix: prefix, redisKeyPrefix: prefix });
const model = await registerBuiltinModel(runtime.db);
if (!model) throw new Error('The built-in model is missing.');
const server = await startApiServer(runtime, buildSchema());
const backend = await initBackend();
const worker = startExplainWorker(
  { db: runtime.db, storage: runtime.storage, redis: runtime.redis, backend, metricSteps: 64, log: (m) => console.log(`[engine] ${m}`) },
  { redisUrl: config.redisUrl, prefix },
);

async function user(name: string) {
  const client = new TestClient(server.url);
  const email = `${name.toLowerCase()}@example.org`;
  const data = await client.ok<any>(`mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
    i: { email, password: 'example report password', name },
  });
  return { client, id: data.signUp.user.id as string, email };
}


// One QueueEvents connection for every wait, closed with the rest (one per wait left sockets open).
const queueEvents = createExplainQueueEvents(config.redisUrl, prefix);

async function waitDone(id: string) {
  const job = await runtime.queue.getJob(id);
  await job?.waitUntilFinished(queueEvents);
}

try {
  const owner = await user('Olivia');
  const raters = [await user('Raj'), await user('Rosa'), await user('Ruth')];
  const teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Model governance demo" }) { id } }`)).createTeam.id;
  for (const r of raters) {
    const inv = await owner.client.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
      i: { teamId, email: r.email, role: 'REVIEWER' },
    });
    await r.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inv.inviteMember.token });
  }
  await owner.client.ok(`mutation($t: ID!, $m: ID!, $i: ModelCardInput!) { updateModelCard(teamId: $t, modelId: $m, input: $i) { revision } }`, {
    t: teamId,
    m: model.id,
    i: {
      intendedUse: 'Demonstration, testing and benchmarking of explanation methods on SynthActions; not for real-world video.',
      trainingData: 'SynthActions: seeded synthetic clips (16×112×112) whose class is decided by how a target object moves, amid distractors.',
      evaluation: 'Held-out SynthActions accuracy as reported in apps/engine/models/synth-r2plus1d/MODEL_CARD.md.',
      limitations: 'Synthetic data only; explanations of this model say nothing about models trained on natural video.',
      ethicalConsiderations: 'No people or personal data are involved; results must not be presented as evidence about deployed models.',
    },
  });

  const clipsDir = path.join(tmp, 'clips');
  await mkdir(clipsDir, { recursive: true });
  const explanationIds: string[] = [];
  for (const [seed, classIndex] of [[101, 0], [202, 6]] as const) {
    const clip = generateClip({ seed, classIndex });
    const file = path.join(clipsDir, `synth-${seed}.mp4`);
    await encodeMp4(clip.frames, [16, 112, 112, 3], file, { fps: 8, quality: 'lossless' });
    const videoId = await uploadVideoOverTus(server.url, owner.client, teamId, file, { title: `SynthActions seed ${seed} (${clip.label})` });
    for (const method of ['fep', 'ep']) {
      const { requestExplanation } = await owner.client.ok<any>(
        `mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id } }`,
        { i: { teamId, videoId, modelId: model.id, method, iterations: ITERATIONS, seed: 1, windowStartSec: 0 } },
      );
      explanationIds.push(requestExplanation.id);
    }
  }
  for (const id of explanationIds) await waitDone(id);
  console.log('[example] explanations done');

  // Plausibility ratings (1–7) from the three reviewers, F-EP rated a little higher on average.
  const scores: Record<string, number[]> = { Raj: [6, 4, 5, 4], Rosa: [7, 5, 6, 5], Ruth: [5, 4, 6, 3] };
  for (const r of raters) {
    for (const [i, id] of explanationIds.entries()) {
      await r.client.ok(`mutation($i: RateExplanationInput!) { rateExplanation(input: $i) { id } }`, {
        i: { explanationId: id, plausibility: scores[r.client === raters[0]!.client ? 'Raj' : r.client === raters[1]!.client ? 'Rosa' : 'Ruth']![i], confidence: 4 },
      });
    }
  }

  const { createStudy } = await owner.client.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, {
    i: { teamId, name: 'F-EP vs EP plausibility (pilot)', design: 'LIKERT', likertPoints: 7, overlap: 3, seed: 7, raterIds: raters.map((r) => r.id), explanationIds },
  });
  const studyId = createStudy.id;
  await owner.client.ok(`mutation($id: ID!) { openStudy(id: $id) { status } }`, { id: studyId });
  for (const [ri, r] of raters.entries()) {
    for (;;) {
      const { nextStudyItem: item } = await r.client.ok<any>(`query($s: ID!) { nextStudyItem(studyId: $s) { ref index } }`, { s: studyId });
      if (!item) break;
      await r.client.ok(`mutation($i: StudyJudgementInput!) { submitStudyJudgement(input: $i) { __typename } }`, {
        i: { studyId, ref: item.ref, rating: 3 + ((item.index + ri) % 4), timeOnItemMs: 4000 + 500 * item.index },
      });
    }
  }
  await owner.client.ok(`mutation($id: ID!) { closeStudy(id: $id) { status } }`, { id: studyId });

  const { generateAuditReport: report } = await owner.client.ok<any>(
    `mutation($t: ID!, $m: ID!) { generateAuditReport(teamId: $t, modelId: $m) { files { name url } } }`,
    { t: teamId, m: model.id },
  );
  const files: Record<string, Buffer> = {};
  for (const f of report.files) {
    files[f.name] = Buffer.from(await (await fetch(new URL(f.url, server.url), { headers: { cookie: owner.client.cookie! } })).arrayBuffer());
  }
  const check = verifyBundle(JSON.parse(files['manifest.json']!.toString()), files);
  if (!check.ok) throw new Error(`bundle does not verify: ${check.problems.join(', ')}`);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  for (const [name, data] of Object.entries(files)) await writeFile(path.join(outDir, name), data);
  console.log(`[example] wrote ${Object.keys(files).join(', ')} to ${path.relative(root, outDir)}`);
} finally {
  await queueEvents.close();
  await worker.close();
  await disposeModelCache();
  await server.close();
  await runtime.queue.obliterate({ force: true }).catch(() => {});
  await runtime.close();
  await rm(tmp, { recursive: true, force: true });
}
