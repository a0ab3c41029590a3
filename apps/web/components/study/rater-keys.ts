/**
 * The rater page's keyboard map, as a pure function so it can be tested:
 * digits rate (Likert 1..points), choose (pairwise 1 = left, 2 = right, 0 = can't tell when
 * allowed) or append to the ranking (1..k); Backspace undoes the last ranked; ←/→ step one frame;
 * Space plays/pauses; Enter submits.
 */
export type RaterDesign = 'LIKERT' | 'PAIRWISE' | 'RANKING';

export type RaterAction =
  | { type: 'rate'; value: number }
  | { type: 'choose'; alias: string }
  | { type: 'rank'; alias: string }
  | { type: 'unrank' }
  | { type: 'step'; frames: 1 | -1 }
  | { type: 'toggle' }
  | { type: 'submit' };

export const TIE = 'TIE';

export function raterKeyAction(
  key: string,
  design: RaterDesign,
  opts: { points: number; aliases: readonly string[]; allowTie: boolean },
): RaterAction | null {
  if (key === 'ArrowLeft') return { type: 'step', frames: -1 };
  if (key === 'ArrowRight') return { type: 'step', frames: 1 };
  if (key === ' ') return { type: 'toggle' };
  if (key === 'Enter') return { type: 'submit' };
  if (key === 'Backspace') return design === 'RANKING' ? { type: 'unrank' } : null;
  if (!/^\d$/.test(key)) return null;
  const n = Number(key);
  if (design === 'LIKERT') return n >= 1 && n <= opts.points ? { type: 'rate', value: n } : null;
  if (design === 'PAIRWISE') {
    if (n === 1 || n === 2) return opts.aliases[n - 1] ? { type: 'choose', alias: opts.aliases[n - 1]! } : null;
    return n === 0 && opts.allowTie ? { type: 'choose', alias: TIE } : null;
  }
  return n >= 1 && n <= opts.aliases.length ? { type: 'rank', alias: opts.aliases[n - 1]! } : null;
}
