/**
 * "The AUDITOR role reads everything of its team and changes nothing" — checked against the
 * whole schema: every mutation is called as an auditor with arguments pointing at real objects
 * of the auditor's team, and must be refused; afterwards the team's data is unchanged.
 */
import { getNamedType, isNonNullType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../schema.ts';
import { inputLiteral, minimalSelection } from '../testing/graphql-literals.ts';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';

/** Mutations an auditor may call: personal (not team data) or read-only by design (documented). */
const ALLOWED_FOR_AUDITOR = new Set([
  'signUp',
  'login',
  'logout',
  'createTeam', // creates a new team the auditor owns; changes nothing of this team
  'createApiToken', // personal credential
  'revokeApiToken',
  'acceptInvitation',
  'updateProfile', // the auditor's own name
  'changePassword', // the auditor's own password
  'resetPassword', // public by design: consumes a one-time reset link
  'markNotificationsRead', // the auditor's own notifications
  'generateAuditReport', // records a report about the team; changes none of its data
  '_noop',
]);
/**
 * Allowed on a live review session: auditors may be present and watch (docs/reviews.md). Presence
 * and the attendee list live in Redis; the snapshot checks that no team row changes.
 */
const PRESENCE_FOR_AUDITOR = new Set(['joinReviewSession', 'leaveReviewSession', 'reviewHeartbeat']);

let api: TestApi;
let auditor: TestClient;
let ids: Record<string, string>;

async function snapshot(teamId: string) {
  const db = api.runtime.db;
  const where = { teamId };
  return {
    team: await db.team.findUniqueOrThrow({ where: { id: teamId } }),
    memberships: await db.membership.findMany({ where, orderBy: { id: 'asc' } }),
    invitations: await db.invitation.findMany({ where, orderBy: { id: 'asc' } }),
    videos: await db.video.findMany({ where, orderBy: { id: 'asc' } }),
    models: await db.model.findMany({ where, orderBy: { id: 'asc' } }),
    explanations: await db.explanation.findMany({ where, orderBy: { id: 'asc' } }),
    annotations: await db.annotation.findMany({ where, orderBy: { id: 'asc' } }),
    comments: await db.comment.findMany({ where, orderBy: { id: 'asc' } }),
    ratings: await db.rating.findMany({ where, orderBy: { id: 'asc' } }),
    studies: await db.study.findMany({ where, orderBy: { id: 'asc' } }),
    reviews: await db.reviewSession.findMany({ where, orderBy: { id: 'asc' } }),
    reviewComments: await db.reviewComment.findMany({ where: { session: where }, orderBy: { id: 'asc' } }),
    reviewDecisions: await db.reviewDecision.findMany({ where: { session: where }, orderBy: { id: 'asc' } }),
    cards: await db.modelCardRevision.findMany({ where, orderBy: { id: 'asc' } }),
  };
}

beforeAll(async () => {
  api = await startTestApi();
  const owner = await api.signUp('Owner');
  const teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Governed" }) { id } }`)).createTeam.id;
  const aud = await api.signUp('Auditor');
  const inv = await owner.client.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token invitation { id } } }`, {
    i: { teamId, email: aud.email, role: 'AUDITOR' },
  });
  await aud.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inv.inviteMember.token });
  auditor = aud.client;
  const pending = await owner.client.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } } }`, {
    i: { teamId, email: 'later@example.com', role: 'RATER' },
  });
  const db = api.runtime.db;
  const stored = await api.runtime.storage.putBuffer(Buffer.from('video'));
  const video = await db.video.create({
    data: { teamId, uploadedById: owner.userId, title: 'v', filename: 'v.mp4', sha256: stored.sha256, sizeBytes: 5n, status: 'READY' },
  });
  const model = await db.model.create({
    data: { teamId, name: 'm', version: '1', format: 'layers-model', manifest: {}, labels: ['a', 'b'], weightsSha256: 'e'.repeat(64) },
  });
  const explanation = await db.explanation.create({
    data: { teamId, videoId: video.id, modelId: model.id, requestedById: owner.userId, method: 'fep', params: {}, status: 'DONE', provenance: { seed: 1 } },
  });
  // A live review session with a comment and a decision, so the review mutations reach a real
  // session (they take its `id`) and the snapshot holds rows of both tables.
  const session = await owner.client.ok<any>(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { id } }`, {
    i: { teamId, title: 'Live review', explanationIds: [explanation.id] },
  });
  const sessionId = session.startReviewSession.id;
  await owner.client.ok(`mutation($id: ID!, $i: ReviewCommentInput!) { addReviewComment(id: $id, input: $i) { id } }`, {
    id: sessionId,
    i: { explanationId: explanation.id, body: 'Looks at the hands.', timeSec: 1.5 },
  });
  await owner.client.ok(`mutation($id: ID!, $i: ReviewDecisionInput!) { decideReviewExplanation(id: $id, input: $i) { verdict } }`, {
    id: sessionId,
    i: { explanationId: explanation.id, verdict: 'ACCEPT', note: 'Plausible.' },
  });
  ids = {
    id: explanation.id,
    sessionId,
    teamId,
    videoId: video.id,
    modelId: model.id,
    explanationId: explanation.id,
    userId: owner.userId,
    invitationId: pending.inviteMember.invitation.id,
  };
});

afterAll(async () => {
  await api?.close();
});

describe('AUDITOR is read-only across the whole schema', () => {
  const mutations = Object.values(buildSchema().getMutationType()!.getFields());

  it('every team-changing mutation is refused and the team is unchanged', async () => {
    const before = await snapshot(ids.teamId!);
    const candidates = [ids.explanationId, ids.videoId, ids.modelId, ids.invitationId, ids.userId, ids.sessionId];
    const checked: string[] = [];
    for (const m of mutations) {
      if (ALLOWED_FOR_AUDITOR.has(m.name)) continue;
      // Operations taking a bare `id` are tried with every kind of object of the team.
      const runs = m.args.some((a) => a.name === 'id') ? candidates : [undefined];
      for (const candidate of runs) {
        if (candidate) ids.id = candidate;
        const args = m.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
        const argText = args.length ? `(${args.map((a) => `${a.name}: ${inputLiteral(a.name, a.type, (n) => ids[n] ?? ids.id)}`).join(', ')})` : '';
        const doc = `mutation { ${m.name}${argText}${minimalSelection(getNamedType(m.type))} }`;
        const res = await auditor.gql(doc);
        if (PRESENCE_FOR_AUDITOR.has(m.name) && candidate === ids.sessionId) {
          expect(res.errors, `${doc} → ${JSON.stringify(res)}`).toBeUndefined();
          continue;
        }
        const code = res.errors?.[0]?.extensions?.code;
        expect(['FORBIDDEN', 'NOT_FOUND'], `${doc} → ${JSON.stringify(res)}`).toContain(code);
      }
      checked.push(m.name);
    }
    expect(checked.length).toBeGreaterThan(15);
    expect(checked).toEqual(expect.arrayContaining(['addReviewComment', 'decideReviewExplanation', 'endReviewSession']));
    expect(before.reviewComments).toHaveLength(1);
    expect(before.reviewDecisions).toHaveLength(1);
    expect(await snapshot(ids.teamId!)).toEqual(before);
  });

  it('the auditor can read the team: videos, explanations, the audit log, and generate a report', async () => {
    const res = await auditor.ok<any>(
      `query($t: ID!) { videos(teamId: $t) { nodes { id } } explanations(teamId: $t) { nodes { id } } verifyAuditChain(teamId: $t) { ok } }`,
      { t: ids.teamId },
    );
    expect(res.videos.nodes).toHaveLength(1);
    expect(res.explanations.nodes).toHaveLength(1);
    expect(res.verifyAuditChain.ok).toBe(true);
    const report = await auditor.ok<any>(`mutation($t: ID!, $m: ID!) { generateAuditReport(teamId: $t, modelId: $m) { id files { name sha256 url } } }`, {
      t: ids.teamId,
      m: ids.modelId,
    });
    expect(report.generateAuditReport.files.map((f: any) => f.name)).toEqual(expect.arrayContaining(['report.json', 'report.html', 'manifest.json']));
  });
});
