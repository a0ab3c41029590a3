/**
 * `npm run bench:api`: API latency under study load. A benchmark, not a test.
 *
 *   npm run bench:api                            # engine process running, idle
 *   npm run bench:api -- --with-explanation      # one default F-EP explanation running meanwhile
 *   options: --duration=60 --raters=50 --think-ms=0 --keep (keep the database and data folder)
 *   --think-ms: each rater pauses 0.5–1.5 × this many ms after each judgement, as a person looking at
 *   the item would (0: a closed loop with no pause, the worst case: latency ≈ raters ÷ throughput)
 *   BENCH_CPU_PROF=<dir>: the web process writes a V8 CPU profile (.cpuprofile) into <dir> on exit
 *
 * What it does:
 *  1. Uses the production build of the web app (apps/web/.next), rebuilding it the way
 *     scripts/start.ts does when it is missing or older than the web sources (or FEP_REBUILD=1).
 *  2. Creates a fresh PostgreSQL database next to BENCH_DATABASE_URL (default
 *     postgresql://postgres@127.0.0.1:5432/postgres) and starts its own web process
 *     (apps/web/server.ts, NODE_ENV=production, its own QUEUE_PREFIX, DATA_DIR and port) on REDIS_URL
 *     (default redis://127.0.0.1:6379). The RATE_LIMIT_* abuse limits are raised for this process
 *     (seeding signs up 51 users from one address), and the run says so.
 *  3. Seeds through the real API: an owner signs up and creates a team; 50 raters sign up and
 *     accept invitations; one SynthActions clip is uploaded over tus; an engine process
 *     (apps/engine/src/worker/main.ts, 8 metric steps) computes 20 cheap explanations of it
 *     (gradcam, gradient, random × 18 seeds); a LIKERT study (20 items) and a PAIRWISE study
 *     (190 items) are created from them with overlap 50 (every rater gets every item) and opened.
 *  4. Replaces the setup engine with one on default settings, as `npm start` runs it. With
 *     --with-explanation, requests one default F-EP explanation (the built-in model) and starts
 *     the load once it is RUNNING.
 *  5. Load: each rater runs a loop on its own session for --duration seconds: nextStudyItem →
 *     submitStudyJudgement (a Likert rating or a pairwise choice, alternating studies) → myStudies,
 *     over keep-alive HTTP (Node's fetch). Every request's latency is recorded; an error is any
 *     failed request, non-200 answer or GraphQL error.
 *  6. Counts the judgements stored in the database and checks every acknowledged one is there.
 *
 * Prints a table and, as its last line, one JSON object:
 * { rps, p50_ms, p95_ms, p99_ms, errors, acknowledged, stored, ... }.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { uploadVideoOverTus } from '@fep/api/testing/tus-upload.ts';
import { generateClip } from '@fep/engine/synth/synth-actions.ts';
import { encodeMp4 } from '@fep/engine/video/encode.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

// ---- options -------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string, fallback: number) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : fallback;
};
const WITH_EXPLANATION = flag('with-explanation');
const DURATION_S = option('duration', 60);
const RATERS = option('raters', 50);
const THINK_MS = option('think-ms', 0);
const KEEP = flag('keep');
const SETUP_EXPLANATIONS = 20; // LIKERT: 20 items; PAIRWISE: C(20, 2) = 190 items per rater
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** Generous abuse limits so seeding (51 sign-ups, 50 invitations from one address) is not refused. */
const RATE_LIMITS = {
  RATE_LIMIT_LOGIN_ACCOUNT: '100000/60',
  RATE_LIMIT_LOGIN_ADDRESS: '100000/60',
  RATE_LIMIT_SIGNUP_ADDRESS: '100000/60',
  RATE_LIMIT_INVITATION_TEAM: '100000/60',
  RATE_LIMIT_UPLOAD_USER: '100000/60',
  RATE_LIMIT_EXPLANATION_TEAM: '100000/60',
};
const log = (m: string) => console.log(`[bench:api] ${m}`);

