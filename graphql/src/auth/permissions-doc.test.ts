import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderPermissionTable } from './permissions.ts';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/permissions.md');

describe('docs/permissions.md', () => {
  it('embeds exactly the enforced permission matrix', () => {
    const doc = readFileSync(DOC, 'utf8');
    const table = doc.split('<!-- permission-table:start -->')[1]?.split('<!-- permission-table:end -->')[0]?.trim();
    expect(table).toBe(renderPermissionTable());
  });
});
