import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { operation } from './graphql-client.ts';
import { fragmentDefinitions, fragmentSpreads, withFragments } from './graphql-fragments.ts';

const A = /* GraphQL */ `
  fragment A on User {
    id
    name
  }
`;
/** B spreads A and carries A's definition, as lib/operations/fragments.ts does. */
const B =
  /* GraphQL */ `
  fragment B on User {
    ...A
    email
  }
` + A;
const C = /* GraphQL */ `
  fragment C on Team {
    id
    settings { theme }
  }
`;

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('fragmentDefinitions / fragmentSpreads', () => {
  it('finds each definition with its nested braces, and named spreads but not inline fragments', () => {
    const defs = fragmentDefinitions(C + B);
    expect(defs.map((d) => d.name)).toEqual(['C', 'B', 'A']);
    expect(defs[0]!.text).toBe('fragment C on Team {\n    id\n    settings { theme }\n  }');
    expect(fragmentSpreads('{ x { ...A ... on T { ...B } ...  C } }')).toEqual(['A', 'B', 'C']);
  });

  it('ignores braces and spreads inside strings and comments', () => {
    const text = 'fragment S on User { id # a comment with { and ...Fake\n  name(format: "...Nope }") }';
    expect(fragmentDefinitions(text).map((d) => d.text)).toEqual([text]);
    expect(fragmentSpreads(text)).toEqual([]);
  });
});

describe('withFragments', () => {
  it('leaves a document without spreads unchanged', () => {
    const doc = 'query Q { viewer { id } }';
    expect(withFragments(doc, [A, B, C])).toBe(doc);
  });

  it('appends each used fragment once, however often it is spread or supplied', () => {
    const doc = 'query Q { a { ...A } b { ...A } c { ...B } }';
    const out = withFragments(doc, [A, B, A, B]);
    expect(out.startsWith(doc)).toBe(true);
    expect(count(out, 'fragment A on User')).toBe(1);
    expect(count(out, 'fragment B on User')).toBe(1);
  });

  it('follows spreads through fragments and leaves unused ones out', () => {
    const out = withFragments('query Q { me { ...B } }', [C, B]);
    expect(fragmentDefinitions(out).map((d) => d.name).sort()).toEqual(['A', 'B']);
    expect(out).not.toContain('fragment C');
  });

  it('keeps fragments the document defines itself and resolves what they spread', () => {
    const doc = 'query Q { me { ...Local } }\nfragment Local on User { ...A id }';
    const out = withFragments(doc, [A]);
    expect(count(out, 'fragment Local')).toBe(1);
    expect(count(out, 'fragment A on User')).toBe(1);
  });

  it('refuses a spread nobody defines, and two different fragments with one name', () => {
    expect(() => withFragments('query Q { me { ...Missing } }', [A])).toThrow(/Missing/);
    expect(() => withFragments('query Q { me { ...A } }', [A, 'fragment A on User { email }'])).toThrow(/named A/);
  });

  it('is what operation() sends', () => {
    const op = operation<{ me: { id: string } }>('query Q { me { ...B } other: me { ...A } }', [B]);
    expect(op.query).toBe(withFragments('query Q { me { ...B } other: me { ...A } }', [B]));
    expect(count(op.query, 'fragment A on User')).toBe(1);
  });
});

describe('the web app operations', () => {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'operations');

  it('define every fragment they spread exactly once and no fragment they do not use', async () => {
    const docs: { name: string; text: string }[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const mod = (await import(path.join(dir, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        const text = typeof value === 'string' ? value : (value as { query?: unknown } | null)?.query;
        // Documents with an operation; fragments.ts exports bare fragment definitions.
        if (typeof text === 'string' && /^\s*(query|mutation|subscription)\b/.test(text)) docs.push({ name: `${file}:${name}`, text });
      }
    }
    expect(docs.length).toBeGreaterThan(50);
    let withSpreads = 0;
    for (const doc of docs) {
      const defined = fragmentDefinitions(doc.text).map((d) => d.name);
      expect(new Set(defined).size, doc.name).toBe(defined.length);
      expect([...defined].sort(), doc.name).toEqual([...fragmentSpreads(doc.text)].sort());
      if (defined.length > 0) withSpreads++;
    }
    expect(withSpreads).toBeGreaterThan(20);
  });
});
