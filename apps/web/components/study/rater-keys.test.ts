import { describe, expect, it } from 'vitest';
import { TIE, raterKeyAction } from './rater-keys.ts';

const aliases = ['a1', 'b2', 'c3'];

describe('rater keyboard map', () => {
  it('Likert: digits within the scale rate, others are ignored', () => {
    const o = { points: 5, aliases: ['x'], allowTie: false };
    expect(raterKeyAction('4', 'LIKERT', o)).toEqual({ type: 'rate', value: 4 });
    expect(raterKeyAction('6', 'LIKERT', o)).toBeNull();
    expect(raterKeyAction('0', 'LIKERT', o)).toBeNull();
    expect(raterKeyAction('7', 'LIKERT', { ...o, points: 7 })).toEqual({ type: 'rate', value: 7 });
  });

  it("pairwise: 1 = left, 2 = right, 0 = can't tell only when allowed", () => {
    const o = { points: 5, aliases: aliases.slice(0, 2), allowTie: false };
    expect(raterKeyAction('1', 'PAIRWISE', o)).toEqual({ type: 'choose', alias: 'a1' });
    expect(raterKeyAction('2', 'PAIRWISE', o)).toEqual({ type: 'choose', alias: 'b2' });
    expect(raterKeyAction('0', 'PAIRWISE', o)).toBeNull();
    expect(raterKeyAction('0', 'PAIRWISE', { ...o, allowTie: true })).toEqual({ type: 'choose', alias: TIE });
    expect(raterKeyAction('3', 'PAIRWISE', o)).toBeNull();
  });

  it('ranking: digits append, Backspace undoes; shared keys step, play and submit', () => {
    const o = { points: 5, aliases, allowTie: false };
    expect(raterKeyAction('3', 'RANKING', o)).toEqual({ type: 'rank', alias: 'c3' });
    expect(raterKeyAction('4', 'RANKING', o)).toBeNull();
    expect(raterKeyAction('Backspace', 'RANKING', o)).toEqual({ type: 'unrank' });
    expect(raterKeyAction('Backspace', 'LIKERT', o)).toBeNull();
    expect(raterKeyAction('ArrowLeft', 'LIKERT', o)).toEqual({ type: 'step', frames: -1 });
    expect(raterKeyAction('ArrowRight', 'PAIRWISE', o)).toEqual({ type: 'step', frames: 1 });
    expect(raterKeyAction(' ', 'RANKING', o)).toEqual({ type: 'toggle' });
    expect(raterKeyAction('Enter', 'RANKING', o)).toEqual({ type: 'submit' });
    expect(raterKeyAction('x', 'RANKING', o)).toBeNull();
  });
});
