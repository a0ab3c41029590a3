/**
 * Progress on stderr: a redrawn bar when stderr is a terminal, plain lines (at most one per 10 %
 * and per stage) otherwise, so logs and CI output stay readable.
 */
export interface ProgressSink {
  update(fraction: number, label: string): void;
  log(line: string): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, enabled = true): ProgressSink {
  if (!enabled) return { update() {}, log() {}, done() {} };
  const tty = Boolean(stream.isTTY);
  let lastDecile = -1;
  let lastLabelStage = '';
  let drawn = false;
  const started = Date.now();
  const eta = (fraction: number) => {
    if (fraction <= 0.01) return '';
    const ms = ((Date.now() - started) * (1 - fraction)) / fraction;
    return ` eta ${Math.ceil(ms / 1000)}s`;
  };
  return {
    update(fraction, label) {
      const f = Math.max(0, Math.min(1, fraction));
      if (tty) {
        const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 60));
        const filled = Math.round(f * width);
        const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${label}${eta(f)}`;
        stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1)}\x1b[K`);
        drawn = true;
        return;
      }
      const decile = Math.floor(f * 10);
      const stage = label.split(' ')[0] ?? '';
      if (decile !== lastDecile || stage !== lastLabelStage) {
        lastDecile = decile;
        lastLabelStage = stage;
        stream.write(`${(f * 100).toFixed(0)}% ${label}\n`);
      }
    },
    log(line) {
      if (tty && drawn) stream.write('\r\x1b[K');
      drawn = false;
      stream.write(line + '\n');
    },
    done() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