// ---- processes ------------------------------------------------------------------------------
const children: { name: string; child: ChildProcess; log: string }[] = [];

function tail(file: string, n = 20): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-n).join('\n') : '';
}

function spawnNode(name: string, script: string, env: NodeJS.ProcessEnv, dataDir: string, nodeArgs: string[] = []) {
  const file = path.join(dataDir, `${name}.log`);
  const out = createWriteStream(file);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const handle = { name, child, log: file };
  children.push(handle);
  return handle;
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function waitForLog(h: (typeof children)[number], re: RegExp, timeoutMs: number) {
  await waitFor(`"${re}" in ${h.log}`, async () => {
    if (h.child.exitCode !== null || h.child.signalCode !== null) throw new Error(`${h.name} exited:\n${tail(h.log)}`);
    return re.test(existsSync(h.log) ? readFileSync(h.log, 'utf8') : '');
  }, timeoutMs).catch((err) => {
    throw new Error(`${(err as Error).message}\n${tail(h.log)}`);
  });
}

async function stop(h: (typeof children)[number]) {
  if (h.child.exitCode !== null || h.child.signalCode !== null) return;
  const exited = new Promise((r) => h.child.once('exit', r));
  h.child.kill('SIGTERM');
  const timer = setTimeout(() => h.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function ensureWebBuild(): Promise<string> {
  // Another `next build` (e.g. the browser suite's) holds .next/lock while it runs: wait for it, never build beside it.
  const lock = path.join(root, 'apps/web/.next/lock');
  if (existsSync(lock)) {
    log('another next build is running (apps/web/.next/lock); waiting for it');
    await waitFor('the other next build to finish', async () => !existsSync(lock), 900_000, 1000);
  }
  const buildId = path.join(root, 'apps/web/.next/BUILD_ID');
  if (existsSync(buildId) && process.env.FEP_REBUILD !== '1') {
    const newer = spawnSync('sh', ['-c', 'find apps/web/app apps/web/components apps/web/lib -newer apps/web/.next/BUILD_ID -type f | head -1'], {
      cwd: root,
      encoding: 'utf8',
    }).stdout.trim();
    if (!newer) return `reused apps/web/.next (BUILD_ID ${readFileSync(buildId, 'utf8').trim()})`;
    log(`web sources changed since the last build (${newer}); rebuilding`);
  } else {
    log('building the web app (next build)…');
  }
  const res = spawnSync('npm', ['run', 'build', '-w', '@fep/web'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (res.status !== 0) throw new Error('the web build failed');
  return `built apps/web/.next (BUILD_ID ${readFileSync(buildId, 'utf8').trim()})`;
}

// ---- HTTP client ----------------------------------------------------------------------------
type Op = 'signUp' | 'nextStudyItem' | 'submitStudyJudgement' | 'myStudies' | 'other';

class Client {
  cookie: string | undefined;
  constructor(readonly url: string) {}
  /** One GraphQL request; returns its data or throws with what went wrong. */
  async gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await fetch(`${this.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      if (pair!.startsWith('fep_session=')) this.cookie = pair!.endsWith('=') ? undefined : pair;
    }
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    if (res.status !== 200 || json.errors?.length) {
      const e = json.errors?.[0];
      throw new Error(`HTTP ${res.status}${e ? `: ${e.extensions?.code ?? ''} ${e.message}` : ''}`);
    }
    return json.data as T;
  }
}

const PASSWORD = 'correct horse battery staple';
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`;
const NEXT = `query($s: ID!) { nextStudyItem(studyId: $s) { ref index total design options { alias saliencyUrl } } }`;
const SUBMIT = `mutation($i: StudyJudgementInput!) { submitStudyJudgement(input: $i) { judged total completed } }`;
const MY_STUDIES = `query($t: ID!) { myStudies(teamId: $t, first: 20) { nodes { id name design status progress { judged total completed } } } }`;

// ---- statistics -----------------------------------------------------------------------------
function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
const r1 = (v: number) => Math.round(v * 10) / 10;
function summary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: r1(quantile(s, 0.5)), p95: r1(quantile(s, 0.95)), p99: r1(quantile(s, 0.99)), max: r1(s.at(-1) ?? NaN) };
}
const load = () => os.loadavg().map((v) => Math.round(v * 100) / 100);

// ---- main -----------------------------------------------------------------------------------
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fep-bench-api-'));
const dbName = `bench_api_${process.pid}_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
const queuePrefix = `bench-api-${process.pid}`;
let dbCreated = false;
let exitCode = 0;

async function cleanup() {
  for (const h of [...children].reverse()) await stop(h).catch(() => {});
  if (!KEEP) {
    if (dbCreated) await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e) => log(`drop database failed: ${e.message}`));
    await rm(dataDir, { recursive: true, force: true });
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  } else {
    log(`kept database ${dbName} and ${dataDir}`);
  }
  await admin.end().catch(() => {});
}

try {
  const build = await ensureWebBuild();
  log(build);
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  dbCreated = true;
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const databaseUrl = dbUrl.toString();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    DATA_DIR: dataDir,
    STORAGE_DIR: path.join(dataDir, 'storage'),
    TOKEN_PEPPER: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    PORT: String(port),
    LIMIT_MAX_QUEUED_PER_TEAM: '100',
    ...RATE_LIMITS,
  };
  delete baseEnv.ENGINE_IN_PROCESS;

  // The web process, as `npm start` runs it with PostgreSQL.
  // BENCH_CPU_PROF=<dir>: the web process writes a V8 CPU profile there when it exits (diagnosis only).
  const profDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : null;
  const web = spawnNode('web', 'apps/web/server.ts', baseEnv, dataDir, profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []);
  await waitForLog(web, /\[web\] F-EP Studio on/, 120_000);
  log(`web process ${web.child.pid} on ${url} (database ${dbName}, queue prefix ${queuePrefix}); logs in ${dataDir}`);
  const setupEngine = spawnNode('engine-setup', 'apps/engine/src/worker/main.ts', { ...baseEnv, ENGINE_METRIC_STEPS: '8', ENGINE_KERNEL_THREADS: '1' }, dataDir);

  // ---- seed through the API ----
  const t0 = Date.now();
  const owner = new Client(url);
  await owner.gql(SIGN_UP, { i: { email: `owner-${dbName}@example.com`, password: PASSWORD, name: 'Bench owner' } });
  const teamId = (await owner.gql(`mutation { createTeam(input: { name: "Bench team" }) { id } }`)).createTeam.id as string;
  const clip = generateClip({ seed: 7, classIndex: 3 });
  const clipFile = path.join(dataDir, 'synth-7.mp4');
  await encodeMp4(clip.frames, [16, 112, 112, 3], clipFile, { fps: 8, quality: 'lossless' });
  const videoId = await uploadVideoOverTus(url, owner, teamId, clipFile, { filename: 'synth-7.mp4' });
  await waitFor('the video to be READY', async () => {
    const v = (await owner.gql(`query($id: ID!) { video(id: $id) { status error } }`, { id: videoId })).video;
    if (v.status === 'FAILED') throw new Error(`video FAILED: ${v.error}`);
    return v.status === 'READY';
  }, 60_000);
  const modelId = (await owner.gql(`query($t: ID!) { models(teamId: $t) { nodes { id builtin } } }`, { t: teamId })).models.nodes.find((m: any) => m.builtin).id as string;

  const raters: { client: Client; userId: string }[] = [];
  for (let i = 0; i < RATERS; i++) {
    const client = new Client(url);
    const email = `rater${i}-${dbName}@example.com`;
    const userId = (await client.gql(SIGN_UP, { i: { email, password: PASSWORD, name: `Rater ${i}` } })).signUp.user.id as string;
    const { token } = (await owner.gql(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, { i: { teamId, email, role: 'RATER' } })).inviteMember;
    await client.gql(`mutation($t: String!) { acceptInvitation(token: $t) { role } }`, { t: token });
    raters.push({ client, userId });
  }
  log(`seeded owner, team, ${RATERS} raters (sign-up + invitation) and one clip in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  await waitForLog(setupEngine, /worker ready/, 120_000);
  const REQUEST = `mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id } }`;
  const requests = [
    { method: 'gradcam' },
    { method: 'gradient' },
    ...Array.from({ length: SETUP_EXPLANATIONS - 2 }, (_, k) => ({ method: 'random', params: { seed: k + 1 } })),
  ];
  const explanationIds: string[] = [];
  for (const r of requests) explanationIds.push((await owner.gql(REQUEST, { i: { teamId, videoId, modelId, windowStartSec: 0, ...r } })).requestExplanation.id);
  const t1 = Date.now();
  await waitFor('the setup explanations to be DONE', async () => {
    const nodes = (await owner.gql(`query($t: ID!) { explanations(teamId: $t, first: 100) { nodes { id status error } } }`, { t: teamId })).explanations.nodes;
    const failed = nodes.find((n: any) => n.status === 'FAILED' || n.status === 'CANCELLED');
    if (failed) throw new Error(`setup explanation ${failed.id} ${failed.status}: ${failed.error}`);
    return nodes.filter((n: any) => n.status === 'DONE').length >= explanationIds.length;
  }, 600_000, 500);
  log(`${explanationIds.length} setup explanations DONE in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  await stop(setupEngine);

  const raterIds = raters.map((r) => r.userId);
  const studies: Record<'LIKERT' | 'PAIRWISE', string> = { LIKERT: '', PAIRWISE: '' };
  for (const design of ['LIKERT', 'PAIRWISE'] as const) {
    const created = (await owner.gql(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id items(first: 1) { nodes { id } } } }`, {
      i: { teamId, name: `Bench ${design.toLowerCase()}`, design, explanationIds, raterIds, overlap: RATERS, seed: 42, ...(design === 'PAIRWISE' ? { allowTie: true } : { likertPoints: 5 }) },
    })).createStudy;
    await owner.gql(`mutation($id: ID!) { openStudy(id: $id) { status } }`, { id: created.id });
    studies[design] = created.id;
  }
  const firstNext = await raters[0]!.client.gql(NEXT, { s: studies.PAIRWISE });
  const itemsPerRater = { LIKERT: SETUP_EXPLANATIONS, PAIRWISE: firstNext.nextStudyItem.total as number };
  log(`opened a LIKERT study (${itemsPerRater.LIKERT} items) and a PAIRWISE study (${itemsPerRater.PAIRWISE} items), every rater assigned every item`);

  // The engine as `npm start` runs it (default settings); in --with-explanation it computes one default F-EP.
  const engine = spawnNode('engine', 'apps/engine/src/worker/main.ts', baseEnv, dataDir);
  await waitForLog(engine, /worker ready/, 120_000);
  let explanationId: string | null = null;
  if (WITH_EXPLANATION) {
    explanationId = (await owner.gql(REQUEST, { i: { teamId, videoId, modelId, method: 'fep' } })).requestExplanation.id as string;
    await waitFor('the explanation to be RUNNING', async () => {
      const e = (await owner.gql(`query($id: ID!) { explanation(id: $id) { status } }`, { id: explanationId })).explanation;
      return e.status === 'RUNNING';
    }, 120_000);
    log(`explanation ${explanationId} (fep, default parameters, built-in model) is RUNNING`);
  }

  // Warm-up (not counted in the figures): every rater reads its list and next item twice.
  const warmupErrors: string[] = [];
  for (let k = 0; k < 2; k++) {
    await Promise.all(raters.map(async (r) => {
      await r.client.gql(MY_STUDIES, { t: teamId }).catch((e: Error) => warmupErrors.push(e.message));
      await r.client.gql(NEXT, { s: studies.LIKERT }).catch((e: Error) => warmupErrors.push(e.message));
    }));
  }
  if (warmupErrors.length) log(`warm-up: ${warmupErrors.length} of ${4 * RATERS} requests failed (${[...new Set(warmupErrors)].join(' | ')})`);

  // ---- load ----
  const latencies: Record<Exclude<Op, 'signUp' | 'other'>, number[]> = { nextStudyItem: [], submitStudyJudgement: [], myStudies: [] };
  const errors: string[] = [];
  let acknowledged = 0;
  let exhausted = 0;
  const loadBefore = load();
  const cpuWeb0 = cpuSeconds(web.child.pid);
  const cpuEngine0 = cpuSeconds(engine.child.pid);
  const cpuSelf0 = process.cpuUsage();
  const started = performance.now();
  const deadline = started + DURATION_S * 1000;
  let lastRequestEnd = started;

  async function timed<T>(op: keyof typeof latencies, fn: () => Promise<T>): Promise<T | undefined> {
    const a = performance.now();
    try {
      const v = await fn();
      const b = performance.now();
      latencies[op].push(b - a);
      lastRequestEnd = Math.max(lastRequestEnd, b);
      return v;
    } catch (err) {
      const b = performance.now();
      latencies[op].push(b - a);
      lastRequestEnd = Math.max(lastRequestEnd, b);
      errors.push(`${op}: ${(err as Error).message}`);
      return undefined;
    }
  }

  async function rater(r: { client: Client }, index: number) {
    const order: ('LIKERT' | 'PAIRWISE')[] = index % 2 ? ['LIKERT', 'PAIRWISE'] : ['PAIRWISE', 'LIKERT'];
    const done = new Set<string>();
    let turn = 0;
    let finished = false;
    while (performance.now() < deadline) {
      const pending = order.filter((d) => !done.has(d));
      const design = pending.length ? pending[turn++ % pending.length] : undefined;
      if (design) {
        const next = await timed('nextStudyItem', () => r.client.gql(NEXT, { s: studies[design] }));
        const item = next?.nextStudyItem;
        if (next && !item) done.add(design);
        if (item) {
          const choice = design === 'LIKERT' ? { rating: 1 + ((index + item.index) % 5) } : { choice: item.options[(index + item.index) % 2].alias };
          const ack = await timed('submitStudyJudgement', () =>
            r.client.gql(SUBMIT, { i: { studyId: studies[design], ref: item.ref, timeOnItemMs: 1500 + item.index, ...choice } }),
          );
          if (ack?.submitStudyJudgement) acknowledged++;
        }
      }
      await timed('myStudies', () => r.client.gql(MY_STUDIES, { t: teamId }));
      // A person's time on the item (the workload being modelled), not synchronisation.
      if (THINK_MS > 0) await new Promise((res) => setTimeout(res, THINK_MS * (0.5 + Math.random())));
      if (done.size === 2 && !finished) {
        finished = true;
        exhausted++;
      }
    }
  }
  log(`load: ${RATERS} raters for ${DURATION_S} s, think ${THINK_MS} ms${WITH_EXPLANATION ? ' with one explanation running' : ' (engine idle)'}; loadavg before ${loadBefore.join(' ')}`);
  await Promise.all(raters.map((r, i) => rater(r, i)));
  const wallS = (lastRequestEnd - started) / 1000;
  const loadAfter = load();
  const cpuWeb = cpuWeb0 != null ? r1((cpuSeconds(web.child.pid) ?? cpuWeb0) - cpuWeb0) : null;
  const cpuEngine = cpuEngine0 != null ? r1((cpuSeconds(engine.child.pid) ?? cpuEngine0) - cpuEngine0) : null;
  const self = process.cpuUsage(cpuSelf0);
  const cpuBench = r1((self.user + self.system) / 1e6);

  // ---- what the database holds ----
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const stored = Number((await db.query(`SELECT count(*)::int AS n FROM "Judgement" WHERE "studyId" = ANY($1)`, [[studies.LIKERT, studies.PAIRWISE]])).rows[0].n);
  let explanation: Record<string, unknown> | null = null;
  if (explanationId) {
    const [row] = (await db.query(`SELECT status::text AS status, progress, "startedAt", "finishedAt" FROM "Explanation" WHERE id = $1`, [explanationId])).rows;
    const finished = row.finishedAt ? (new Date(row.finishedAt).getTime() - new Date(row.startedAt).getTime()) / 1000 : null;
    explanation = { method: 'fep', status: row.status, progress: Math.round(Number(row.progress) * 1000) / 1000, ran_s: finished != null ? r1(finished) : null, running_at_end: row.status === 'RUNNING' };
  }
  await db.end();

  // ---- report ----
  const all = Object.values(latencies).flat();
  const total = summary(all);
  console.log('');
  console.log('operation               requests  p50 ms  p95 ms  p99 ms  max ms');
  for (const [op, ms] of [...Object.entries(latencies), ['all', all] as const]) {
    const s = summary(ms as number[]);
    console.log(`${op.padEnd(22)} ${String(s.n).padStart(9)} ${String(s.p50).padStart(7)} ${String(s.p95).padStart(7)} ${String(s.p99).padStart(7)} ${String(s.max).padStart(7)}`);
  }
  const distinctErrors = [...new Set(errors)].slice(0, 5);
  console.log('');
  console.log(`mode ${WITH_EXPLANATION ? 'with-explanation' : 'idle'} · ${RATERS} raters · ${r1(wallS)} s · ${r1(all.length / wallS)} req/s · errors ${errors.length} · acknowledged ${acknowledged} · stored ${stored}${stored === acknowledged ? ' (all stored)' : ' (MISMATCH)'}`);
  console.log(`loadavg before ${loadBefore.join(' ')} · after ${loadAfter.join(' ')} · CPU s during the load: web ${cpuWeb}, engine ${cpuEngine}, bench client ${cpuBench} (${os.cpus().length} cores)`);
  console.log(`rate limits raised for this server: ${Object.entries(RATE_LIMITS).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (explanation) console.log(`explanation during the load: ${JSON.stringify(explanation)}`);
  if (exhausted) console.log(`${exhausted} raters judged every item before the end and only read their lists afterwards`);
  if (distinctErrors.length) console.log(`errors (first distinct): ${distinctErrors.join(' | ')}`);
  if (stored !== acknowledged || errors.length) {
    exitCode = 1;
    // What the server logged about the failures (its log goes with the data folder).
    const lines = readFileSync(web.log, 'utf8').split('\n').filter((l) => /error|fail|timeout|unavailable/i.test(l));
    if (lines.length) console.log(`web log, ${lines.length} error lines; first distinct:\n  ${[...new Set(lines)].slice(0, 6).join('\n  ')}`);
  }
  await cleanup();
  console.log(
    JSON.stringify({
      mode: WITH_EXPLANATION ? 'with-explanation' : 'idle',
      rps: r1(all.length / wallS),
      p50_ms: total.p50,
      p95_ms: total.p95,
      p99_ms: total.p99,
      errors: errors.length,
      acknowledged,
      stored,
      requests: all.length,
      duration_s: r1(wallS),
      raters: RATERS,
      think_ms: THINK_MS,
      ops: Object.fromEntries(Object.entries(latencies).map(([op, ms]) => [op, summary(ms)])),
      loadavg_before: loadBefore,
      loadavg_after: loadAfter,
      cpu_s: { web: cpuWeb, engine: cpuEngine, bench: cpuBench },
      cores: os.cpus().length,
      explanation,
      warmup_errors: warmupErrors.length,
      rate_limits: RATE_LIMITS,
      build,
    }),
  );
} catch (err) {
  console.error(`[bench:api] failed: ${(err as Error).stack ?? err}`);
  for (const h of children) console.error(`--- ${h.name} (${h.log})\n${tail(h.log)}`);
  await cleanup().catch(() => {});
  exitCode = 1;
}
process.exit(exitCode);
