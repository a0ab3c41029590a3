/** Timing helpers of the benchmarks (not tests: nothing here asserts a duration). */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median wall time (ms) of `reps` calls of a synchronous `fn`, after `warmups` untimed calls. */
export function timeIt(fn: () => void, reps: number, warmups = 2): number {
  for (let i = 0; i < warmups; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}
