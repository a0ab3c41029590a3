import type { ReviewVerdict } from '../../lib/__generated__/graphql.ts';

/** A decision as the review page holds it (ReviewDecisionFields). */
export interface Decision {
  explanationId: string;
  verdict: ReviewVerdict;
  note: string | null;
  decidedAt: string;
  decidedBy: { userId: string; name: string; isHost: boolean };
}

/**
 * Merges a decision from the event stream the way the API counts them: per explanation the host's
 * latest decision counts; another participant's vote counts only while the host has not decided,
 * and is kept in `votes` (one per participant and explanation) either way.
 */
export function mergeDecision<D extends Decision>(s: { decisions: D[]; votes: D[] }, d: D): { decisions: D[]; votes: D[] } {
  const current = s.decisions.find((x) => x.explanationId === d.explanationId);
  const counts = d.decidedBy.isHost || !current?.decidedBy.isHost;
  return {
    decisions: counts ? [...s.decisions.filter((x) => x.explanationId !== d.explanationId), d] : s.decisions,
    votes: d.decidedBy.isHost
      ? s.votes
      : [...s.votes.filter((x) => !(x.explanationId === d.explanationId && x.decidedBy.userId === d.decidedBy.userId)), d],
  };
}

const VERDICT_WORDS: Record<ReviewVerdict, string> = { ACCEPT: 'Accepted', REJECT: 'Rejected', NEEDS_WORK: 'Marked needs work' };

/** "Accepted by Olga Owner for 2. clip · F-EP · …" */
export function decisionSentence(d: Pick<Decision, 'verdict'> & { decidedBy: { name: string } }, label: string): string {
  return `${VERDICT_WORDS[d.verdict]} by ${d.decidedBy.name} for ${label}`;
}

