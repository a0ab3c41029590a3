import { describe, expect, it } from 'vitest';
import { decisionSentence, mergeDecision, type Decision } from './decisions.ts';

const host = { userId: 'h', name: 'Olga Owner', isHost: true };
const max = { userId: 'm', name: 'Max Member', isHost: false };
const d = (explanationId: string, verdict: Decision['verdict'], decidedBy: Decision['decidedBy']): Decision => ({ explanationId, verdict, note: null, decidedAt: '2026-12-04T18:00:00Z', decidedBy });

describe('review decisions on the page', () => {
  it('a vote counts until the host decides; later votes never replace the host', () => {
    let s = { decisions: [] as Decision[], votes: [] as Decision[] };
    s = mergeDecision(s, d('e1', 'REJECT', max));
    expect(s.decisions.map((x) => x.verdict)).toEqual(['REJECT']);
    s = mergeDecision(s, d('e1', 'ACCEPT', host));
    expect(s.decisions.map((x) => [x.verdict, x.decidedBy.userId])).toEqual([['ACCEPT', 'h']]);
    s = mergeDecision(s, d('e1', 'NEEDS_WORK', max));
    expect(s.decisions.map((x) => [x.verdict, x.decidedBy.userId])).toEqual([['ACCEPT', 'h']]);
    expect(s.votes.map((x) => [x.explanationId, x.verdict])).toEqual([['e1', 'NEEDS_WORK']]);
    // The host may change their own decision.
    s = mergeDecision(s, d('e1', 'REJECT', host));
    expect(s.decisions.map((x) => x.verdict)).toEqual(['REJECT']);
  });

  it('says what was decided, by whom, for which explanation', () => {
    expect(decisionSentence(d('e1', 'ACCEPT', host), '1. clip 1 · F-EP')).toBe('Accepted by Olga Owner for 1. clip 1 · F-EP');
    expect(decisionSentence(d('e1', 'NEEDS_WORK', max), 'x')).toBe('Marked needs work by Max Member for x');
  });
});
