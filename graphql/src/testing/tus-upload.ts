import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Uploads a video file to a team the way the browser does (tus: create, then one PATCH with the
 * whole file) and returns the new video's id. Throws with the HTTP status if either step fails.
 * Used by the cross-app suites and by scripts/example-audit-report.ts.
 */
export async function uploadVideoOverTus(
  baseUrl: string,
  client: { cookie?: string | null },
  teamId: string,
  file: string,
  opts: { filename?: string; title?: string } = {},
): Promise<string> {
  const bytes = readFileSync(file);
  const b64 = (v: string) => Buffer.from(v).toString('base64');
  const meta = [`teamId ${b64(teamId)}`, `filename ${b64(opts.filename ?? path.basename(file))}`, ...(opts.title ? [`title ${b64(opts.title)}`] : [])].join(',');
  const auth: Record<string, string> = client.cookie ? { cookie: client.cookie } : {};
  const created = await fetch(`${baseUrl}/api/uploads`, {
    method: 'POST',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(bytes.length), 'Upload-Metadata': meta, ...auth },
  });
  if (created.status !== 201) throw new Error(`tus create answered ${created.status}: ${await created.text()}`);
  const done = await fetch(new URL(created.headers.get('location')!, baseUrl), {
    method: 'PATCH',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', ...auth },
    body: bytes,
  });
  if (done.status !== 200) throw new Error(`tus upload answered ${done.status}: ${await done.text()}`);
  return done.headers.get('x-video-id')!;
}
