import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { can, PERMISSIONS, renderPermissionTable, type Permission } from './permissions.ts';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/permissions.md');

describe('docs/permissions.md', () => {
  it('embeds exactly the enforced permission matrix', () => {
    const doc = readFileSync(DOC, 'utf8');
    const table = doc.split('<!-- permission-table:start -->')[1]?.split('<!-- permission-table:end -->')[0]?.trim();
    expect(table).toBe(renderPermissionTable());
  });
});

describe('what AUDITOR reads (docs/permissions.md: "read everything of their team, change nothing")', () => {
  const perms = Object.keys(PERMISSIONS) as Permission[];
  it('holds every read permission, studies included', () => {
    for (const p of perms.filter((p) => p.endsWith('.read'))) expect(can('AUDITOR', p), p).toBe(true);
    expect(can('AUDITOR', 'study.read')).toBe(true);
  });
  it('holds nothing else but generating reports and joining live reviews (both documented)', () => {
    const extra = perms.filter((p) => !p.endsWith('.read') && can('AUDITOR', p));
    expect(extra.sort()).toEqual(['report.generate', 'review.join']);
  });
});
