/**
 * The first steps of most browser suites: a person signs up over the API and creates a team, and
 * a SynthActions clip is written with the `fep` CLI, ready to upload.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TestClient } from '@fep/api/testing/test-api.ts';
import type { Person } from './studies-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Signs `name` up (a fresh e-mail under `emailPrefix`) and creates the team `team`. */
export async function signUpWithTeam(baseUrl: string, name: string, emailPrefix: string, team: string): Promise<{ owner: Person; teamId: string }> {
  const client = new TestClient(baseUrl);
  const signUp = await client.ok<any>(`mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }`, {
    input: { email: `${emailPrefix}-${Date.now()}@example.com`, password: 'correct horse battery staple', name },
  });
  const owner: Person = { client, userId: signUp.signUp.user.id, name };
  const teamId = (await client.ok<any>(`mutation($name: String!) { createTeam(input: { name: $name }) { id } }`, { name: team })).createTeam.id as string;
  return { owner, teamId };
}

/** Writes the SynthActions clip of `seed` (`fep synth`) into `dir`; returns its path. */
export function synthClipFile(dir: string, seed: number): string {
  const file = path.join(dir, `synth-seed${seed}.mp4`);
  execFileSync(process.execPath, [path.join(ROOT, 'apps/engine/bin/fep.mjs'), 'synth', '--seed', String(seed), '--out', file], { env: { ...process.env, FEP_NO_PROGRESS: '1' } });
  return file;
}
