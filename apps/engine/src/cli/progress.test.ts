import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.ts';

function sink(isTTY: boolean) {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 100;
  return { stream, text: () => text };
}

describe('createProgress', () => {
  it('redraws one bar in place on a terminal', () => {
    const s = sink(true);
    const p = createProgress(s.stream);
    p.update(0.25, 'optimising it 75/300');
    p.update(0.5, 'optimising it 150/300');
    p.done();
    const out = s.text();
    expect(out.startsWith('\r[')).toBe(true);
    expect(out).toContain(' 50% optimising it 150/300');
    expect(out.split('\n')).toHaveLength(2); // one final newline only
  });

  it('prints at most one plain line per 10 % and stage otherwise', () => {
    const s = sink(false);
    const p = createProgress(s.stream);
    for (let i = 0; i <= 100; i++) p.update(i / 100, `optimising it ${i}/100`);
    p.update(1, 'metrics');
    p.done();
    const lines = s.text().trim().split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe('0% optimising it 0/100');
    expect(lines.at(-1)).toBe('100% metrics');
    expect(s.text()).not.toContain('\r');
  });

  it('is silent when disabled', () => {
    const s = sink(true);
    const p = createProgress(s.stream, false);
    p.update(0.5, 'x');
    p.log('y');
    expect(s.text()).toBe('');
  });
});
