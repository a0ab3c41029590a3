/**
 * Child-process probe for src/backend.test.ts: the backend is chosen once per process, so each
 * selection case runs this script in a fresh `node --import tsx` process. It calls `initBackend()`
 * (with argv[2] as the explicit preference when given, otherwise ENGINE_BACKEND applies) and prints
 * one JSON line: `{ ok: true, info, log }` or `{ ok: false, name, message }`.
 */
import { initBackend } from '../backend.ts';

const logs: string[] = [];
const info = console.info.bind(console);
console.info = (...args: unknown[]) => {
  logs.push(args.map(String).join(' '));
  info(...args);
};

try {
  const result = await initBackend(process.argv[2] || undefined);
  process.stdout.write(`${JSON.stringify({ ok: true, info: result, log: logs })}\n`);
} catch (err) {
  const e = err as Error;
  process.stdout.write(`${JSON.stringify({ ok: false, name: e.name, message: e.message, log: logs })}\n`);
}
